"""outreach: self-check tallies, the needs board, offers answering a need

Revision ID: 0050
Revises: 0002

"""
from alembic import op
import sqlalchemy as sa


revision = "0050"
down_revision = "0010"  # adds offer.need_id: comes after the offers tables
branch_labels = ("outreach",)
# offer.need_id is added to the offers' table.
depends_on = None


def upgrade():
    op.create_table(
        "ready_tally",
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("question", sa.String(length=24), nullable=False),
        sa.Column("answer", sa.String(length=8), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["region_code"], ["region.code"], name=op.f("fk_ready_tally_region_code_region")),
        sa.PrimaryKeyConstraint("region_code", "day", "question", "answer", name=op.f("pk_ready_tally")),
    )
    op.create_index(op.f("ix_ready_tally_day"), "ready_tally", ["day"], unique=False)

    op.create_table(
        "need",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=16), nullable=False),
        sa.Column("size_band", sa.String(length=60), nullable=False),
        sa.Column("quantity_total", sa.Integer(), nullable=False),
        sa.Column("quantity_needed", sa.Integer(), nullable=False),
        sa.Column("covered", sa.Boolean(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"], name=op.f("fk_need_campaign_id_campaign")),
        sa.ForeignKeyConstraint(["region_code"], ["region.code"], name=op.f("fk_need_region_code_region")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_need")),
    )
    op.create_index(op.f("ix_need_campaign_id"), "need", ["campaign_id"], unique=False)
    op.create_index(op.f("ix_need_region_code"), "need", ["region_code"], unique=False)

    # SQLite cannot add a constraint to an existing table, but it can add a column that carries one
    # (a batch copy of ``offer`` would cascade-delete its kinds and regions while foreign keys are on).
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE offer ADD COLUMN need_id INTEGER "
            "CONSTRAINT fk_offer_need_id_need REFERENCES need (id)"
        )
    else:
        op.add_column("offer", sa.Column("need_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_offer_need_id_need"), "offer", "need", ["need_id"], ["id"]
        )
    op.create_index(op.f("ix_offer_need_id"), "offer", ["need_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_offer_need_id"), table_name="offer")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE offer DROP COLUMN need_id")
    else:
        op.drop_constraint(op.f("fk_offer_need_id_need"), "offer", type_="foreignkey")
        op.drop_column("offer", "need_id")
    op.drop_index(op.f("ix_need_region_code"), table_name="need")
    op.drop_index(op.f("ix_need_campaign_id"), table_name="need")
    op.drop_table("need")
    op.drop_index(op.f("ix_ready_tally_day"), table_name="ready_tally")
    op.drop_table("ready_tally")
