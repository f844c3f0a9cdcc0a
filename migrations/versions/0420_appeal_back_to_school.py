"""Appeals about a child not attending school: whether the child was back at school when staff closed it (issue 16).

Revision ID: 0420
Revises: 0410
"""

import sqlalchemy as sa
from alembic import op

revision = "0420"
down_revision = "0410"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("appeal", sa.Column("back_to_school", sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table("appeal") as batch:
        batch.drop_column("back_to_school")
