"""Appeals, the messages on them, and the installation's receipt-hash salt.

What is stored about a reporter is only what they typed: no address, user agent,
referrer, cookie or session value, and no clock time — an appeal and each
message carry the calendar date only (``created_on``), which is enough to
handle them and too coarse to line up with any log.
"""

from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock, workdays
from ..extensions import db
from ..regions.models import Region

CATEGORIES = {
    "not_attending": _l("A child is not attending school"),
    "family_needs_help": _l("A family needs help to prepare for school"),
    "forced_fees": _l("Forced fees or price gouging"),
    "fair_problem": _l("A problem at a school fair"),
    "other": _l("Something else"),
}

STATUSES = {
    "new": _l("New"),
    "in_progress": _l("In progress"),
    "answered": _l("Answered"),
    "closed": _l("Closed"),
}

# Staff move an appeal forward (or back) along this list.
STATUS_ORDER = tuple(STATUSES)
# Statuses in which staff still owe the reporter a first answer.
OPEN_STATUSES = ("new", "in_progress")

# Why an appeal was closed without an answer (bulk actions in the queue).
CLOSE_REASONS = {
    "duplicate": _l("Duplicate"),
    "spam": _l("Spam"),
}

# How the appeal reached the portal: the web form, or staff recording a call or a visit.
CHANNELS = {
    "web": _l("Web form"),
    "phone": _l("Telephone"),
    "reception": _l("Public reception"),
}

MESSAGE_KINDS = {
    "reporter": _l("Information from the reporter"),
    "reply": _l("Reply to the reporter"),
    "note": _l("Internal note"),
}

# Region-less appeals belong to no coordinator: only national admins see them.
# ``access.region_of`` reads this instead of ``None`` (which would mean "national, visible to all").
NO_REGION = "-"

APPEAL_DATE_TZ = "Asia/Almaty"


def today() -> dt.date:
    """The date an appeal or message is stamped with: Kazakhstan's calendar date, no time of day."""
    return clock.today_in(APPEAL_DATE_TZ)


def _due_from_arrival(context) -> dt.date:
    """Column default: three working days after the day the appeal arrived (``portal/workdays.py``)."""
    return workdays.due_on(context.get_current_parameters().get("created_on") or today())


def random_id() -> int:
    """A random id (1 … 2³¹−1): an appeal's number, in staff URLs and anywhere it is written down, says
    nothing about when it was sent or in what order (sequential ids let anyone who saw two of them,
    or one beside a log line, place an appeal in time)."""
    return secrets.randbelow(2**31 - 1) + 1


class Appeal(db.Model):
    """An anonymous appeal, found by the reporter only through the keyed hash of their receipt code."""

    __tablename__ = "appeal"
    __cache_area__ = "appeals"
    # The work queue's counts and lists read this index, not the scattered rows (migration 0301).
    __table_args__ = (sa.Index("ix_appeal_queue", "region_code", "status", "reporter_updated", "due_on",
                               "follow_up_due_on", "close_reason", "created_on"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=random_id)
    # Argon2id(HMAC(pepper, code), installation salt), hex. Never the code itself.
    receipt_hash: Mapped[str] = mapped_column(sa.String(96), unique=True)
    category: Mapped[str] = mapped_column(sa.String(24), index=True)
    region_code: Mapped[str | None] = mapped_column(sa.ForeignKey("region.code"), index=True)
    settlement: Mapped[str] = mapped_column(sa.String(200), default="")
    message: Mapped[str] = mapped_column(sa.Text)
    # Only when the reporter chose to give it (and was told the appeal is then not anonymous).
    callback_phone: Mapped[str] = mapped_column(sa.String(20), default="")
    status: Mapped[str] = mapped_column(sa.String(16), default="new", index=True)
    created_on: Mapped[dt.date] = mapped_column(sa.Date, default=today, index=True)
    # The reporter typed back part of the code: the receipt is never shown again.
    receipt_confirmed: Mapped[bool] = mapped_column(default=False)
    # The reporter added information staff have not answered yet.
    reporter_updated: Mapped[bool] = mapped_column(default=False)
    is_demo: Mapped[bool] = mapped_column(default=False)
    # --- the work queue (portal/queue) ---
    # The first answer is due on this day (arrival + the promise); it never moves, so "answered within
    # the promise" can be counted later.
    due_on: Mapped[dt.date] = mapped_column(sa.Date, default=_due_from_arrival, index=True)
    # An answer to the reporter's unanswered follow-up is due on this day.
    follow_up_due_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"), index=True)
    close_reason: Mapped[str] = mapped_column(sa.String(16), default="")
    channel: Mapped[str] = mapped_column(sa.String(16), default="web")
    # The language of the page the reporter wrote from: replies go out in it.
    language: Mapped[str] = mapped_column(sa.String(2), default="")
    # A child not attending school (category "not_attending"): staff say, when closing, whether the child is
    # back at school (None: not said). Counted in the campaign indicators (portal/reports/indicators.py).
    back_to_school: Mapped[bool | None]

    region: Mapped[Region | None] = relationship()
    assignee = relationship("StaffUser", foreign_keys=[assignee_id], lazy="joined")
    messages: Mapped[list["AppealMessage"]] = relationship(
        back_populates="appeal", order_by="AppealMessage.id", cascade="all, delete-orphan"
    )

    # For the access-matrix test: a coordinator gets 404 for region-less appeals, as for another region's.
    NATIONAL_ADMINS_ONLY = True

    def staff_regions(self) -> list[str]:
        return [self.region_code or NO_REGION]

    @staticmethod
    def staff_scope(stmt, region_code):
        """Coordinators see their own region's appeals only; region-less ones go to national admins."""
        return stmt.where(Appeal.region_code == region_code)

    @property
    def category_label(self) -> str:
        return str(CATEGORIES.get(self.category, self.category))

    @property
    def status_label(self) -> str:
        return str(STATUSES.get(self.status, self.status))

    @property
    def awaiting_staff(self) -> bool:
        """Staff owe the reporter an answer: a first one, or one to new information."""
        return self.status in OPEN_STATUSES or self.reporter_updated

    @property
    def queue_due_on(self) -> dt.date | None:
        """The day the answer staff owe now is due (None when nothing is owed)."""
        if self.status in OPEN_STATUSES:
            return self.due_on
        if self.reporter_updated:
            return self.follow_up_due_on or self.due_on
        return None

    @property
    def public_messages(self) -> list["AppealMessage"]:
        """What the reporter may read: their own additions and staff replies, never internal notes."""
        return [m for m in self.messages if m.kind in ("reporter", "reply")]

    def __repr__(self) -> str:
        return "<Appeal %s %s %s>" % (self.id, self.category, self.status)


class AppealMessage(db.Model):
    """A follow-up from the reporter, a reply they can read, or a staff note they never see."""

    __tablename__ = "appeal_message"
    __cache_area__ = "appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(sa.ForeignKey("appeal.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    body: Mapped[str] = mapped_column(sa.Text)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    created_on: Mapped[dt.date] = mapped_column(sa.Date, default=today)
    # SHA-256 of the one-time form nonce of a reporter's follow-up: a resubmitted form adds nothing.
    nonce_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    appeal: Mapped[Appeal] = relationship(back_populates="messages")
    staff = relationship("StaffUser")


class AppealInstallation(db.Model):
    """One row: this installation's random salt for receipt hashes (the pepper lives outside the database)."""

    __tablename__ = "appeal_installation"
    __cache_area__ = "appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    salt: Mapped[str] = mapped_column(sa.String(64))
