"""The needs board: aggregated needs per region with accessible progress, staff updates (audited, scoped),
and sponsors answering a need from the offer form."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.needs.models import Need
from portal.offers.models import Offer
from tests.factories import make_need
from tests.test_offers import form_token, offer_data

LANGS = ("kk", "ru", "en")


@pytest.mark.parametrize("lang", LANGS)
def test_board_renders_in_every_language(app, client, lang):
    with app.app_context():
        make_need("KZ-61", item="shoes", size_band="30–34", quantity_total=80, quantity_needed=20)
        db.session.commit()
    response = client.get(f"/{lang}/needs/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}"' in html and html.count("<h1") == 1
    assert "30–34" in html
    assert "Set-Cookie" not in response.headers


def test_progress_has_text_values_and_the_last_update(app, client):
    with app.app_context():
        need = make_need("KZ-61", item="backpacks", quantity_total=150, quantity_needed=45)
        make_need("KZ-61", item="shoes", quantity_total=80, quantity_needed=0, covered=True)
        db.session.commit()
        need_id = need.id
    html = client.get("/en/needs/").get_data(as_text=True)
    # Not colour only: the numbers are written out and the bar is labelled by them.
    assert "Received 105 of 150; still needed: 45" in html
    assert f'<progress max="100" value="70" aria-labelledby="need-{need_id}-text">' in html
    assert "Covered" in html
    assert "Last updated: August 15, 2023" in html
    # Open needs link to the offer form with the need; covered ones do not.
    assert html.count('href="/en/offer?need=') == 1
    assert f'href="/en/offer?need={need_id}"' in html


def test_board_filters_by_region(app, client):
    with app.app_context():
        make_need("KZ-61", item="backpacks")
        make_need("KZ-47", item="stationery")
        db.session.commit()
    html = client.get("/en/needs/?region=KZ-47").get_data(as_text=True)
    assert "Stationery sets" in html and "Backpacks" not in html
    assert client.get("/en/needs/?region=nonsense").status_code == 200


def test_offer_form_is_prefilled_from_the_need(app, client):
    with app.app_context():
        need = make_need("KZ-61", item="shoes", quantity_needed=35)
        db.session.commit()
        need_id = need.id
    html = client.get(f"/en/offer?need={need_id}").get_data(as_text=True)
    assert f'name="need_id" type="hidden" value="{need_id}"' in html
    assert re.search(r'<input checked id="kinds-\d+" name="kinds" type="checkbox" value="shoes">', html)
    assert re.search(r'<input checked id="regions-\d+" name="regions" type="checkbox" value="KZ-61">', html)
    assert 'value="35"' in html


def test_an_offer_answering_a_need_is_linked_to_it(app, client):
    with app.app_context():
        need = make_need("KZ-61", item="shoes")
        db.session.commit()
        need_id = need.id
    response = client.post("/en/offer", data=offer_data(form_token(client), need_id=str(need_id)))
    assert response.status_code == 303
    with app.app_context():
        offer = db.session.scalar(sa.select(Offer))
        assert offer.need_id == need_id


@pytest.mark.parametrize("value", ["999999", "abc", ""])
def test_an_unknown_or_edited_need_is_dropped_not_an_error(app, client, value):
    response = client.post("/en/offer", data=offer_data(form_token(client), need_id=value))
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(Offer)).need_id is None


def test_a_covered_need_is_not_linked(app, client):
    with app.app_context():
        need = make_need("KZ-61", covered=True, quantity_needed=0)
        db.session.commit()
        need_id = need.id
    assert 'name="need_id" type="hidden" value=""' in client.get(f"/en/offer?need={need_id}").get_data(as_text=True)
    client.post("/en/offer", data=offer_data(form_token(client), need_id=str(need_id)))
    with app.app_context():
        assert db.session.scalar(sa.select(Offer)).need_id is None


# --- staff -----------------------------------------------------------------------------------


def test_coordinator_publishes_and_updates_a_need_with_audit(app, staff_client):
    coordinator = staff_client("coordinator", "KZ-71")
    data = {"region_code": "KZ-71", "item": "uniforms", "size_band": "122–134",
            "quantity_total": "120", "quantity_needed": "120"}
    response = coordinator.post("/staff/needs/new", data=data)
    assert response.status_code == 302
    with app.app_context():
        need = db.session.scalar(sa.select(Need))
        need_id = need.id
        assert (need.region_code, need.item, need.quantity_needed) == ("KZ-71", "uniforms", 120)
    response = coordinator.post(f"/staff/needs/{need_id}/edit", data={**data, "quantity_needed": "30"})
    assert response.status_code == 302
    response = coordinator.post(f"/staff/needs/{need_id}/edit", data={**data, "quantity_needed": "5", "covered": "y"})
    assert response.status_code == 302
    with app.app_context():
        need = db.session.get(Need, need_id)
        assert need.covered and need.quantity_needed == 0
        entries = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.object_type == "need").order_by(AuditEntry.id)
        ).all()
        assert [e.action for e in entries] == ["create", "update", "update"]
        assert entries[1].changes["quantity_needed"] == [120, 30]
        assert all(e.region_code == "KZ-71" for e in entries)


def test_coordinator_cannot_publish_for_another_region(app, staff_client):
    coordinator = staff_client("coordinator", "KZ-71")
    response = coordinator.post("/staff/needs/new", data={
        "region_code": "KZ-47", "item": "uniforms", "quantity_total": "10", "quantity_needed": "10"})
    assert response.status_code in (403, 422)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Need)) == 0


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"quantity_total": "abc"}, "Enter a whole number."),
        ({"quantity_total": "0"}, "Enter a number from 1 to 1,000,000."),
        ({"quantity_needed": "200"}, "cannot be larger than the number needed in all"),
        ({"item": "ponies"}, "Choose an item from the list."),
    ],
)
def test_bad_input_is_refused_with_a_message(app, staff_client, overrides, message):
    coordinator = staff_client("coordinator", "KZ-71")
    data = {"region_code": "KZ-71", "item": "shoes", "quantity_total": "100", "quantity_needed": "50", **overrides}
    response = coordinator.post("/staff/needs/new", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_staff_list_is_scoped_to_the_region(app, staff_client):
    with app.app_context():
        make_need("KZ-71", size_band="own-band")
        make_need("KZ-47", size_band="other-band")
        db.session.commit()
    html = staff_client("coordinator", "KZ-71").get("/staff/needs/").get_data(as_text=True)
    assert "own-band" in html and "other-band" not in html
    html = staff_client("admin").get("/staff/needs/").get_data(as_text=True)
    assert "own-band" in html and "other-band" in html


# --- offers answering a need, in the back office -----------------------------------------------

NEED_ID_RE = re.compile(r'name="need_id" type="hidden" value="([^"]*)"')


def test_offer_sent_from_a_need_link_remembers_the_need(app, client):
    with app.app_context():
        need = make_need("KZ-61", item="shoes", size_band="30–34")
        db.session.commit()
        need_id = need.id
    html = client.get(f"/en/offer?need={need_id}").get_data(as_text=True)
    carried = NEED_ID_RE.search(html).group(1)
    token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post("/en/offer", data=offer_data(token, need_id=carried, regions=["KZ-61"], kinds=["shoes"]))
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(Offer.need_id)) == need_id


def test_the_need_survives_a_failed_submission(app, client):
    with app.app_context():
        need_id = make_need("KZ-61").id
        db.session.commit()
    token = form_token(client)
    failed = client.post("/en/offer", data=offer_data(token, need_id=str(need_id), contact_name=""))
    assert failed.status_code == 422
    assert NEED_ID_RE.search(failed.get_data(as_text=True)).group(1) == str(need_id)
    assert client.post("/en/offer", data=offer_data(token, need_id=str(need_id))).status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(Offer.need_id)) == need_id


def test_a_bogus_need_is_dropped_from_a_failed_submission_too(app, client):
    assert client.get("/en/offer?need=%3Cscript%3E").status_code == 200
    failed = client.post("/en/offer", data=offer_data(form_token(client), need_id="<b>1e9</b>", contact_name=""))
    assert failed.status_code == 422
    html = failed.get_data(as_text=True)
    assert NEED_ID_RE.search(html).group(1) == "" and "1e9" not in html


def test_a_need_of_a_past_campaign_is_not_linked(app, client):
    import datetime as dt

    from portal.campaigns.models import Campaign

    with app.app_context():
        past = Campaign(year=2022, starts_on=dt.date(2022, 8, 1), ends_on=dt.date(2022, 9, 30))
        db.session.add(past)
        db.session.flush()
        need = make_need("KZ-61")
        need.campaign_id = past.id
        db.session.commit()
        need_id = need.id
    form = client.get(f"/en/offer?need={need_id}").get_data(as_text=True)
    assert f'name="need_id" type="hidden" value="{need_id}"' not in form  # an old poster's link prefills nothing
    response = client.post("/en/offer", data=offer_data(form_token(client), need_id=str(need_id)))
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(Offer)).need_id is None


def _offer_answering(app, offer_regions, need_region):
    from tests.factories import make_offer

    with app.app_context():
        need = make_need(need_region, item="shoes", size_band="30–34")
        offer = make_offer(offer_regions, need_id=need.id)
        db.session.commit()
        return offer.id, need.id


def test_staff_offer_detail_links_the_need_for_staff_who_may_see_it(app, staff_client):
    offer_id, need_id = _offer_answering(app, ["KZ-71", "KZ-47"], "KZ-47")
    link = f'<a href="/staff/needs/{need_id}/edit">Shoes, 30–34 — '
    for client in (staff_client("coordinator", "KZ-47"), staff_client("admin")):
        html = client.get(f"/staff/offers/{offer_id}").get_data(as_text=True)
        assert "Need answered" in html and link in html
        assert client.get(f"/staff/needs/{need_id}/edit").status_code == 200
    # A coordinator of the offer's other region sees which need it answers, but no link to a page they cannot open.
    other = staff_client("coordinator", "KZ-71")
    html = other.get(f"/staff/offers/{offer_id}").get_data(as_text=True)
    assert "Need answered" in html and "Shoes, 30–34 — " in html and f"/staff/needs/{need_id}/edit" not in html
    assert other.get(f"/staff/needs/{need_id}/edit").status_code == 404


def test_staff_offer_detail_without_a_need_says_nothing_about_needs(app, staff_client):
    from tests.factories import make_offer

    with app.app_context():
        offer_id = make_offer("KZ-71").id
        db.session.commit()
    html = staff_client("coordinator", "KZ-71").get(f"/staff/offers/{offer_id}").get_data(as_text=True)
    assert "Need answered" not in html


def test_offers_csv_names_the_need_and_links_it_only_where_allowed(app, staff_client):
    import csv
    import io

    _offer_id, need_id = _offer_answering(app, ["KZ-71", "KZ-47"], "KZ-47")

    def rows(client):
        text = client.post("/staff/offers/export.csv").get_data(as_text=True)
        return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))

    header, row = rows(staff_client("coordinator", "KZ-47"))
    assert header[-2:] == ["Need answered", "Need page"]
    assert row[-2].startswith("Shoes, 30–34 — ")
    assert row[-1] == f"http://localhost/staff/needs/{need_id}/edit"
    _header, row = rows(staff_client("coordinator", "KZ-71"))
    assert row[-2].startswith("Shoes, 30–34 — ") and row[-1] == ""
