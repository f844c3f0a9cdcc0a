"""What waits, per region: the back office's start page and its aggregate CSV.

A handful of grouped queries (one row per region), so the page costs the same with 50 appeals or
50,000. Counts only: no appeal text, no sponsor, nothing about a person — analysts read it too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa

from ..appeals.models import Appeal, AppealMessage
from ..campaigns.models import current_campaign, in_period
from ..extensions import db
from ..needs.models import Need
from ..offers.models import Offer, OfferRegion
from .services import APPEALS, OFFERS, today

NATIONAL = ""  # the row of region-less appeals and "wherever needed" offers

COLUMNS = ("appeals_new", "appeals_overdue", "appeals_waiting", "offers_new", "offers_overdue", "needs_open",
           "due", "in_time")


@dataclass
class Row:
    region_code: str
    counts: dict = field(default_factory=lambda: dict.fromkeys(COLUMNS, 0))

    @property
    def in_time_share(self) -> int | None:
        """Per cent of the appeals whose answer fell due that were answered on time (None: none fell due)."""
        due = self.counts["due"]
        return round(100 * self.counts["in_time"] / due) if due else None


def _grouped(stmt) -> dict:
    return {code or NATIONAL: int(n or 0) for code, n in db.session.execute(stmt).all()}


def figures(region_code: str | None = None, day: dt.date | None = None) -> dict[str, Row]:
    """``{region code or "" (national): Row}``; only ``region_code``'s row when given."""
    day = day or today()

    def offers(condition):
        region = sa.func.coalesce(OfferRegion.region_code, NATIONAL)
        stmt = (sa.select(region, sa.func.count(sa.distinct(Offer.id)))
                .select_from(Offer).outerjoin(OfferRegion, OfferRegion.offer_id == Offer.id)
                .where(condition).group_by(region))
        if region_code:
            stmt = stmt.where(OfferRegion.region_code == region_code)
        return _grouped(stmt)

    campaign = current_campaign()
    columns = _appeal_columns(region_code, campaign, day)
    columns.update({
        "offers_new": offers(Offer.status == "new"),
        "offers_overdue": offers(OFFERS.overdue(day)),
    })
    needs = sa.select(Need.region_code, sa.func.count()).where(Need.covered.is_(False), Need.quantity_needed > 0)
    if campaign is not None:
        needs = needs.where(Need.campaign_id == campaign.id)
    if region_code:
        needs = needs.where(Need.region_code == region_code)
    columns["needs_open"] = _grouped(needs.group_by(Need.region_code))

    rows: dict[str, Row] = {}
    for name, values in columns.items():
        for code, n in values.items():
            rows.setdefault(code, Row(code)).counts[name] = n
    return rows


def _appeal_columns(region_code, campaign, day) -> dict[str, dict]:
    """Every appeal figure in one pass over the appeals: new, overdue, waiting for the reporter, and of the
    campaign's appeals whose first answer fell due by ``day``, how many were answered by their due day."""
    answered_in_time = sa.exists().where(
        AppealMessage.appeal_id == Appeal.id, AppealMessage.kind == "reply", AppealMessage.created_on <= Appeal.due_on)
    fell_due = sa.and_(Appeal.due_on < day, Appeal.close_reason == "")
    if campaign is not None:
        fell_due = sa.and_(fell_due, in_period(Appeal.created_on, campaign))
    counted = {
        "appeals_new": Appeal.status == "new",
        "appeals_overdue": APPEALS.overdue(day),
        "appeals_waiting": APPEALS.waiting,
        "due": fell_due,
        "in_time": sa.and_(fell_due, answered_in_time),
    }
    stmt = sa.select(Appeal.region_code, *(sa.func.count().filter(c) for c in counted.values())).group_by(Appeal.region_code)
    if region_code:
        stmt = stmt.where(Appeal.region_code == region_code)
    columns: dict[str, dict] = {name: {} for name in counted}
    for code, *values in db.session.execute(stmt).all():
        for name, n in zip(counted, values):
            columns[name][code or NATIONAL] = int(n or 0)
    return columns


def totals(rows: dict[str, Row]) -> Row:
    total = Row("total")
    for row in rows.values():
        for name in COLUMNS:
            total.counts[name] += row.counts[name]
    return total


# --- the page -------------------------------------------------------------------------------------


def context(user) -> dict:
    """The dashboard's data for ``user``: their region for a coordinator; every region for admins and analysts."""
    from ..regions.models import regions_ordered, regions_without_numbers

    regional = user.role == "coordinator"
    rows = figures(user.region_code if regional else None)
    regions = [r for r in regions_ordered() if not regional or r.code == user.region_code]
    table = [(r.code, r.label, rows.get(r.code) or Row(r.code)) for r in regions]
    if not regional:
        table.insert(0, (NATIONAL, None, rows.get(NATIONAL) or Row(NATIONAL)))
    return {
        "queue_table": table,
        "queue_total": totals(rows) if not regional else None,
        "queue_links": not user.is_analyst,
        "regions_without_numbers": regions_without_numbers(),
        "today": today(),
    }


def csv_rows(user, labels) -> list[list]:
    """The same table as rows for the aggregate CSV (no personal data, no texts)."""
    data = context(user)
    out = [labels]
    for code, label, row in data["queue_table"]:
        share = row.in_time_share
        out.append([code or "national", label or ""] + [row.counts[c] for c in COLUMNS[:6]]
                   + ["" if share is None else share])
    return out
