"""The public sponsor wall, price pledges, and the promise that sponsors' contact data never reach a public page."""

from __future__ import annotations

import datetime as dt
import re

import pytest

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
