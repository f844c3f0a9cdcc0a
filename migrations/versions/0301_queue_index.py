"""One covering index for the work queue's counts and lists (issue 15): region, status and due days of
appeals, so the dashboard and the queue read the index instead of 50,000 scattered rows (1,013 ms → see
bench/staff.py).

Revision ID: 0301
Revises: 0300
"""

from alembic import op

revision = "0301"
down_revision = "0300"
branch_labels = None
depends_on = None

COLUMNS = ["region_code", "status", "reporter_updated", "due_on", "follow_up_due_on", "close_reason", "created_on"]


def upgrade():
    op.create_index("ix_appeal_queue", "appeal", COLUMNS, unique=False)


def downgrade():
    op.drop_index("ix_appeal_queue", table_name="appeal")
