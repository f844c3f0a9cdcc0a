"""Deliveries of offers (issue 16): staff record what, how many, value, when and where to; partial
deliveries add up; needs count what was pledged and delivered; the board and the form stop at a covered need."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.offers.models import Delivery, Offer
from tests.factories import make_need, make_offer
from tests.test_offers import form_token, offer_data, smtp_server  # noqa: F401  (fixture)


def _offer(app, region_code="KZ-71", **fields):
    with app.app_context():
        offer = make_offer(region_code, **fields)
        db.session.commit()
        return offer.id


def _delivery(**overrides):
    data = {
        "kind": "backpacks", "description": "1–4 сынып", "quantity": "40", "value_tenge": "320 000",
        "children": "40", "delivered_on": "2023-08-14", "region_code": "KZ-71",
        "place": "Алматы ауданы, № 12 мектеп", "locality": "urban",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _status(client, offer_id, status, note=""):
    return client.post(f"/staff/offers/{offer_id}/status", data={"status": status, "note": note})


def test_partial_deliveries_add_up_and_the_last_completes_the_offer(app, staff_client):
    offer_id = _offer(app, "KZ-71", quantity=100, kinds=("backpacks", "stationery"))
    staff = staff_client("coordinator", "KZ-71")
    # Before contact nothing can be delivered; "delivered" needs a recorded delivery.
    assert staff.post(f"/staff/offers/{offer_id}/deliveries", data=_delivery()).status_code == 422
    assert _status(staff, offer_id, "contacted").status_code == 303
    first = staff.post(f"/staff/offers/{offer_id}/deliveries", data=_delivery())
    assert first.status_code == 303, first.get_data(as_text=True)[:3000]
    html = staff.get(f"/staff/offers/{offer_id}").get_data(as_text=True)
    assert "Partly delivered" in html and "Алматы ауданы, № 12 мектеп" in html
    with app.app_context():
        assert db.session.get(Offer, offer_id).status == "accepted"  # the first delivery accepts the offer
    second = staff.post(
        f"/staff/offers/{offer_id}/deliveries",
        data=_delivery(kind="stationery", quantity="60", value_tenge="180000", place="Бостандық ауданы", complete="y"),
    )
    assert second.status_code == 303
    with app.app_context():
        offer = db.session.get(Offer, offer_id)
        assert offer.status == "delivered"
        assert offer.delivered_quantity == 100 and offer.delivered_value == 500_000
        assert [d.kind for d in offer.deliveries] == ["backpacks", "stationery"]
        actions = db.session.execute(
            sa.select(AuditEntry.object_type, AuditEntry.action, AuditEntry.actor).order_by(AuditEntry.id)
        ).all()
        assert ("offer_delivery", "create", staff.user.email) in actions
        assert [a for a in actions if a[0] == "offer_delivery"].__len__() == 2
    html = staff.get(f"/staff/offers/{offer_id}").get_data(as_text=True)
    assert "Record a delivery" not in html  # closed


def test_delivered_needs_a_delivery_record(app, staff_client):
    offer_id = _offer(app, "KZ-71")
    staff = staff_client("coordinator", "KZ-71")
    for status in ("contacted", "accepted"):
        assert _status(staff, offer_id, status).status_code == 303
    refused = _status(staff, offer_id, "delivered")
    assert refused.status_code == 422
    assert "Record what was delivered first" in refused.get_data(as_text=True)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"quantity": "", "value_tenge": ""}, "Give the number of items, the value, or both."),
        ({"place": ""}, "Name the district, settlement or school."),
        ({"place": "Айгүл Н., тел. 8 701 123 45 67"}, "no phone number, e-mail or IIN"),
        ({"place": "ИИН 080101500123"}, "no phone number, e-mail or IIN"),
        ({"delivered_on": "2023-09-30"}, "A delivery cannot be in the future."),
        ({"delivered_on": "31.02.2023"}, "Enter a date"),
        ({"region_code": "KZ-47"}, "Choose a region from the list."),
        ({"locality": "moon"}, "Say whether it went to a town or a village."),
        ({"kind": "price_reduction"}, "Choose from the list."),
        ({"quantity": "-5"}, "Enter a whole number."),
        ({"value_tenge": "99999999999999"}, "Enter an amount from 1 to 10,000,000,000 tenge."),
    ],
)
def test_bad_delivery_input_gets_a_message_and_saves_nothing(app, staff_client, overrides, message):
    offer_id = _offer(app, "KZ-71", status="contacted")
    staff = staff_client("coordinator", "KZ-71")
    response = staff.post(f"/staff/offers/{offer_id}/deliveries", data=_delivery(**overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 0


def test_coordinators_record_deliveries_only_in_their_region(app, staff_client):
    two = _offer(app, ["KZ-71", "KZ-47"], status="contacted")
    other = _offer(app, "KZ-47", status="contacted")
    staff = staff_client("coordinator", "KZ-71")
    assert staff.post(f"/staff/offers/{other}/deliveries", data=_delivery(region_code="KZ-47")).status_code == 404
    # An offer of two regions: this coordinator delivers to their own region only.
    assert staff.post(f"/staff/offers/{two}/deliveries", data=_delivery(region_code="KZ-47")).status_code == 422
    assert staff.post(f"/staff/offers/{two}/deliveries", data=_delivery()).status_code == 303
    admin = staff_client("admin")
    assert admin.post(f"/staff/offers/{two}/deliveries", data=_delivery(region_code="KZ-47")).status_code == 303
    assert admin.post(f"/staff/offers/{two}/deliveries", data=_delivery(region_code="KZ-15")).status_code == 422


def test_delivery_page_in_kazakh_and_russian(app, staff_client):
    from portal.staff.models import StaffUser

    offer_id = _offer(app, "KZ-71", status="contacted")
    staff = staff_client("coordinator", "KZ-71")
    for lang in ("kk", "ru"):
        with app.app_context():
            db.session.get(StaffUser, staff.user.id).language = lang
            db.session.commit()
        html = staff.get(f"/staff/offers/{offer_id}").get_data(as_text=True)
        assert "Record a delivery" not in html and "District, settlement or school" not in html
        assert ("Табыстауды жазу" if lang == "kk" else "Записать передачу") in html


# --- needs ------------------------------------------------------------------------------------------


def test_need_counts_pledged_and_delivered_and_stops_when_covered(app, client, staff_client):
    with app.app_context():
        need = make_need("KZ-61", item="shoes", quantity_total=100, quantity_needed=60)
        db.session.commit()
        need_id = need.id
    html = client.get("/en/needs/").get_data(as_text=True)
    assert "Received 40 of 100; still needed: 60" in html and f"/en/offer?need={need_id}" in html

    def pledge(quantity):
        response = client.post(
            "/en/offer", data=offer_data(form_token(client), need_id=str(need_id), quantity=str(quantity), regions=["KZ-61"], kinds=["shoes"])
        )
        assert response.status_code == 303
        with app.app_context():
            return db.session.scalar(sa.select(Offer).order_by(Offer.id.desc()))

    first = pledge(25)
    assert first.need_id == need_id
    html = client.get("/en/needs/").get_data(as_text=True)
    assert "Received 40 of 100; still needed: 35" in html
    assert "Sponsors through this site: pledged 25, delivered 0." in html
    # The form is prefilled with what is still needed.
    assert 'value="35"' in client.get(f"/en/offer?need={need_id}").get_data(as_text=True)

    staff = staff_client("coordinator", "KZ-61")
    assert _status(staff, first.id, "contacted").status_code == 303
    assert staff.post(
        f"/staff/offers/{first.id}/deliveries", data=_delivery(kind="shoes", quantity="30", region_code="KZ-61")
    ).status_code == 303
    html = client.get("/en/needs/").get_data(as_text=True)
    # Delivering more than pledged counts what arrived.
    assert "Received 70 of 100; still needed: 30" in html and "pledged 30, delivered 30." in html

    second = pledge(30)
    assert second.need_id == need_id
    html = client.get("/en/needs/").get_data(as_text=True)
    assert "still needed: 0" in html and "Covered" in html
    assert f"/en/offer?need={need_id}" not in html  # no more invitations
    # The form refuses the covered need: the offer is kept, not linked.
    assert 'name="need_id" type="hidden" value=""' in client.get(f"/en/offer?need={need_id}").get_data(as_text=True)
    assert pledge(5).need_id is None

    # A declined pledge gives its share back.
    with app.app_context():
        db.session.get(Offer, second.id).status = "declined"
        db.session.commit()
    assert f"/en/offer?need={need_id}" in client.get("/en/needs/").get_data(as_text=True)


def test_board_queries_do_not_grow_with_needs(app, client, count_queries):
    def add(n):
        with app.app_context():
            for i in range(n):
                make_need("KZ-61", item="shoes", size_band=str(i))
            db.session.commit()

    add(3)
    client.get("/en/needs/")
    with count_queries() as few:
        client.get("/en/needs/")
    add(30)
    with count_queries() as many:
        client.get("/en/needs/")
    assert many.count == few.count


# --- thank-you ----------------------------------------------------------------------------------------


def test_thank_you_email_in_the_sponsors_language_once(app, client, staff_client, smtp_server):  # noqa: F811
    from email import message_from_bytes
    from email.header import decode_header, make_header

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    offer_id = _offer(app, "KZ-71", status="accepted", language="ru", email="giver@example.kz")
    staff = staff_client("coordinator", "KZ-71")
    assert staff.post(f"/staff/offers/{offer_id}/deliveries", data=_delivery()).status_code == 303
    assert smtp_server.messages == []  # partly delivered: no thanks yet
    assert staff.post(f"/staff/offers/{offer_id}/deliveries", data=_delivery(quantity="10", complete="y")).status_code == 303
    assert len(smtp_server.messages) == 1
    message = message_from_bytes(smtp_server.messages[0].content)
    assert smtp_server.messages[0].rcpt_tos == ["giver@example.kz"]
    subject = str(make_header(decode_header(message["Subject"])))
    body = message.get_payload(decode=True).decode("utf-8")
    assert "Спасибо" in subject and "Алматы ауданы, № 12 мектеп" in body and "320" in body
    with app.app_context():
        assert db.session.get(Offer, offer_id).thanked_at is not None


# --- the chain, end to end -------------------------------------------------------------------------


def test_pledge_to_delivery_to_report_to_sponsor_page_and_wall(app, client, staff_client):
    """offer → contacted → partly delivered → delivered → need progress → report proposal (confirmed)
    → published version → the sponsor's page and the wall."""

    from portal.reports.models import Allocation

    with app.app_context():
        need = make_need("KZ-71", item="backpacks", quantity_total=100, quantity_needed=80)
        db.session.commit()
        need_id = need.id
    # Offer (from the needs board), with consent to be named.
    response = client.post("/en/offer", data=offer_data(
        form_token(client), need_id=str(need_id), quantity="50", kinds=["backpacks"], regions=["KZ-71"],
        consent_public="y", public_name="Mektep Sauda",
    ))
    assert response.status_code == 303
    link = re.search(r'href="(/en/offer/MZ-[^"]+)"', client.get("/en/offer/received").get_data(as_text=True)).group(1)
    with app.app_context():
        offer_id = db.session.scalar(sa.select(Offer.id))
    coordinator = staff_client("coordinator", "KZ-71")
    assert _status(coordinator, offer_id, "contacted").status_code == 303
    assert coordinator.post(f"/staff/offers/{offer_id}/wall", data={"show": "1"}).status_code == 303
    # Partly delivered...
    assert coordinator.post(f"/staff/offers/{offer_id}/deliveries", data=_delivery(
        quantity="20", value_tenge="160000", children="20", locality="rural", place="Ақмола ауылы")).status_code == 303
    assert "Partly delivered" in client.get(link).get_data(as_text=True)
    # ... then delivered.
    assert coordinator.post(f"/staff/offers/{offer_id}/deliveries", data=_delivery(
        quantity="30", value_tenge="240000", children="30", complete="y")).status_code == 303
    page = client.get(link).get_data(as_text=True)
    assert "Thank you! Your help has reached the children" in page and "Ақмола ауылы" in page
    # The need counts it.
    board = client.get("/en/needs/").get_data(as_text=True)
    assert "Received 70 of 100; still needed: 30" in board and "pledged 50, delivered 50." in board
    # The wall names the sponsor with what they delivered in the region.
    wall = client.get("/en/sponsors?region=KZ-71").get_data(as_text=True)
    assert "Mektep Sauda" in wall and "Delivered: 50 pcs worth 400,000" in wall.replace("\u00a0", " ").replace("\u202f", ",")

    # The report: a hand-typed sponsors line disagrees until the region confirms the proposal.
    with app.app_context():
        from portal.campaigns.models import Campaign

        campaign = db.session.scalar(sa.select(Campaign).where(Campaign.year == 2023))
        db.session.add(Allocation(campaign_id=campaign.id, region_code="KZ-71", recipient_group="low_income",
                                  aid_kind="backpack", source="sponsors", children=45, amount=1, items=45, batch="form"))
        db.session.add(Allocation(campaign_id=campaign.id, region_code="KZ-71", recipient_group="low_income",
                                  aid_kind="uniform", source="local_budget", children=80, amount=800_000, items=80, batch="form"))
        db.session.commit()
    proposal = coordinator.get("/staff/reports/sponsors?year=2023").get_data(as_text=True)
    assert "The report differs from the deliveries" in proposal
    other = staff_client("coordinator", "KZ-47")
    assert "Akmola" not in other.get("/staff/reports/sponsors?year=2023").get_data(as_text=True)
    refused = other.post("/staff/reports/sponsors/confirm?year=2023", data={"confirm": "yes", "region": "KZ-71"})
    assert refused.status_code == 303
    confirmed = coordinator.post("/staff/reports/sponsors/confirm?year=2023", data={"confirm": "yes", "region": "KZ-71"})
    assert confirmed.status_code == 303
    assert "The report agrees with the deliveries" in coordinator.get("/staff/reports/sponsors?year=2023").get_data(as_text=True)
    with app.app_context():
        lines = db.session.execute(sa.select(Allocation.source, Allocation.aid_kind, Allocation.children,
                                             Allocation.amount, Allocation.items, Allocation.batch)
                                   .order_by(Allocation.source)).all()
        assert sorted(lines) == [("local_budget", "uniform", 80, 800_000, 80, "form"),
                                 ("sponsors", "backpack", 50, 400_000, 50, "deliveries")]
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "confirm_deliveries"))
        assert entry.region_code == "KZ-71" and entry.changes["replaced_lines"] == 1
    # Published: the version carries the confirmed sponsors figures.
    from tests.test_reports import publish_report

    publish_report(app, lines=None)
    with app.app_context():
        from portal.reports.models import ReportVersion

        version = db.session.scalar(sa.select(ReportVersion))
        assert version.totals["amount"] == 1_200_000 and version.totals["children"] == 130
        data = version.file("data.csv").content.decode("utf-8-sig")
    assert "sponsors" in data and "400000" in data


# --- which group of children a delivery reached ------------------------------------------------------


def test_a_delivery_names_its_group_of_children_on_the_staff_and_sponsor_pages(app, client, staff_client):
    from portal.offers.services import issue_private_token

    with app.app_context():
        offer = make_offer("KZ-71", status="contacted", language="ru")
        token = issue_private_token(offer)
        db.session.commit()
        offer_id, link = offer.id, f"/ru/offer/{offer.reference}/{token}"
    staff = staff_client("coordinator", "KZ-71")
    form = staff.get(f"/staff/offers/{offer_id}").get_data(as_text=True)
    assert 'name="recipient_group"' in form and "Large family" in form
    refused = staff.post(f"/staff/offers/{offer_id}/deliveries", data=_delivery(recipient_group="children_of_x"))
    assert refused.status_code == 422 and "Choose from the list." in refused.get_data(as_text=True)
    assert staff.post(f"/staff/offers/{offer_id}/deliveries", data=_delivery(recipient_group="orphan")).status_code == 303
    assert staff.post(f"/staff/offers/{offer_id}/deliveries", data=_delivery(place="Ауыл", recipient_group="")).status_code == 303
    with app.app_context():
        groups = [d.recipient_group for d in db.session.get(Offer, offer_id).deliveries]
    assert groups == ["orphan", None]  # not stated stays empty, never guessed
    rows = staff.get(f"/staff/offers/{offer_id}").get_data(as_text=True).split('id="deliveries-title"')[1].split("</table>")[0]
    assert "<td>Orphan</td>" in rows and "<td>—</td>" in rows
    sponsor = client.get(link).get_data(as_text=True)
    assert "Категория детей" in sponsor and "<td>Сирота</td>" in sponsor


def test_the_proposal_puts_each_delivery_under_its_group(app, staff_client):
    from portal.campaigns.models import Campaign
    from portal.reports.models import Allocation

    offer_id = _offer(app, "KZ-71", status="contacted", kinds=("backpacks", "stationery"))
    staff = staff_client("coordinator", "KZ-71")
    for data in (
        _delivery(quantity="10", value_tenge="80000", children="10", recipient_group="orphan"),
        _delivery(quantity="5", value_tenge="40000", children="5", recipient_group="orphan"),
        _delivery(quantity="20", value_tenge="160000", children="20", recipient_group="large_family"),
        _delivery(quantity="7", value_tenge="56000", children="7"),  # group not stated: "other recipients"
    ):
        assert staff.post(f"/staff/offers/{offer_id}/deliveries", data=data).status_code == 303
    with app.app_context():
        campaign_id = db.session.scalar(sa.select(Campaign.id).where(Campaign.year == 2023))
        # A hand-typed line that matches one group agrees; the rest of the region still differs.
        db.session.add(Allocation(campaign_id=campaign_id, region_code="KZ-71", recipient_group="orphan",
                                  aid_kind="backpack", source="sponsors", children=15, amount=120_000, items=15,
                                  batch="form"))
        db.session.commit()
    page = staff.get("/staff/reports/sponsors?year=2023").get_data(as_text=True)
    table = page.split('id="proposal-KZ-71"')[1].split("</table>")[0]
    rows = re.findall(r'<th scope="row">([^<]+)</th><th scope="row">([^<]+)</th>\s*<td class="num">([^<]+)</td>'
                      r'<td class="num">([^<]+)</td>', table)
    assert rows == [  # the report's order of groups; children from deliveries, then in the report
        ("Large family", "Backpack", "20", "—"), ("Orphan", "Backpack", "15", "15"), ("Other recipients", "Backpack", "7", "—"),
    ]
    assert "The report differs from the deliveries" in page
    assert staff.post("/staff/reports/sponsors/confirm?year=2023",
                      data={"confirm": "yes", "region": "KZ-71"}).status_code == 303
    assert "The report agrees with the deliveries" in staff.get("/staff/reports/sponsors?year=2023").get_data(as_text=True)
    with app.app_context():
        lines = db.session.execute(
            sa.select(Allocation.recipient_group, Allocation.aid_kind, Allocation.children, Allocation.amount,
                      Allocation.items).where(Allocation.source == "sponsors")
        ).all()
    assert sorted(lines) == [
        ("large_family", "backpack", 20, 160_000, 20),
        ("orphan", "backpack", 15, 120_000, 15),
        ("other", "backpack", 7, 56_000, 7),
    ]


def test_the_migration_keeps_existing_deliveries_without_a_group(tmp_path):
    """0430 on SQLite and PostgreSQL: deliveries recorded before it keep no group and count as "other"."""
    import flask_migrate

    from portal import create_app
    from portal.reports.proposal import proposals
    from tests.conftest import make_config, migrate_and_seed, throwaway_database

    with throwaway_database(tmp_path, "groups") as url:
        app = create_app(make_config(url))
        migrate_and_seed(app)
        with app.app_context():
            flask_migrate.downgrade(revision="0420")
            assert "recipient_group" not in {c["name"] for c in sa.inspect(db.engine).get_columns("offer_delivery")}
            offer = make_offer("KZ-71", status="accepted")
            db.session.flush()
            db.session.execute(sa.text(
                "INSERT INTO offer_delivery (offer_id, kind, description, quantity, value_tenge, children, delivered_on,"
                " region_code, place, locality, created_at) VALUES (:offer, 'shoes', '', 3, 30000, 3, '2023-08-10',"
                " 'KZ-71', 'Ауыл', 'rural', '2023-08-10 06:00:00+00:00')"
            ), {"offer": offer.id})
            campaign_id = offer.campaign_id
            db.session.commit()
            db.session.remove()
            flask_migrate.upgrade(revision="heads")
            delivery = db.session.scalar(sa.select(Delivery))
            assert delivery.recipient_group is None and delivery.group_label == ""
            (proposal,) = proposals(campaign_id)
            assert list(proposal.proposed) == [("other", "shoes")]
            db.session.remove()
            db.engine.dispose()
