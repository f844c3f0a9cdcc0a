"""Donation offers from sponsors: who they are, what they give, where, and how staff handled it.

Contact data (name, phone, email, IIN/BIN) is personal data: it is shown only to
staff of the offer's regions and to national admins, never on a public page.
An offer "wherever needed" has no region rows and is seen by admins only: no
regional coordinator owns it until the national level decides where it goes.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock, workdays
from ..extensions import db
from ..recipients import GROUPS
from ..types import UTCDateTime
from ..phones import display_phone

if TYPE_CHECKING:
    from ..needs.models import Need

DONOR_TYPES = {
    "person": _l("Private person"),
    "sole_proprietor": _l("Sole proprietor (IIN)"),
    "company": _l("Company (BIN)"),
    "ngo": _l("NGO or fund (BIN)"),
}
ORGANISATION_TYPES = ("sole_proprietor", "company", "ngo")

KINDS = {
    "uniforms": _l("School uniforms"),
    "shoes": _l("Shoes"),
    "backpacks": _l("Backpacks"),
    "stationery": _l("Stationery"),
    "money": _l("Money"),
    "services": _l("Services (transport, tailoring, haircuts…)"),
    "price_reduction": _l("Lower prices on school goods"),
}

# How an offer reads to its sponsor and on the staff page: a status, or "partly delivered" (derived).
PROGRESS = {
    "partly_delivered": _l("Partly delivered"),
}
LOCALITIES = {"urban": _l("Town or city"), "rural": _l("Village")}

STATUSES = {
    "new": _l("New"),
    "contacted": _l("Contacted"),
    "accepted": _l("Accepted"),
    "delivered": _l("Delivered"),
    "declined": _l("Declined"),
}
# Where an offer may go next; delivered and declined are final.
TRANSITIONS = {
    "new": ("contacted", "declined"),
    "contacted": ("accepted", "declined"),
    "accepted": ("delivered", "declined"),
    "delivered": (),
    "declined": (),
}
# Marks an offer "wherever needed" in region_of(): matches no coordinator's region.
NATIONAL_ONLY = "*"
# Staff owe the sponsor a first contact while the offer is new.
OPEN_STATUSES = ("new",)
DATE_TZ = "Asia/Almaty"


def arrival_day(created_at: dt.datetime) -> dt.date:
    """The campaign's wall-clock day (Almaty) an offer arrived on."""
    from zoneinfo import ZoneInfo

    return created_at.astimezone(ZoneInfo(DATE_TZ)).date()


def _due_from_arrival(context) -> dt.date:
    """Column default: the sponsor is contacted within three working days (``portal/workdays.py``)."""
    created_at = context.get_current_parameters().get("created_at") or clock.now()
    return workdays.due_on(arrival_day(created_at))


class Offer(db.Model):
    __tablename__ = "offer"
    __cache_area__ = "offers"
    __table_args__ = (sa.UniqueConstraint("year", "number", name="uq_offer_year_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(16), unique=True)  # MZ-2023-000123
    year: Mapped[int]  # the campaign's year (``campaign_for`` the day it arrived)
    number: Mapped[int]
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaign.id"), index=True)
    # One-time token of the form that sent this offer: a second submission finds it instead of adding one.
    form_token: Mapped[str] = mapped_column(sa.String(64), unique=True)

    donor_type: Mapped[str] = mapped_column(sa.String(16), index=True)
    org_name: Mapped[str] = mapped_column(sa.String(200), default="")
    tax_id: Mapped[str] = mapped_column(sa.String(12), default="")  # BIN, or a sole proprietor's IIN
    contact_name: Mapped[str] = mapped_column(sa.String(120))
    phone: Mapped[str] = mapped_column(sa.String(16), default="")  # E.164
    email: Mapped[str] = mapped_column(sa.String(254), default="")

    quantity: Mapped[int | None]
    value_tenge: Mapped[int | None] = mapped_column(sa.BigInteger)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    anywhere: Mapped[bool] = mapped_column(default=False)

    discount_percent: Mapped[int | None]
    shop_name: Mapped[str] = mapped_column(sa.String(200), default="")
    shop_address: Mapped[str] = mapped_column(sa.String(300), default="")
    discount_starts_on: Mapped[dt.date | None]
    discount_ends_on: Mapped[dt.date | None]

    consent_data_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    consent_public: Mapped[bool] = mapped_column(default=False)
    public_name: Mapped[str] = mapped_column(sa.String(200), default="")
    language: Mapped[str] = mapped_column(sa.String(2), default="kk")

    status: Mapped[str] = mapped_column(sa.String(16), default="new", index=True)
    status_note: Mapped[str] = mapped_column(sa.Text, default="")
    wall_approved: Mapped[bool] = mapped_column(default=False, index=True)

    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)
    is_demo: Mapped[bool] = mapped_column(default=False)
    # The published need (portal/needs) this offer answers, when the sponsor came from the needs board.
    need_id: Mapped[int | None] = mapped_column(sa.ForeignKey("need.id"), index=True)
    need: Mapped[Need | None] = relationship(lazy="select")
    # --- the work queue (portal/queue) ---
    due_on: Mapped[dt.date] = mapped_column(sa.Date, default=_due_from_arrival, index=True)
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"), index=True)
    assignee = relationship("StaffUser", foreign_keys=[assignee_id], lazy="joined")
    # The sponsor's private page (portal/offers/track.py): SHA-256 of the token in their link; the token itself
    # is never stored, so the database alone opens no sponsor's page.
    access_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    consent_withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    thanked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # the thank-you e-mail went out

    deliveries: Mapped[list["Delivery"]] = relationship(
        back_populates="offer", cascade="all, delete-orphan", lazy="select",
        order_by=lambda: (Delivery.delivered_on, Delivery.id),
    )

    kinds: Mapped[list["OfferKind"]] = relationship(
        back_populates="offer", cascade="all, delete-orphan", lazy="selectin", order_by="OfferKind.kind"
    )
    regions: Mapped[list["OfferRegion"]] = relationship(
        back_populates="offer", cascade="all, delete-orphan", lazy="selectin", order_by="OfferRegion.region_code"
    )

    # --- staff access (portal/staff/access.py) ---------------------------------

    def staff_regions(self) -> list[str]:
        """The offer's regions; "wherever needed" belongs to the national level only."""
        codes = [r.region_code for r in self.regions]
        return codes or [NATIONAL_ONLY]

    @classmethod
    def staff_scope(cls, stmt, region_code):
        """Offers naming the coordinator's region (never "wherever needed" ones)."""
        return stmt.where(
            cls.id.in_(sa.select(OfferRegion.offer_id).where(OfferRegion.region_code == region_code))
        )

    # --- presentation -------------------------------------------------------------

    @property
    def kind_codes(self) -> list[str]:
        """Kinds of help in the form's order (uniforms first, price reduction last)."""
        order = list(KINDS)
        return sorted((k.kind for k in self.kinds), key=lambda k: order.index(k) if k in order else len(order))

    @property
    def region_codes(self) -> list[str]:
        return [r.region_code for r in self.regions]

    @property
    def primary_region(self) -> str | None:
        codes = self.region_codes
        return codes[0] if codes else None

    @property
    def phone_display(self) -> str:
        return display_phone(self.phone)

    @property
    def is_organisation(self) -> bool:
        return self.donor_type in ORGANISATION_TYPES

    @property
    def wall_name(self) -> str:
        """The name shown on the public wall: never a company's contact person."""
        if self.public_name:
            return self.public_name
        if self.is_organisation and self.org_name:
            return self.org_name
        return self.contact_name if self.donor_type == "person" else self.org_name

    @property
    def can_go_on_wall(self) -> bool:
        return self.consent_public and self.status != "declined"

    @property
    def delivered_quantity(self) -> int:
        return sum(d.quantity or 0 for d in self.deliveries)

    @property
    def delivered_value(self) -> int:
        return sum(d.value_tenge or 0 for d in self.deliveries)

    @property
    def progress(self) -> str:
        """The status a sponsor and staff read: "partly delivered" once something arrived before the end."""
        if self.status in ("contacted", "accepted") and self.deliveries:
            return "partly_delivered"
        return self.status

    @property
    def next_statuses(self) -> tuple[str, ...]:
        return TRANSITIONS.get(self.status, ())

    def __repr__(self) -> str:
        return "<Offer %s>" % self.reference


class OfferKind(db.Model):
    __tablename__ = "offer_kind"
    __cache_area__ = "offers"

    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("offer.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), primary_key=True, index=True)

    offer: Mapped[Offer] = relationship(back_populates="kinds")


class OfferRegion(db.Model):
    __tablename__ = "offer_region"
    __cache_area__ = "offers"

    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("offer.id", ondelete="CASCADE"), primary_key=True)
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("region.code"), primary_key=True, index=True)

    offer: Mapped[Offer] = relationship(back_populates="regions")


class OfferCounter(db.Model):
    """Last reference number handed out per year: one row, incremented under a row lock."""

    __tablename__ = "offer_counter"
    __cache_area__ = "offers"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


class Delivery(db.Model):
    """What part of an offer reached where: kind, how many, value, day, and the destination as an aggregate
    (a district or settlement, or a school, with its region) — never a child or a family."""

    __tablename__ = "offer_delivery"
    __cache_area__ = "offers"
    __table_args__ = (
        sa.CheckConstraint("quantity IS NULL OR quantity >= 0", name="quantity_not_negative"),
        sa.CheckConstraint("value_tenge IS NULL OR value_tenge >= 0", name="value_not_negative"),
        sa.CheckConstraint("children IS NULL OR children >= 0", name="children_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("offer.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # KINDS
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    quantity: Mapped[int | None]
    value_tenge: Mapped[int | None] = mapped_column(sa.BigInteger)
    children: Mapped[int | None]  # how many children received it (a count, never who)
    delivered_on: Mapped[dt.date]
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("region.code"), index=True)
    place: Mapped[str] = mapped_column(sa.String(200))  # district, settlement or school
    locality: Mapped[str] = mapped_column(sa.String(8))  # LOCALITIES
    # Which group of children it reached (portal/recipients.py GROUPS), as an aggregate; None: not stated,
    # counted as "other recipients" in the report's proposal.
    recipient_group: Mapped[str | None] = mapped_column(sa.String(24))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)

    offer: Mapped[Offer] = relationship(back_populates="deliveries")

    @property
    def kind_label(self) -> str:
        return str(KINDS.get(self.kind, self.kind))

    @property
    def locality_label(self) -> str:
        return str(LOCALITIES.get(self.locality, self.locality))

    @property
    def group_label(self) -> str:
        """The group of children it reached, or "" when staff did not say."""
        return str(GROUPS.get(self.recipient_group, self.recipient_group)) if self.recipient_group else ""
