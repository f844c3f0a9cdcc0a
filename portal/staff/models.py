"""Staff accounts: national admins, regional coordinators and read-only analysts; invitations."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..extensions import db
from ..types import UTCDateTime
from ..regions.models import Region

ROLES = {
    "admin": _l("National administrator"),
    "coordinator": _l("Regional coordinator"),
    # Ministry analysts, the children's ombudsman, auditors: dashboards and aggregate exports only.
    "analyst": _l("Analyst (read only)"),
}


class StaffUser(UserMixin, db.Model):
    __tablename__ = "staff_user"
    __cache_area__ = None

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(16))
    region_code: Mapped[str | None] = mapped_column(sa.ForeignKey("region.code"), index=True)
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled: Mapped[bool] = mapped_column(default=False)
    # Last accepted TOTP time step: a code is never accepted twice.
    totp_last_step: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    is_active_account: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str] = mapped_column(sa.String(2), default="kk")
    # Bumped on password reset or deactivation: every existing session of the account ends.
    session_version: Mapped[int] = mapped_column(default=1)
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The daily digest (portal/queue/digest.py): off at the person's own choice; the day it last went out.
    digest_opt_out: Mapped[bool] = mapped_column(default=False)
    digest_sent_on: Mapped[dt.date | None] = mapped_column(sa.Date)

    region: Mapped[Region | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_account

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_analyst(self) -> bool:
        return self.role == "analyst"

    @property
    def label(self) -> str:
        """How colleagues see the account in assignment lists."""
        return self.name or self.email

    def get_id(self) -> str:
        # The session stores id and version, so a password reset ends old sessions.
        return "%d:%d" % (self.id, self.session_version)

    def __repr__(self) -> str:
        return "<StaffUser %s %s %s>" % (self.email, self.role, self.region_code or "national")


class StaffInvitation(db.Model):
    """An admin's invitation to open a staff account: a link that works once, until it expires.

    Only the SHA-256 of the link's token is stored: the database alone opens no account.
    """

    __tablename__ = "staff_invitation"
    __cache_area__ = None

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    name: Mapped[str] = mapped_column(sa.String(120), default="")
    role: Mapped[str] = mapped_column(sa.String(16))
    region_code: Mapped[str | None] = mapped_column(sa.ForeignKey("region.code"))
    language: Mapped[str] = mapped_column(sa.String(2), default="kk")
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    region: Mapped[Region | None] = relationship()

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and clock.now() < self.expires_at
