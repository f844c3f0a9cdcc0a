"""A version's indicators as open data files (issue 16): ``indicators.csv``, ``indicators.json``, the workbook's
two indicator sheets, and the data package's resources with their Table Schema.

Each is written from the version's frozen table (``summary["indicators"]``: the values as published, small
counts already hidden and marked) and its frozen definitions (``indicators.definitions``), so every file
carries exactly what the page shows. ``publish.py`` generates them once at publication and stores them with
their SHA-256; a version published before that gets the same files generated on request.
"""

from __future__ import annotations

import json

from ..disclosure import HIDDEN_MARK, marker
from ..i18n import LANGUAGES
from ..spreadsheet import csv_bytes, neutralise
from .indicators import definitions

NATIONAL_CODE = "KZ"  # ISO 3166-1: the row of the whole country
COUNTRY = {"kk": "Қазақстан", "ru": "Казахстан", "en": "Kazakhstan"}
LANGUAGE_NAMES = {"kk": "Kazakh", "ru": "Russian", "en": "English"}
UNITS = {"tenge": "whole tenge (KZT)", "children": "children", "needs": "needs", "percent": "per cent"}
REGION_FIELDS = ("region_code", "region_name_kk", "region_name_ru", "region_name_en")
DEFINITION_FIELDS = ("unit", *("name_" + lang for lang in LANGUAGES), *("methodology_" + lang for lang in LANGUAGES))


def header(table: dict) -> list[str]:
    return [*REGION_FIELDS, *table["columns"]]


def rows(table: dict, regions: dict) -> list[list]:
    """One row per region of the version, then the whole country; ``None`` where nothing was counted."""
    found = []
    for code, row in table["regions"].items():
        region = regions.get(code)
        found.append([code, *[getattr(region, "name_" + lang) if region else "" for lang in LANGUAGES],
                      *[row.get(key) for key in table["columns"]]])
    found.append([NATIONAL_CODE, *[COUNTRY[lang] for lang in LANGUAGES],
                  *[table["national"].get(key) for key in table["columns"]]])
    return found


def make_csv(table: dict, regions: dict) -> bytes:
    """Like data.csv: UTF-8 with BOM, CRLF, text cells neutralised; hidden cells keep their marker."""
    return csv_bytes(rows(table, regions), header(table))


def make_json(table: dict, meta: dict) -> bytes:
    """The figures with each indicator's unit, name and methodology in kk, ru and en, and the markers' meaning."""
    body = {
        "report": meta["slug"], "version": meta["version"], "year": meta["campaign_year"],
        "published": meta["published_at"], "demo": meta["demo"], "threshold": table["threshold"],
        "markers": meta["markers"], "indicators": definitions(table),
        "regions": table["regions"], "national": table["national"],
    }
    return (json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def add_sheets(workbook, table: dict, regions: dict) -> None:
    """The "indicators" sheet (the CSV's rows, numbers as numbers) and "indicator_definitions" (kk, ru, en)."""
    sheet = workbook.create_sheet("indicators")
    sheet.append(header(table))
    for row in rows(table, regions):
        sheet.append([neutralise(value) for value in row])
    described = workbook.create_sheet("indicator_definitions")
    described.append(["indicator", *DEFINITION_FIELDS])
    for key, entry in definitions(table).items():
        described.append([key, *[neutralise(entry.get(name, "")) for name in DEFINITION_FIELDS]])


def schema(table: dict) -> dict:
    """The Table Schema of indicators.csv: types, units in the descriptions, the markers as missing values."""
    described = definitions(table)
    fields = [{
        "name": "region_code", "type": "string",
        "description": "ISO 3166-2 code of the region; KZ (ISO 3166-1): the whole country.",
        "constraints": {"required": True, "unique": True, "enum": [*table["regions"], NATIONAL_CODE]},
    }]
    for lang in LANGUAGES:
        fields.append({"name": "region_name_" + lang, "type": "string",
                       "description": "Name of the region in %s." % LANGUAGE_NAMES[lang]})
    for key in table["columns"]:
        entry = described[key]
        fields.append({
            "name": key, "type": "integer", "title": entry["name_en"],
            "description": "%s, in %s. %s" % (entry["name_en"], UNITS.get(entry["unit"], entry["unit"]),
                                              entry["methodology_en"]),
            "constraints": {"minimum": 0},
        })
    return {"fields": fields, "primaryKey": ["region_code"],
            "missingValues": ["", marker("primary", table["threshold"]), HIDDEN_MARK]}


def resources(table: dict, describe, names) -> list[dict]:
    """The data package's resources for the indicator files among ``names``; ``describe(name)`` gives a file's
    path, bytes and hash."""
    found = []
    if "indicators.csv" in names:
        found.append({
            "name": "indicators", "profile": "tabular-data-resource", "title": "Campaign indicators by region",
            "description": "The campaign's indicators for each region whose figures were checked, and the whole "
                           "country; small numbers of children hidden as in the report (see missingValues).",
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
            "schema": schema(table), **describe("indicators.csv"),
        })
    if "indicators.json" in names:
        found.append({"name": "indicators-json", "type": "file", "profile": "data-resource",
                      "title": "The indicators as JSON, with their methodology in kk, ru and en", "format": "json",
                      "mediatype": "application/json", "encoding": "utf-8", **describe("indicators.json")})
    return found
