"""Campaign years: a message per year, closing, demo years; each offer belongs to a campaign.

Existing offers are given the campaign of their reference's year, or else the one the
portal's rule gives for the day they arrived (the campaign under way or next, else the
last one): on a database that knows only 2023, every offer stays in 2023.

Revision ID: 0110
Revises: 0100
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0110"
down_revision = "0100"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("campaign") as batch:
        for lang in ("kk", "ru", "en"):
            batch.add_column(sa.Column(f"message_{lang}", sa.String(600), nullable=False, server_default=""))
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("is_demo", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("offer") as batch:
        batch.add_column(sa.Column("campaign_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_offer_campaign_id_campaign", "campaign", ["campaign_id"], ["id"])
        batch.create_index("ix_offer_campaign_id", ["campaign_id"])

    conn = op.get_bind()
    campaigns = conn.execute(sa.text("SELECT id, year, ends_on FROM campaign ORDER BY starts_on")).all()
    if not campaigns:
        return
    by_year = {year: ident for ident, year, _ends in campaigns}

    def as_date(value):
        return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else (
            value.date() if isinstance(value, dt.datetime) else value)

    ends = [(ident, as_date(end)) for ident, _year, end in campaigns]
    for offer_id, year, created_at in conn.execute(sa.text("SELECT id, year, created_at FROM offer")).all():
        campaign_id = by_year.get(year)
        if campaign_id is None:
            day = as_date(created_at)
            campaign_id = next((ident for ident, end in ends if end >= day), ends[-1][0])
        conn.execute(sa.text("UPDATE offer SET campaign_id = :c WHERE id = :o"), {"c": campaign_id, "o": offer_id})


def downgrade():
    with op.batch_alter_table("offer") as batch:
        batch.drop_index("ix_offer_campaign_id")
        batch.drop_constraint("fk_offer_campaign_id_campaign", type_="foreignkey")
        batch.drop_column("campaign_id")
    with op.batch_alter_table("campaign") as batch:
        batch.drop_column("is_demo")
        batch.drop_column("closed_at")
        for lang in ("kk", "ru", "en"):
            batch.drop_column(f"message_{lang}")
