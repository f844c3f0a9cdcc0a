"""Open data as outside tools read it, over HTTP from a live server: frictionless and an RDF library.

- ``frictionless validate`` passes on every report version's datapackage.json (versions published by
  ``flask seed demo`` outside a request, served with a corrected description, and versions published
  by this test with PUBLIC_URL set, stored as they are served), on the prices data package, and on
  every CSV the catalogue lists;
- the DCAT catalogue parses with rdflib, and its triples state every dataset, version and
  distribution with media type, checksum (checked against the bytes), licence, temporal and spatial
  coverage;
- report pages carry schema.org ``Dataset`` markup and state the licence in kk, ru and en.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings

import pytest
import requests
import sqlalchemy as sa
from rdflib import RDF, Graph, Literal, Namespace, URIRef

from portal.extensions import db
from tests.conftest import LiveServer
from tests.factories import make_price_observation, make_report, make_report_allocation

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
KAZAKHSTAN = URIRef("http://publications.europa.eu/resource/authority/country/KAZ")
LANGS = ("kk", "ru", "en")
LICENCE_TEXT = {"kk": "CC BY 4.0", "ru": "CC BY 4.0", "en": "CC BY 4.0"}


@pytest.fixture
def own_server(app):
    """A second live server on this test's database: PUBLIC_URL is its address; a report published twice
    (in the app, as the CLI would, but with PUBLIC_URL set), and a few prices."""
    server = LiveServer(app)
    app.config["PUBLIC_URL"] = server.url
    with app.app_context():
        make_report()
        make_report_allocation("KZ-75", children=30)
        from portal.campaigns.models import Campaign
        from portal.reports.publish import default_texts, publish

        campaign = db.session.scalar(sa.select(Campaign).where(Campaign.year == 2023))
        publish(campaign, texts={**default_texts(campaign, False, 10), "change_note_en": "Almaty added",
                                 "change_note_ru": "Добавлен Алматы", "change_note_kk": "Алматы қосылды"})
        for price in (5000, 5200, 5400, 5600, 5800):
            make_price_observation("KZ-71", price=price)
        db.session.commit()
    server.start()
    yield server
    server.stop()


def catalog_graph(base: str) -> tuple[Graph, dict]:
    response = requests.get(base + "/catalog.jsonld", timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/ld+json")
    graph = Graph()
    with warnings.catch_warnings():
        # rdflib's own JSON-LD parser still builds a ConjunctiveGraph internally.
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        graph.parse(data=response.text, format="json-ld", publicID=base + "/catalog.jsonld")
    return graph, response.json()


def frictionless_errors(source: str) -> list[str]:
    from frictionless import validate

    report = validate(source)
    return [] if report.valid else [row[0] for row in report.flatten(["message"])] or [str(report)]


def distributions(graph: Graph) -> list[URIRef]:
    return sorted(set(graph.subjects(RDF.type, DCAT.Distribution)))


@pytest.mark.parametrize("which", ["demo data (published outside a request)", "published by the test"])
def test_frictionless_passes_every_package_and_csv_of_the_catalogue(live_server, own_server, which):
    base = live_server.url if which.startswith("demo") else own_server.url
    graph, _document = catalog_graph(base)
    checked = []
    for dist in distributions(graph):
        url = str(graph.value(dist, DCAT.downloadURL))
        media = str(graph.value(dist, DCAT.mediaType))
        if url.endswith("datapackage.json") or media.endswith("/text/csv"):
            assert url.startswith(base + "/"), url
            errors = frictionless_errors(url)
            assert errors == [], (url, errors)
            checked.append(url)
    packages = [u for u in checked if u.endswith("datapackage.json")]
    for part in ("/reports/", "/prices/", "/needs/response/", "/ready/figures/"):
        assert any(part in u for u in packages), (part, checked)
    if which.startswith("demo"):
        assert len([u for u in packages if "/reports/" in u and "/latest/" not in u]) >= 2  # both demo versions


def test_packages_are_absolute_licensed_and_utf8(live_server, own_server):
    for base in (live_server.url, own_server.url):
        graph, _document = catalog_graph(base)
        packages = [str(graph.value(d, DCAT.downloadURL)) for d in distributions(graph)]
        packages = [u for u in packages if u.endswith("datapackage.json")]
        for url in packages:
            package = requests.get(url, timeout=30).json()
            assert package["id"].startswith(base + "/"), url
            assert package["licenses"][0]["path"] == str(CC_BY)
            assert package["sources"] and package["contributors"] and package["version"]
            for resource in package["resources"]:
                assert resource["path"].startswith(base + "/"), (url, resource["path"])
                assert resource.get("encoding", "utf-8") == "utf-8"


def test_a_version_published_with_public_url_is_served_as_stored(own_server):
    """New versions keep their package as stored (its checksum is the one recorded at publication)."""
    from portal.reports.models import ReportFile

    with own_server.app.app_context():
        recorded = {f.version.number: f.sha256 for f in db.session.scalars(
            sa.select(ReportFile).where(ReportFile.name == "datapackage.json"))}
    for number, sha in recorded.items():
        body = requests.get(f"{own_server.url}/reports/mektepke-zhol-2023/v{number}/datapackage.json", timeout=30).content
        assert hashlib.sha256(body).hexdigest() == sha


def test_an_older_package_is_corrected_when_served_and_its_files_are_unchanged(live_server):
    """Demo versions were published by the CLI (paths only): the stored bytes stay, a corrected description
    of the same files is served; its checksums match the frozen data files."""
    from portal.reports.models import Report, ReportFile, ReportVersion

    with live_server.app.app_context():
        rows = db.session.execute(
            sa.select(Report.slug, ReportVersion.number, ReportFile.name, ReportFile.sha256, ReportFile.content)
            .join(ReportVersion, ReportFile.version_id == ReportVersion.id).join(Report)
        ).all()
        db.session.remove()
    stored = {(slug, number, name): (sha, content) for slug, number, name, sha, content in rows}
    slug, number = next((s, n) for (s, n, name) in stored if name == "datapackage.json")
    old = json.loads(stored[(slug, number, "datapackage.json")][1])
    assert not old["id"].startswith("http")  # as the CLI stored it
    served = requests.get(f"{live_server.url}/reports/{slug}/v{number}/datapackage.json", timeout=30)
    package = served.json()
    assert package["id"] == f"{live_server.url}/en/reports/{slug}/v{number}"
    assert served.headers["ETag"].strip('"').split("-")[0] == hashlib.sha256(served.content).hexdigest()
    for resource in package["resources"]:
        name = resource["path"].rsplit("/", 1)[-1]
        assert resource["hash"] == "sha256:" + stored[(slug, number, name)][0]
        assert resource["bytes"] == len(stored[(slug, number, name)][1])


def test_catalogue_triples(own_server):
    base = own_server.url
    graph, _document = catalog_graph(base)
    catalogs = list(graph.subjects(RDF.type, DCAT.Catalog))
    assert catalogs == [URIRef(base + "/catalog.jsonld")]
    catalog = catalogs[0]
    datasets = set(graph.objects(catalog, DCAT.dataset))
    assert datasets == set(graph.subjects(RDF.type, DCAT.Dataset))
    series = URIRef(base + "/en/reports/mektepke-zhol-2023")
    versions = {URIRef(base + "/en/reports/mektepke-zhol-2023/v%d" % n) for n in (1, 2)}
    prices = URIRef(base + "/en/prices/data")
    tables = {URIRef(base + "/en/needs/response"), URIRef(base + "/en/ready/figures")}
    assert datasets == {series, prices} | versions | tables
    assert set(graph.objects(series, DCT.hasVersion)) == versions
    for version in versions:
        assert (version, DCT.isVersionOf, series) in graph
        assert str(graph.value(version, OWL.versionInfo)) in ("1", "2")
        assert graph.value(version, DCT.title, any=True) is not None
    assert {lit.language for lit in graph.objects(series, DCT.title)} == set(LANGS)
    for dataset in datasets:
        assert (dataset, DCT.license, CC_BY) in graph
        period = graph.value(dataset, DCT.temporal)
        start = graph.value(period, DCAT.startDate)
        assert start is not None and str(start.datatype).endswith("#date")
        if dataset != prices:
            assert str(start) == "2023-01-01" and str(graph.value(period, DCAT.endDate)) == "2023-12-31"
        places = set(graph.objects(dataset, DCT.spatial))
        assert KAZAKHSTAN in places
        codes = {str(graph.value(p, DCT.identifier)) for p in places if graph.value(p, DCT.identifier)}
        assert len(codes) == 20 and "KZ-71" in codes
        assert graph.value(dataset, DCT.publisher) is not None
    # Every distribution of a version: media type, licence, size and a SHA-256 that matches the bytes.
    checked = 0
    for version in versions | {prices} | tables:
        for dist in graph.objects(version, DCAT.distribution):
            url = str(graph.value(dist, DCAT.downloadURL))
            assert str(graph.value(dist, DCAT.mediaType)).startswith("http://www.iana.org/assignments/media-types/")
            assert (dist, DCT.license, CC_BY) in graph
            checksum = graph.value(dist, SPDX.checksum)
            assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
            body = requests.get(url, timeout=30).content
            assert str(graph.value(checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest(), url
            assert graph.value(dist, DCAT.byteSize) == Literal(len(body), datatype=graph.value(dist, DCAT.byteSize).datatype)
            checked += 1
    assert checked == 2 * 4 + 5 + 2 * 2  # two versions × four files; prices: four files and the package; two tables


@pytest.mark.parametrize("lang", LANGS)
def test_report_page_has_dataset_markup_and_states_the_licence(own_server, lang):
    html = requests.get(f"{own_server.url}/{lang}/reports/mektepke-zhol-2023", timeout=30).text
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    datasets = [d for d in map(json.loads, blocks) if d.get("@type") == "Dataset"]
    assert len(datasets) == 1
    dataset = datasets[0]
    assert dataset["license"] == str(CC_BY)
    assert dataset["temporalCoverage"] == "2023"
    assert dataset["spatialCoverage"]["name"]
    assert {d["encodingFormat"] for d in dataset["distribution"]} >= {"text/csv", "application/json"}
    assert all(d["contentUrl"].startswith(own_server.url + "/reports/") for d in dataset["distribution"])
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in html and LICENCE_TEXT[lang] in html
    prices = requests.get(f"{own_server.url}/{lang}/prices/data", timeout=30).text
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in prices
    assert f"/{lang}/prices/data/datapackage.json" in prices


@pytest.mark.parametrize("lang", LANGS)
def test_response_figures_and_self_check_tallies_are_open_data(live_server, lang):
    """The two pages link their figures as CSV with a data package, and state the licence."""
    for page, csv_path in (("needs/response", "needs/response/data.csv"), ("ready/figures", "ready/figures/data.csv")):
        html = requests.get(f"{live_server.url}/{lang}/{page}", timeout=30).text
        assert f'href="/{lang}/{csv_path}"' in html and 'rel="license"' in html
        package = requests.get(f"{live_server.url}/{lang}/{page}/datapackage.json", timeout=30).json()
        assert package["resources"][0]["path"] == f"{live_server.url}/en/{csv_path}"
        body = requests.get(f"{live_server.url}/{lang}/{csv_path}", timeout=30).content
        assert body.startswith(b"\xef\xbb\xbfcampaign_year,region_code,")


def test_open_data_downloads_revalidate(live_server):
    """Every open-data address has a validator and answers 304 to it, with no session cookie."""
    for path in ("/catalog.jsonld", "/en/prices/data/datapackage.json", "/en/needs/response/data.csv",
                 "/en/needs/response/datapackage.json", "/kk/ready/figures/data.csv",
                 "/ru/ready/figures/datapackage.json"):
        first = requests.get(live_server.url + path, timeout=30)
        assert first.status_code == 200 and first.headers.get("ETag"), path
        assert "Set-Cookie" not in first.headers and "Cookie" not in first.headers.get("Vary", ""), path
        again = requests.get(live_server.url + path, headers={"If-None-Match": first.headers["ETag"]}, timeout=30)
        assert again.status_code == 304, path


def test_report_page_lists_the_checksum_of_what_is_served(live_server):
    """The file table gives the size and SHA-256 of each download as served (the corrected package too)."""
    html = requests.get(f"{live_server.url}/en/reports/demo-mektepke-zhol-2022/v1", timeout=30).text
    rows = re.findall(r'href="(/reports/[^"]+/v1/([\w.]+))" download>.*?<code class="checksum">(\w+)</code>', html, re.S)
    # The demo's versions carry demo indicators, stored beside the four files (issue 16).
    assert {name for _url, name, _sha in rows} == {"data.csv", "data.json", "data.xlsx", "datapackage.json",
                                                  "indicators.csv", "indicators.json"}
    for url, _name, sha in rows:
        body = requests.get(live_server.url + url, timeout=30).content
        assert hashlib.sha256(body).hexdigest() == sha, url
