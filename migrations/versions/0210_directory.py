"""Regional directory kept by staff: phone line languages, receptions, headquarters, regional plans.

Existing phone lines (national lines and any a region entered) are kept as they are; they gain
``languages`` (empty: not stated) and ``updated_at`` (empty until the next edit).

Revision ID: 0210
Revises: 0100
"""

import sqlalchemy as sa
from alembic import op


revision = "0210"
down_revision = "0100"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("phone_line", schema=None) as batch_op:
        batch_op.add_column(sa.Column("languages", sa.String(length=20), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("phone_line", schema=None) as batch_op:
        batch_op.alter_column("languages", server_default=None)

    op.create_table(
        "reception",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=8), nullable=True),
        sa.Column("title_kk", sa.String(length=200), nullable=False),
        sa.Column("title_ru", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("settlement", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("hours_kk", sa.String(length=120), nullable=False),
        sa.Column("hours_ru", sa.String(length=120), nullable=False),
        sa.Column("hours_en", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["region_code"], ["region.code"], name=op.f("fk_reception_region_code_region")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reception")),
    )
    with op.batch_alter_table("reception", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reception_region_code"), ["region_code"], unique=False)

    op.create_table(
        "headquarters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=8), nullable=True),
        sa.Column("name_kk", sa.String(length=200), nullable=False),
        sa.Column("name_ru", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("head", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["region_code"], ["region.code"], name=op.f("fk_headquarters_region_code_region")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_headquarters")),
    )
    with op.batch_alter_table("headquarters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_headquarters_region_code"), ["region_code"], unique=False)

    op.create_table(
        "region_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("summary_kk", sa.Text(), nullable=False),
        sa.Column("summary_ru", sa.Text(), nullable=False),
        sa.Column("summary_en", sa.Text(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"], name=op.f("fk_region_plan_campaign_id_campaign")),
        sa.ForeignKeyConstraint(["region_code"], ["region.code"], name=op.f("fk_region_plan_region_code_region")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_region_plan")),
        sa.UniqueConstraint("region_code", "campaign_id", name="uq_region_plan_region_campaign"),
    )
    with op.batch_alter_table("region_plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_region_plan_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_region_plan_region_code"), ["region_code"], unique=False)


def downgrade():
    op.drop_table("region_plan")
    op.drop_table("headquarters")
    op.drop_table("reception")
    with op.batch_alter_table("phone_line", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
        batch_op.drop_column("languages")
