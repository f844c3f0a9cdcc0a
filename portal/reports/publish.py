"""Building a report from the allocations, and publishing it as a frozen version with its files.

Figures are summed by the database (``GROUP BY`` over region × group × kind × source),
so memory depends on the number of published cells (at most 20 × 5 × 6 × 3), never on
the number of allocation lines. Files are generated once, at publication, and stored as
bytes with their SHA-256; downloads serve those bytes unchanged. A version that carries
indicators also stores them as files (``indicator_files.py``), in the workbook and the package.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale, gettext as _

from .. import clock
from ..audit import record
from ..campaigns.models import Campaign
from ..extensions import db
from ..i18n import LANGUAGES
from ..publishing import LICENSE, is_absolute, public_url
from ..regions.models import Region
from ..spreadsheet import csv_bytes, neutralise
from . import indicator_files
from .models import (
    DIMENSIONS, GROUPS, KINDS, MEDIA_TYPES, SOURCES, Allocation, Report, ReportFile, ReportVersion,
)
from ..disclosure import HIDDEN_MARK, NATIONAL, Figure, build_hierarchy, marker, suppress, threshold

PUBLISHER = {"kk": "«Мектепке жол» порталы", "ru": "Портал «Дорога в школу»", "en": "Road to School portal"}
CSV_FIELDS = (
    "region_code", "region_name_kk", "region_name_ru", "region_name_en",
    "recipient_group", "aid_kind", "source", "children", "amount_kzt", "items",
)


def default_slug(campaign: Campaign, is_demo: bool = False) -> str:
    return ("demo-" if is_demo else "") + "mektepke-zhol-%d" % campaign.year


# --- figures -------------------------------------------------------------------------


def aggregate(campaign_id: int, is_demo: bool = False) -> tuple[dict, int]:
    """Detail cells ``{(region, group, kind, source): Figure}`` and the number of allocation lines."""
    a = Allocation
    stmt = (
        sa.select(
            a.region_code, a.recipient_group, a.aid_kind, a.source,
            sa.func.sum(a.children), sa.func.sum(a.amount), sa.func.sum(a.items), sa.func.count(),
        )
        .where(a.campaign_id == campaign_id, a.is_demo == is_demo)
        .group_by(a.region_code, a.recipient_group, a.aid_kind, a.source)
    )
    cells, lines = {}, 0
    for region, group, kind, source, children, amount, items, count in db.session.execute(stmt):
        cells[(region, group, kind, source)] = Figure(int(children or 0), int(amount or 0), int(items or 0))
        lines += count
    return cells, lines


def _row(key, figures, hidden, limit) -> dict:
    fig = figures.get(key, Figure())
    mark = marker(hidden.get(key), limit)
    region, group, kind, source = key
    return {
        "region_code": region,
        "recipient_group": group,
        "aid_kind": kind,
        "source": source,
        "children": None if mark else fig.children,
        "amount": None if mark else fig.amount,
        "items": None if mark else fig.items,
        "suppressed": mark,
    }


def build(campaign: Campaign, is_demo: bool = False, limit: int | None = None, also_hide=()) -> dict:
    """Everything a version publishes: national totals, page tables and file rows, already suppressed."""
    limit = limit or threshold()
    cells, lines = aggregate(campaign.id, is_demo)
    figures = build_hierarchy(cells)
    hidden = suppress(figures, limit, also_hide)
    regions = [code for (code,) in db.session.execute(sa.select(Region.code).order_by(Region.code))]
    national = figures[NATIONAL]
    summary = {
        "by_region": [_row((r, None, None, None), figures, hidden, limit) for r in regions],
        "by_group": [_row((None, g, None, None), figures, hidden, limit) for g in GROUPS],
        "by_kind": [_row((None, None, k, None), figures, hidden, limit) for k in KINDS],
        "by_source": [_row((None, None, None, s), figures, hidden, limit) for s in SOURCES],
    }
    detail = sorted(
        (key for key in figures if None not in key),
        key=lambda k: (k[0], list(GROUPS).index(k[1]), list(KINDS).index(k[2]), list(SOURCES).index(k[3])),
    )
    rows = (
        [_row(NATIONAL, figures, hidden, limit)]
        + summary["by_group"] + summary["by_kind"] + summary["by_source"] + summary["by_region"]
        + [_row(key, figures, hidden, limit) for key in detail]
    )
    return {
        "totals": {"children": national.children, "amount": national.amount, "items": national.items,
                   "allocations": lines},
        "summary": summary,
        "rows": rows,
        "hidden": dict(hidden),
        "threshold": limit,
    }


# --- texts -----------------------------------------------------------------------------


def default_texts(campaign: Campaign, is_demo: bool, limit: int) -> dict:
    """Title and methodology in each language, as a staff member first sees them when publishing."""
    texts = {}
    for lang in LANGUAGES:
        with force_locale(lang):
            if is_demo:
                title = _("Demo report: aid in the %(year)s campaign (invented figures)", year=campaign.year)
            else:
                title = _("Aid given in the «Road to School» campaign %(year)s", year=campaign.year)
            methodology = render_template(
                "reports/methodology/default.%s.txt" % lang, threshold=limit, year=campaign.year, is_demo=is_demo
            ).strip()
        texts["title_" + lang] = title
        texts["methodology_" + lang] = methodology
    return texts


def code_labels() -> dict:
    """``{dimension: {code: {lang: label}}}`` for the data dictionary."""
    labels = {dim: {code: {} for code in codes} for dim, codes in DIMENSIONS.items()}
    for lang in LANGUAGES:
        with force_locale(lang):
            for dim, codes in DIMENSIONS.items():
                for code, label in codes.items():
                    labels[dim][code][lang] = str(label)
    return labels


def field_descriptions(limit: int) -> list[dict]:
    """The data dictionary: every column of data.csv with its type and meaning in each language."""
    descriptions = []
    for name in CSV_FIELDS:
        entry = {"name": name, "type": "integer" if name in ("children", "amount_kzt", "items") else "string"}
        for lang in LANGUAGES:
            with force_locale(lang):
                entry["description_" + lang] = FIELD_TEXT[name]()
        descriptions.append(entry)
    return descriptions


# Translatable descriptions of the columns (msgids written out for extraction).
FIELD_TEXT = {
    "region_code": lambda: _("ISO 3166-2 code of the region; empty: the whole country."),
    "region_name_kk": lambda: _("Name of the region in Kazakh."),
    "region_name_ru": lambda: _("Name of the region in Russian."),
    "region_name_en": lambda: _("Name of the region in English."),
    "recipient_group": lambda: _("Recipient group (code, see the code list); empty: all groups."),
    "aid_kind": lambda: _("Kind of aid (code, see the code list); empty: all kinds."),
    "source": lambda: _("Source of the aid (code, see the code list); empty: all sources."),
    "children": lambda: _("Number of children helped. A child helped with several kinds of aid is counted once for each."),
    "amount_kzt": lambda: _("Amount in whole tenge; help in kind at its estimated value."),
    "items": lambda: _("Number of items given (uniforms, pairs of shoes, backpacks, sets of stationery and so on)."),
}


def marker_descriptions(limit: int) -> dict:
    """``{marker: meaning}`` in the current language."""
    return {
        marker("primary", limit): _(
            "Fewer than %(threshold)s children: hidden, with the amount and items, so that no child can be identified.",
            threshold=limit,
        ),
        HIDDEN_MARK: _("Hidden so that a small figure cannot be worked out from the totals; the value is not published."),
    }


def marker_texts(limit: int) -> dict:
    """``{marker: {lang: meaning}}`` for the files."""
    texts: dict = {}
    for lang in LANGUAGES:
        with force_locale(lang):
            for mark, text in marker_descriptions(limit).items():
                texts.setdefault(mark, {})[lang] = text
    return texts


# --- files -----------------------------------------------------------------------------


def _region_names() -> dict:
    return {r.code: r for r in db.session.scalars(sa.select(Region))}


def _csv_values(row: dict, regions: dict) -> list:
    region = regions.get(row["region_code"])
    mark = row["suppressed"]
    return [
        row["region_code"] or "",
        region.name_kk if region else "",
        region.name_ru if region else "",
        region.name_en if region else "",
        row["recipient_group"] or "",
        row["aid_kind"] or "",
        row["source"] or "",
        mark or row["children"],
        HIDDEN_MARK if mark else row["amount"],
        HIDDEN_MARK if mark else row["items"],
    ]


def make_csv(rows: list[dict], regions: dict) -> bytes:
    """As every CSV of the portal (``portal/spreadsheet.py``): BOM, CRLF, every text cell neutralised."""
    return csv_bytes((_csv_values(row, regions) for row in rows), CSV_FIELDS)


def make_json(meta: dict, rows: list[dict]) -> bytes:
    document = dict(meta)
    document["rows"] = [
        {
            "region_code": r["region_code"],
            "recipient_group": r["recipient_group"],
            "aid_kind": r["aid_kind"],
            "source": r["source"],
            "children": r["children"],
            "amount_kzt": r["amount"],
            "items": r["items"],
            "suppressed": r["suppressed"],
        }
        for r in rows
    ]
    return (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=False) + "\n").encode("utf-8")


def make_xlsx(meta: dict, rows: list[dict], regions: dict, published_at: dt.datetime) -> bytes:
    """Write-only workbook (rows streamed to the file): data, data dictionary, code lists, about."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    naive = published_at.astimezone(dt.timezone.utc).replace(tzinfo=None)
    wb.properties.created = naive
    wb.properties.modified = naive
    wb.properties.creator = PUBLISHER["en"]
    wb.properties.title = neutralise(meta["title"]["en"])

    data = wb.create_sheet("data")
    data.append(CSV_FIELDS)
    for row in rows:
        data.append([neutralise(v) for v in _csv_values(row, regions)])

    dictionary = wb.create_sheet("dictionary")
    dictionary.append(["field", "type", "description_kk", "description_ru", "description_en"])
    for field in meta["fields"]:
        dictionary.append([neutralise(field[k]) for k in ("name", "type", "description_kk", "description_ru", "description_en")])
    dictionary.append([])
    dictionary.append(["marker", "", "meaning_kk", "meaning_ru", "meaning_en"])
    for mark, texts in meta["markers"].items():
        dictionary.append([neutralise(mark), ""] + [neutralise(texts[lang]) for lang in LANGUAGES])

    codes = wb.create_sheet("codes")
    codes.append(["field", "code", "label_kk", "label_ru", "label_en"])
    for dim, values in meta["codes"].items():
        for code, labels in values.items():
            codes.append([dim, code] + [neutralise(labels[lang]) for lang in LANGUAGES])

    about = wb.create_sheet("about")
    about.append(["key", "kk", "ru", "en"])
    about.append(["title"] + [neutralise(meta["title"][lang]) for lang in LANGUAGES])
    about.append(["version", meta["version"], meta["version"], meta["version"]])
    about.append(["published_at"] + [meta["published_at"]] * 3)
    about.append(["campaign_year"] + [meta["campaign_year"]] * 3)
    about.append(["demo"] + [("yes" if meta["demo"] else "no")] * 3)
    about.append(["methodology"] + [neutralise(meta["methodology"][lang]) for lang in LANGUAGES])
    about.append(["change_note"] + [neutralise(meta["change_note"][lang]) for lang in LANGUAGES])
    if meta.get("indicators"):
        indicator_files.add_sheets(wb, meta["indicators"], regions)

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def make_datapackage(meta: dict, files: dict[str, tuple[int, str]]) -> bytes:
    """A Frictionless Data Package: the three resources (absolute URLs), their schema, checksums and licence,
    and the indicators (a table with its schema, and JSON) when the version stores them.

    ``files``: ``{name: (size, sha256)}`` of data.csv, data.json and data.xlsx (and the indicator files).
    """

    def describe(name):
        size, sha256 = files[name]
        return {"path": meta["files_url"] + name, "bytes": size, "hash": "sha256:" + sha256}

    fields = []
    for field in meta["fields"]:
        entry = {"name": field["name"], "type": field["type"], "description": field["description_en"]}
        if field["name"] in DIMENSIONS:
            entry["constraints"] = {"enum": list(DIMENSIONS[field["name"]])}
        if field["type"] == "integer":
            entry["constraints"] = {"minimum": 0}
        fields.append(entry)
    year = meta["campaign_year"]
    package = {
        "profile": "data-package",
        "name": "%s-v%d" % (meta["slug"], meta["version"]),
        "id": meta["url"],
        "title": meta["title"]["en"],
        "description": meta["methodology"]["en"],
        "version": "%d.0.0" % meta["version"],
        "created": meta["published_at"],
        "homepage": meta["url"],
        "licenses": [LICENSE],
        "sources": [{
            "title": "Aid allocations recorded by the regional offices of the campaign (local executive bodies)",
            "path": meta["reports_url"],
        }],
        "contributors": [
            {"title": PUBLISHER["en"], "role": "publisher", "path": meta["site_url"]},
            {"title": "Regional coordinators of the «Road to School» campaign", "role": "contributor"},
        ],
        "keywords": ["Road to School", "Мектепке жол", "Дорога в школу", "Kazakhstan", "children", "aid",
                     str(year)],
        # Not in the Data Package profile (extra keys are allowed): what the DCAT catalogue states too.
        "temporal": {"start": "%d-01-01" % year, "end": "%d-12-31" % year},
        "spatial": "Kazakhstan (KZ), by region (ISO 3166-2:KZ)",
        "demo": meta["demo"],
        "resources": [
            {
                "name": "data",
                "profile": "tabular-data-resource",
                "title": meta["title"]["en"],
                "format": "csv",
                "mediatype": "text/csv",
                # A registered charset name; the file starts with a byte-order mark (spreadsheets need it),
                # which UTF-8 readers skip.
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
                "schema": {"fields": fields, "missingValues": ["", marker("primary", meta["suppression_threshold"]), HIDDEN_MARK]},
                **describe("data.csv"),
            },
            # "type": "file": checked as files (size, checksum), not read as tables: data.json's "fields" key
            # is data, not a Table Schema, and a remote workbook's bytes are not counted when read as a table.
            {"name": "data-json", "type": "file", "profile": "data-resource", "title": "The same figures as JSON",
             "format": "json", "mediatype": "application/json", "encoding": "utf-8", **describe("data.json")},
            {"name": "data-xlsx", "type": "file", "profile": "data-resource",
             "title": "The same figures as an Excel workbook", "format": "xlsx", "mediatype": MEDIA_TYPES["data.xlsx"],
             **describe("data.xlsx")},
            *(indicator_files.resources(meta["indicators"], describe, files) if meta.get("indicators") else []),
        ],
    }
    return (json.dumps(package, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def package_meta(version: ReportVersion) -> dict:
    """What a data package says about ``version``, from the version's own frozen texts and figures."""
    report = version.report
    published_at = version.published_at
    return {
        "title": {lang: getattr(version, "title_" + lang) for lang in LANGUAGES},
        "slug": report.slug,
        "version": version.number,
        "campaign_year": report.campaign.year,
        "published_at": published_at.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z"),
        "url": version_url(report.slug, version.number),
        "files_url": public_url("/reports/%s/v%d/" % (report.slug, version.number)),
        "reports_url": public_url("/en/reports/"),
        "site_url": public_url("/en/"),
        "license": LICENSE["path"],
        "demo": version.is_demo,
        "suppression_threshold": version.threshold,
        "totals": version.totals,
        "methodology": {lang: getattr(version, "methodology_" + lang) for lang in LANGUAGES},
        "change_note": {lang: getattr(version, "change_note_" + lang) for lang in LANGUAGES},
        "markers": marker_texts(version.threshold),
        "fields": field_descriptions(version.threshold),
        "codes": code_labels(),
        "indicators": (version.summary or {}).get("indicators"),
    }


def is_current_package(content: bytes) -> bool:
    """A stored datapackage.json as published since issue 18: licence stated, addresses absolute, charset "utf-8"."""
    try:
        package = json.loads(content)
    except ValueError:
        return False
    return bool(
        package.get("licenses")
        and is_absolute(str(package.get("id", "")))
        and all(is_absolute(str(r.get("path", ""))) and r.get("encoding", "utf-8") == "utf-8"
                for r in package.get("resources", []))
    )


@dataclasses.dataclass(frozen=True)
class ServedFile:
    """What the download route serves in place of a stored file (same attribute names as ``ReportFile``)."""

    content: bytes
    sha256: str
    media_type: str


def served_package_file(file: ReportFile, slug: str, number: int):
    """The stored datapackage.json, or the corrected description of an older version (``served_package``)."""
    if is_current_package(file.content):
        return file
    version = db.session.scalar(
        sa.select(ReportVersion).join(Report, ReportVersion.report_id == Report.id)
        .where(Report.slug == slug, ReportVersion.number == number)
    )
    content = served_package(version, file.content)
    return ServedFile(content, hashlib.sha256(content).hexdigest(), file.media_type)


def served_package(version: ReportVersion, stored: bytes) -> bytes:
    """The datapackage.json to serve for ``version``: the stored bytes, or for versions published before
    issue 18 (relative addresses, "utf-8-sig", no licence) or outside a request (paths only) a corrected
    description generated from the version's frozen texts and its stored files' sizes and checksums.
    The data files themselves are never regenerated; the stored description stays in the database."""
    if is_current_package(stored):
        return stored
    files = {f.name: (f.size, f.sha256) for f in version.files if f.name != "datapackage.json"}
    return make_datapackage(package_meta(version), files)


# --- publishing --------------------------------------------------------------------------


def previous_hidden(report: Report | None) -> set:
    hidden = set()
    for version in report.versions if report else []:
        hidden.update(tuple(key) for key in version.hidden or [])
    return hidden


def version_url(slug: str, number: int) -> str:
    """The stable page of a version: absolute with PUBLIC_URL or inside a request, a path otherwise (CLI, demo loader)."""
    return public_url("/en/reports/%s/v%d" % (slug, number))


def publish(campaign: Campaign, *, texts: dict, is_demo: bool = False, staff=None,
            indicator_inputs: dict | None = None) -> ReportVersion:
    """Freeze version N+1 of the campaign's report: figures, texts, four files with SHA-256 (six with indicators).
    The caller commits. ``indicator_inputs``: the demo's invented regional sign-offs (``indicators.compute``)."""
    report = db.session.scalar(sa.select(Report).where(Report.campaign_id == campaign.id, Report.is_demo == is_demo))
    if report is None:
        report = Report(slug=default_slug(campaign, is_demo), campaign=campaign, is_demo=is_demo, versions=[])
        db.session.add(report)
    for lang in LANGUAGES:
        if texts.get("title_" + lang):
            setattr(report, "title_" + lang, texts["title_" + lang])
    limit = threshold()
    built = build(campaign, is_demo, limit, also_hide=previous_hidden(report))
    number = (report.latest.number + 1) if report.latest else 1
    # The regions' checked indicators (a demo's invented ones), frozen with the version (indicators.py).
    from .indicators import freeze

    indicators = freeze(campaign.id, number, limit, report, is_demo=is_demo, inputs=indicator_inputs)
    if indicators:
        built["summary"]["indicators"] = indicators
    published_at = clock.now().replace(microsecond=0)
    frozen = {
        "%s_%s" % (field, lang): texts.get("%s_%s" % (field, lang), "") or ""
        for field in ("title", "methodology", "change_note") for lang in LANGUAGES
    }
    for lang in LANGUAGES:
        frozen["title_" + lang] = frozen["title_" + lang] or getattr(report, "title_" + lang)
    with db.session.no_autoflush:
        version = ReportVersion(
            report=report,
            number=number,
            published_at=published_at,
            published_by_id=getattr(staff, "id", None),
            threshold=limit,
            totals=built["totals"],
            summary=built["summary"],
            hidden=sorted([list(key) for key in built["hidden"]], key=lambda k: tuple("" if v is None else v for v in k)),
            is_demo=is_demo,
            **frozen,
        )
        db.session.add(version)
        _attach_files(version, report, campaign, built, limit, published_at)
    db.session.flush()
    record(
        "publish", object_type="report_version", object_id=version.id, actor=staff,
        changes={"report": report.slug, "version": number, "totals": built["totals"],
                 "sha256": {f.name: f.sha256 for f in version.files}},
    )
    return version


def _attach_files(version: ReportVersion, report: Report, campaign: Campaign, built: dict, limit: int,
                  published_at: dt.datetime) -> None:
    """Generate the four files (and the indicator files) once and attach them with their sizes and checksums."""
    meta = package_meta(version)
    regions = _region_names()
    files = {"data.csv": make_csv(built["rows"], regions)}
    json_meta = {k: v for k, v in meta.items()
                 if k not in ("fields", "files_url", "reports_url", "site_url", "indicators")}
    json_meta["fields"] = meta["fields"]
    files["data.json"] = make_json(json_meta, built["rows"])
    files["data.xlsx"] = make_xlsx(meta, built["rows"], regions, published_at)
    files.update(indicator_file_contents(version, meta, regions))
    files["datapackage.json"] = make_datapackage(
        meta, {name: (len(data), hashlib.sha256(data).hexdigest()) for name, data in files.items()})
    for name, data in files.items():  # in this order on the page: the data, the indicators, the package
        version.files.append(
            ReportFile(name=name, media_type=MEDIA_TYPES[name], size=len(data),
                       sha256=hashlib.sha256(data).hexdigest(), content=data)
        )


def indicator_file_contents(version: ReportVersion, meta: dict | None = None, regions: dict | None = None) -> dict:
    """``{name: bytes}`` of indicators.csv and indicators.json from the version's frozen indicators (none without).

    Stored at publication; for a version published before they were stored, what the downloads generate."""
    table = (version.summary or {}).get("indicators")
    if not table:
        return {}
    meta = meta or package_meta(version)
    regions = regions if regions is not None else _region_names()
    return {"indicators.csv": indicator_files.make_csv(table, regions),
            "indicators.json": indicator_files.make_json(table, meta)}
