"""prices: school-goods price observations

Revision ID: 0040
Revises: 0002

"""
from alembic import op
import sqlalchemy as sa


revision = "0040"
down_revision = "0002"
branch_labels = ("prices",)
depends_on = None


def upgrade():
    op.create_table(
        "price_observation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("item", sa.String(length=24), nullable=False),
        sa.Column("outlet", sa.String(length=16), nullable=False),
        sa.Column("price", sa.Integer(), nullable=False),
        sa.Column("observed_on", sa.Date(), nullable=False),
        sa.Column("batch", sa.String(length=32), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("price >= 1", name=op.f("ck_price_observation_price_positive")),
        sa.ForeignKeyConstraint(["created_by_id"], ["staff_user.id"],
                                name=op.f("fk_price_observation_created_by_id_staff_user")),
        sa.ForeignKeyConstraint(["region_code"], ["region.code"], name=op.f("fk_price_observation_region_code_region")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_observation")),
    )
    with op.batch_alter_table("price_observation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_price_observation_region_code"), ["region_code"], unique=False)
        batch_op.create_index("ix_price_observation_year_region_item", ["year", "region_code", "item"], unique=False)


def downgrade():
    with op.batch_alter_table("price_observation", schema=None) as batch_op:
        batch_op.drop_index("ix_price_observation_year_region_item")
        batch_op.drop_index(batch_op.f("ix_price_observation_region_code"))
    op.drop_table("price_observation")
