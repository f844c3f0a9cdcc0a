"""Two more open datasets, as CSV with a data package each: regional response figures and self-check tallies.

Both are the figures their pages publish for the current campaign, already protected by the reports'
suppression (a hidden count is ``<10`` or ``x``, declared as missing values in the Table Schema), so a
download says nothing the page does not. They change as appeals, offers and answers come in: their
packages carry no checksums (the catalogue gives the checksum of the bytes served when it was read).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable

from flask import current_app

from .. import clock
from ..http import cacheable
from ..publishing import LICENSE, PUBLISHER_EN, public_url
from ..spreadsheet import csv_bytes
from . import bp

@dataclass(frozen=True)
class LiveTable:
    name: str
    page: str  # path after /<lang>/
    title: dict
    description: dict
    keywords: tuple
    fields: tuple  # (name, type, description)
    rows: Callable  # campaign -> rows (lists in field order)

    def csv_path(self, lang: str = "en") -> str:
        return "/%s/%s/data.csv" % (lang, self.page)

    def package_path(self, lang: str = "en") -> str:
        return "/%s/%s/datapackage.json" % (lang, self.page)


def _campaign():
    from ..campaigns.models import current_campaign

    return current_campaign()


def _markers() -> list[str]:
    from ..disclosure import COMPLEMENTARY, PRIMARY, marker, threshold

    return ["", marker(PRIMARY, threshold()), marker(COMPLEMENTARY, threshold())]


def _cell(value):
    return "" if value is None else value


def response_rows(campaign) -> list[list]:
    from ..needs.response import response_figures

    figures = response_figures(campaign)
    keys = ("appeals", "median_days", "answered", "offers", "processed", "in_time")
    rows = [[campaign.year, ""] + [_cell(figures["national"][k]) for k in keys]]
    for region, row in figures["rows"].items():
        rows.append([campaign.year, region] + [_cell(row[k]) for k in keys])
    return rows


def tally_rows(campaign) -> list[list]:
    from ..ready.forms import ANSWERS, QUESTIONS
    from ..ready.services import public_figures

    figures = public_figures(campaign)
    rows = []
    for region, answers in [("", figures["national"])] + sorted(figures["by_region"].items()):
        for question in QUESTIONS:
            for answer in ANSWERS:
                shown = answers[question][answer]
                rows.append([campaign.year, region, question, answer, shown["mark"] or shown["value"]])
    return rows


RESPONSE = LiveTable(
    name="mektepke-zhol-response-figures",
    page="needs/response",
    title={"kk": "Өңірлердің хабарламалар мен ұсыныстарға жауабы",
           "ru": "Ответы регионов на обращения и предложения",
           "en": "How regions answer appeals and offers"},
    description={
        "kk": "Ағымдағы акция бойынша әр өңірге түскен хабарламалар мен көмек ұсыныстары, алғашқы жауапқа дейінгі "
              "күндер медианасы және жауап берілген үлесі. Аз сандар жасырылған.",
        "ru": "По текущей акции: сколько обращений и предложений помощи получил каждый регион, медиана дней до "
              "первого ответа и доля отвеченных. Малые числа скрыты.",
        "en": "For the current campaign: appeals and offers of help each region received, the median number of "
              "days to the first reply and the shares answered and handled. Small counts are hidden.",
    },
    keywords=("Road to School", "Мектепке жол", "appeals", "offers", "response times", "Kazakhstan"),
    fields=(
        ("campaign_year", "integer", "Campaign year."),
        ("region_code", "string", "ISO 3166-2 code of the region; empty: the whole country."),
        ("appeals", "integer", "Appeals received (by the day sent); <10 or x: hidden."),
        ("median_days", "number", "Median number of days to the first reply a reporter can read."),
        ("answered_percent", "integer", "Share of appeals with a reply, in per cent."),
        ("offers", "integer", "Offers of help received for the region."),
        ("processed_percent", "integer", "Share of offers staff have handled (contacted or decided), in per cent."),
        ("answered_in_time_percent", "integer", "Share of appeals with a first reply within three working days "
         "(weekends and Kazakhstan's public holidays not counted), in per cent."),
    ),
    rows=response_rows,
)
TALLIES = LiveTable(
    name="mektepke-zhol-self-check-tallies",
    page="ready/figures",
    title={"kk": "«Балаңыз мектепке дайын ба?» жауаптарының жиынтығы",
           "ru": "Итоги самопроверки «Ребёнок готов к школе?»",
           "en": "Self-check answers: is the child ready for school?"},
    description={
        "kk": "Ағымдағы акция бойынша өзін-өзі тексеру сұрақтарына берілген жауаптар саны, өңірлер бойынша. "
              "Тек есептелген жауаптар; аз сандар жасырылған.",
        "ru": "По текущей акции: сколько раз на каждый вопрос самопроверки ответили «да», «нет» и «не уверен», "
              "по регионам. Только учтённые ответы; малые числа скрыты.",
        "en": "For the current campaign: how often each self-check question was answered yes, no or not sure, "
              "by region. Counted answers only; small counts are hidden.",
    },
    keywords=("Road to School", "Мектепке жол", "self-check", "school readiness", "Kazakhstan"),
    fields=(
        ("campaign_year", "integer", "Campaign year."),
        ("region_code", "string", "ISO 3166-2 code of the region; empty: the whole country."),
        ("question", "string", "Code of the self-check question (uniform, shoes, sportswear, ...)."),
        ("answer", "string", "yes, no or unsure."),
        ("answers", "integer", "Number of counted answers; <10 or x: hidden."),
    ),
    rows=tally_rows,
)
TABLES = (RESPONSE, TALLIES)


def table_csv(table: LiveTable) -> bytes:
    """UTF-8 with a byte-order mark (as the other CSV files), CRLF, header first."""
    campaign = _campaign()
    return csv_bytes(table.rows(campaign) if campaign is not None else [],
                     [name for name, _type, _text in table.fields])


def table_package(table: LiveTable) -> bytes:
    campaign = _campaign()
    year = campaign.year if campaign else clock.now().year
    page = public_url("/en/%s" % table.page)
    fields = [{"name": name, "type": kind, "description": text} for name, kind, text in table.fields]
    for field in fields:
        if field["name"] == "answer":
            field["constraints"] = {"enum": ["yes", "no", "unsure"]}
    package = {
        "profile": "data-package",
        "name": table.name,
        "id": page,
        "title": table.title["en"],
        "description": table.description["en"],
        "homepage": page,
        "version": "%d.0.0" % year,
        "licenses": [LICENSE],
        "sources": [{"title": "Records of the portal (appeals, offers and self-check answers), counted by the portal",
                     "path": page}],
        "contributors": [{"title": PUBLISHER_EN, "role": "publisher", "path": public_url("/en/")}],
        "keywords": list(table.keywords),
        "temporal": {"start": "%d-01-01" % year, "end": "%d-12-31" % year},
        "spatial": "Kazakhstan (KZ), by region (ISO 3166-2:KZ)",
        "resources": [{
            "name": "data", "path": public_url(table.csv_path()), "profile": "tabular-data-resource",
            "title": table.title["en"], "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
            "schema": {"fields": fields, "missingValues": _markers()},
        }],
    }
    return (json.dumps(package, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _respond(body: bytes, mimetype: str, filename: str | None = None):
    response = current_app.response_class(body, mimetype=mimetype)
    if filename:
        response.headers["Content-Disposition"] = 'attachment; filename="%s"' % filename
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/<lang:lang>/needs/response/data.csv")
@cacheable("appeals", "offers", "campaigns", "regions", cookies=False)
def response_csv():
    """The regional response figures as a CSV table."""
    return _respond(table_csv(RESPONSE), "text/csv", "response-figures.csv")


@bp.get("/<lang:lang>/needs/response/datapackage.json")
@cacheable("campaigns", cookies=False)
def response_datapackage():
    """The regional response figures described as a Frictionless Data Package."""
    return _respond(table_package(RESPONSE), "application/json")


@bp.get("/<lang:lang>/ready/figures/data.csv")
@cacheable("ready", "campaigns", "regions", cookies=False)
def tallies_csv():
    """The self-check tallies as a CSV table."""
    return _respond(table_csv(TALLIES), "text/csv", "self-check-figures.csv")


@bp.get("/<lang:lang>/ready/figures/datapackage.json")
@cacheable("campaigns", cookies=False)
def tallies_datapackage():
    """The self-check tallies described as a Frictionless Data Package."""
    return _respond(table_package(TALLIES), "application/json")
