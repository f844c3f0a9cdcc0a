"""Join the per-area migration branches into one head, so `flask db migrate` has one parent.

Revision ID: 0100
Revises: 0020, 0030, 0040, 0050
"""

revision = "0100"
down_revision = ("0020", "0030", "0040", "0050")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
