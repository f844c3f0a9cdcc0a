"""The indicator section's charts (issue 16): each chart's SVG and the table beside it, built from the same frozen
figures so that the two never disagree.

Coverage by region, spending against the plan by source, help to towns and villages, and the whole country year
over year. The whole country comes first, then the regions in the order of the indicator table. A hidden figure
("<10", "x") or one a region did not give is written out, never drawn as a bar.
"""

from __future__ import annotations

from flask_babel import gettext as _

from ..i18n import format_money, format_number
from ..charts import bar_chart, stacked_chart
from .models import SOURCES

SPENT = {"spent_local_budget": "local_budget", "spent_sponsors": "sponsors", "spent_other": "other"}
PLACES = {"children": ("urban_children", "rural_children"), "tenge": ("urban_value", "rural_value")}


def percent(value) -> str:
    return _("%(percent)s%%", percent=format_number(value))


def cell(value, unit: str) -> str:
    """A figure as the tables show it: markers as published, a dash where none was given."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if unit == "tenge":
        return format_money(value)
    if unit == "percent":
        return percent(value)
    return format_number(value)


def _absent(*values) -> str:
    """The words in place of a bar: hidden (a marker among the figures) or not given."""
    return _("hidden") if any(isinstance(v, str) for v in values) else _("no data")


def _sentences(*parts) -> str:
    return " ".join(p for p in parts if p)


def _lowest(bars: list[tuple]) -> str:
    """"Lowest: region, figure." over the regions with a bar (the first row is the whole country)."""
    shown = [(label, text, sum(value) if isinstance(value, tuple) else value)
             for label, value, text, *_rest in bars[1:] if value is not None]
    if len(shown) < 2:
        return ""
    label, text, _value = min(shown, key=lambda s: s[2])
    return _("Lowest: %(label)s, %(value)s.", label=label, value=text)


def _table(title: str, columns: list[str], rows: list[tuple[str, list[str]]]) -> dict:
    return {"title": title, "columns": columns, "rows": rows}


def indicator_charts(table: dict, defs: dict, region_names: dict) -> list[dict]:
    """``[{id, title, svgs: [(caption, svg)], columns, rows}]`` for the charts this version's figures can draw."""
    rows = [(_("Whole country"), table.get("national", {}))]
    rows += [(region_names.get(code, code), row) for code, row in table.get("regions", {}).items()]
    label = {key: str(value[0]) for key, value in defs.items()}
    charts = [_coverage(rows, label), _budget(rows, label), _places(rows, label)]
    return [chart for chart in charts if chart]


def _coverage(rows, label) -> dict | None:
    keys = ("children_identified", "children_helped")
    bars = []
    for n, (name, row) in enumerate(rows):
        value = row.get("coverage")
        if isinstance(value, int):
            bars.append((name, value, percent(value)))
        elif n == 0 and isinstance(row.get("children_identified"), int) and row["children_identified"] > 0:
            # The country's figures are known, but a region gave no count of children identified (indicators.py).
            bars.append((name, None, _("not every region gave both figures")))
        else:
            bars.append((name, None, _absent(*(row.get(k) for k in keys))))
    if all(value is None for _n, value, _t in bars):
        return None
    title = _("Coverage by region")
    description = _sentences(
        _("Children helped as a share of the children identified as in need, in per cent, for the whole country "
          "and each region."),
        _("Whole country: %(value)s.", value=bars[0][2]),
        _lowest(bars),
        _("Hidden figures and figures not given are written out, without a bar. "
          "The table next to the chart gives the same figures."),
    )
    return {
        "id": "coverage", "svgs": [(title, bar_chart("chart-coverage", title, description, bars, at_least=100))],
        **_table(title, [label[k] for k in (*keys, "coverage")],
                 [(name, [cell(row.get(k), "children") for k in keys] + [text])
                  for (name, row), (_n, _v, text) in zip(rows, bars)]),
    }


def _budget(rows, label) -> dict | None:
    # The whole country's share of the plan means something only when every region gave a plan.
    every_plan = all(isinstance(row.get("planned_budget"), int) and row["planned_budget"] > 0 for _n, row in rows[1:])
    bars, table_rows = [], []
    for n, (name, row) in enumerate(rows):
        plan, spent = row.get("planned_budget"), [row.get(k) for k in SPENT]
        if any(isinstance(v, str) for v in spent):
            bars.append((name, None, _("hidden"), None))
        elif not isinstance(plan, int) or plan <= 0 or (n == 0 and not every_plan):
            bars.append((name, None, _("no plan") if n else _("not every region gave a plan"), None))
        else:
            parts = tuple(100 * (v or 0) / plan for v in spent)
            bars.append((name, parts, percent(round(sum(parts))), 100))
        table_rows.append((name, [cell(plan, "tenge")] + [cell(v, "tenge") for v in spent]
                           + [bars[-1][2] if bars[-1][1] is not None else "—"]))
    if all(values is None for _n, values, _t, _o in bars):
        return None
    title = _("Spent against the planned budget")
    description = _sentences(
        _("Spending in per cent of the planned budget, for the whole country and each region: local budget, "
          "sponsors and other sources one after another in each bar; the outline marks the plan."),
        _("Whole country: %(value)s of the plan spent.", value=bars[0][2]) if bars[0][1] is not None else "",
        _lowest(bars),
        _("Regions without a plan are written out, without a bar. The table next to the chart gives the same figures."),
    )
    names = [str(SOURCES[source]) for source in SPENT.values()]
    svg = stacked_chart("chart-budget", title, description, names, bars, outline=_("Plan"))
    return {"id": "budget", "svgs": [(title, svg)],
            **_table(title, [label["planned_budget"]] + [label[k] for k in SPENT] + [_("Spent of plan, %")], table_rows)}


def _places(rows, label) -> dict | None:
    keys = PLACES["children"] + PLACES["tenge"]
    present = [(name, row) for name, row in rows if any(row.get(k) is not None for k in keys)]
    if not present:
        return None
    title = _("Help to towns and villages")
    svgs = []
    for unit, chart_title, lead in (
        ("children", _("Children reached in towns and villages"),
         _("Children reached by sponsors' deliveries: the share in towns and in villages, for the whole country and "
           "each region; the figure after each bar is all children reached.")),
        ("tenge", _("Value of help delivered to towns and villages"),
         _("The value of sponsors' help delivered: the share to towns and to villages, for the whole country and "
           "each region; the figure after each bar is the whole value in tenge.")),
    ):
        bars, village_share = [], ""
        for name, row in present:
            town, village = (row.get(k) for k in PLACES[unit])
            if isinstance(town, str) or isinstance(village, str):
                bars.append((name, None, _("hidden"), None))
                continue
            total = (town or 0) + (village or 0)
            if not total:
                bars.append((name, None, cell(total, unit), None))
                continue
            bars.append((name, (100 * (town or 0) / total, 100 * (village or 0) / total), cell(total, unit), None))
            if row is rows[0][1]:
                village_share = _("Whole country: %(value)s in villages.", value=percent(round(100 * (village or 0) / total)))
        description = _sentences(lead, village_share, _("Hidden figures are written out, without a bar. "
                                                        "The table next to the chart gives the same figures."))
        svgs.append((chart_title, stacked_chart("chart-places-" + unit, chart_title, description,
                                                [_("Towns"), _("Villages")], bars)))
    return {"id": "places", "svgs": svgs,
            **_table(title, [label[k] for k in keys],
                     [(name, [cell(row.get(k), "tenge" if k in PLACES["tenge"] else "children") for k in keys])
                      for name, row in present])}


def series_charts(years: list[tuple[int, int, dict]]) -> list:
    """``[(caption, svg)]``: children helped and coverage in the whole country per year, two small bar charts
    beside the series table."""
    charts = []
    for key, unit, title, lead, at_least in (
        ("children_helped", "children", _("Children helped per year, whole country"),
         _("Children helped in the whole country in each campaign year."), 0),
        ("coverage", "percent", _("Coverage per year, whole country"),
         _("Children helped as a share of the children identified as in need, in per cent, in each campaign year."), 100),
    ):
        bars = [(str(year), row.get(key) if isinstance(row.get(key), int) else None,
                 cell(row.get(key), unit) if isinstance(row.get(key), int) else _absent(row.get(key)))
                for year, _number, row in years]
        if all(value is None for _y, value, _t in bars):
            continue
        description = _sentences(lead, _("Hidden figures and figures not given are written out, without a bar. "
                                         "The table next to the chart gives the same figures."))
        charts.append((title, bar_chart("chart-series-" + key.replace("_", "-"), title, description, bars, at_least=at_least)))
    return charts
