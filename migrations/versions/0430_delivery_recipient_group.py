"""Deliveries say which group of children they reached (issue 16): low-income or large families, orphans,
children without parental care, other (``portal/recipients.py``). Existing deliveries keep NULL, which the
report's proposal counts as "other recipients".

Revision ID: 0430
Revises: 0420
"""

import sqlalchemy as sa
from alembic import op

revision = "0430"
down_revision = "0420"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("offer_delivery", sa.Column("recipient_group", sa.String(24), nullable=True))


def downgrade():
    with op.batch_alter_table("offer_delivery") as batch:
        batch.drop_column("recipient_group")
