"""The work queue (issue 15): due dates, assignment, channels and close reasons on appeals and offers;
the digest opt-out on staff accounts; invitations; reply templates.

Existing appeals and offers get their due date from the day they arrived (portal/workdays.py).

Revision ID: 0300
Revises: 0210
"""

import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0300"
down_revision = "0210"
branch_labels = None
depends_on = None


def _backfill():
    from portal.workdays import due_on

    bind = op.get_bind()
    appeal = sa.table("appeal", sa.column("created_on", sa.Date), sa.column("due_on", sa.Date))
    days = [row[0] for row in bind.execute(sa.select(appeal.c.created_on).distinct())]
    for day in days:
        bind.execute(appeal.update().where(appeal.c.created_on == day).values(due_on=due_on(day)))
    offer = sa.table("offer", sa.column("id", sa.Integer), sa.column("created_at", sa.DateTime(timezone=True)),
                     sa.column("due_on", sa.Date))
    zone = ZoneInfo("Asia/Almaty")
    by_day = {}
    for ident, created_at in bind.execute(sa.select(offer.c.id, offer.c.created_at)):
        if isinstance(created_at, str):
            created_at = dt.datetime.fromisoformat(created_at)
        if created_at.tzinfo is None:
            created_at = created_at.replace(tzinfo=dt.timezone.utc)
        by_day.setdefault(created_at.astimezone(zone).date(), []).append(ident)
    for day, ids in by_day.items():
        for start in range(0, len(ids), 500):
            bind.execute(offer.update().where(offer.c.id.in_(ids[start:start + 500])).values(due_on=due_on(day)))


def upgrade():
    with op.batch_alter_table("appeal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("follow_up_due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("close_reason", sa.String(length=16), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("channel", sa.String(length=16), nullable=False, server_default="web"))
        batch_op.add_column(sa.Column("language", sa.String(length=2), nullable=False, server_default=""))
        batch_op.create_index("ix_appeal_due_on", ["due_on"], unique=False)
        batch_op.create_index("ix_appeal_assignee_id", ["assignee_id"], unique=False)
        batch_op.create_foreign_key("fk_appeal_assignee_id_staff_user", "staff_user", ["assignee_id"], ["id"])
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_offer_due_on", ["due_on"], unique=False)
        batch_op.create_index("ix_offer_assignee_id", ["assignee_id"], unique=False)
        batch_op.create_foreign_key("fk_offer_assignee_id_staff_user", "staff_user", ["assignee_id"], ["id"])
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digest_opt_out", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("digest_sent_on", sa.Date(), nullable=True))

    _backfill()

    with op.batch_alter_table("appeal", schema=None) as batch_op:
        batch_op.alter_column("due_on", existing_type=sa.Date(), nullable=False)
        batch_op.alter_column("close_reason", server_default=None)
        batch_op.alter_column("channel", server_default=None)
        batch_op.alter_column("language", server_default=None)
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.alter_column("due_on", existing_type=sa.Date(), nullable=False)
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.alter_column("digest_opt_out", server_default=None)

    op.create_table(
        "staff_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("region_code", sa.String(length=8), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["staff_user.id"]),
        sa.ForeignKeyConstraint(["region_code"], ["region.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_staff_invitation_email", "staff_invitation", ["email"], unique=False)
    op.create_table(
        "reply_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", "language", name="uq_reply_template_key_language"),
    )


def downgrade():
    op.drop_table("reply_template")
    op.drop_index("ix_staff_invitation_email", table_name="staff_invitation")
    op.drop_table("staff_invitation")
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.drop_column("digest_sent_on")
        batch_op.drop_column("digest_opt_out")
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.drop_constraint("fk_offer_assignee_id_staff_user", type_="foreignkey")
        batch_op.drop_index("ix_offer_assignee_id")
        batch_op.drop_index("ix_offer_due_on")
        batch_op.drop_column("assignee_id")
        batch_op.drop_column("due_on")
    with op.batch_alter_table("appeal", schema=None) as batch_op:
        batch_op.drop_constraint("fk_appeal_assignee_id_staff_user", type_="foreignkey")
        batch_op.drop_index("ix_appeal_assignee_id")
        batch_op.drop_index("ix_appeal_due_on")
        batch_op.drop_column("language")
        batch_op.drop_column("channel")
        batch_op.drop_column("close_reason")
        batch_op.drop_column("assignee_id")
        batch_op.drop_column("follow_up_due_on")
        batch_op.drop_column("due_on")
