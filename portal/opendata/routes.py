"""The DCAT catalogue (``/catalog.jsonld``) and the prices data package.

The catalogue is DCAT-AP in JSON-LD, as CKAN's ckanext-dcat harvests it: one ``dcat:Catalog``;
each report is a ``dcat:Dataset`` whose versions are datasets too (``dct:hasVersion`` /
``dct:isVersionOf``, ``owl:versionInfo``), each with its distributions (download URL, media type,
size, SHA-256 as ``spdx:checksum``, licence), the campaign indicators among them when the version
carries them (``indicators.csv``, ``indicators.json``); temporal coverage is the campaign year, spatial
coverage Kazakhstan and its regions (ISO 3166-2 codes). The school-goods prices are one more dataset.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import sqlalchemy as sa
from flask import current_app, url_for

from .. import clock
from ..extensions import db
from ..http import cacheable
from ..i18n import LANGUAGES
from ..publishing import LICENSE, PUBLISHER_EN, public_url
from ..regions.models import Region
from . import bp

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "spdx": "http://spdx.org/rdf/terms#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
KAZAKHSTAN = "http://publications.europa.eu/resource/authority/country/KAZ"
GEONAMES_KAZAKHSTAN = "https://sws.geonames.org/1522867/"
THEMES = ("http://publications.europa.eu/resource/authority/data-theme/SOCI",
          "http://publications.europa.eu/resource/authority/data-theme/EDUC")
LANGUAGE_URIS = {"kk": "http://publications.europa.eu/resource/authority/language/KAZ",
                 "ru": "http://publications.europa.eu/resource/authority/language/RUS",
                 "en": "http://publications.europa.eu/resource/authority/language/ENG"}
FILE_TYPES = {"csv": "CSV", "json": "JSON", "xlsx": "XLSX"}
PUBLISHER = {"kk": "«Мектепке жол» порталы", "ru": "Портал «Дорога в школу»", "en": PUBLISHER_EN}


def texts(values: dict) -> list[dict]:
    """``{lang: text}`` as language-tagged literals (empty ones left out)."""
    return [{"@value": values[lang], "@language": lang} for lang in LANGUAGES if values.get(lang)]


def typed(value, datatype: str) -> dict:
    return {"@value": str(value), "@type": "xsd:" + datatype}


def uri(value: str) -> dict:
    return {"@id": value}


def publisher() -> dict:
    return {"@id": public_url("/#publisher"), "@type": "foaf:Organization", "foaf:name": texts(PUBLISHER),
            "foaf:homepage": uri(public_url("/kk/"))}


def contact() -> dict:
    return {"@type": "vcard:Organization", "vcard:fn": PUBLISHER_EN, "vcard:hasURL": uri(public_url("/en/help"))}


def spatial(regions: list[Region]) -> list[dict]:
    """Kazakhstan (EU country authority and GeoNames) and each region by its ISO 3166-2 code."""
    places = [uri(KAZAKHSTAN), uri(GEONAMES_KAZAKHSTAN)]
    for region in regions:
        places.append({"@type": "dct:Location", "dct:identifier": region.code,
                       "skos:prefLabel": texts({lang: getattr(region, "name_" + lang) for lang in LANGUAGES})})
    return places


def temporal(first_year: int, last_year: int) -> dict:
    return {"@type": "dct:PeriodOfTime", "dcat:startDate": typed("%d-01-01" % first_year, "date"),
            "dcat:endDate": typed("%d-12-31" % last_year, "date")}


def distribution(url: str, title: str, media_type: str, size: int | None, sha256: str | None,
                 issued: str | None, page: str) -> dict:
    media_type = media_type.split(";")[0].strip()
    extension = url.rsplit(".", 1)[-1].split("?")[0]
    entry = {
        "@id": url,
        "@type": "dcat:Distribution",
        "dct:title": title,
        "dcat:accessURL": uri(page),
        "dcat:downloadURL": uri(url),
        "dcat:mediaType": uri("http://www.iana.org/assignments/media-types/" + media_type),
        "dct:license": uri(LICENSE["path"]),
        "dct:rights": LICENSE["title"],
    }
    if extension in FILE_TYPES:
        entry["dct:format"] = uri("http://publications.europa.eu/resource/authority/file-type/" + FILE_TYPES[extension])
    if size is not None:
        entry["dcat:byteSize"] = typed(size, "nonNegativeInteger")
    if sha256:
        entry["spdx:checksum"] = {"@type": "spdx:Checksum",
                                  "spdx:algorithm": uri("http://spdx.org/rdf/terms#checksumAlgorithm_sha256"),
                                  "spdx:checksumValue": typed(sha256, "hexBinary")}
    if issued:
        entry["dct:issued"] = typed(issued, "dateTime")
    return entry


def _iso(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def common(regions: list[Region]) -> dict:
    return {
        "dct:publisher": publisher(),
        "dcat:contactPoint": contact(),
        "dct:accessRights": uri("http://publications.europa.eu/resource/authority/access-right/PUBLIC"),
        "dct:language": [uri(LANGUAGE_URIS[lang]) for lang in LANGUAGES],
        "dcat:theme": [uri(theme) for theme in THEMES],
        "dct:spatial": spatial(regions),
        "dct:license": uri(LICENSE["path"]),
    }


def report_datasets(regions: list[Region]) -> list[dict]:
    """Each published report (the series) and each of its versions, with its four files."""
    from ..reports.routes import published_reports

    datasets = []
    for report in published_reports():
        year = report.campaign.year
        series_id = public_url("/en/reports/%s" % report.slug)
        versions = []
        for version in report.versions:
            page = public_url("/en/reports/%s/v%d" % (report.slug, version.number))
            issued = _iso(version.published_at)
            entry = {
                "@id": page,
                "@type": "dcat:Dataset",
                "dct:identifier": "%s-v%d" % (report.slug, version.number),
                "dct:title": texts({lang: getattr(version, "title_" + lang) for lang in LANGUAGES}),
                "dct:description": texts({lang: getattr(version, "methodology_" + lang) for lang in LANGUAGES}),
                "dct:issued": typed(issued, "dateTime"),
                "owl:versionInfo": str(version.number),
                "dcat:version": str(version.number),
                "dct:isVersionOf": uri(series_id),
                "dcat:landingPage": uri(page),
                "dcat:keyword": ["Road to School", "Мектепке жол", "Дорога в школу", str(year)],
                "dct:temporal": temporal(year, year),
                **common(regions),
                "dcat:distribution": [
                    distribution(public_url("/reports/%s/v%d/%s" % (report.slug, version.number, f.name)),
                                 f.name, f.media_type, f.size, f.sha256, issued, page)
                    for f in version.files if f.name != "datapackage.json"
                ] + generated_indicator_distributions(report.slug, version, issued, page)
                  + [package_distribution(report.slug, version, issued, page)],
            }
            if version.change_note_en or version.change_note_ru or version.change_note_kk:
                entry["adms:versionNotes"] = texts({lang: getattr(version, "change_note_" + lang) for lang in LANGUAGES})
            versions.append(entry)
        latest = report.latest
        datasets.append({
            "@id": series_id,
            "@type": "dcat:Dataset",
            "dct:identifier": report.slug,
            "dct:title": texts({lang: getattr(report, "title_" + lang) or getattr(latest, "title_" + lang)
                                for lang in LANGUAGES}),
            "dct:description": texts({lang: getattr(latest, "methodology_" + lang) for lang in LANGUAGES}),
            "dct:issued": typed(_iso(report.versions[0].published_at), "dateTime"),
            "dct:modified": typed(_iso(latest.published_at), "dateTime"),
            "owl:versionInfo": str(latest.number),
            "dcat:landingPage": uri(series_id),
            "dcat:keyword": ["Road to School", "Мектепке жол", "Дорога в школу", str(year)],
            "dct:temporal": temporal(year, year),
            **common(regions),
            "dct:hasVersion": [uri(v["@id"]) for v in versions],
            # The newest version's files, at the addresses that always point to the newest version.
            "dcat:distribution": [
                distribution(public_url("/reports/%s/latest/%s" % (report.slug, f.name)), f.name, f.media_type,
                             None, None, None, series_id)
                for f in latest.files
            ],
        })
        datasets.extend(versions)
    return datasets


def package_distribution(slug: str, version, issued: str, page: str) -> dict:
    """The version's datapackage.json as it is served (corrected for versions published before issue 18)."""
    from ..reports.publish import served_package
    from ..reports.models import ReportFile

    stored = db.session.scalar(sa.select(ReportFile.content).where(
        ReportFile.version_id == version.id, ReportFile.name == "datapackage.json"))
    content = served_package(version, stored or b"")
    return distribution(public_url("/reports/%s/v%d/datapackage.json" % (slug, version.number)),
                        "datapackage.json", "application/json", len(content),
                        hashlib.sha256(content).hexdigest(), issued, page)


def generated_indicator_distributions(slug: str, version, issued: str, page: str) -> list[dict]:
    """The indicator files of a version published before they were stored, as their downloads generate them
    (a version that stores them lists them with its other files)."""
    from ..reports.models import INDICATOR_FILES, MEDIA_TYPES
    from ..reports.publish import indicator_file_contents

    if any(f.name in INDICATOR_FILES for f in version.files):
        return []
    return [distribution(public_url("/reports/%s/v%d/%s" % (slug, version.number, name)), name, MEDIA_TYPES[name],
                         len(content), hashlib.sha256(content).hexdigest(), issued, page)
            for name, content in indicator_file_contents(version).items()]


def prices_dataset(regions: list[Region]) -> dict | None:
    from ..prices import routes as prices
    from ..prices.services import available_years

    years = available_years()
    if not years:
        return None
    page = public_url("/en/prices/data")
    files = []
    for kind in ("observations", "aggregates"):
        for extension in ("csv", "json"):
            body = prices._download(kind, extension).get_data()
            files.append(distribution(
                public_url("/en/prices/data/%s.%s" % (kind, extension)), "%s.%s" % (kind, extension),
                "text/csv" if extension == "csv" else "application/json", len(body),
                hashlib.sha256(body).hexdigest(), None, page))
    package = prices_package()
    files.append(distribution(public_url("/en/prices/data/datapackage.json"), "datapackage.json", "application/json",
                              len(package), hashlib.sha256(package).hexdigest(), None, page))
    return {
        "@id": page,
        "@type": "dcat:Dataset",
        "dct:identifier": "mektepke-zhol-school-goods-prices",
        "dct:title": texts(PRICES_TITLE),
        "dct:description": texts(PRICES_DESCRIPTION),
        "dcat:landingPage": uri(page),
        "dcat:keyword": ["Road to School", "Мектепке жол", "prices", "school uniform", "stationery"],
        "dct:temporal": temporal(min(years), max(years)),
        **common(regions),
        "dcat:distribution": files,
    }


def live_table_dataset(table, regions: list[Region]) -> dict:
    """Response figures or self-check tallies: the current campaign's year, the CSV and its package."""
    from ..campaigns.models import current_campaign
    from .tables import table_csv, table_package

    campaign = current_campaign()
    year = campaign.year if campaign else clock.now().year
    page = public_url("/en/%s" % table.page)
    files = []
    for path, body, media in ((table.csv_path(), table_csv(table), "text/csv"),
                              (table.package_path(), table_package(table), "application/json")):
        files.append(distribution(public_url(path), path.rsplit("/", 1)[-1], media, len(body),
                                  hashlib.sha256(body).hexdigest(), None, page))
    return {
        "@id": page,
        "@type": "dcat:Dataset",
        "dct:identifier": table.name,
        "dct:title": texts(table.title),
        "dct:description": texts(table.description),
        "dcat:landingPage": uri(page),
        "dcat:keyword": list(table.keywords),
        "dct:temporal": temporal(year, year),
        **common(regions),
        "dcat:distribution": files,
    }


PRICES_TITLE = {
    "kk": "Мектеп тауарларының бағалары",
    "ru": "Цены на школьные товары",
    "en": "School-goods prices",
}
PRICES_DESCRIPTION = {
    "kk": "Мектеп формасы, аяқ киім, рюкзак және кеңсе тауарлары бағасын өңірлер бойынша бақылау: "
          "әр бақылау және жыл, өңір мен тауар бойынша медианалар.",
    "ru": "Наблюдения цен на школьную форму, обувь, рюкзаки и канцтовары по регионам: каждое наблюдение "
          "и медианы по году, региону и товару.",
    "en": "Observed prices of school uniforms, shoes, backpacks and stationery by region: every observation "
          "and the medians per year, region and item.",
}


@bp.get("/catalog.jsonld")
# The live tables' checksums change with appeals, offers and self-check answers.
@cacheable("reports", "prices", "regions", "campaigns", "appeals", "offers", "ready", cookies=False)
def catalog():
    """The DCAT-AP catalogue of every open dataset, in JSON-LD."""
    regions = list(db.session.scalars(sa.select(Region).order_by(Region.code)))
    datasets = report_datasets(regions)
    prices = prices_dataset(regions)
    if prices:
        datasets.append(prices)
    from .tables import TABLES

    datasets.extend(live_table_dataset(table, regions) for table in TABLES)
    document = {
        "@context": {**CONTEXT, "adms": "http://www.w3.org/ns/adms#"},
        "@id": public_url(url_for("opendata.catalog")),
        "@type": "dcat:Catalog",
        "dct:title": texts({"kk": "«Мектепке жол» ашық деректері", "ru": "Открытые данные «Дорога в школу»",
                            "en": "«Road to School» open data"}),
        "dct:description": texts({
            "kk": "«Мектепке жол» акциясының есептері мен мектеп тауарларының бағалары, CC BY 4.0 лицензиясымен.",
            "ru": "Отчёты акции «Дорога в школу» и цены на школьные товары, лицензия CC BY 4.0.",
            "en": "Reports of the «Road to School» campaign and school-goods prices, under CC BY 4.0.",
        }),
        "dct:publisher": publisher(),
        "foaf:homepage": uri(public_url("/kk/")),
        "dct:language": [uri(LANGUAGE_URIS[lang]) for lang in LANGUAGES],
        "dct:license": uri(LICENSE["path"]),
        "dct:spatial": uri(KAZAKHSTAN),
        "dcat:dataset": datasets,
    }
    response = current_app.response_class(
        json.dumps(document, ensure_ascii=False, indent=1), mimetype="application/ld+json")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


# --- the prices data package -------------------------------------------------------------------------

OBSERVATION_SCHEMA = [
    ("id", "integer", "Number of the observation; stable between downloads."),
    ("year", "integer", "Campaign year: the year of the observation date."),
    ("region", "string", "ISO 3166-2 code of the region, e.g. KZ-71 for Astana."),
    ("item", "string", "What was priced: a code from the list of items."),
    ("outlet", "string", "Where it was priced: a code from the list of outlets."),
    ("price_kzt", "integer", "Price of one item in whole tenge."),
    ("observed_on", "date", "Day the price was observed."),
    ("is_demo", "boolean", "True for invented demo observations that are not real prices."),
]
AGGREGATE_SCHEMA = [
    ("year", "integer", "Campaign year."),
    ("region", "string", "ISO 3166-2 code of the region; empty for the whole country."),
    ("item", "string", "Code of the item."),
    ("observations", "integer", "Number of observations of the item in that region and year."),
    ("median_kzt", "integer", "Median price in whole tenge; empty when there are too few observations."),
    ("min_kzt", "integer", "Lowest observed price; empty when there are too few observations."),
    ("max_kzt", "integer", "Highest observed price; empty when there are too few observations."),
    ("previous_median_kzt", "integer", "Median of the previous year, when known."),
    ("change_percent", "number", "Change of the median against the previous year, in per cent."),
    ("includes_demo", "boolean", "True when demo observations are counted in the row."),
]


def prices_package() -> bytes:
    """A Frictionless Data Package of the prices open data (live data: no checksums, they change)."""
    from ..prices.models import ITEMS, OUTLETS
    from ..prices.services import available_years

    def schema(spec, enums):
        fields = []
        for name, kind, text in spec:
            field = {"name": name, "type": kind, "description": text}
            if name in enums:
                field["constraints"] = {"enum": list(enums[name])}
            fields.append(field)
        return {"fields": fields, "missingValues": [""]}

    years = available_years() or [clock.now().year]
    data_url = public_url("/en/prices/data")
    resources = []
    for kind, spec, title in (("observations", OBSERVATION_SCHEMA, "Every price observation"),
                              ("aggregates", AGGREGATE_SCHEMA, "Medians per year, region and item")):
        enums = {"item": ITEMS, **({"outlet": OUTLETS} if kind == "observations" else {})}
        resources.append({
            "name": kind, "path": public_url("/en/prices/data/%s.csv" % kind), "profile": "tabular-data-resource",
            "title": title, "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
            "schema": schema(spec, enums),
        })
        resources.append({
            "name": kind + "-json", "type": "file", "path": public_url("/en/prices/data/%s.json" % kind),
            "profile": "data-resource", "title": title + " (JSON)", "format": "json",
            "mediatype": "application/json", "encoding": "utf-8",
        })
    package = {
        "profile": "data-package",
        "name": "mektepke-zhol-school-goods-prices",
        "id": data_url,
        "title": PRICES_TITLE["en"],
        "description": PRICES_DESCRIPTION["en"],
        "homepage": data_url,
        "version": "%d.0.0" % max(years),
        "licenses": [LICENSE],
        "sources": [{"title": "Prices observed in shops and markets, recorded by the regional campaign offices",
                     "path": data_url}],
        "contributors": [{"title": PUBLISHER_EN, "role": "publisher", "path": public_url("/en/")}],
        "keywords": ["Road to School", "Мектепке жол", "prices", "school goods", "Kazakhstan"],
        "temporal": {"start": "%d-01-01" % min(years), "end": "%d-12-31" % max(years)},
        "spatial": "Kazakhstan (KZ), by region (ISO 3166-2:KZ)",
        "resources": resources,
    }
    return (json.dumps(package, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


@bp.get("/<lang:lang>/prices/data/datapackage.json")
@cacheable("prices", "regions", "campaigns", cookies=False)
def prices_datapackage():
    """The prices open data described as a Frictionless Data Package."""
    response = current_app.response_class(prices_package(), mimetype="application/json")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.app_template_global()
def served_file(report, version, stored):
    """A report file as its download serves it (name, size, SHA-256): an older version's datapackage.json
    is served corrected (portal/reports/publish.py), so the page gives that description's size and checksum."""
    from types import SimpleNamespace

    from ..reports.publish import served_package_file

    if stored.name != "datapackage.json":
        return stored
    served = served_package_file(stored, report.slug, version.number)
    if served is stored:
        return stored
    return SimpleNamespace(name=stored.name, size=len(served.content), sha256=served.sha256)


# --- schema.org Dataset markup on report pages ---------------------------------------------------------


@bp.app_template_global()
def report_dataset_ld(report, version) -> dict:
    """schema.org ``Dataset`` of a report version (search engines' dataset search): a data block."""
    from ..i18n import request_language

    lang = request_language()
    page = public_url("/%s/reports/%s/v%d" % (lang, report.slug, version.number))
    files = []
    for f in version.files:
        files.append({
            "@type": "DataDownload",
            "name": f.name,
            "encodingFormat": f.media_type.split(";")[0],
            "contentUrl": public_url("/reports/%s/v%d/%s" % (report.slug, version.number, f.name)),
        })
    data = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": public_url("/en/reports/%s/v%d" % (report.slug, version.number)),
        "name": version.title,
        "description": (version.methodology or version.title)[:5000],
        "url": page,
        "identifier": "%s-v%d" % (report.slug, version.number),
        "version": str(version.number),
        "datePublished": _iso(version.published_at),
        "inLanguage": lang,
        "isAccessibleForFree": True,
        "license": LICENSE["path"],
        "keywords": ["Road to School", "Мектепке жол", "Дорога в школу", str(report.campaign.year)],
        "temporalCoverage": str(report.campaign.year),
        "spatialCoverage": {"@type": "Place", "name": "Kazakhstan",
                            "address": {"@type": "PostalAddress", "addressCountry": "KZ"}},
        "creator": {"@type": "Organization", "name": PUBLISHER.get(lang, PUBLISHER_EN), "url": public_url("/%s/" % lang)},
        "publisher": {"@type": "Organization", "name": PUBLISHER.get(lang, PUBLISHER_EN), "url": public_url("/%s/" % lang)},
        "includedInDataCatalog": {"@type": "DataCatalog", "name": "«Road to School» open data",
                                  "url": public_url("/catalog.jsonld")},
        "distribution": files,
    }
    return data
