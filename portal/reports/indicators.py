"""Campaign indicators per region (issue 16, UN CRC recommendation 13: concrete indicators, a tracking system).

Counted from what the portal holds — allocations (spent by source, children helped), needs (met),
deliveries (help to towns and villages) — and from what each region enters and signs off in the
back office (``IndicatorSignoff``: planned budget, children identified as in need). Appeals about a
child not attending school are counted from the portal's appeals, with the child back at school as
staff said when closing them; a region adds those it took outside the portal in its sign-off.

A region's figures go submitted → checked → included in version N: ``freeze()`` puts the checked
regions into the version being published (``summary["indicators"]``, frozen with it) under the same
disclosure rule as the report (``portal/disclosure.py``): child counts below national level under
the threshold are hidden, with complements, and stay hidden in later versions. Each indicator's name,
unit and methodology in kk, ru and en are frozen with it too (``definitions``): a later change of
wording never changes what a published version says.

Demo reports (``portal/reports/demo.py``) count only demo records and take their regional inputs
from invented sign-offs handed to ``freeze``: nothing demo is stored as a region's sign-off, and a
real report never counts a demo record.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask_babel import force_locale, lazy_gettext as _l

from .. import clock
from ..disclosure import HIDDEN_MARK, Figure, build_hierarchy, equations, marker, pinned, suppress
from ..extensions import db
from ..i18n import LANGUAGES
from ..needs.models import Need
from ..offers.models import Delivery, Offer
from .models import Allocation, IndicatorSignoff

# key → (label, unit, methodology). Units: "tenge", "children", "needs", "percent".
INDICATORS = {
    "planned_budget": (_l("Planned budget"), "tenge",
                       _l("The region's budget for the campaign as approved in its plan, in tenge, entered and signed off by the region.")),
    "spent_local_budget": (_l("Spent: local budget"), "tenge",
                           _l("The value of aid from the local budget recorded in the report's allocation lines, in tenge.")),
    "spent_sponsors": (_l("Spent: sponsors"), "tenge",
                       _l("The value of sponsors' aid in the report's allocation lines, in tenge; where confirmed, these lines come from the deliveries recorded on offers.")),
    "spent_other": (_l("Spent: other sources"), "tenge",
                    _l("The value of aid from other sources in the report's allocation lines, in tenge.")),
    "children_identified": (_l("Children identified as in need"), "children",
                            _l("Children the region identified as needing help before school, entered and signed off by the region.")),
    "children_helped": (_l("Children helped"), "children",
                        _l("Children counted in the report's allocation lines of the region (a child helped from two sources may be counted twice).")),
    "coverage": (_l("Coverage, %"), "percent",
                 _l("Children helped as a share of children identified, in per cent; not shown where either figure is hidden, and for the whole country only when every region gave both figures.")),
    "needs_published": (_l("Needs published"), "needs",
                        _l("Needs the region published on the needs board for the campaign (an item and size band each).")),
    "needs_met": (_l("Needs met"), "needs",
                  _l("Published needs with nothing more needed: marked covered by the region, or fully pledged through the site.")),
    "out_of_school": (_l("Appeals about children out of school"), "children",
                      _l("Appeals about a child not attending school, counted by the region's staff when closing them.")),
    "back_to_school": (_l("Of which: child back at school"), "children",
                       _l("Of those appeals, the ones that ended with the child back at school, as counted by staff when closing them.")),
    "urban_children": (_l("Children reached in towns"), "children",
                       _l("Children reached by deliveries of sponsors' help to towns and cities (recorded on offers).")),
    "rural_children": (_l("Children reached in villages"), "children",
                       _l("Children reached by deliveries of sponsors' help to villages (recorded on offers).")),
    "urban_value": (_l("Help delivered to towns"), "tenge",
                    _l("The value of sponsors' help delivered to towns and cities, in tenge.")),
    "rural_value": (_l("Help delivered to villages"), "tenge",
                    _l("The value of sponsors' help delivered to villages, in tenge.")),
}
# The report page's tables of indicator figures, each narrow enough for a phone's scroll and a printed A4 page.
TABLE_GROUPS = (
    (_l("budget and spending"), ("planned_budget", "spent_local_budget", "spent_sponsors", "spent_other")),
    (_l("children helped"), ("children_identified", "children_helped", "coverage")),
    (_l("towns and villages"), ("urban_children", "rural_children", "urban_value", "rural_value")),
    (_l("needs and children out of school"), ("needs_published", "needs_met", "out_of_school", "back_to_school")),
)
# Child counts suppressed together (a row is the sum of its parts only within a group).
CHILD_GROUPS = (("children_identified",), ("children_helped",), ("out_of_school",), ("back_to_school",),
                ("urban_children", "rural_children"))
# A value published beside a child count is hidden with it.
HIDDEN_WITH = {"urban_value": "urban_children", "rural_value": "rural_children"}
ALL = "*"  # the dimensions an indicator cell does not break down
ADDED_INPUTS = ("out_of_school", "back_to_school")
SIGNED_INPUTS = ("planned_budget", "children_identified", "out_of_school", "back_to_school")


def compute(campaign_id: int, regions=None, is_demo: bool = False, inputs: dict | None = None
            ) -> dict[str, dict[str, int | None]]:
    """``{region: {indicator: value}}`` before suppression (coverage left to ``publishable``); a few grouped queries.

    Counts real records, or demo ones with ``is_demo``; the regions' own inputs come from their sign-offs,
    or from ``inputs`` (``{region: {input: value}}``, the demo's invented sign-offs) when given."""
    result: dict[str, dict[str, int | None]] = defaultdict(dict)

    def keep(code):
        return regions is None or code in regions

    a = Allocation
    for code, source, children, amount in db.session.execute(
        sa.select(a.region_code, a.source, sa.func.sum(a.children), sa.func.sum(a.amount))
        .where(a.campaign_id == campaign_id, a.is_demo == is_demo).group_by(a.region_code, a.source)
    ):
        if keep(code):
            row = result[code]
            row["spent_" + source] = int(amount or 0)
            row["children_helped"] = row.get("children_helped", 0) + int(children or 0)
    needs = list(db.session.scalars(sa.select(Need).where(Need.campaign_id == campaign_id, Need.is_demo == is_demo)))
    from ..needs.progress import progress_of

    progress = progress_of(needs)
    for need in needs:
        if keep(need.region_code):
            row = result[need.region_code]
            row["needs_published"] = row.get("needs_published", 0) + 1
            row["needs_met"] = row.get("needs_met", 0) + (1 if progress[need.id].covered else 0)
    for code, locality, children, value in db.session.execute(
        sa.select(Delivery.region_code, Delivery.locality, sa.func.coalesce(sa.func.sum(Delivery.children), 0),
                  sa.func.coalesce(sa.func.sum(Delivery.value_tenge), 0))
        .join(Offer, Offer.id == Delivery.offer_id)
        .where(Offer.campaign_id == campaign_id, Offer.status != "declined", Offer.is_demo == is_demo)
        .group_by(Delivery.region_code, Delivery.locality)
    ):
        if keep(code) and locality in ("urban", "rural"):
            result[code][locality + "_children"] = int(children)
            result[code][locality + "_value"] = int(value)
    # Appeals about a child not attending school, registered on the portal in the campaign's period, and those
    # staff closed with the child back at school.
    from ..appeals.models import Appeal
    from ..campaigns.models import Campaign, period

    first, last = period(db.session.get(Campaign, campaign_id))
    stmt = (
        sa.select(Appeal.region_code, sa.func.count(),
                  sa.func.sum(sa.case((Appeal.back_to_school.is_(True), 1), else_=0)))
        .where(Appeal.category == "not_attending", Appeal.is_demo == is_demo, Appeal.region_code.is_not(None))
        .group_by(Appeal.region_code)
    )
    if first is not None:
        stmt = stmt.where(Appeal.created_on >= first)
    if last is not None:
        stmt = stmt.where(Appeal.created_on <= last)
    for code, total, back in db.session.execute(stmt):
        if keep(code):
            result[code]["out_of_school"] = int(total)
            result[code]["back_to_school"] = int(back or 0)
    if inputs is None:
        signed = {} if is_demo else {
            s.region_code: {name: getattr(s, name) for name in SIGNED_INPUTS}
            for s in db.session.scalars(sa.select(IndicatorSignoff).where(IndicatorSignoff.campaign_id == campaign_id))}
    else:
        signed = inputs
    for code, entered in signed.items():
        if keep(code):
            for name in SIGNED_INPUTS:
                value = entered.get(name)
                if name in ADDED_INPUTS:  # appeals the region took outside the portal, added to the portal's
                    if value is not None:
                        result[code][name] = result[code].get(name, 0) + value
                else:
                    result[code][name] = value
    return dict(result)


def _coverage(row: dict) -> int | None:
    helped, identified = row.get("children_helped"), row.get("children_identified")
    if not isinstance(helped, int) or not isinstance(identified, int) or identified <= 0:
        return None
    return round(100 * helped / identified)


def publishable(values: dict[str, dict], threshold: int, also_hide=()) -> dict:
    """The table as published: regional child counts under the threshold hidden (with complements, and whatever
    an earlier version hid), values beside hidden counts hidden, national totals, coverage."""
    hidden: dict[tuple, str] = {}
    sticky = {tuple(k) for k in also_hide}
    national_hidden: set[str] = set()
    for group in CHILD_GROUPS:
        # Detail cells (region, ALL, indicator, ALL); the hierarchy adds region totals, which are not published:
        # suppression then treats them as known, which only makes it more careful.
        cells = {
            (code, ALL, name, ALL): Figure(children=int(row.get(name) or 0))
            for code, row in values.items() for name in group if row.get(name)
        }
        figures = build_hierarchy(cells)
        group_sticky = [(k[0], ALL, k[2], ALL) for k in sticky if k[2] in group and (k[0], ALL, k[2], ALL) in figures]
        found = suppress(figures, threshold, also_hide=group_sticky)
        for key, status in found.items():
            if key[0] is not None and key[2] is not None:
                hidden[(key[0], None, key[2], None)] = status
        # Small hidden counts adding up to a published national figure can be pinned by their bounds
        # (four regions, each "<10", total 4: each is 1): then that national figure is not published either.
        cell_hidden = {k: v for k, v in found.items() if k[0] is not None and k[2] is not None}
        if cell_hidden:
            eqs = [(total, parts) for total, parts in equations([k for k, f in figures.items() if f.children])
                   if total[0] is None and total[2] is not None]
            if pinned(eqs, cell_hidden, figures, threshold):
                national_hidden.update(group)
    regions = {}
    national: dict[str, int] = defaultdict(int)
    for code, row in sorted(values.items()):
        out = {}
        for name in INDICATORS:
            value = row.get(name)
            if name == "coverage":
                continue
            if isinstance(value, int):
                national[name] += value
            key = (code, None, HIDDEN_WITH.get(name, name), None)
            out[name] = marker(hidden[key], threshold) if key in hidden else value
        out["coverage"] = None if any(isinstance(out.get(n), str) for n in ("children_helped", "children_identified")) \
            else _coverage(out)
        regions[code] = out
    national_row = dict(national)
    for name in national_hidden:
        national_row[name] = HIDDEN_MARK
    for value, count in HIDDEN_WITH.items():
        if count in national_hidden:
            national_row[value] = HIDDEN_MARK
    # The country's coverage only when every region in the table gave both figures: a region that helped
    # children but counted none as identified would otherwise raise it (and leaving that region out of the
    # ratio would let its hidden count be worked out from the published national total).
    complete = all(isinstance(row.get("children_identified"), int) and row["children_identified"] > 0
                   for row in values.values() if row.get("children_helped"))
    national_row["coverage"] = _coverage(national_row) if complete else None
    return {
        "columns": list(INDICATORS), "regions": regions, "national": national_row, "threshold": threshold,
        "hidden": sorted([list(k) for k in hidden], key=lambda k: (k[0], k[2])),
    }


def previous_hidden(report) -> list:
    hidden = []
    for version in report.versions if report else []:
        hidden.extend((version.summary or {}).get("indicators", {}).get("hidden", []))
    return hidden


def freeze(campaign_id: int, number: int, threshold: int, report=None, is_demo: bool = False,
           inputs: dict | None = None) -> dict | None:
    """The indicators of the regions whose figures are checked, for version ``number``, with their definitions;
    marks those sign-offs included. A demo version takes its regions and inputs from ``inputs`` instead."""
    if is_demo:
        if not inputs:
            return None
        signoffs, regions = [], set(inputs)
    else:
        signoffs = list(db.session.scalars(sa.select(IndicatorSignoff).where(
            IndicatorSignoff.campaign_id == campaign_id, IndicatorSignoff.status.in_(("checked", "included")))))
        if not signoffs:
            return None
        regions = {s.region_code for s in signoffs}
    values = compute(campaign_id, regions, is_demo, inputs if is_demo else None)
    table = publishable(values, threshold, previous_hidden(report))
    for signoff in signoffs:
        if signoff.status == "checked":
            signoff.status = "included"
            signoff.included_in_version = number
    table["version"] = number
    table["definitions"] = live_definitions(table["columns"])
    return table


def live_definitions(columns=None) -> dict:
    """``{indicator: {unit, name_kk, name_ru, name_en, methodology_kk, …}}`` in today's wording."""
    found = {}
    for key in columns or INDICATORS:
        label, unit, method = INDICATORS[key]
        entry = {"unit": unit}
        for lang in LANGUAGES:
            with force_locale(lang):
                entry["name_" + lang], entry["methodology_" + lang] = str(label), str(method)
        found[key] = entry
    return found


def definitions(source) -> dict:
    """The definitions a version's indicators were published with (``source``: the version or its frozen table).

    Versions published before definitions were frozen fall back to today's wording."""
    table = source if isinstance(source, dict) else ((getattr(source, "summary", None) or {}).get("indicators") or {})
    frozen = table.get("definitions") or {}
    columns = table.get("columns") or list(INDICATORS)
    missing = [key for key in columns if key not in frozen]
    live = live_definitions(missing) if missing else {}
    return {key: frozen.get(key) or live[key] for key in columns}


def missing_regions(campaign_id: int, codes) -> list[str]:
    """Regions whose figures are not checked yet (nothing entered, or only submitted)."""
    done = set(db.session.scalars(sa.select(IndicatorSignoff.region_code).where(
        IndicatorSignoff.campaign_id == campaign_id, IndicatorSignoff.status.in_(("checked", "included")))))
    return [code for code in codes if code not in done]


def now():
    return clock.now()


SERIES_COLUMNS = ("planned_budget", "spent_local_budget", "spent_sponsors", "spent_other", "children_identified",
                  "children_helped", "coverage", "needs_met", "out_of_school", "back_to_school")


def series(is_demo: bool = False) -> list[tuple[int, int, dict]]:
    """``[(year, version number, national indicators)]`` from the latest version of each campaign's report that
    carries indicators, oldest year first: the year-over-year series (shown once two years exist)."""
    from ..campaigns.models import Campaign
    from .models import Report

    rows = []
    for report in db.session.scalars(
        sa.select(Report).join(Campaign, Campaign.id == Report.campaign_id)
        .where(Report.is_demo == is_demo).order_by(Campaign.year)
    ):
        latest = next((v for v in reversed(report.versions) if (v.summary or {}).get("indicators")), None)
        if latest is not None:
            rows.append((report.campaign.year, latest.number, latest.summary["indicators"]["national"]))
    return rows
