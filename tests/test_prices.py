"""School-goods prices: aggregates, public pages, open data, staff recording, upload and corrections."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
import sqlalchemy as sa
from sqlalchemy import insert

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.prices.models import ITEMS, PriceObservation
from portal.prices.services import aggregate, item_table
from tests.conftest import LANGS
from tests.factories import make_offer, make_price_observation


def add_prices(region, item, prices, year=2023, **fields):
    for price in prices:
        make_price_observation(region, item=item, price=price, observed_on=dt.date(year, 8, 1), **fields)


# --- aggregates ---------------------------------------------------------------------------


def test_median_low_high_count_and_change(app_ctx):
    add_prices("KZ-71", "uniform_set", [10000, 30000, 20000, 40000])  # even count: mean of the middle two
    add_prices("KZ-71", "uniform_set", [10000, 20000, 15000], year=2022)
    add_prices("KZ-71", "backpack", [5000, 7000])  # too few
    add_prices("KZ-47", "uniform_set", [99999, 99999, 99999])  # another region
    db.session.commit()
    rows = {r.item: r for r in item_table(2023, "KZ-71")}
    uniform = rows["uniform_set"]
    assert (uniform.current.median, uniform.current.low, uniform.current.high, uniform.current.count) == (
        25000, 10000, 40000, 4)
    assert uniform.previous.median == 15000
    assert uniform.change == pytest.approx(66.7)
    backpack = rows["backpack"]
    assert backpack.current.count == 2 and not backpack.current.enough and backpack.current.median is None
    assert backpack.change is None
    assert rows["pen"].current.count == 0
    national = {r.item: r for r in item_table(2023)}
    assert national["uniform_set"].current.count == 7
    assert national["uniform_set"].current.median == 40000  # 10 20 30 40 99999×3 → 4th


def test_odd_median_and_rounding(app_ctx):
    add_prices("KZ-75", "pen", [101, 100, 102, 500, 99])
    add_prices("KZ-75", "notebook_12", [61, 60])
    add_prices("KZ-75", "notebook_12", [60, 61], year=2023)
    db.session.commit()
    stats = aggregate([2023], by_region=True, region_code="KZ-75")
    assert stats[(2023, "KZ-75", "pen")].median == 101
    assert stats[(2023, "KZ-75", "notebook_12")].median == 61  # 60.5 rounds up


def test_medians_take_a_bounded_number_of_queries_with_50000_observations(app, client, count_queries):
    regions = ["KZ-71", "KZ-75", "KZ-61", "KZ-47", "KZ-11"]
    items = list(ITEMS)
    rows = [
        dict(year=2023 - (n % 2), region_code=regions[n % 5], item=items[(n // 5) % 10], outlet="shop",
             price=100 + (n * 7919) % 20000, observed_on=dt.date(2023 - (n % 2), 8, 1), batch="bulk",
             is_demo=False, created_at=dt.datetime(2023, 8, 1, tzinfo=dt.timezone.utc))
        for n in range(50_000)
    ]
    with app.app_context():
        db.session.execute(insert(PriceObservation), rows)
        db.session.commit()
    for url in ("/en/prices", "/en/prices?region=KZ-71", "/en/prices?item=pen"):
        with count_queries() as q:
            response = client.get(url)
        assert response.status_code == 200
        assert q.count <= 12, q.statements
    with count_queries() as q:
        response = client.get("/en/prices/data/aggregates.json")
    assert q.count <= 6
    data = json.loads(response.data)["data"]
    national = [r for r in data if r["region"] == "" and r["year"] == 2023]
    assert len(national) == 10 and sum(r["observations"] for r in national) == 25_000
    # The database's median agrees with Python's.
    with app.app_context():
        prices = sorted(p for (p,) in db.session.execute(sa.select(PriceObservation.price).where(
            PriceObservation.year == 2023, PriceObservation.region_code == "KZ-71", PriceObservation.item == "backpack")))
        stats = aggregate([2023], by_region=True, region_code="KZ-71", item="backpack")
    middle = len(prices) // 2
    expected = prices[middle] if len(prices) % 2 else int((prices[middle - 1] + prices[middle]) / 2 + 0.5)
    assert len(prices) > 100 and stats[(2023, "KZ-71", "backpack")].median == expected


# --- public pages -----------------------------------------------------------------------------


@pytest.fixture
def prices(app):
    with app.app_context():
        add_prices("KZ-71", "uniform_set", [18000, 20000, 22000])
        add_prices("KZ-71", "uniform_set", [16000, 17000, 18000], year=2022)
        add_prices("KZ-71", "backpack", [9000])
        add_prices("KZ-75", "uniform_set", [25000, 26000, 27000])
        make_offer("KZ-71", kinds=("price_reduction",), consent_public=True, wall_approved=True,
                   shop_name="Arzan Dukeni", shop_address="Astana, Abay 1", discount_percent=15,
                   discount_starts_on=dt.date(2023, 8, 1), discount_ends_on=dt.date(2023, 9, 30))
        db.session.commit()


@pytest.mark.parametrize("lang", LANGS)
def test_region_page(client, prices, lang):
    response = client.get(f"/{lang}/prices?region=KZ-71")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("<h1") == 1
    assert ("20\xa0000\xa0₸" if lang != "en" else "20,000\xa0₸") in html  # median
    assert "Arzan Dukeni" in html and "15" in html
    assert 'role="img"' in html and "<title id=\"chart-items-title\">" in html and "<desc" in html
    assert "?category=forced_fees" in html
    assert "Set-Cookie" not in response.headers
    assert "HX-Request" in response.headers["Vary"]


def test_not_enough_data_and_change(client, prices):
    html = client.get("/en/prices?region=KZ-71").get_data(as_text=True)
    backpack = html.split("Backpack</th>", 1)[1].split("</tr>", 1)[0]
    assert "not enough data" in backpack and "9,000" not in backpack
    uniform = html.split("School uniform set</th>", 1)[1].split("</tr>", 1)[0]
    assert "↑ +17.6" in uniform  # 20 000 against 17 000


def test_national_view_compares_regions(client, prices):
    html = client.get("/en/prices").get_data(as_text=True)
    assert "the whole country" in html
    assert "regions compared" in html
    assert "?region=KZ-75" in html and "26,000" in html
    assert "Arzan Dukeni" in html


def test_htmx_gets_the_fragment(client, prices):
    response = client.get("/en/prices?region=KZ-71", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith("{%") is False and 'id="price-results"' in html and "<h1" not in html
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("query", ["region=XX", "year=abc", "year=1900", "item=<script>", "region=%00", "year=99999999999999999999"])
def test_hostile_filters_never_fail(client, prices, query):
    response = client.get("/ru/prices?" + query)
    assert response.status_code == 200
    assert "<script>" not in response.get_data(as_text=True)


def test_demo_data_is_labelled(app, client, runner):
    from portal.prices.demo import load_demo_prices

    with app.app_context():
        assert load_demo_prices() > 100
        db.session.commit()
        assert load_demo_prices() == 0
    html = client.get("/kk/prices?region=KZ-47").get_data(as_text=True)
    assert "badge-demo" in html and "demo-note" in html


# --- open data ---------------------------------------------------------------------------


def test_downloads(client, prices):
    response = client.get("/en/prices/data/observations.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["id", "year", "region", "item", "outlet", "price_kzt", "observed_on", "is_demo"]
    assert len(rows) == 11
    one = json.loads(client.get("/en/prices/data/observations.json?year=2022&region=KZ-71").data)
    assert len(one["data"]) == 3 and one["data"][0]["region"] == "KZ-71"
    aggregates = list(csv.DictReader(io.StringIO(client.get("/en/prices/data/aggregates.csv").data.decode("utf-8-sig"))))
    uniform = [r for r in aggregates if r["region"] == "KZ-71" and r["item"] == "uniform_set" and r["year"] == "2023"][0]
    assert uniform["median_kzt"] == "20000" and uniform["previous_median_kzt"] == "17000"
    backpack = [r for r in aggregates if r["region"] == "KZ-71" and r["item"] == "backpack"][0]
    assert backpack["observations"] == "1" and backpack["median_kzt"] == ""
    assert client.get("/en/prices/data/other.csv").status_code == 404
    assert client.get("/en/prices/data/observations.csv?year=2023&region=kz-71").status_code == 200
    assert client.get("/en/prices/data/observations.csv?region=XX").status_code == 404
    assert client.get("/en/prices/data/observations.csv?year=20x3").status_code == 404


@pytest.mark.parametrize("lang", LANGS)
def test_data_dictionary_page(client, lang):
    html = client.get(f"/{lang}/prices/data").get_data(as_text=True)
    for column in ("price_kzt", "observed_on", "median_kzt", "change_percent", "uniform_set", "school_fair"):
        assert column in html


def test_menu_links_to_prices(client):
    assert 'href="/ru/prices"' in client.get("/ru/").get_data(as_text=True)


# --- staff -------------------------------------------------------------------------------------


def test_coordinator_records_a_price(app, staff_client):
    client = staff_client("coordinator", "KZ-71")
    response = client.post("/staff/prices/new", data={
        "region_code": "KZ-71", "item": "shoes", "outlet": "school_fair", "price": "12 500", "observed_on": "14.08.2023"})
    assert response.status_code == 302
    with app.app_context():
        observation = db.session.scalar(sa.select(PriceObservation))
        assert (observation.price, observation.year, observation.created_by_id) == (12500, 2023, client.user.id)
        assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.object_type == "price_observation")) == "create"


@pytest.mark.parametrize("data", [
    {"region_code": "KZ-47", "item": "shoes", "outlet": "shop", "price": "100", "observed_on": "2023-08-14"},
    {"region_code": "KZ-71", "item": "car", "outlet": "shop", "price": "100", "observed_on": "2023-08-14"},
    {"region_code": "KZ-71", "item": "shoes", "outlet": "shop", "price": "-5", "observed_on": "2023-08-14"},
    {"region_code": "KZ-71", "item": "shoes", "outlet": "shop", "price": "0", "observed_on": "2023-08-14"},
    {"region_code": "KZ-71", "item": "shoes", "outlet": "shop", "price": "100", "observed_on": "2030-01-01"},
    {"region_code": "KZ-71", "item": "shoes", "outlet": "shop", "price": "100", "observed_on": "31.02.2023"},
    {"region_code": "KZ-71", "item": "shoes", "outlet": "shop", "price": "9" * 40, "observed_on": "2023-08-14"},
])
def test_bad_form_input_is_refused_with_422(app, staff_client, data):
    client = staff_client("coordinator", "KZ-71")
    response = client.post("/staff/prices/new", data=data)
    assert response.status_code == 422
    assert "error-summary" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PriceObservation)) == 0


def test_coordinator_corrects_own_region_only(app, staff_client):
    with app.app_context():
        own = make_price_observation("KZ-71").id
        other = make_price_observation("KZ-47").id
        db.session.commit()
    client = staff_client("coordinator", "KZ-71")
    listing = client.get("/staff/prices/?year=2023").get_data(as_text=True)
    assert f"/staff/prices/{own}/edit" in listing and f"/staff/prices/{other}/edit" not in listing
    assert client.get(f"/staff/prices/{other}/edit").status_code == 404
    response = client.post(f"/staff/prices/{own}/edit", data={
        "region_code": "KZ-71", "item": "uniform_set", "outlet": "online", "price": "19000", "observed_on": "2023-08-12"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(PriceObservation, own).price == 19000
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "update"))
        assert entry.changes["price"] == [18000, 19000] and entry.region_code == "KZ-71"
    response = client.post(f"/staff/prices/{own}/delete", data={"confirm": "yes"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(PriceObservation, own) is None
        assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "delete")) is not None


def _upload(client, text, name="prices.csv"):
    return client.post("/staff/prices/upload", data={"file": (io.BytesIO(text.encode("utf-8")), name)},
                       content_type="multipart/form-data")


def test_upload_imports_all_rows(app, staff_client):
    client = staff_client("coordinator", "KZ-71")
    body = "region;item;outlet;price_kzt;observed_on\n" + "".join(
        f"KZ-71;pen;shop;{100 + n};2023-08-{n + 1:02d}\n" for n in range(5))
    response = _upload(client, "\ufeff" + body)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PriceObservation)) == 5
        assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.object_type == "price_observation")) == "import"


@pytest.mark.parametrize("lang,expected", [("en", "Unknown value"), ("ru", "Неизвестное значение"), ("kk", "Белгісіз мән")])
def test_upload_is_all_or_nothing_with_errors_in_the_staff_language(app, staff_client, lang, expected):
    client = staff_client("coordinator", "KZ-71")
    with app.app_context():
        from portal.staff.models import StaffUser

        db.session.get(StaffUser, client.user.id).language = lang
        db.session.commit()
    body = ("region,item,outlet,price_kzt,observed_on\n"
            "KZ-71,pen,shop,100,2023-08-01\n"
            "KZ-71,car,shop,100,2023-08-01\n"
            "KZ-47,pen,shop,100,2023-08-01\n"
            "KZ-71,pen,shop,=1+1,2023-08-01\n"
            "KZ-71,pen,shop,100,yesterday\n")
    response = _upload(client, body)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert expected in html
    for row, column in ((3, "item"), (4, "region"), (5, "price_kzt"), (6, "observed_on")):
        assert f"<tr><td>{row}</td><td><code>{column}</code>" in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PriceObservation)) == 0


@pytest.mark.parametrize("payload,name", [
    (b"", "prices.csv"), (b"\xff\xfe\x00bad", "prices.csv"), (b"PK\x03\x04garbage", "prices.xlsx"),
    (b"region,item\nKZ-71,pen\n", "prices.csv"), (b"hello", "prices.exe"), (b"region,item,outlet,price_kzt,observed_on\n", "p.csv"),
])
def test_hostile_uploads_never_fail(app, staff_client, payload, name):
    client = staff_client("admin")
    response = client.post("/staff/prices/upload", data={"file": (io.BytesIO(payload), name)},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "error-summary" in response.get_data(as_text=True)


def test_upload_template_and_pages_render(staff_client):
    client = staff_client("admin")
    assert client.get("/staff/prices/template.csv").data.startswith(b"\xef\xbb\xbfregion,item,outlet,price_kzt")
    for url in ("/staff/prices/", "/staff/prices/new", "/staff/prices/upload", "/staff/prices/?region=ZZ&year=x&item=y"):
        assert client.get(url).status_code == 200, url
