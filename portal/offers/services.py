"""Offer queries and writes shared by the public form, the staff side and the sponsor wall.

``active_price_pledges()`` is also meant for other areas (issue 9: "where school
goods are cheaper" next to fairs), so it takes an optional region.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from .. import clock
from ..audit import record
from ..campaigns.models import campaign_for
from ..extensions import db
from .deliveries import Delivered, delivered_by_region, delivered_in
from .models import Offer, OfferCounter, OfferKind, OfferRegion

REFERENCE_FORMAT = "MZ-%d-%06d"


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


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue_private_token(offer: Offer) -> str:
    """A new private link token for ``offer`` (256 random bits): only its hash is stored; the caller commits.

    The token is kept on the object (``offer.private_token``, not a column) until the request ends,
    for the confirmation e-mail and page.
    """
    token = secrets.token_urlsafe(32)
    offer.access_token_hash = token_hash(token)
    offer.private_token = token
    return token


def renew_private_link(offer: Offer, sent_to: str) -> str:
    """A new private link for ``offer`` (made before links existed, or the sponsor lost the e-mail): the old
    link stops working at once. Audited with how it reaches the sponsor (``sent_to``: "email" or "staff"),
    never the token or its hash; the caller commits.
    """
    token = issue_private_token(offer)
    record("private_link", offer, changes={"sent_to": sent_to}, region_code=offer.primary_region)
    return token


def offer_for_sponsor(reference: str, token: str) -> Offer | None:
    """The offer a private link opens: its reference and the token whose hash it stores; else ``None``.

    A known reference with a wrong token and an unknown reference give the same ``None``, compared in
    constant time: the link is the only key, and the reference alone (printed, quoted on the phone) opens nothing.
    """
    if not reference or not token or len(reference) > 16 or len(token) > 64:
        return None
    offer = db.session.scalar(sa.select(Offer).where(Offer.reference == reference))
    expected = offer.access_token_hash if offer is not None and offer.access_token_hash else "0" * 64
    ok = hmac.compare_digest(expected, token_hash(token))
    return offer if ok and offer is not None and offer.access_token_hash else None


def offer_by_submission(fingerprint: str) -> Offer | None:
    return db.session.scalar(sa.select(Offer).where(Offer.form_token == fingerprint))


def offer_by_reference(reference: str) -> Offer | None:
    return db.session.scalar(sa.select(Offer).where(Offer.reference == reference))


def create_offer(data: dict, fingerprint: str, language: str) -> tuple[Offer, bool]:
    """Save and commit an offer once per form: ``(offer, created)``.

    ``fingerprint`` stands for the form's one-time value (``OfferForm.submission``, see
    portal/submitonce.py) and is kept in ``form_token``. The same form sent again (double click,
    reload, back-and-resend) returns the first offer; two truly simultaneous ones meet the unique
    constraint and the loser returns the winner's offer.
    """
    existing = offer_by_submission(fingerprint)
    if existing is not None:
        return existing, False
    campaign = campaign_for(clock.today_in())
    year = campaign.year if campaign is not None else clock.today_in().year
    number, reference = next_reference(year)
    kinds = data.pop("kinds")
    regions = data.pop("regions")
    offer = Offer(
        reference=reference,
        year=year,
        number=number,
        campaign_id=campaign.id if campaign is not None else None,
        form_token=fingerprint,
        language=language,
        consent_data_at=clock.now(),
        **data,
    )
    offer.kinds = [OfferKind(kind=k) for k in kinds]
    offer.regions = [OfferRegion(region_code=r) for r in regions]
    issue_private_token(offer)
    db.session.add(offer)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        existing = offer_by_submission(fingerprint)
        if existing is None:
            raise
        return existing, False
    return offer, True


# --- the public wall ------------------------------------------------------------------


def _public():
    """Offers that may be named in public: consent given, approved by staff, not declined."""
    return sa.and_(Offer.consent_public.is_(True), Offer.wall_approved.is_(True), Offer.status != "declined")


# How the wall is cut: the first names of every region on the overview, a region's full list in pages.
WALL_FIRST = 10
WALL_PER_PAGE = 100


def _wall_columns():
    """Load only what the wall shows: the columns ``Offer.wall_name`` needs and the kinds (one query
    for the rows shown). Reading any other column (phone, e-mail, IIN) or relationship raises."""
    return (
        sa.orm.load_only(
            Offer.id, Offer.donor_type, Offer.public_name, Offer.org_name, Offer.contact_name,
            Offer.is_demo, Offer.created_at, raiseload=True,
        ),
        sa.orm.selectinload(Offer.kinds),
        sa.orm.raiseload("*"),
    )


_WALL_ORDER = (Offer.created_at, Offer.id)  # oldest first: who came first is thanked first


@dataclass(frozen=True)
class WallEntry:
    name: str
    kinds: tuple[str, ...]
    is_demo: bool
    delivered: Delivered = Delivered()  # what this sponsor delivered to the group's region (all regions: national)

    @classmethod
    def of(cls, offer: Offer, delivered: Delivered = Delivered()) -> WallEntry:
        return cls(name=offer.wall_name, kinds=tuple(offer.kind_codes), is_demo=offer.is_demo, delivered=delivered)


@dataclass(frozen=True)
class WallGroup:
    """One region's (``code`` None: "wherever needed") sponsor count and its first entries."""

    code: str | None
    total: int
    entries: tuple[WallEntry, ...]


def _no_region():
    return ~sa.exists().where(OfferRegion.offer_id == Offer.id)


def wall_summary(first: int = WALL_FIRST) -> dict[str | None, WallGroup]:
    """Per region code (``None``: "wherever needed"): how many public sponsors, and the ``first`` oldest.

    Two queries whatever the number of sponsors: one ranks every (offer, region) pair with
    ROW_NUMBER() and COUNT() over the region and keeps the first ``first`` of each, one loads
    the kinds of those. An offer naming several regions counts (and shows) in each.
    """
    regional = (
        sa.select(OfferRegion.offer_id, OfferRegion.region_code, Offer.created_at)
        .join(Offer, Offer.id == OfferRegion.offer_id)
        .where(_public())
    )
    national = sa.select(
        Offer.id, sa.cast(sa.null(), OfferRegion.region_code.type), Offer.created_at
    ).where(_public(), _no_region())
    pairs = sa.union_all(regional, national).subquery()
    by_region = {"partition_by": pairs.c.region_code}
    ranked = sa.select(
        pairs.c.offer_id,
        pairs.c.region_code,
        sa.func.row_number().over(**by_region, order_by=(pairs.c.created_at, pairs.c.offer_id)).label("position"),
        sa.func.count().over(**by_region).label("total"),
    ).subquery()
    rows = db.session.execute(
        sa.select(Offer, ranked.c.region_code, ranked.c.total)
        .join(ranked, ranked.c.offer_id == Offer.id)
        .where(ranked.c.position <= first)
        .order_by(ranked.c.region_code, ranked.c.position)
        .options(*_wall_columns())
    )
    rows = rows.all()
    delivered = delivered_by_region(offer.id for offer, _code, _total in rows)
    totals: dict[str | None, int] = {}
    entries: dict[str | None, list[WallEntry]] = {}
    for offer, code, total in rows:
        totals[code] = total
        entries.setdefault(code, []).append(WallEntry.of(offer, delivered_in(delivered, offer.id, code)))
    return {code: WallGroup(code, totals[code], tuple(entries[code])) for code in totals}


def _wall_group(region_code: str | None):
    """Public offers of one region (``None``: offers naming no region, "wherever needed")."""
    if region_code is None:
        return sa.and_(_public(), _no_region())
    return sa.and_(
        _public(), Offer.id.in_(sa.select(OfferRegion.offer_id).where(OfferRegion.region_code == region_code))
    )


def wall_count(region_code: str | None) -> int:
    """How many public sponsors one region (``None``: "wherever needed") has; one query."""
    return db.session.scalar(sa.select(sa.func.count(Offer.id)).where(_wall_group(region_code)))


def wall_page(region_code: str | None, page: int, per_page: int = WALL_PER_PAGE):
    """One region's (``None``: "wherever needed") public sponsors, oldest first, as a ``db.paginate`` page.

    ``items`` are ``WallEntry``. Three queries (count, the page, its kinds); a page past the
    end gives the last page (two more).
    """
    stmt = sa.select(Offer).where(_wall_group(region_code)).order_by(*_WALL_ORDER).options(*_wall_columns())
    pagination = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    if not pagination.items and pagination.page > 1 and pagination.total:
        pagination = db.paginate(stmt, page=pagination.pages, per_page=per_page, error_out=False)
    delivered = delivered_by_region(offer.id for offer in pagination.items)
    pagination.items = [WallEntry.of(offer, delivered_in(delivered, offer.id, region_code)) for offer in pagination.items]
    return pagination


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
