"""The indicators as frozen open data (issue 16): stored files with their checksums, the workbook's sheets, the
data package's Table Schema read by frictionless, the DCAT catalogue read by rdflib, methodology frozen with the
version, and the demo's past years publishing demo indicators."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest
import requests
import sqlalchemy as sa
from rdflib import URIRef

from portal.extensions import db
from portal.reports.models import Report, ReportVersion
from tests.conftest import LiveServer
from tests.test_indicators import _regions_with_helped
from tests.test_open_data import DCAT, DCT, SPDX, catalog_graph, frictionless_errors
from tests.test_reports import SLUG, publish_report

FILES = ["data.csv", "data.json", "data.xlsx", "indicators.csv", "indicators.json", "datapackage.json"]
COUNTS = {"KZ-71": 120, "KZ-47": 5, "KZ-15": 60}  # KZ-47's children are too few to publish


def _frozen_table(app, number=1) -> dict:
    with app.app_context():
        version = db.session.scalar(sa.select(ReportVersion).where(ReportVersion.number == number))
        return version.summary["indicators"]


def _csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf") and b"\r\n" in body
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _published(table: dict) -> dict:
    """``{region: {indicator: the cell as published}}``: "" where nothing was counted, markers as they are."""
    rows = {code: row for code, row in table["regions"].items()}
    rows["KZ"] = table["national"]
    return {code: {k: "" if row.get(k) is None else str(row[k]) for k in table["columns"]} for code, row in rows.items()}


def test_a_version_with_indicators_stores_them_with_checksums(app, client):
    _regions_with_helped(app, COUNTS)
    publish_report(app, lines=None)
    with app.app_context():
        version = db.session.scalar(sa.select(ReportVersion))
        assert [f.name for f in version.files] == FILES
        stored = {f.name: f.sha256 for f in version.files}
    table = _frozen_table(app)
    for name, media in (("indicators.csv", "text/csv"), ("indicators.json", "application/json")):
        response = client.get(f"/reports/{SLUG}/v1/{name}")
        assert response.status_code == 200 and response.mimetype == media
        body = response.get_data()
        assert hashlib.sha256(body).hexdigest() == stored[name] == response.headers["X-Checksum-SHA256"]
        assert response.headers["ETag"].strip('"') == stored[name]
        assert "immutable" in response.headers["Cache-Control"]
        again = client.get(f"/reports/{SLUG}/v1/{name}", headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304
    rows = _csv_rows(client.get(f"/reports/{SLUG}/v1/indicators.csv").get_data())
    header, body = rows[0], rows[1:]
    assert header[:4] == ["region_code", "region_name_kk", "region_name_ru", "region_name_en"]
    assert header[4:] == table["columns"]
    by_code = {row[0]: row for row in body}
    assert list(by_code) == ["KZ-15", "KZ-47", "KZ-71", "KZ"]  # one row per region, then the country
    assert by_code["KZ-71"][1:4] == ["Астана", "Астана", "Astana"]
    assert by_code["KZ"][1:4] == ["Қазақстан", "Казахстан", "Kazakhstan"]
    # Exactly the published values: hidden counts keep their marker, nothing else is shown.
    assert {code: dict(zip(header[4:], row[4:])) for code, row in by_code.items()} == _published(table)
    assert by_code["KZ-47"][header.index("children_helped")] == "<10"
    document = client.get(f"/reports/{SLUG}/v1/indicators.json").get_json()
    assert document["regions"] == table["regions"] and document["national"] == table["national"]
    assert document["demo"] is False and document["published"].endswith("Z")
    assert set(document["markers"]) == {"<10", "x"} and document["markers"]["x"]["kk"]


def test_a_version_without_indicators_keeps_its_four_files(app, client):
    publish_report(app)
    with app.app_context():
        assert [f.name for f in db.session.scalar(sa.select(ReportVersion)).files] == [
            "data.csv", "data.json", "data.xlsx", "datapackage.json"]
    assert client.get(f"/reports/{SLUG}/v1/indicators.csv").status_code == 404
    assert client.get(f"/reports/{SLUG}/v1/indicators.json").status_code == 404
    assert client.get(f"/reports/{SLUG}/latest/indicators.csv").status_code == 302  # then 404: v1 has none
    package = client.get(f"/reports/{SLUG}/v1/datapackage.json").get_json()
    assert [r["name"] for r in package["resources"]] == ["data", "data-json", "data-xlsx"]


def test_an_older_version_without_stored_indicator_files_generates_them(app, client):
    """Versions published before the files were stored: generated on request from the frozen table, with
    today's wording of the methodology (they froze none), not claimed immutable."""
    _regions_with_helped(app, COUNTS)
    publish_report(app, lines=None)
    table = _frozen_table(app)
    older = {k: v for k, v in table.items() if k != "definitions"}
    with app.app_context():
        report = db.session.scalar(sa.select(Report))
        db.session.add(ReportVersion(report=report, number=2, summary={"indicators": older}, totals={},
                                     title_en="Older", threshold=10))
        db.session.commit()
    response = client.get(f"/reports/{SLUG}/v2/indicators.csv")
    assert response.status_code == 200 and "X-Checksum-SHA256" not in response.headers
    assert "immutable" not in response.headers["Cache-Control"]
    assert _csv_rows(response.get_data())[1:] == _csv_rows(client.get(f"/reports/{SLUG}/v1/indicators.csv").get_data())[1:]
    document = client.get(f"/reports/{SLUG}/v2/indicators.json").get_json()
    assert document["indicators"]["coverage"]["name_ru"] == "Охват, %"


def test_the_workbook_has_the_indicators_and_their_methodology(app, client):
    from openpyxl import load_workbook

    _regions_with_helped(app, COUNTS)
    publish_report(app, lines=None)
    table = _frozen_table(app)
    book = load_workbook(io.BytesIO(client.get(f"/reports/{SLUG}/v1/data.xlsx").get_data()), read_only=True)
    assert {"data", "dictionary", "indicators", "indicator_definitions"} <= set(book.sheetnames)
    rows = list(book["indicators"].iter_rows(values_only=True))
    assert list(rows[0][4:]) == table["columns"]
    csv_rows = _csv_rows(client.get(f"/reports/{SLUG}/v1/indicators.csv").get_data())
    # The same cells as the CSV: numbers as numbers, markers as text, nothing where nothing was counted.
    def cells(row):  # a read-only sheet leaves out empty cells at the end of a row
        cells = ["" if v is None else str(v) for v in row]
        while cells and cells[-1] == "":
            cells.pop()
        return cells

    assert [cells(row) for row in rows[1:]] == [cells(row) for row in csv_rows[1:]]
    helped = rows[0].index("children_helped")
    assert {row[0]: row[helped] for row in rows[1:]}["KZ-71"] == 120
    defs = list(book["indicator_definitions"].iter_rows(values_only=True))
    head = defs[0]
    coverage = dict(zip(head, next(row for row in defs if row[0] == "coverage")))
    assert coverage["unit"] == "percent" and coverage["name_kk"] == "Қамту, %" and coverage["name_ru"] == "Охват, %"
    assert len({coverage["methodology_kk"], coverage["methodology_ru"], coverage["methodology_en"]}) == 3
    assert [row[0] for row in defs[1:]] == table["columns"]


def test_methodology_is_frozen_with_the_version(app, client, monkeypatch):
    """A later change of an indicator's wording changes the next version, never a published one."""
    from portal.reports import indicators

    _regions_with_helped(app, COUNTS)
    publish_report(app, lines=None)
    before = client.get(f"/reports/{SLUG}/v1/indicators.json").get_json()["indicators"]["coverage"]
    label, unit, _method = indicators.INDICATORS["coverage"]
    monkeypatch.setitem(indicators.INDICATORS, "coverage", (label, unit, "Reworded after publication."))
    with app.app_context():
        version = db.session.scalar(sa.select(ReportVersion))
        assert indicators.definitions(version)["coverage"] == before
        assert indicators.live_definitions(["coverage"])["coverage"]["methodology_en"] == "Reworded after publication."
    assert client.get(f"/reports/{SLUG}/v1/indicators.json").get_json()["indicators"]["coverage"] == before
    with app.app_context():
        db.session.execute(sa.update(indicators.IndicatorSignoff).values(status="checked"))
        db.session.commit()
    publish_report(app, lines=None, note="Reworded")
    after = client.get(f"/reports/{SLUG}/v2/indicators.json").get_json()["indicators"]["coverage"]
    assert after["methodology_en"] == "Reworded after publication." != before["methodology_en"]


@pytest.fixture
def indicator_server(app):
    """A live server whose PUBLIC_URL is its own address, with version 1 of a report carrying indicators."""
    server = LiveServer(app)
    app.config["PUBLIC_URL"] = server.url
    _regions_with_helped(app, COUNTS)
    publish_report(app, lines=None)
    server.start()
    yield server
    server.stop()


def test_frictionless_reads_the_indicators_resource_as_published(indicator_server, app):
    from frictionless import Package

    url = f"{indicator_server.url}/reports/{SLUG}/v1/datapackage.json"
    assert frictionless_errors(url) == []
    package = requests.get(url, timeout=30).json()
    resource = next(r for r in package["resources"] if r["name"] == "indicators")
    assert resource["profile"] == "tabular-data-resource" and resource["path"].endswith("/v1/indicators.csv")
    body = requests.get(resource["path"], timeout=30).content
    assert resource["hash"] == "sha256:" + hashlib.sha256(body).hexdigest() and resource["bytes"] == len(body)
    schema = resource["schema"]
    assert set(schema["missingValues"]) == {"", "<10", "x"}
    fields = {f["name"]: f for f in schema["fields"]}
    assert fields["planned_budget"]["type"] == "integer" and "tenge" in fields["planned_budget"]["description"]
    assert "per cent" in fields["coverage"]["description"] and fields["coverage"]["constraints"] == {"minimum": 0}
    assert any(r["name"] == "indicators-json" for r in package["resources"])
    table = _frozen_table(app)
    rows = {row["region_code"]: row for row in Package(url).get_resource("indicators").read_rows()}
    assert rows["KZ-47"]["children_helped"] is None  # "<10": a missing value, never a number
    assert rows["KZ-71"]["children_helped"] == table["regions"]["KZ-71"]["children_helped"] == 120
    assert rows["KZ"]["children_helped"] == table["national"]["children_helped"]


def test_the_catalogue_lists_the_indicator_distributions(indicator_server):
    base = indicator_server.url
    graph, _document = catalog_graph(base)
    version = URIRef(f"{base}/en/reports/{SLUG}/v1")
    found = {}
    for dist in graph.objects(version, DCAT.distribution):
        url = str(graph.value(dist, DCAT.downloadURL))
        found[url.rsplit("/", 1)[-1]] = dist
    assert {"indicators.csv", "indicators.json"} <= set(found)
    for name, media in (("indicators.csv", "text/csv"), ("indicators.json", "application/json")):
        dist = found[name]
        assert str(graph.value(dist, DCAT.mediaType)).endswith("/" + media)
        body = requests.get(f"{base}/reports/{SLUG}/v1/{name}", timeout=30).content
        assert int(graph.value(dist, DCAT.byteSize)) == len(body)
        checksum = graph.value(dist, SPDX.checksum)
        assert str(graph.value(checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest()
        assert graph.value(dist, DCT.license) is not None


def test_the_demo_publishes_demo_indicators_for_both_past_years(live_server):
    """`flask seed demo`: both past years' versions carry demo indicators (counted from demo records only),
    stored as files, and each version page shows them with the year-over-year series."""
    from portal.reports.models import IndicatorSignoff

    with live_server.app.app_context():
        versions = db.session.scalars(sa.select(ReportVersion).where(ReportVersion.is_demo)).all()
        assert len({v.report_id for v in versions}) == 2
        assert all(v.summary.get("indicators") and v.file("indicators.csv") for v in versions)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(IndicatorSignoff)) == 0  # none stored
        slugs = {v.report.slug: v.number for v in versions}
        db.session.remove()
    for slug, latest in slugs.items():
        html = requests.get(f"{live_server.url}/en/reports/{slug}", timeout=30).text
        assert 'id="indicators"' in html and "Year over year, whole country" in html
        document = requests.get(f"{live_server.url}/reports/{slug}/v{latest}/indicators.json", timeout=30).json()
        assert document["demo"] is True and len(document["regions"]) >= 10
        assert json.dumps(document, ensure_ascii=False).count("<10") >= 1  # small counts hidden there too
        # A demo sponsor's deliveries give the split between towns and villages; Mangystau's 6 children are hidden.
        assert document["regions"]["KZ-71"]["urban_children"] == 140
        assert document["regions"]["KZ-47"]["rural_children"] in ("<10", "x")
        assert isinstance(document["regions"]["KZ-47"]["rural_value"], str)
