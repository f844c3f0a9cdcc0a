"""Price aggregates: median, lowest, highest and count per item, computed by the database.

Each aggregate is one SELECT whatever the number of observations: window functions
number the prices of each group in order (``row_number``/``count`` over the group,
SQLite 3.25+ and PostgreSQL alike) and the outer query averages the one or two middle
rows. Only the aggregated rows (years × regions × items) come back to Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from .. import clock
from ..extensions import db
from .models import ITEMS, MIN_OBSERVATIONS, PriceObservation


@dataclass(frozen=True)
class Stat:
    """Figures of one group of observations; ``median``/``low``/``high`` are None when there are too few."""

    count: int
    median: int | None
    low: int | None
    high: int | None
    demo: int = 0

    @property
    def enough(self) -> bool:
        return self.count >= MIN_OBSERVATIONS


NO_DATA = Stat(0, None, None, None, 0)


def _whole(value) -> int:
    """Half a tenge rounds up (medians of an even count)."""
    return int(float(value) + 0.5)


def aggregate(years=None, *, by_region: bool, region_code: str | None = None, item: str | None = None
              ) -> dict[tuple, Stat]:
    """``{(year, region_code or None, item): Stat}`` in one query."""
    o = PriceObservation
    keys = [o.year, o.region_code, o.item] if by_region else [o.year, o.item]
    window = dict(partition_by=keys)
    inner = sa.select(
        *keys,
        o.price,
        sa.func.row_number().over(order_by=(o.price, o.id), **window).label("rn"),
        sa.func.count().over(**window).label("cnt"),
        sa.func.min(o.price).over(**window).label("lo"),
        sa.func.max(o.price).over(**window).label("hi"),
        sa.func.sum(sa.case((o.is_demo.is_(True), 1), else_=0)).over(**window).label("demo"),
    )
    if years is not None:
        inner = inner.where(o.year.in_(list(years)))
    if region_code:
        inner = inner.where(o.region_code == region_code)
    if item:
        inner = inner.where(o.item == item)
    sub = inner.subquery()
    group = [sub.c.year, sub.c.region_code, sub.c.item] if by_region else [sub.c.year, sub.c.item]
    stmt = (
        sa.select(*group, sa.func.avg(sub.c.price), sa.func.max(sub.c.cnt), sa.func.max(sub.c.lo),
                  sa.func.max(sub.c.hi), sa.func.max(sub.c.demo))
        .where(sa.or_(sub.c.rn == (sub.c.cnt + 1) // 2, sub.c.rn == (sub.c.cnt + 2) // 2))
        .group_by(*group)
    )
    result = {}
    for row in db.session.execute(stmt):
        if by_region:
            year, region, code, median, count, low, high, demo = row
        else:
            year, code, median, count, low, high, demo = row
            region = None
        count = int(count)
        if count >= MIN_OBSERVATIONS:
            result[(year, region, code)] = Stat(count, _whole(median), int(low), int(high), int(demo or 0))
        else:
            result[(year, region, code)] = Stat(count, None, None, None, int(demo or 0))
    return result


def change_percent(current: Stat, previous: Stat) -> float | None:
    """Change of the median against the previous year, in per cent (one decimal), when both are known."""
    if not (current.enough and previous.enough and previous.median):
        return None
    return round((current.median - previous.median) * 100 / previous.median, 1)


@dataclass(frozen=True)
class ItemRow:
    item: str
    label: str
    current: Stat
    previous: Stat

    @property
    def change(self) -> float | None:
        return change_percent(self.current, self.previous)


def item_table(year: int, region_code: str | None = None) -> list[ItemRow]:
    """Every item of the list for one year (a region's, or national), with the previous year beside it."""
    stats = aggregate((year, year - 1), by_region=bool(region_code), region_code=region_code)
    region = region_code or None
    return [
        ItemRow(code, str(label), stats.get((year, region, code), NO_DATA), stats.get((year - 1, region, code), NO_DATA))
        for code, label in ITEMS.items()
    ]


def region_comparison(year: int, item: str) -> dict[str, ItemRow]:
    """One item in every region that has observations of it: ``{region_code: ItemRow}``."""
    stats = aggregate((year, year - 1), by_region=True, item=item)
    label = str(ITEMS[item])
    regions = sorted({region for (y, region, _code) in stats if y == year})
    return {r: ItemRow(item, label, stats[(year, r, item)], stats.get((year - 1, r, item), NO_DATA)) for r in regions}


def available_years() -> list[int]:
    """Years with observations, newest first."""
    return list(db.session.scalars(sa.select(PriceObservation.year).distinct().order_by(PriceObservation.year.desc())))


def default_year() -> int:
    """The current campaign's year when it has observations, else the newest year that has some."""
    from ..campaigns.models import current_campaign

    campaign = current_campaign()
    year = campaign.year if campaign else clock.today_in().year
    newest = db.session.scalar(sa.select(sa.func.max(PriceObservation.year)).where(PriceObservation.year <= year))
    return newest if newest is not None else year


def any_demo(year: int) -> bool:
    stmt = sa.select(sa.exists().where(PriceObservation.year == year, PriceObservation.is_demo.is_(True)))
    return bool(db.session.scalar(stmt))


# --- open data -----------------------------------------------------------------------------

OBSERVATION_FIELDS = ("id", "year", "region", "item", "outlet", "price_kzt", "observed_on", "is_demo")
AGGREGATE_FIELDS = ("year", "region", "item", "observations", "median_kzt", "min_kzt", "max_kzt",
                    "previous_median_kzt", "change_percent", "includes_demo")


def observation_rows(year: int | None = None, region_code: str | None = None):
    """Observations as plain tuples in file order (one query, streamed in batches)."""
    o = PriceObservation
    stmt = sa.select(o.id, o.year, o.region_code, o.item, o.outlet, o.price, o.observed_on, o.is_demo).order_by(
        o.year, o.region_code, o.item, o.observed_on, o.id
    )
    if year:
        stmt = stmt.where(o.year == year)
    if region_code:
        stmt = stmt.where(o.region_code == region_code)
    for row in db.session.execute(stmt.execution_options(yield_per=2000)):
        yield (row[0], row[1], row[2], row[3], row[4], row[5], row[6].isoformat(), bool(row[7]))


def aggregate_rows(year: int | None = None, region_code: str | None = None) -> list[dict]:
    """Per year, item and region (``region`` empty: the whole country); two queries in all."""
    years = None
    regional = aggregate(years, by_region=True, region_code=region_code)
    national = {} if region_code else aggregate(years, by_region=False)
    rows = []
    for stats in (national, regional):
        for (y, region, item), stat in sorted(stats.items(), key=lambda kv: (kv[0][0], kv[0][1] or "", kv[0][2])):
            if year and y != year:
                continue
            previous = stats.get((y - 1, region, item), NO_DATA)
            rows.append({
                "year": y, "region": region or "", "item": item, "observations": stat.count,
                "median_kzt": stat.median, "min_kzt": stat.low, "max_kzt": stat.high,
                "previous_median_kzt": previous.median, "change_percent": change_percent(stat, previous),
                "includes_demo": bool(stat.demo),
            })
    return rows


def observed_on_ok(value: dt.date, today: dt.date | None = None) -> bool:
    """A plausible observation date: from 2000 up to today."""
    today = today or clock.today_in()
    return dt.date(2000, 1, 1) <= value <= today
