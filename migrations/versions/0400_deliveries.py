"""Deliveries of offers (what, how many, value, day, where to as an aggregate) and the sponsor's private page.

``offer`` gains ``access_token_hash`` (SHA-256 of the private link's token; existing offers have none),
``consent_withdrawn_at`` and ``thanked_at``.

Revision ID: 0400
Revises: 0110
"""

import sqlalchemy as sa
from alembic import op

revision = "0400"
down_revision = "0110"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("offer") as batch:
        batch.add_column(sa.Column("access_token_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("consent_withdrawn_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("thanked_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_unique_constraint("uq_offer_access_token_hash", ["access_token_hash"])
    op.create_table(
        "offer_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("description", sa.String(200), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("value_tenge", sa.BigInteger(), nullable=True),
        sa.Column("children", sa.Integer(), nullable=True),
        sa.Column("delivered_on", sa.Date(), nullable=False),
        sa.Column("region_code", sa.String(8), nullable=False),
        sa.Column("place", sa.String(200), nullable=False),
        sa.Column("locality", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quantity IS NULL OR quantity >= 0", name=op.f("ck_offer_delivery_quantity_not_negative")),
        sa.CheckConstraint("value_tenge IS NULL OR value_tenge >= 0", name=op.f("ck_offer_delivery_value_not_negative")),
        sa.CheckConstraint("children IS NULL OR children >= 0", name=op.f("ck_offer_delivery_children_not_negative")),
        sa.ForeignKeyConstraint(["offer_id"], ["offer.id"], name=op.f("fk_offer_delivery_offer_id_offer"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["region_code"], ["region.code"], name=op.f("fk_offer_delivery_region_code_region")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_delivery")),
    )
    with op.batch_alter_table("offer_delivery") as batch:
        batch.create_index("ix_offer_delivery_offer_id", ["offer_id"])
        batch.create_index("ix_offer_delivery_region_code", ["region_code"])


def downgrade():
    op.drop_table("offer_delivery")
    with op.batch_alter_table("offer") as batch:
        batch.drop_constraint("uq_offer_access_token_hash", type_="unique")
        batch.drop_column("thanked_at")
        batch.drop_column("consent_withdrawn_at")
        batch.drop_column("access_token_hash")
