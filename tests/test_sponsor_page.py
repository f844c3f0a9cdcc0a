"""The sponsor's private page (issue 16): reference + private link, no account; status, deliveries and
thanks in their language; withdrawing consent to the sponsor list is immediate and audited; the link
opens one offer only and guessing gets nothing."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.offers.models import Offer
from tests.factories import make_offer
from tests.test_offers import form_token, offer_data, smtp_server  # noqa: F401  (fixture)

LINK = re.compile(r'href="(/(?:kk|ru|en)/offer/MZ-\d{4}-\d{6}/[A-Za-z0-9_-]{43})"')


def _send(client, lang="en", **overrides):
    response = client.post(f"/{lang}/offer", data=offer_data(form_token(client, lang), **overrides))
    assert response.status_code == 303
    html = client.get(f"/{lang}/offer/received").get_data(as_text=True)
    return LINK.search(html).group(1)


def _private_offer(app, region="KZ-71", **fields):
    from portal.offers.services import issue_private_token

    with app.app_context():
        offer = make_offer(region, **fields)
        token = issue_private_token(offer)
        db.session.commit()
        return offer.id, f"/{offer.language}/offer/{offer.reference}/{token}"


def test_the_confirmation_gives_a_private_link_that_shows_the_offer(app, client):
    link = _send(client, "ru", kinds=["backpacks"], regions=["KZ-71"])
    response = client.get(link)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store" and "noindex" in response.headers["X-Robots-Tag"]
    html = response.get_data(as_text=True)
    assert "MZ-2023-000001" in html and '<html lang="ru"' in html
    # The sponsor's own contact data is not repeated on a page reachable by a link.
    assert "Sponsor@Example.kz".lower() not in html.lower() and "701 123 45 67" not in html
    with app.app_context():
        stored = db.session.scalar(sa.select(Offer))
        assert stored.access_token_hash and stored.access_token_hash not in link
        assert link.rsplit("/", 1)[1] not in repr(db.session.execute(sa.text("SELECT * FROM offer")).all())


def test_the_confirmation_email_carries_the_link_in_the_sponsors_language(app, client, smtp_server):  # noqa: F811
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    link = _send(client, "kk")
    body = smtp_server.messages[0].content.decode("utf-8", "replace")
    from email import message_from_bytes

    text = message_from_bytes(smtp_server.messages[0].content).get_payload(decode=True).decode("utf-8")
    assert "http://localhost" + link in text and "/kk/offer/" in text
    assert body  # sent once
    assert len(smtp_server.messages) == 1


def test_guessing_gets_nothing_and_a_link_opens_one_offer_only(app, client):
    first_id, first = _private_offer(app, org_name="First Sponsor LLP", phone="+77011110001")
    second_id, second = _private_offer(app, org_name="Second Sponsor LLP", phone="+77011110002")
    assert "First Sponsor" not in client.get(second).get_data(as_text=True)
    _lang, _o, ref1, token1 = first.strip("/").split("/")
    _lang, _o, ref2, token2 = second.strip("/").split("/")
    not_found = client.get(f"/en/offer/{ref1}/{'A' * 43}")
    for path in (
        f"/en/offer/{ref1}/{token2}",  # another offer's token
        f"/en/offer/{ref2}/{token1}",
        f"/en/offer/{ref1}/{token1[:-1]}",  # one character short
        f"/en/offer/{ref1}",  # the reference alone
        f"/en/offer/MZ-2023-999999/{token1}",
        f"/en/offer/{ref1}/{'x' * 5000}",
        f"/en/offer/{ref1}/%00",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Sponsor LLP" not in response.get_data(as_text=True)
    # An unknown reference and a wrong token look the same.
    unknown = client.get(f"/en/offer/MZ-2023-999999/{token1}")
    assert unknown.status_code == not_found.status_code == 404
    assert len(unknown.get_data()) == len(not_found.get_data())
    # Withdrawing with a wrong link changes nothing.
    assert client.post(f"/en/offer/{ref1}/{token2}/consent").status_code == 404
    # An offer from before private links (no token stored) opens with no token either.
    with app.app_context():
        legacy = make_offer("KZ-71")
        db.session.commit()
        assert legacy.access_token_hash is None
        assert client.get(f"/en/offer/{legacy.reference}/{'0' * 64}").status_code == 404


def test_status_deliveries_and_thanks_in_the_sponsors_language(app, client, staff_client):
    offer_id, link = _private_offer(app, language="kk", status="contacted", kinds=("backpacks",), quantity=100)
    html = client.get(link).get_data(as_text=True)
    assert "Әзірге ештеңе табысталды деп жазылған жоқ." in html
    staff = staff_client("coordinator", "KZ-71")
    delivery = {"kind": "backpacks", "quantity": "60", "value_tenge": "480000", "delivered_on": "2023-08-14",
                "region_code": "KZ-71", "place": "Сарыарқа ауданы, № 5 мектеп", "locality": "urban"}
    assert staff.post(f"/staff/offers/{offer_id}/deliveries", data=delivery).status_code == 303
    html = client.get(link).get_data(as_text=True)
    assert "Сарыарқа ауданы, № 5 мектеп" in html and "Ішінара табысталды" in html
    delivery.update(quantity="40", value_tenge="320000", complete="y")
    assert staff.post(f"/staff/offers/{offer_id}/deliveries", data=delivery).status_code == 303
    html = client.get(link).get_data(as_text=True)
    assert "Рақмет! Көмегіңіз балаларға жетті" in html and "<strong>Табысталды</strong>" in html
    # The same page in Russian, by its language prefix.
    ru = client.get(link.replace("/kk/", "/ru/", 1)).get_data(as_text=True)
    assert "Спасибо" in ru and "800" in ru


def test_withdrawing_consent_is_immediate_audited_and_clears_the_cached_wall(app, database_url):
    from portal import create_app
    from tests.conftest import make_config

    cached = create_app(make_config(database_url, PAGE_CACHE_ENABLED=True))
    try:
        with cached.app_context():
            from portal.offers.services import issue_private_token

            offer = make_offer("KZ-71", org_name="Proud Sponsor LLP", consent_public=True, wall_approved=True)
            token = issue_private_token(offer)
            db.session.commit()
            offer_id, link = offer.id, f"/en/offer/{offer.reference}/{token}"
        cache = cached.extensions["page_cache"]
        visitor = cached.test_client(use_cookies=False)
        sponsor = cached.test_client()
        for path in ("/en/sponsors", "/en/sponsors?region=KZ-71"):
            assert "Proud Sponsor LLP" in visitor.get(path).get_data(as_text=True)
        hits = cache.hits
        assert "Proud Sponsor LLP" in visitor.get("/en/sponsors").get_data(as_text=True)
        assert cache.hits == hits + 1  # served from the cache
        page = sponsor.get(link).get_data(as_text=True)
        assert "You are named on the sponsor list as “Proud Sponsor LLP”." in page
        response = sponsor.post(link + "/consent")
        assert response.status_code == 303 and response.headers["Location"].endswith(link)
        assert "You are not named on the sponsor list." in sponsor.get(link).get_data(as_text=True)
        for path in ("/en/sponsors", "/en/sponsors?region=KZ-71"):
            assert "Proud Sponsor LLP" not in visitor.get(path).get_data(as_text=True), path
        with cached.app_context():
            offer = db.session.get(Offer, offer_id)
            assert not offer.consent_public and not offer.wall_approved and offer.consent_withdrawn_at is not None
            entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "consent_withdraw"))
            assert entry.actor == "sponsor" and entry.object_id == str(offer_id) and entry.region_code == "KZ-71"
            assert entry.changes["consent_public"] == [True, False] and entry.changes["wall_approved"] == [True, False]
            assert "access_token_hash" not in entry.changes
        # Staff cannot put the sponsor back on the wall without a new consent.
        admin_refusal = None
        with cached.app_context():
            offer = db.session.get(Offer, offer_id)
            admin_refusal = offer.can_go_on_wall
        assert admin_refusal is False
    finally:
        with cached.app_context():
            db.session.remove()
            db.engine.dispose()


def test_withdrawing_needs_the_csrf_token_when_csrf_is_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    offer_id, link = _private_offer(app, consent_public=True, wall_approved=True)
    client = app.test_client()
    assert client.post(link + "/consent").status_code == 400
    with app.app_context():
        assert db.session.get(Offer, offer_id).consent_public  # nothing changed without the token
    html = client.get(link).get_data(as_text=True)
    csrf = re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    assert client.post(link + "/consent", data={"csrf_token": csrf}).status_code == 303
    with app.app_context():
        assert not db.session.get(Offer, offer_id).consent_public


def test_the_wall_shows_what_each_sponsor_delivered_by_region(app, client, staff_client):
    offer_id, _link = _private_offer(
        app, ["KZ-71", "KZ-47"], org_name="Two Regions LLP", consent_public=True, wall_approved=True, status="accepted"
    )
    admin = staff_client("admin")
    base = {"kind": "backpacks", "delivered_on": "2023-08-14", "place": "Аудан", "locality": "rural"}
    assert admin.post(f"/staff/offers/{offer_id}/deliveries", data={**base, "region_code": "KZ-71", "quantity": "30", "value_tenge": "240000"}).status_code == 303
    assert admin.post(f"/staff/offers/{offer_id}/deliveries", data={**base, "region_code": "KZ-47", "quantity": "5"}).status_code == 303
    kz71 = client.get("/en/sponsors?region=KZ-71").get_data(as_text=True)
    assert "Two Regions LLP" in kz71 and "Delivered: 30 pcs worth" in kz71
    kz47 = client.get("/en/sponsors?region=KZ-47").get_data(as_text=True)
    assert "Delivered: 5 pcs" in kz47 and "worth" not in kz47.split("Two Regions LLP")[1].split("</li>")[0]
    overview = client.get("/en/sponsors").get_data(as_text=True)
    assert overview.count("Delivered: ") == 2
    # Without consent the wall says nothing of them.
    with app.app_context():
        db.session.get(Offer, offer_id).consent_public = False
        db.session.commit()
    assert "Two Regions LLP" not in client.get("/en/sponsors").get_data(as_text=True)


def test_demo_shows_partly_delivered_and_delivered_offers(app, client, runner):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        offers = {o.form_token: o for o in db.session.scalars(sa.select(Offer).where(Offer.is_demo))}
        assert offers["demo-offer-01"].progress == "partly_delivered"
        assert offers["demo-offer-02"].status == "delivered" and offers["demo-offer-02"].delivered_quantity == 120
    assert "Delivered: 120 pcs worth" in client.get("/en/sponsors?region=KZ-15").get_data(as_text=True).replace("\u00a0", " ")


# --- a new private link from the back office -------------------------------------------------------

MAILED_LINK = re.compile(r"http://localhost(/(?:kk|ru|en)/offer/MZ-\d{4}-\d{6}/[A-Za-z0-9_-]{43})")


def _mail(envelope):
    from email import message_from_bytes
    from email.header import decode_header, make_header

    message = message_from_bytes(envelope.content)
    return str(make_header(decode_header(message["Subject"]))), message.get_payload(decode=True).decode("utf-8")


def test_an_old_offer_gets_a_new_link_by_email_in_the_sponsors_language(app, client, staff_client, smtp_server):  # noqa: F811
    """An offer from before private links: staff send a link → it arrives in Kazakh → it opens the page;
    a second link replaces the first at once; the audit log names the action, never the token."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    with app.app_context():
        offer = make_offer("KZ-71", language="kk", email="old.sponsor@example.kz", org_name="Old Sponsor LLP")
        other = make_offer("KZ-71", org_name="Other Sponsor LLP")
        db.session.commit()
        offer_id, reference, other_reference = offer.id, offer.reference, other.reference
        assert offer.access_token_hash is None
    staff = staff_client("coordinator", "KZ-71")
    page = staff.get(f"/staff/offers/{offer_id}").get_data(as_text=True)
    assert "This offer was made before private links: the sponsor has none yet." in page
    assert "the old link stops working at once" in page and "old.sponsor@example.kz in the sponsor" in page

    response = staff.post(f"/staff/offers/{offer_id}/private-link")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/staff/offers/{offer_id}")
    assert len(smtp_server.messages) == 1 and smtp_server.messages[0].rcpt_tos == ["old.sponsor@example.kz"]
    subject, body = _mail(smtp_server.messages[0])
    assert reference in subject and "жаңа сілтеме" in subject.lower()
    first = MAILED_LINK.search(body).group(1)
    assert first.startswith(f"/kk/offer/{reference}/") and "бұрынғы сілтемелері" in body  # "any earlier link … no longer works"
    sponsor_page = client.get(first)
    assert sponsor_page.status_code == 200 and reference in sponsor_page.get_data(as_text=True)
    assert "Other Sponsor LLP" not in sponsor_page.get_data(as_text=True)
    token = first.rsplit("/", 1)[1]
    assert client.get(f"/kk/offer/{other_reference}/{token}").status_code == 404  # opens this offer only
    after = staff.get(f"/staff/offers/{offer_id}").get_data(as_text=True)
    assert "A new private link has been sent" in after and token not in after
    assert "made the sponsor a new private link" in after  # the history

    assert staff.post(f"/staff/offers/{offer_id}/private-link").status_code == 303
    second = MAILED_LINK.search(_mail(smtp_server.messages[1])[1]).group(1)
    assert second != first
    assert client.get(first).status_code == 404  # the old link stopped working at once
    assert client.get(second).status_code == 200
    with app.app_context():
        entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "private_link")).all()
        stored = db.session.get(Offer, offer_id).access_token_hash
        assert [e.changes for e in entries] == [{"sent_to": "email"}] * 2
        assert {e.object_id for e in entries} == {str(offer_id)} and {e.region_code for e in entries} == {"KZ-71"}
        everything = repr([e.changes for e in entries])
        assert token not in everything and second.rsplit("/", 1)[1] not in everything and stored not in everything


@pytest.mark.parametrize("case", ["no e-mail address", "no mail server", "mail server down"])
def test_without_e_mail_the_link_is_shown_once_to_pass_on(app, client, staff_client, smtp_server, case):  # noqa: F811
    from tests.test_offers import _free_port

    if case != "no mail server":
        port = smtp_server.port if case == "no e-mail address" else _free_port()
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=2)
    offer_id, path = _private_offer(app, language="ru", email="" if case == "no e-mail address" else "a@example.kz")
    staff = staff_client("coordinator", "KZ-71")
    if case != "mail server down":
        assert "It is shown to you once" in staff.get(f"/staff/offers/{offer_id}").get_data(as_text=True)
    response = staff.post(f"/staff/offers/{offer_id}/private-link")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    link = re.search(r'value="http://localhost(/ru/offer/[^"]+)"', html).group(1)
    assert "It is shown only this once" in html
    assert ("could not be sent" in html) == (case == "mail server down")
    assert smtp_server.messages == []
    assert client.get(link).status_code == 200
    assert client.get(path).status_code == 404  # the link the sponsor had before
    # Shown once: the offer's page never repeats it.
    assert link.rsplit("/", 1)[1] not in staff.get(f"/staff/offers/{offer_id}").get_data(as_text=True)
    with app.app_context():
        sent_to = [e.changes["sent_to"] for e in db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "private_link").order_by(AuditEntry.id))]
    assert sent_to == (["email", "staff"] if case == "mail server down" else ["staff"])


def test_only_staff_who_may_edit_the_offer_make_a_new_link(app, client, staff_client):
    offer_id, path = _private_offer(app, "KZ-71")
    with app.app_context():
        before = db.session.get(Offer, offer_id).access_token_hash
    other_region = staff_client("coordinator", "KZ-47")
    assert other_region.post(f"/staff/offers/{offer_id}/private-link").status_code == 404
    assert staff_client("analyst").post(f"/staff/offers/{offer_id}/private-link").status_code == 403
    assert client.post(f"/staff/offers/{offer_id}/private-link").status_code in (302, 303, 401)  # not signed in
    with app.app_context():
        assert db.session.get(Offer, offer_id).access_token_hash == before
        assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "private_link")) is None
    assert client.get(path).status_code == 200  # the sponsor's link still works
    # A national admin may.
    assert staff_client("admin").post(f"/staff/offers/{offer_id}/private-link").status_code == 200
    assert client.get(path).status_code == 404


def test_a_new_link_needs_the_csrf_token(app, staff_client):
    offer_id, path = _private_offer(app, "KZ-71")
    staff = staff_client("coordinator", "KZ-71")
    app.config["WTF_CSRF_ENABLED"] = True
    assert staff.post(f"/staff/offers/{offer_id}/private-link").status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "private_link")) is None
