"""Public report pages and the immutable file downloads."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import undefer

from ..http import cacheable
from ..extensions import db
from ..i18n import format_date, format_money, format_number, localised, request_language
from ..regions.models import Region
from ..site.routes import sitemap_provider
from . import bp, files_bp
from ..charts import bar_chart
from .models import FILE_NAMES, GROUPS, INDICATOR_FILES, KINDS, MEDIA_TYPES, SOURCES, Report, ReportFile, ReportVersion
from .publish import CSV_FIELDS, FIELD_TEXT, PUBLISHER, marker_descriptions, served_package_file

YEAR = 365 * 24 * 3600


def published_reports() -> list[Report]:
    """Reports with at least one version: newest campaign first, real reports before demo ones."""
    from ..campaigns.models import Campaign

    stmt = (
        sa.select(Report)
        .join(Campaign, Report.campaign_id == Campaign.id)
        .where(sa.exists().where(ReportVersion.report_id == Report.id))
        .order_by(Campaign.year.desc(), Report.is_demo, Report.id.desc())
    )
    return list(db.session.scalars(stmt))


def report_or_404(slug: str) -> Report:
    report = db.session.scalar(sa.select(Report).where(Report.slug == slug))
    if report is None or not report.versions:
        abort(404)
    return report


def _shown(row: dict, key: str, money: bool = False) -> str:
    if row["suppressed"]:
        return row["suppressed"] if key == "children" else "x"
    return format_money(row[key]) if money else format_number(row[key])


def tables(summary: dict) -> list[dict]:
    """The four published breakdowns with labels, display values and a chart each."""
    regions = {r.code: r for r in db.session.scalars(sa.select(Region))}
    specs = [
        ("by_region", _("By region"), _("Region"), lambda code: regions[code].label if code in regions else code,
         "region_code", "children", _("Children helped by region")),
        ("by_group", _("By recipient group"), _("Recipient group"), lambda code: str(GROUPS[code]),
         "recipient_group", "children", _("Children helped by recipient group")),
        ("by_kind", _("By kind of aid"), _("Kind of aid"), lambda code: str(KINDS[code]), "aid_kind", "children",
         _("Children helped by kind of aid")),
        ("by_source", _("By source"), _("Source"), lambda code: str(SOURCES[code]), "source", "amount",
         _("Amount in tenge by source")),
    ]
    result = []
    for name, title, column, label_of, key, measure, chart_title in specs:
        rows = []
        for row in summary.get(name, []):
            rows.append({
                "label": label_of(row[key]),
                "children": _shown(row, "children"),
                "amount": _shown(row, "amount", money=True),
                "items": _shown(row, "items"),
                "suppressed": row["suppressed"],
                "value": None if row["suppressed"] else row[measure],
            })
        visible = [r for r in rows if r["value"]]
        largest = max(visible, key=lambda r: r["value"]) if visible else None
        if measure == "children":
            shown = [(r["label"], r["value"], r["children"]) for r in rows]
        else:
            shown = [(r["label"], r["value"], r["amount"]) for r in rows]
        if largest:
            description = _(
                "Bar chart. Largest: %(label)s, %(value)s. Hidden figures are marked <10 or x. "
                "The table next to the chart gives the same figures.",
                label=largest["label"], value=largest["children"] if measure == "children" else largest["amount"],
            )
        else:
            description = _("Bar chart with no figures to show. The table next to the chart gives the same figures.")
        result.append({
            "id": name.replace("_", "-"),
            "title": title,
            "column": column,
            "rows": rows,
            "chart": bar_chart("chart-" + name.replace("_", "-"), chart_title, description, shown),
        })
    return result


def compare(version: ReportVersion) -> dict | None:
    """Totals before and after, against the previous version."""
    previous = version.previous
    if previous is None:
        return None
    return {"before": previous.totals, "after": version.totals, "previous": previous}


@bp.get("/")
@cacheable("reports", "regions", "campaigns")
def index():
    """Every published report, newest first."""
    return render_template("reports/index.html", reports=published_reports())


def dictionary() -> dict:
    """Data dictionary and code lists in the current language."""
    types = {"string": _("text"), "integer": _("whole number")}
    fields = [
        {"name": name, "type_label": types["integer" if name in ("children", "amount_kzt", "items") else "string"],
         "description": FIELD_TEXT[name]()}
        for name in CSV_FIELDS
    ]
    code_lists = [
        ("recipient_group", _("Recipient groups"), {c: str(label) for c, label in GROUPS.items()}),
        ("aid_kind", _("Kinds of aid"), {c: str(label) for c, label in KINDS.items()}),
        ("source", _("Sources"), {c: str(label) for c, label in SOURCES.items()}),
    ]
    formats = {
        "data.csv": _("CSV table (UTF-8)"),
        "data.json": "JSON",
        "data.xlsx": _("Excel workbook with a data dictionary sheet"),
        "datapackage.json": _("Frictionless Data Package (description, schema, checksums)"),
        "indicators.csv": _("Indicators as CSV"),
        "indicators.json": _("Indicators and their methodology as JSON"),
    }
    return {"fields": fields, "code_lists": code_lists, "formats": formats}


def citation(report: Report, version: ReportVersion) -> str:
    lang = request_language()
    csv_file = version.file("data.csv")
    return _(
        "%(publisher)s. %(title)s. Version %(number)s, published %(date)s. %(url)s. SHA-256 of data.csv: %(sha)s.",
        publisher=PUBLISHER.get(lang, PUBLISHER["en"]),
        title=version.title,
        number=version.number,
        date=format_date(version.published_on),
        url=url_for("reports.version", slug=report.slug, number=version.number, _external=True),
        sha=csv_file.sha256 if csv_file else "",
    )


def _render_version(report: Report, version: ReportVersion):
    response = current_app.make_response(
        render_template(
            "reports/show.html",
            report=report,
            version=version,
            is_latest=version is report.latest,
            tables=tables(version.summary),
            markers=marker_descriptions(version.threshold),
            changes=compare(version),
            history=[(v, compare(v)) for v in reversed(report.versions)],
            localised=localised,
            citation=citation(report, version),
            **_indicator_context(report, version),
            **dictionary(),
        )
    )
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/<slug>")
@cacheable("reports", "regions", "campaigns")
def show(slug: str):
    """The latest version of a report: totals, tables, charts, methodology, files, history, citation."""
    report = report_or_404(slug)
    return _render_version(report, report.latest)


@bp.get("/<slug>/v<int:number>")
@cacheable("reports", "regions", "campaigns")
def version(slug: str, number: int):
    """One version of a report, as it was published (older versions stay online)."""
    report = report_or_404(slug)
    found = report.version(number)
    if found is None:
        abort(404)
    return _render_version(report, found)


@files_bp.get("/<slug>/v<int:number>/<name>")
# A published version never changes: its compressed bytes are kept until the reports change at all.
@cacheable("reports", ttl=24 * 3600, cookies=False)
def download(slug: str, number: int, name: str):
    """The frozen bytes of a published file: strong ETag (its SHA-256), cached for a year."""
    if name not in FILE_NAMES:
        abort(404)
    found = _stored(slug, number, name)
    if found is None:
        abort(404)
    file, published_at = found
    if name == "datapackage.json":
        # Versions published before issue 18 get a corrected description of the same frozen files.
        file = served_package_file(file, slug, number)
    return _frozen_response(file, published_at, slug, number, name)


def _stored(slug: str, number: int, name: str):
    """``(ReportFile, published_at)`` of a version's stored file, or None."""
    stmt = (
        sa.select(ReportFile, ReportVersion.published_at)
        .join(ReportVersion, ReportFile.version_id == ReportVersion.id)
        .join(Report, ReportVersion.report_id == Report.id)
        .where(Report.slug == slug, ReportVersion.number == number, ReportFile.name == name)
        .options(undefer(ReportFile.content))
    )
    return db.session.execute(stmt).first()


def _frozen_response(file, published_at, slug: str, number: int, name: str, stored: bool = True):
    """A file's bytes with its SHA-256 as ETag; stored files are immutable, with their checksum stated."""
    # The HTTP layer compresses it (ETag "<sha>-br" / "-gzip") and answers 304 (portal/http).
    response = current_app.response_class(file.content, content_type=file.media_type)
    disposition = "attachment" if name.endswith((".csv", ".xlsx")) else "inline"
    response.headers["Content-Disposition"] = '%s; filename="%s-v%d-%s"' % (disposition, slug, number, name)
    response.last_modified = published_at
    response.set_etag(file.sha256)
    if not stored:  # generated on request: region names or wording may still change
        response.headers["Cache-Control"] = "public, max-age=300"
        return response
    response.headers["Cache-Control"] = "public, max-age=%d, immutable" % YEAR
    response.headers["X-Checksum-SHA256"] = file.sha256
    return response


def _indicator_context(report, version) -> dict:
    """What the indicators section needs, only for a version that carries indicators (no query otherwise): the
    definitions, region names, the year-over-year series, and the charts drawn from the same frozen figures."""
    table = (version.summary or {}).get("indicators")
    if not table:
        return {}
    from .indicator_charts import indicator_charts, series_charts

    defs, names, series = _indicator_defs(version), _region_names(), _series(report)
    return {"indicator_defs": defs, "region_names": names, "indicator_series": series,
            "indicator_groups": _indicator_groups(),
            "indicator_charts": indicator_charts(table, defs, names),
            "indicator_series_charts": series_charts(series[1]) if series else []}


def _indicator_groups() -> list[tuple[str, tuple]]:
    """``[(what the table holds, indicator keys)]``; an indicator no group names goes with the last."""
    from .indicators import INDICATORS, TABLE_GROUPS

    named = {key for _label, keys in TABLE_GROUPS for key in keys}
    groups = [(str(label), keys) for label, keys in TABLE_GROUPS]
    rest = tuple(key for key in INDICATORS if key not in named)
    groups[-1] = (groups[-1][0], groups[-1][1] + rest)
    return groups


def _indicator_defs(version) -> dict:
    """``{indicator: (name, unit, methodology)}`` in the page's language, as frozen with the version (today's
    wording for an indicator it does not carry, which the year-over-year series may show)."""
    from .indicators import INDICATORS, definitions

    lang = request_language()
    found = {key: (entry.get("name_" + lang) or entry.get("name_en"), entry["unit"],
                   entry.get("methodology_" + lang) or entry.get("methodology_en"))
             for key, entry in definitions(version).items()}
    return {**INDICATORS, **found}


def _series(report):
    from .indicators import SERIES_COLUMNS, series

    rows = series(report.is_demo)
    return (SERIES_COLUMNS, rows) if len(rows) >= 2 else None


def _region_names() -> dict:
    from ..regions.models import regions_ordered

    return {r.code: r.label for r in regions_ordered()}


@files_bp.get("/<slug>/v<int:number>/indicators.csv")
@cacheable("reports", ttl=24 * 3600, cookies=False)
def indicators_csv(slug: str, number: int):
    """The version's frozen indicators as CSV: one row per region and the country, markers as published."""
    return _indicator_file(slug, number, "indicators.csv")


@files_bp.get("/<slug>/v<int:number>/indicators.json")
@cacheable("reports", ttl=24 * 3600, cookies=False)
def indicators_json(slug: str, number: int):
    """The version's frozen indicators as JSON, each with its name, unit and methodology in kk, ru and en."""
    return _indicator_file(slug, number, "indicators.json")


def _indicator_file(slug: str, number: int, name: str):
    """The stored file with its checksum; a version published before they were stored generates it from its
    frozen indicators (404 for a version without)."""
    import hashlib

    from .publish import ServedFile, indicator_file_contents

    found = _stored(slug, number, name)
    if found is not None:
        return _frozen_response(*found, slug, number, name)
    version = report_or_404(slug).version(number)
    content = indicator_file_contents(version).get(name) if version else None
    if content is None:
        abort(404)
    served = ServedFile(content, hashlib.sha256(content).hexdigest(), MEDIA_TYPES[name])
    return _frozen_response(served, version.published_at, slug, number, name, stored=False)


@files_bp.get("/<slug>/latest/<name>")
def latest(slug: str, name: str):
    """Redirect to the newest version's file (the versioned URL is the one to cite)."""
    if name not in FILE_NAMES + INDICATOR_FILES:
        abort(404)
    report = report_or_404(slug)
    response = redirect(url_for("report_files.download", slug=slug, number=report.latest.number, name=name))
    response.headers["Cache-Control"] = "no-cache"
    return response


@sitemap_provider
def report_pages():
    for report in published_reports():
        yield "reports.show", {"slug": report.slug}, report.latest.published_at.date()
