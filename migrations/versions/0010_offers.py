"""offers: donation offers, their kinds and regions, the reference counter

Revision ID: 0010
Revises: 0002

"""
from alembic import op
import sqlalchemy as sa


revision = "0010"
down_revision = "0002"
branch_labels = ("offers",)
depends_on = None


def upgrade():
    op.create_table(
        "offer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("form_token", sa.String(length=64), nullable=False),
        sa.Column("donor_type", sa.String(length=16), nullable=False),
        sa.Column("org_name", sa.String(length=200), nullable=False),
        sa.Column("tax_id", sa.String(length=12), nullable=False),
        sa.Column("contact_name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("value_tenge", sa.BigInteger(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("anywhere", sa.Boolean(), nullable=False),
        sa.Column("discount_percent", sa.Integer(), nullable=True),
        sa.Column("shop_name", sa.String(length=200), nullable=False),
        sa.Column("shop_address", sa.String(length=300), nullable=False),
        sa.Column("discount_starts_on", sa.Date(), nullable=True),
        sa.Column("discount_ends_on", sa.Date(), nullable=True),
        sa.Column("consent_data_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consent_public", sa.Boolean(), nullable=False),
        sa.Column("public_name", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_note", sa.Text(), nullable=False),
        sa.Column("wall_approved", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer")),
        sa.UniqueConstraint("form_token", name=op.f("uq_offer_form_token")),
        sa.UniqueConstraint("reference", name=op.f("uq_offer_reference")),
        sa.UniqueConstraint("year", "number", name="uq_offer_year_number"),
    )
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offer_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_offer_donor_type"), ["donor_type"], unique=False)
        batch_op.create_index(batch_op.f("ix_offer_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_offer_wall_approved"), ["wall_approved"], unique=False)

    op.create_table(
        "offer_counter",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_offer_counter")),
    )

    op.create_table(
        "offer_kind",
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["offer.id"], name=op.f("fk_offer_kind_offer_id_offer"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("offer_id", "kind", name=op.f("pk_offer_kind")),
    )
    with op.batch_alter_table("offer_kind", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offer_kind_kind"), ["kind"], unique=False)

    op.create_table(
        "offer_region",
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["offer.id"], name=op.f("fk_offer_region_offer_id_offer"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_offer_region_region_code_region")
        ),
        sa.PrimaryKeyConstraint("offer_id", "region_code", name=op.f("pk_offer_region")),
    )
    with op.batch_alter_table("offer_region", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offer_region_region_code"), ["region_code"], unique=False)


def downgrade():
    with op.batch_alter_table("offer_region", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offer_region_region_code"))
    op.drop_table("offer_region")
    with op.batch_alter_table("offer_kind", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offer_kind_kind"))
    op.drop_table("offer_kind")
    op.drop_table("offer_counter")
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offer_wall_approved"))
        batch_op.drop_index(batch_op.f("ix_offer_status"))
        batch_op.drop_index(batch_op.f("ix_offer_donor_type"))
        batch_op.drop_index(batch_op.f("ix_offer_created_at"))
    op.drop_table("offer")
