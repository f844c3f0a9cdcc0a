"""Regional response figures: how many appeals and offers each region received and how quickly it answered.

Every figure comes from grouped queries (one row per region, or per region and number of days),
so the work does not grow with the number of appeals. Counts below the reports' threshold are
hidden with the reports' own suppression (primary and complementary), and so are the median and
shares of a region whose count is hidden.
"""

from __future__ import annotations


import sqlalchemy as sa

from ..appeals.models import Appeal, AppealMessage
from ..campaigns.models import in_period as in_campaign_period
from ..extensions import db
from ..offers.models import Offer, OfferRegion
from ..disclosure import Figure, build_hierarchy, marker, suppress, threshold

ALL = "all"


def _hidden_regions(counts: dict[str, int], limit: int) -> dict[str, str]:
    """``{region: status}`` of the regional counts to hide, and national stays published."""
    cells = {(region, ALL, ALL, ALL): Figure(children=n) for region, n in counts.items() if n}
    hidden = suppress(build_hierarchy(cells), limit)
    return {key[0]: status for key, status in hidden.items() if key[0] is not None and key[1] == ALL}


def _median(histogram: dict[int, int]) -> float | None:
    """Median of values given as ``{value: how many}``."""
    total = sum(histogram.values())
    if not total:
        return None
    ordered = sorted(histogram.items())

    def nth(k):  # 0-based
        seen = 0
        for value, n in ordered:
            seen += n
            if k < seen:
                return value
        return ordered[-1][0]

    if total % 2:
        return float(nth(total // 2))
    return (nth(total // 2 - 1) + nth(total // 2)) / 2


def appeal_figures(campaign) -> tuple[dict, dict, dict]:
    """``(received, answered, days histogram)`` per region for appeals counted in ``campaign`` (by the day sent)."""
    in_period = sa.and_(in_campaign_period(Appeal.created_on, campaign), Appeal.region_code.is_not(None))
    received = dict(
        db.session.execute(
            sa.select(Appeal.region_code, sa.func.count()).where(in_period).group_by(Appeal.region_code)
        ).all()
    )
    first_reply = (
        sa.select(AppealMessage.appeal_id, sa.func.min(AppealMessage.created_on).label("replied_on"))
        .where(AppealMessage.kind == "reply")
        .group_by(AppealMessage.appeal_id)
        .subquery()
    )
    replied = (
        sa.select(Appeal.region_code, Appeal.created_on, first_reply.c.replied_on)
        .join(first_reply, first_reply.c.appeal_id == Appeal.id)
        .where(in_period)
        .subquery()
    )
    # Days between two dates, the same on SQLite and PostgreSQL.
    if db.session.get_bind().dialect.name == "postgresql":
        days = replied.c.replied_on - replied.c.created_on
    else:
        days = sa.cast(sa.func.julianday(replied.c.replied_on) - sa.func.julianday(replied.c.created_on), sa.Integer)
    histogram: dict[str, dict[int, int]] = {}
    answered: dict[str, int] = {}
    rows = db.session.execute(
        sa.select(replied.c.region_code, days.label("days"), sa.func.count())
        .group_by(replied.c.region_code, days)
    ).all()
    for region, n_days, n in rows:
        histogram.setdefault(region, {})[max(0, int(n_days))] = n
        answered[region] = answered.get(region, 0) + n
    return received, answered, histogram


def appeals_in_time(campaign) -> dict:
    """Per region, the campaign's appeals whose first reply came by their due day: three working days after
    they arrived (``Appeal.due_on``, portal/workdays.py)."""
    in_period = sa.and_(in_campaign_period(Appeal.created_on, campaign), Appeal.region_code.is_not(None))
    on_time = sa.exists().where(AppealMessage.appeal_id == Appeal.id, AppealMessage.kind == "reply",
                                AppealMessage.created_on <= Appeal.due_on)
    return dict(db.session.execute(
        sa.select(Appeal.region_code, sa.func.count()).where(in_period, on_time).group_by(Appeal.region_code)
    ).all())


def offer_figures(campaign) -> tuple[dict, dict]:
    """``(received, processed)`` per region for the campaign's offers (an offer counts in each of its regions)."""
    rows = db.session.execute(
        sa.select(
            OfferRegion.region_code,
            sa.func.count(),
            sa.func.sum(sa.case((Offer.status != "new", 1), else_=0)),
        )
        .join(Offer, Offer.id == OfferRegion.offer_id)
        .where(Offer.campaign_id == campaign.id)
        .group_by(OfferRegion.region_code)
    ).all()
    return {r: n for r, n, _p in rows}, {r: int(p or 0) for r, _n, p in rows}


def response_figures(campaign) -> dict:
    """The published table: one row per region with figures or markers, and national totals."""
    limit = threshold()
    a_received, a_answered, a_days = appeal_figures(campaign)
    a_in_time = appeals_in_time(campaign)
    o_received, o_processed = offer_figures(campaign)
    a_hidden = _hidden_regions(a_received, limit)
    o_hidden = _hidden_regions(o_received, limit)

    def share(part, whole):
        return round(100 * part / whole) if whole else None

    rows = {}
    for region in sorted(set(a_received) | set(o_received)):
        row = {}
        if region in a_hidden:
            mark = marker(a_hidden[region], limit)
            row.update(appeals=mark, median_days=marker("complementary", limit), answered=marker("complementary", limit),
                       in_time=marker("complementary", limit))
        else:
            n = a_received.get(region, 0)
            row.update(appeals=n, median_days=_median(a_days.get(region, {})),
                       answered=share(a_answered.get(region, 0), n), in_time=share(a_in_time.get(region, 0), n))
        if region in o_hidden:
            row.update(offers=marker(o_hidden[region], limit), processed=marker("complementary", limit))
        else:
            n = o_received.get(region, 0)
            row.update(offers=n, processed=share(o_processed.get(region, 0), n))
        rows[region] = row
    all_days: dict[int, int] = {}
    for hist in a_days.values():
        for d, n in hist.items():
            all_days[d] = all_days.get(d, 0) + n
    total_a, total_o = sum(a_received.values()), sum(o_received.values())
    national = {
        "appeals": total_a,
        "median_days": _median(all_days),
        "answered": share(sum(a_answered.values()), total_a),
        "in_time": share(sum(a_in_time.values()), total_a),
        "offers": total_o,
        "processed": share(sum(o_processed.values()), total_o),
    }
    return {"rows": rows, "national": national, "threshold": limit, "primary_mark": marker("primary", limit)}
