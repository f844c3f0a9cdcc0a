"""Offer queries and writes shared by the public form, the staff side and the sponsor wall.

``active_price_pledges()`` is also meant for other areas (issue 9: "where school
goods are cheaper" next to fairs), so it takes an optional region.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from .. import clock
from ..extensions import db
from .models import Offer, OfferCounter, OfferKind, OfferRegion

REFERENCE_FORMAT = "MZ-%d-%06d"


def new_form_token() -> str:
    """One-time token put in each freshly rendered offer form."""
    return secrets.token_urlsafe(24)  # 32 characters


def next_reference(year: int) -> tuple[int, str]:
    """The next ``(number, "MZ-<year>-<6 digits>")``, inside the caller's transaction.

    ``UPDATE … SET last = last + 1 … RETURNING`` takes the row lock: concurrent
    submissions wait for each other on PostgreSQL, and SQLite's ``BEGIN IMMEDIATE``
    already serialises writers. A rolled-back submission gives its number back.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(insert(OfferCounter).values(year=year, last=0).on_conflict_do_nothing(index_elements=["year"]))
    number = db.session.execute(
        sa.update(OfferCounter)
        .where(OfferCounter.year == year)
        .values(last=OfferCounter.last + 1)
        .returning(OfferCounter.last)
    ).scalar_one()
    return number, REFERENCE_FORMAT % (year, number)


def offer_by_token(token: str) -> Offer | None:
    return db.session.scalar(sa.select(Offer).where(Offer.form_token == token))


def offer_by_reference(reference: str) -> Offer | None:
    return db.session.scalar(sa.select(Offer).where(Offer.reference == reference))


def answerable_need(need_id):
    """The need an offer may answer: open (not covered) and on the public board (the current campaign's)."""
    # Imported here: the needs area imports the offers' forms and models.
    from ..campaigns.models import current_campaign
    from ..needs.services import open_need

    need = open_need(need_id)
    if need is None:
        return None
    campaign = current_campaign()
    return need if campaign is not None and need.campaign_id == campaign.id else None


def create_offer(data: dict, token: str, language: str) -> tuple[Offer, bool]:
    """Save and commit an offer once per form token: ``(offer, created)``.

    A repeated token (double click, reload, back-and-resend) returns the first
    offer; two truly simultaneous ones meet the unique constraint and the loser
    returns the winner's offer.
    """
    existing = offer_by_token(token)
    if existing is not None:
        return existing, False
    year = clock.today_in().year
    number, reference = next_reference(year)
    kinds = data.pop("kinds")
    regions = data.pop("regions")
    offer = Offer(
        reference=reference,
        year=year,
        number=number,
        form_token=token,
        language=language,
        consent_data_at=clock.now(),
        **data,
    )
    offer.kinds = [OfferKind(kind=k) for k in kinds]
    offer.regions = [OfferRegion(region_code=r) for r in regions]
    db.session.add(offer)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        existing = offer_by_token(token)
        if existing is None:
            raise
        return existing, False
    return offer, True


# --- the public wall ------------------------------------------------------------------


def _public():
    """Offers that may be named in public: consent given, approved by staff, not declined."""
    return sa.and_(Offer.consent_public.is_(True), Offer.wall_approved.is_(True), Offer.status != "declined")


@dataclass(frozen=True)
class WallEntry:
    name: str
    kinds: tuple[str, ...]
    is_demo: bool


def wall_sponsors() -> dict[str | None, list[WallEntry]]:
    """Approved, consenting sponsors per region code (``None``: "wherever needed"); names only, never contacts."""
    offers = db.session.scalars(sa.select(Offer).where(_public()).order_by(Offer.created_at, Offer.id)).all()
    grouped: dict[str | None, list[WallEntry]] = {}
    for offer in offers:
        entry = WallEntry(name=offer.wall_name, kinds=tuple(offer.kind_codes), is_demo=offer.is_demo)
        for code in offer.region_codes or [None]:
            grouped.setdefault(code, []).append(entry)
    return grouped


@dataclass(frozen=True)
class Pledge:
    region_code: str | None
    sponsor: str
    shop_name: str
    shop_address: str
    discount_percent: int | None
    starts_on: dt.date | None
    ends_on: dt.date | None
    is_demo: bool

    @property
    def upcoming(self) -> bool:
        return bool(self.starts_on and self.starts_on > clock.today_in())


def active_price_pledges(region_code: str | None = None) -> list[Pledge]:
    """Public price-reduction pledges that have not ended yet, ordered by region then start date.

    With ``region_code``: that region's pledges plus those for "wherever needed".
    Only the shop, address, discount and dates: nothing about the contact person.
    """
    today = clock.today_in()
    stmt = (
        sa.select(Offer)
        .join(OfferKind, sa.and_(OfferKind.offer_id == Offer.id, OfferKind.kind == "price_reduction"))
        .where(_public(), Offer.discount_ends_on >= today)
        .order_by(Offer.discount_starts_on, Offer.id)
    )
    if region_code:
        stmt = stmt.where(
            sa.or_(
                Offer.anywhere.is_(True),
                Offer.id.in_(sa.select(OfferRegion.offer_id).where(OfferRegion.region_code == region_code)),
            )
        )
    pledges = []
    for offer in db.session.scalars(stmt):
        codes = offer.region_codes or [None]
        if region_code:
            codes = [c for c in codes if c == region_code] or [None]
        for code in codes:
            pledges.append(
                Pledge(
                    region_code=code,
                    sponsor=offer.wall_name,
                    shop_name=offer.shop_name,
                    shop_address=offer.shop_address,
                    discount_percent=offer.discount_percent,
                    starts_on=offer.discount_starts_on,
                    ends_on=offer.discount_ends_on,
                    is_demo=offer.is_demo,
                )
            )
    pledges.sort(key=lambda p: (p.region_code or "~", p.starts_on or today))
    return pledges


# --- staff lists ------------------------------------------------------------------------


def filtered_offers(status=None, region=None, kind=None, donor_type=None, date_from=None, date_to=None):
    """SELECT of offers matching the staff list's filters (not yet scoped to the staff member)."""
    from zoneinfo import ZoneInfo

    stmt = sa.select(Offer)
    if status:
        stmt = stmt.where(Offer.status == status)
    if region == "anywhere":
        stmt = stmt.where(Offer.anywhere.is_(True))
    elif region:
        stmt = stmt.where(Offer.id.in_(sa.select(OfferRegion.offer_id).where(OfferRegion.region_code == region)))
    if kind:
        stmt = stmt.where(Offer.id.in_(sa.select(OfferKind.offer_id).where(OfferKind.kind == kind)))
    if donor_type:
        stmt = stmt.where(Offer.donor_type == donor_type)
    # Dates are the campaign's wall-clock days (Astana), stored times are UTC.
    tz = ZoneInfo("Asia/Almaty")
    if date_from:
        stmt = stmt.where(Offer.created_at >= dt.datetime.combine(date_from, dt.time(), tz))
    if date_to:
        stmt = stmt.where(Offer.created_at < dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), tz))
    return stmt.order_by(Offer.created_at.desc(), Offer.id.desc())
