"""Public price pages: a region's prices (or the whole country's), region comparison, open data."""

from __future__ import annotations

import json

from flask import abort, current_app, render_template, request
from flask_babel import gettext as _

from ..http import cacheable
from ..htmx import render
from ..i18n import format_money, format_number
from ..offers.services import active_price_pledges
from ..regions.models import regions_ordered
from ..spreadsheet import csv_bytes
from ..charts import bar_chart
from . import bp
from .forms import PriceFilterForm
from .models import ITEMS, MIN_OBSERVATIONS, OUTLETS
from .services import (
    AGGREGATE_FIELDS, OBSERVATION_FIELDS, aggregate_rows, any_demo, available_years, default_year, item_table,
    observation_rows, region_comparison,
)



def change_text(value: float | None) -> str:
    """``+5.2 %`` / ``−3 %`` with the locale's decimal sign and an arrow (never colour alone); ``—`` when unknown."""
    if value is None:
        return "—"
    if value == 0:
        return "0 %"
    sign, arrow = ("+", "↑") if value > 0 else ("−", "↓")
    return "%s %s%s\xa0%%" % (arrow, sign, format_number(abs(value), digits=1 if value % 1 else 0))


def _stat_text(stat) -> str:
    return format_money(stat.median) if stat.enough else _("not enough data")


def _chart(chart_id: str, title: str, rows: list[tuple[str, object]]) -> object:
    """Medians as bars; ``rows``: ``(label, Stat)``."""
    bars = [(label, stat.median if stat.enough else None, _stat_text(stat)) for label, stat in rows]
    known = [(label, stat) for label, stat in rows if stat.enough]
    if known:
        label, stat = max(known, key=lambda pair: pair[1].median)
        description = _(
            "Bar chart of median prices. Highest: %(label)s, %(value)s. Items with fewer than %(min)s "
            "observations show “not enough data”. The table next to the chart gives the same figures.",
            label=label, value=format_money(stat.median), min=MIN_OBSERVATIONS,
        )
    else:
        description = _("Bar chart with no figures to show. The table next to the chart gives the same figures.")
    return bar_chart(chart_id, title, description, bars)


def _filters():
    """The GET form and what it selects; unknown values fall back to the country, this year, uniforms."""
    regions = regions_ordered()
    labels = {r.code: r.label for r in regions}
    this_year = default_year()
    years = sorted(set(available_years()) | {this_year}, reverse=True)
    form = PriceFilterForm(formdata=request.args, regions=[(r.code, r.label) for r in regions], years=years)
    form.validate()
    region = form.region.data if form.region.data in labels else ""
    year = form.year.data if form.year.data in years else this_year
    item = form.item.data if form.item.data in ITEMS else "uniform_set"
    form.region.data, form.year.data, form.item.data = region, year, item
    form.region.errors = form.year.errors = form.item.errors = []
    return form, labels, region, year, item


@bp.get("")
@cacheable("prices", "offers", "regions", "campaigns", params=("region", "year", "item"))
def index():
    """What school goods cost in a region (or the whole country) this campaign, and where they are cheaper."""
    form, labels, region, year, item = _filters()
    rows = item_table(year, region or None)
    place = labels[region] if region else _("the whole country")
    chart = _chart("chart-items", _("Median prices in %(place)s, %(year)s", place=place, year=year),
                   [(r.label, r.current) for r in rows])
    comparison = comparison_chart = None
    if not region:
        comparison = [(code, labels.get(code, code), row) for code, row in region_comparison(year, item).items()]
        comparison_chart = _chart(
            "chart-regions", _("%(item)s: median price by region, %(year)s", item=ITEMS[item], year=year),
            [(label, row.current) for _code, label, row in comparison],
        )
    return render(
        "prices/index.html", "prices/_results.html",
        form=form, region=region, place=place, year=year, item=item, item_label=str(ITEMS[item]), rows=rows,
        chart=chart, comparison=comparison, comparison_chart=comparison_chart, labels=labels,
        pledges=active_price_pledges(region or None), demo=any_demo(year), change_text=change_text,
        min_observations=MIN_OBSERVATIONS,
    )


def dictionary() -> dict:
    """Columns of the files and their code lists, in the current language."""
    text, whole, yes_no = _("text"), _("whole number"), _("true or false")
    observation_fields = [
        ("id", whole, _("Number of the observation; stable between downloads.")),
        ("year", whole, _("Campaign year: the year of the observation date.")),
        ("region", text, _("ISO 3166-2 code of the region, e.g. KZ-71 for Astana.")),
        ("item", text, _("What was priced: a code from the list of items below.")),
        ("outlet", text, _("Where it was priced: a code from the list of outlets below.")),
        ("price_kzt", whole, _("Price of one item in whole tenge.")),
        ("observed_on", _("date (YYYY-MM-DD)"), _("Day the price was observed.")),
        ("is_demo", yes_no, _("True for invented demo observations that are not real prices.")),
    ]
    aggregate_fields = [
        ("year", whole, _("Campaign year.")),
        ("region", text, _("ISO 3166-2 code of the region; empty for the whole country.")),
        ("item", text, _("Code of the item.")),
        ("observations", whole, _("Number of observations of the item in that region and year.")),
        ("median_kzt", whole, _("Median price in whole tenge; empty when there are fewer than %(min)s observations.",
                                min=MIN_OBSERVATIONS)),
        ("min_kzt", whole, _("Lowest observed price; empty when there are fewer than %(min)s observations.",
                             min=MIN_OBSERVATIONS)),
        ("max_kzt", whole, _("Highest observed price; empty when there are fewer than %(min)s observations.",
                             min=MIN_OBSERVATIONS)),
        ("previous_median_kzt", whole, _("Median of the previous year, when known.")),
        ("change_percent", _("number"), _("Change of the median against the previous year, in per cent.")),
        ("includes_demo", yes_no, _("True when demo observations are counted in the row.")),
    ]
    return {
        "observation_fields": observation_fields,
        "aggregate_fields": aggregate_fields,
        "code_lists": [("item", _("Items"), ITEMS), ("outlet", _("Kinds of outlet"), OUTLETS)],
    }


@bp.get("/data")
@cacheable("prices", "regions", "campaigns")
def data():
    """Open data: the files, their columns and code lists."""
    return render_template("prices/data.html", **dictionary())


def _download_filters():
    """``?year=`` and ``?region=`` of a download; anything else is a 404 rather than a silently different file."""
    year = request.args.get("year", "")
    region = request.args.get("region", "").upper()
    if year and not (year.isdigit() and len(year) == 4):
        abort(404)
    if region and region not in {r.code for r in regions_ordered()}:
        abort(404)
    return (int(year) if year else None), (region or None)


def _cell(value):
    """CSV cell: empty for unknown, ``true``/``false`` as in the JSON file."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _download(kind: str, extension: str):
    """Observations or aggregates as CSV (UTF-8 with BOM) or JSON, optionally for one year and region."""
    year, region = _download_filters()
    if kind == "observations":
        fields, rows = OBSERVATION_FIELDS, observation_rows(year, region)
    else:
        fields = AGGREGATE_FIELDS
        rows = ([r[f] for f in fields] for r in aggregate_rows(year, region))
    if extension == "csv":
        body, mimetype = csv_bytes(([_cell(v) for v in row] for row in rows), fields), "text/csv; charset=utf-8"
    else:
        payload = {"name": "mektepke-zhol-school-goods-prices-" + kind, "fields": list(fields),
                   "data": [dict(zip(fields, row)) for row in rows]}
        body, mimetype = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), "application/json"
    response = current_app.response_class(body, content_type=mimetype)  # its charset once
    suffix = "".join("-%s" % part for part in (year, region) if part)
    disposition = "attachment" if extension == "csv" else "inline"
    response.headers["Content-Disposition"] = '%s; filename="prices-%s%s.%s"' % (disposition, kind, suffix, extension)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


# One rule per file (no <name> argument): fixed, citable addresses that the header and input batteries reach.
@bp.get("/data/observations.csv")
@cacheable("prices", params=("year", "region"), cookies=False)
def observations_csv():
    """Every observation as a CSV table."""
    return _download("observations", "csv")


@bp.get("/data/observations.json")
@cacheable("prices", params=("year", "region"), cookies=False)
def observations_json():
    """Every observation as JSON."""
    return _download("observations", "json")


@bp.get("/data/aggregates.csv")
@cacheable("prices", params=("year", "region"), cookies=False)
def aggregates_csv():
    """Medians per year, region and item as a CSV table."""
    return _download("aggregates", "csv")


@bp.get("/data/aggregates.json")
@cacheable("prices", params=("year", "region"), cookies=False)
def aggregates_json():
    """Medians per year, region and item as JSON."""
    return _download("aggregates", "json")
