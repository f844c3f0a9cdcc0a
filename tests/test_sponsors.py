"""The public sponsor wall, price pledges, and the promise that sponsors' contact data never reach a public page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.offers.services import active_price_pledges
from tests.conftest import LANGS
from tests.factories import make_offer


def add_offer(app, region_code="KZ-71", **fields):
    with app.app_context():
        offer = make_offer(region_code, **fields)
        db.session.commit()
        return offer.id


def on_wall(**fields):
    return {"consent_public": True, "wall_approved": True, "status": "accepted", **fields}


@pytest.mark.parametrize(
    "lang, heading, empty",
    [("kk", "Акцияның демеушілері", "Мұнда әзірге демеушілер жоқ."),
     ("ru", "Спонсоры акции", "Здесь пока нет спонсоров."),
     ("en", "Sponsors of the campaign", "No sponsors are listed here yet.")],
)
def test_empty_wall_in_each_language(client, lang, heading, empty):
    response = client.get(f"/{lang}/sponsors")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}"' in html and heading in html and empty in html
    assert html.count("<h1") == 1
    assert "Set-Cookie" not in response.headers  # a page without a form leaves nothing behind


def test_only_approved_consenting_sponsors_are_named(app, client):
    add_offer(app, org_name="Shown Ltd", **on_wall())
    add_offer(app, org_name="No Consent Ltd", consent_public=False, wall_approved=True)
    add_offer(app, org_name="Not Approved Ltd", consent_public=True, wall_approved=False)
    add_offer(app, org_name="Declined Ltd", **on_wall(status="declined"))
    html = client.get("/en/sponsors").get_data(as_text=True)
    assert "Shown Ltd" in html
    for hidden in ("No Consent Ltd", "Not Approved Ltd", "Declined Ltd"):
        assert hidden not in html


def test_wall_groups_by_region_with_kinds(app, client):
    add_offer(app, ["KZ-71", "KZ-15"], org_name="Two Regions Ltd", kinds=("uniforms", "shoes"), **on_wall())
    add_offer(app, None, donor_type="person", org_name="", contact_name="Асель Н.", kinds=("money",), **on_wall())
    html = client.get("/ru/sponsors").get_data(as_text=True)
    assert html.count("Two Regions Ltd") == 2
    aktobe = html.index("Актюбинская область")
    astana = html.index("Астана")
    assert aktobe < astana  # by region code: KZ-15 before KZ-71
    assert "Школьная форма, Обувь" in html
    assert "По всему Казахстану, где нужнее" in html and "Асель Н." in html
    # A company's contact person is never named, only the company.
    assert "Aigerim Test" not in html


def test_region_filter_and_htmx_fragment(app, client):
    add_offer(app, "KZ-71", org_name="Astana Ltd", **on_wall())
    add_offer(app, "KZ-47", org_name="Aktau Ltd", **on_wall())
    html = client.get("/en/sponsors?region=KZ-47").get_data(as_text=True)
    assert "Aktau Ltd" in html and "Astana Ltd" not in html
    fragment = client.get("/en/sponsors?region=KZ-47", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="sponsor-wall"') and "<html" not in body
    assert "HX-Request" in fragment.headers["Vary"]
    for junk in ("KZ-99", "<script>", "x" * 5000):
        response = client.get("/en/sponsors", query_string={"region": junk})
        assert response.status_code == 200 and "Astana Ltd" in response.get_data(as_text=True)


# --- the wall at scale: counts and first names per region, one region page by page -------------------

T0 = dt.datetime(2023, 8, 1, 4, 0, tzinfo=dt.timezone.utc)


def add_sponsors(app, count, region_code="KZ-71", prefix="Sponsor", start=0, **fields):
    """``count`` wall sponsors named ``<prefix> <n>``, the n-th created n minutes after T0 (one commit)."""
    with app.app_context():
        for n in range(start, start + count):
            make_offer(region_code, org_name=f"{prefix} {n}", created_at=T0 + dt.timedelta(minutes=n), **on_wall(**fields))
        db.session.commit()


def names_in(html, prefix):
    return re.findall(rf"<strong>({re.escape(prefix)} \d+)</strong>", html)


def wall_of(html):
    return html[html.index('id="sponsor-wall"'):html.index('id="cheaper-title"')]


def test_overview_shows_counts_first_ten_oldest_first_and_links_to_all(app, client):
    # Created in reverse order of id: the wall follows created_at (who came first is thanked first).
    with app.app_context():
        for n in reversed(range(12)):
            make_offer("KZ-71", org_name=f"Astana {n}", created_at=T0 + dt.timedelta(minutes=n), **on_wall())
        db.session.commit()
    add_sponsors(app, 3, "KZ-15", prefix="Aktobe")
    add_sponsors(app, 11, None, prefix="Anywhere")
    add_sponsors(app, 1, ["KZ-71", "KZ-15"], prefix="Both", start=100)
    html = wall_of(client.get("/en/sponsors").get_data(as_text=True))
    astana = html[html.index("<h3>Astana (city)</h3>"):html.index("<h3>Across Kazakhstan")]
    assert "13 sponsors" in astana
    assert names_in(astana, "Astana") == [f"Astana {n}" for n in range(10)]  # 10 shown; 11th, 12th and «Both» not
    assert names_in(astana, "Both") == []
    assert '<a href="/en/sponsors?region=KZ-71">All 13 sponsors in Astana (city)</a>' in astana
    aktobe = html[html.index("<h3>Aktobe Region</h3>"):html.index("<h3>Astana (city)</h3>")]
    assert "4 sponsors" in aktobe and names_in(aktobe, "Aktobe") == ["Aktobe 0", "Aktobe 1", "Aktobe 2"]
    assert "Both 100" in aktobe and "All 4" not in aktobe and "region=KZ-15" not in aktobe  # all shown: no link
    national = html[html.index("<h3>Across Kazakhstan, wherever needed</h3>"):]
    assert "11 sponsors" in national and len(names_in(national, "Anywhere")) == 10
    assert '<a href="/en/sponsors?region=national">All 11 sponsors across Kazakhstan</a>' in national
    assert html.count("<h3>") == 3  # regions without sponsors are left out


@pytest.mark.parametrize(
    "lang, counts",
    [("ru", {21: "21\xa0спонсор", 22: "22\xa0спонсора", 25: "25\xa0спонсоров"}),
     ("kk", {21: "21\xa0демеуші", 22: "22\xa0демеуші", 25: "25\xa0демеуші"})],
)
def test_counts_use_the_languages_plural_forms(app, client, lang, counts):
    for code, count in zip(("KZ-11", "KZ-15", "KZ-71"), counts):
        add_sponsors(app, count, code, prefix=code)
    html = wall_of(client.get(f"/{lang}/sponsors").get_data(as_text=True))
    for text in counts.values():
        assert f'<p class="result-count">{text}</p>' in html
    if lang == "ru":
        assert "Все 21\xa0спонсор: Акмолинская область" in html
        assert "Все 22\xa0спонсора: Актюбинская область" in html
        assert "Все 25\xa0спонсоров: Астана (город)" in html
    else:
        assert "Астана (қала): барлық 25\xa0демеуші" in html


def test_region_page_is_paginated_in_the_database(app, client):
    add_sponsors(app, 101, "KZ-71")
    add_sponsors(app, 2, None, prefix="Anywhere")
    first = client.get("/en/sponsors?region=KZ-71").get_data(as_text=True)
    wall = wall_of(first)
    assert names_in(wall, "Sponsor") == [f"Sponsor {n}" for n in range(100)]
    assert "101 sponsors" in wall and "Anywhere" not in names_in(wall, "Anywhere")
    nav = wall[wall.index('<nav class="pagination" aria-label="Pages">'):wall.index("</nav>")]
    assert "Page 1 of 2" in nav and 'rel="prev"' not in nav
    assert 'href="/en/sponsors?page=2&amp;region=KZ-71" rel="next"' in nav
    assert 'data-hx-get="/en/sponsors?page=2&amp;region=KZ-71"' in nav
    assert "<title>Sponsors · Astana (city) · Road to School</title>" in first
    # Those helping "wherever needed" are pointed to, not mixed in.
    assert "Also helping across Kazakhstan, wherever needed: 2 sponsors." in wall
    assert '<a href="/en/sponsors?region=national">' in wall
    assert '<option value="KZ-71" selected>' in first

    second = client.get("/en/sponsors?region=KZ-71&page=2").get_data(as_text=True)
    wall = wall_of(second)
    assert names_in(wall, "Sponsor") == ["Sponsor 100"]  # the 101st
    nav = wall[wall.index('<nav class="pagination"'):wall.index("</nav>")]
    assert "Page 2 of 2" in nav and 'rel="next"' not in nav
    assert 'href="/en/sponsors?region=KZ-71" rel="prev"' in nav  # page 1 has the clean URL
    assert "<title>Sponsors · Astana (city) · Page 2 of 2 · Road to School</title>" in second


def test_national_group_has_its_own_page(app, client):
    add_sponsors(app, 3, None, prefix="Anywhere")
    add_sponsors(app, 2, "KZ-71", prefix="Astana")
    add_offer(app, None, **pledge(shop_name="Everywhere shop"))
    add_offer(app, "KZ-15", **pledge(shop_name="Aktobe shop"))
    html = client.get("/ru/sponsors?region=national").get_data(as_text=True)
    wall = wall_of(html)
    assert "<h3>По всему Казахстану, где нужнее</h3>" in wall
    assert names_in(wall, "Anywhere") == ["Anywhere 0", "Anywhere 1", "Anywhere 2"]
    assert "Astana" not in wall and "4\xa0спонсора" in wall  # the nationwide shop's sponsor too
    assert "Ещё по всему Казахстану" not in wall  # no pointer to itself
    assert '<option value="national" selected>' in html
    pledges = html[html.index('id="cheaper-title"'):]
    assert "Everywhere shop" in pledges and "Aktobe shop" not in pledges


def test_an_empty_region_says_so(app, client):
    add_sponsors(app, 1, "KZ-15")
    wall = wall_of(client.get("/kk/sponsors?region=KZ-71").get_data(as_text=True))
    assert "<h3>Астана (қала)</h3>" in wall and "Мұнда әзірге демеушілер жоқ." in wall
    assert "result-count" not in wall and 'class="pagination"' not in wall
    assert '<a href="/kk/sponsors">Барлық өңірлердің демеушілері</a>' in wall


@pytest.mark.parametrize(
    "query, shown, page_label",
    [("page=abc", "Sponsor 0", "Page 1 of 2"), ("page=0", "Sponsor 0", "Page 1 of 2"),
     ("page=-3", "Sponsor 0", "Page 1 of 2"), ("page=1.5", "Sponsor 0", "Page 1 of 2"),
     ("page=3", "Sponsor 100", "Page 2 of 2"), ("page=99999999999999999999999", "Sponsor 100", "Page 2 of 2"),
     ("page=2&page=1", "Sponsor 100", "Page 2 of 2"), ("page=%00", "Sponsor 0", "Page 1 of 2")],
)
def test_a_bad_page_falls_back_to_the_first_or_last(app, client, query, shown, page_label):
    add_sponsors(app, 101, "KZ-71")
    response = client.get(f"/en/sponsors?region=KZ-71&{query}")
    assert response.status_code == 200
    wall = wall_of(response.get_data(as_text=True))
    assert shown in names_in(wall, "Sponsor") and page_label in wall


@pytest.mark.parametrize(
    "region, heading",
    [("kz-71", "<h3>Astana (city)</h3>"), (" KZ-71 ", "<h3>Astana (city)</h3>"),
     ("NATIONAL", "<h3>Across Kazakhstan, wherever needed</h3>")],
)
def test_region_values_are_read_leniently(app, client, region, heading):
    add_sponsors(app, 1, "KZ-71")
    add_sponsors(app, 1, None, prefix="Anywhere")
    wall = wall_of(client.get("/en/sponsors", query_string={"region": region}).get_data(as_text=True))
    assert wall.count("<h3>") == 1 and heading in wall


@pytest.mark.parametrize("junk", ["KZ-99", "<script>", "x" * 5000, "", "national'--", "KZ-71\x00", "None"])
def test_an_unknown_region_shows_the_overview(app, client, junk):
    add_sponsors(app, 1, "KZ-71")
    add_sponsors(app, 1, None, prefix="Anywhere")
    response = client.get("/en/sponsors", query_string={"region": junk, "page": "2"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    wall = wall_of(html)
    assert "<h3>Astana (city)</h3>" in wall and "<h3>Across Kazakhstan, wherever needed</h3>" in wall
    assert '<option value="" selected>' not in html and "<option value=\"\">All regions</option>" in html
    assert 'class="pagination"' not in wall


@pytest.mark.parametrize("path", ["/en/sponsors", "/en/sponsors?region=KZ-71", "/en/sponsors?region=national&page=2"])
def test_htmx_gets_the_wall_and_a_plain_get_the_page(app, client, path):
    add_sponsors(app, 101, None, prefix="Anywhere")
    add_sponsors(app, 1, "KZ-71")
    full = client.get(path)
    fragment = client.get(path, headers={"HX-Request": "true"})
    for response in (full, fragment):
        assert response.status_code == 200
        assert "HX-Request" in response.headers["Vary"]
        assert "Set-Cookie" not in response.headers
    page = full.get_data(as_text=True)
    body = fragment.get_data(as_text=True)
    assert page.count("<h1") == 1 and '<form method="get"' in page
    assert body.lstrip().startswith('<div id="sponsor-wall"') and "<html" not in body and "<form" not in body
    assert wall_of(page) == wall_of(body)
    # A boosted request or a history restore is a full page again.
    restore = client.get(path, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)


def test_demo_sponsors_are_labelled_everywhere(app, client):
    add_sponsors(app, 1, "KZ-71", prefix="Demo", is_demo=True)
    add_sponsors(app, 1, "KZ-71", prefix="Real", start=1)
    for path in ("/kk/sponsors", "/kk/sponsors?region=KZ-71"):
        wall = wall_of(client.get(path).get_data(as_text=True))
        assert '<strong>Demo 0</strong> <span class="badge badge-demo">Демо-деректер</span>' in wall
        assert re.search(r"<strong>Real 1</strong>\s*<span class=\"sponsor-kinds\">", wall)


def test_no_contact_data_on_any_view_of_the_wall(app, client):
    add_offer(app, ["KZ-71", "KZ-15"], org_name="Open Ltd", contact_name="Hidden Person", phone="+77051234599",
              email=EMAIL, tax_id=IIN, **on_wall())
    add_offer(app, None, donor_type="person", org_name="", contact_name="Асель Н.", phone="+77051234598",
              email="person@example.kz", **on_wall())
    for path in ("/ru/sponsors", "/ru/sponsors?region=KZ-71", "/ru/sponsors?region=national"):
        body = client.get(path).get_data(as_text=True)
        for secret in PHONE_FORMS + (EMAIL, IIN, "Hidden Person", "person@example.kz", "705 123 45 98"):
            assert secret not in body, (secret, path)
    assert "Асель Н." in client.get("/ru/sponsors?region=national").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/en/sponsors", "/en/sponsors?region=KZ-71", "/en/sponsors?region=national"])
def test_queries_do_not_grow_with_the_number_of_sponsors(app, client, count_queries, path):
    def spread(per_group, start):
        """Sponsors in four regions, in two regions at once, and "wherever needed" (twice as many)."""
        for i, codes in enumerate([["KZ-71"], ["KZ-15"], ["KZ-11", "KZ-71"], ["KZ-47"], None, None]):
            add_sponsors(app, per_group, codes, prefix=f"G{i}", start=start, kinds=("uniforms", "money"))

    def measure():
        """Statements, and the most values bound to one (an IN list over every sponsor would show here)."""
        sizes = []
        with app.app_context():
            engine = db.engine

        def listener(conn, cursor, statement, parameters, context, executemany):
            sizes.append(len(parameters or ()))

        sa.event.listen(engine, "after_cursor_execute", listener)
        try:
            with count_queries() as counter:
                response = client.get(path)
        finally:
            sa.event.remove(engine, "after_cursor_execute", listener)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "School uniforms, Money" in html
        return counter, max(sizes), len(re.findall(r"<strong>G\d \d+</strong>", wall_of(html)))

    spread(5, 0)  # 30 sponsors
    client.get(path)
    few, _, _ = measure()
    spread(45, 1000)  # 300: every group past its first ten, and past a page
    many, most_bound, shown = measure()
    assert many.count == few.count, "\n".join(many.statements)
    assert few.count <= 8
    assert shown <= 100 and most_bound <= shown + 5  # data for the names shown, not for all 300 sponsors


def test_the_page_cache_serves_and_renews_a_region_page(app, database_url):
    from portal import create_app
    from tests.conftest import make_config

    add_sponsors(app, 101, "KZ-71")
    cached = create_app(make_config(database_url, PAGE_CACHE_ENABLED=True))
    try:
        cache = cached.extensions["page_cache"]
        visitor = cached.test_client(use_cookies=False)
        first = visitor.get("/en/sponsors?region=KZ-71&page=2")
        hits = cache.hits
        assert visitor.get("/en/sponsors?region=KZ-71&page=2").get_data() == first.get_data()
        assert cache.hits == hits + 1  # the same for every anonymous visitor: served from memory
        add_sponsors(cached, 1, "KZ-71", prefix="Newcomer", start=500)  # committed where the cache watches
        assert "Newcomer 500" in visitor.get("/en/sponsors?region=KZ-71&page=2").get_data(as_text=True)
    finally:
        with cached.app_context():
            db.session.remove()
            db.engine.dispose()


# --- price pledges ----------------------------------------------------------------------------------


def pledge(**fields):
    values = dict(
        kinds=("price_reduction",), discount_percent=15, shop_name="Shop «Дәптер»", shop_address="Aktobe, Abylkhair 1",
        discount_starts_on=dt.date(2023, 8, 10), discount_ends_on=dt.date(2023, 9, 5),
    )
    return on_wall(**{**values, **fields})


def test_active_pledges_are_listed_by_region_with_shop_and_dates(app, client):
    add_offer(app, "KZ-15", **pledge())
    add_offer(app, "KZ-15", **pledge(shop_name="Ended shop", discount_ends_on=dt.date(2023, 8, 14)))
    add_offer(app, "KZ-15", **pledge(shop_name="Unapproved shop", wall_approved=False))
    add_offer(app, "KZ-71", **pledge(shop_name="Soon shop", discount_starts_on=dt.date(2023, 8, 20)))
    html = client.get("/en/sponsors").get_data(as_text=True)
    section = html[html.index('id="cheaper-title"'):]
    assert "Shop «Дәптер»" in section and "15% off" in section and "Aktobe, Abylkhair 1" in section
    assert "August 10 – September 5, 2023" in section
    assert "Soon shop" in section and "starts soon" in section
    assert "Ended shop" not in html and "Unapproved shop" not in html
    ru = client.get("/ru/sponsors").get_data(as_text=True)
    assert "скидка 15%" in ru and "10 августа – 5 сентября 2023 г." in ru


def test_active_price_pledges_service_for_one_region(app):
    add_offer(app, "KZ-15", **pledge(shop_name="Aktobe shop"))
    add_offer(app, "KZ-71", **pledge(shop_name="Astana shop"))
    add_offer(app, None, **pledge(shop_name="Everywhere shop"))
    with app.app_context():
        every = active_price_pledges()
        assert [(p.region_code, p.shop_name) for p in every] == [
            ("KZ-15", "Aktobe shop"), ("KZ-71", "Astana shop"), (None, "Everywhere shop"),
        ]
        aktobe = active_price_pledges("KZ-15")
        assert {p.shop_name for p in aktobe} == {"Aktobe shop", "Everywhere shop"}
        assert not hasattr(aktobe[0], "phone") and not hasattr(aktobe[0], "email")


# --- contact data never public ------------------------------------------------------------------------

PHONE_FORMS = ("+77051234599", "+7 705 123 45 99", "87051234599", "8 705 123 45 99", "7051234599", "123 45 99")
EMAIL = "secret.sponsor@example.kz"
IIN = "150315600021"


def public_get_paths(app):
    """Every GET page whose only argument is the language, in every language (from the URL map)."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.arguments == {"lang"} and not rule.rule.startswith("/staff"):
            with app.test_request_context():
                from flask import url_for

                paths += [url_for(rule.endpoint, lang=lang) for lang in LANGS]
    return sorted(set(paths))


def test_no_public_page_shows_a_sponsors_contact_data(app, client):
    app.config["WTF_CSRF_ENABLED"] = False
    token_page = client.get("/ru/offer").get_data(as_text=True)
    token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', token_page).group(1)
    response = client.post("/ru/offer", data={
        "form_token": token, "donor_type": "sole_proprietor", "org_name": "ИП «Тест»", "tax_id": IIN,
        "contact_name": "Тайная Персона", "phone": "8 705 123 45 99", "email": EMAIL,
        "kinds": ["price_reduction", "backpacks"], "quantity": "10", "discount_percent": "20",
        "shop_name": "Магазин «Тест»", "shop_address": "Астана, ул. Тестовая 1",
        "discount_starts_on": "2023-08-15", "discount_ends_on": "2023-09-01",
        "regions": ["KZ-71"], "consent_data": "y", "consent_public": "y",
    })
    assert response.status_code == 303
    with app.app_context():
        from portal.offers.models import Offer

        offer = db.session.query(Offer).one()
        offer.wall_approved = True
        offer.status = "accepted"
        db.session.commit()
    app.test_cli_runner().invoke(args=["seed", "demo"])

    paths = public_get_paths(app)
    assert "/kk/sponsors" in paths and "/ru/offer" in paths and "/en/" in paths
    visitor = app.test_client()
    wall = visitor.get("/ru/sponsors").get_data(as_text=True)
    assert "ИП «Тест»" in wall and "Магазин «Тест»" in wall  # approved: named, shop listed
    checked = 0
    for path in paths + ["/sitemap.xml", "/robots.txt"]:
        response = visitor.get(path)
        assert response.status_code < 500, path
        body = response.get_data(as_text=True)
        for secret in PHONE_FORMS + (EMAIL, IIN, "Тайная Персона"):
            assert secret not in body, f"{secret} on {path}"
        checked += 1
    assert checked >= 20
