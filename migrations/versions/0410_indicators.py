"""Regional inputs and sign-off of the campaign indicators (issue 16).

Revision ID: 0410
Revises: 0400
"""

import sqlalchemy as sa
from alembic import op

revision = "0410"
down_revision = "0400"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_indicator_signoff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(8), nullable=False),
        sa.Column("planned_budget", sa.BigInteger(), nullable=True),
        sa.Column("children_identified", sa.Integer(), nullable=True),
        sa.Column("out_of_school", sa.Integer(), nullable=True),
        sa.Column("back_to_school", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("included_in_version", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"], name=op.f("fk_report_indicator_signoff_campaign_id_campaign")),
        sa.ForeignKeyConstraint(["region_code"], ["region.code"], name=op.f("fk_report_indicator_signoff_region_code_region")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_indicator_signoff")),
        sa.UniqueConstraint("campaign_id", "region_code", name="uq_report_indicator_signoff_campaign_id"),
    )
    with op.batch_alter_table("report_indicator_signoff") as batch:
        batch.create_index("ix_report_indicator_signoff_campaign_id", ["campaign_id"])
        batch.create_index("ix_report_indicator_signoff_region_code", ["region_code"])


def downgrade():
    op.drop_table("report_indicator_signoff")
