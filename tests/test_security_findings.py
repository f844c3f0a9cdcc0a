"""The penetration test's findings (issue 22), one test (or a few) per finding.

Each test failed on the code the pentest saw; the module named in each section holds the fix.
"""

from __future__ import annotations

import re

import pytest

from portal.appeals.models import Appeal
from portal.extensions import db
from tests.test_appeals import hidden, receipt_code, submit


@pytest.fixture
def csrf_app(app):
    app.config.update(
        WTF_CSRF_ENABLED=True, APPEAL_PEPPER="test-pepper", APPEAL_HASH_TIME_COST=1, APPEAL_HASH_MEMORY_KIB=64,
    )
    return app


def _digits(response) -> str:
    return re.sub(r"\D", "", response.get_data(as_text=True))


# --- a receipt is shown once (portal/appeals/routes.py: confirm) ------------------------------


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_a_replayed_confirm_never_shows_the_receipt_again(csrf_app, token):
    client = csrf_app.test_client()
    response, _data = submit(client)
    html = response.get_data(as_text=True)
    code = receipt_code(html)
    nonce = hidden(html, "nonce")
    confirmed = client.post("/en/appeal/confirm", data={
        "csrf_token": hidden(html, "csrf_token"), "nonce": nonce, "last_digits": code[-5:]})
    assert confirmed.status_code == 302
    replay = {"nonce": nonce, "last_digits": "00000"}
    if token:
        replay["csrf_token"] = token
    for attacker in (client, csrf_app.test_client()):  # the same device, and another one
        again = attacker.post("/en/appeal/confirm", data=replay)
        assert again.status_code == 400
        assert 'class="receipt-code"' not in again.get_data(as_text=True)
        assert code not in _digits(again)
    # With a valid token too (the reporter's own session): the done page, no code.
    valid = client.post("/en/appeal/confirm", data={
        "csrf_token": hidden(html, "csrf_token"), "nonce": nonce, "last_digits": code[-5:]})
    assert valid.status_code == 302 and code not in _digits(valid)


def test_a_confirm_without_a_valid_token_shows_the_form_but_not_the_code(csrf_app):
    client = csrf_app.test_client()
    response, _data = submit(client)
    html = response.get_data(as_text=True)
    code = receipt_code(html)
    stranger = csrf_app.test_client().post("/en/appeal/confirm", data={"nonce": hidden(html, "nonce"), "last_digits": "1"})
    assert stranger.status_code == 400
    page = stranger.get_data(as_text=True)
    assert 'class="receipt-code"' not in page and code not in _digits(stranger)
    assert 'name="last_digits"' in page and "expired" in page
    # The reporter can still confirm with a valid token.
    with csrf_app.app_context():
        assert not db.session.scalar(db.select(Appeal.receipt_confirmed))


# --- limits that hold: no header skips a limit on a write (portal/forms.py: is_inline_validation) ---


def test_htmx_validation_headers_do_not_skip_the_offer_limit_on_a_real_submission(app, client):
    from tests.test_offers import count, form_token, offer_data

    app.config["OFFER_RATE_LIMIT"] = "3 per minute"
    headers = {"HX-Request": "true", "X-Validate-Field": "not-a-field"}
    statuses = [client.post("/en/offer", data=offer_data(form_token(client)), headers=headers).status_code
                for _ in range(5)]
    assert statuses == [303, 303, 303, 429, 429]
    assert count(app) == 3
    # A real inline check (a field of the form) is still not counted, and saves nothing.
    check = client.post("/en/offer", data=offer_data(form_token(client)), headers={**headers, "X-Validate-Field": "email"})
    assert check.status_code == 200 and count(app) == 3
