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


# --- limiter keys: per form, forgotten every hour (portal/ratelimit.py) ---------------------------


def _key_for(app, path, address="203.0.113.7"):
    from portal import ratelimit

    with app.test_request_context(path, method="POST", environ_base={"REMOTE_ADDR": address}):
        return ratelimit.client_token()


def test_limiter_keys_are_per_form_and_not_the_address(app):
    import hashlib
    import hmac
    import ipaddress

    appeal, offer, sign_in = (_key_for(app, p) for p in ("/en/appeal", "/en/offer", "/staff/login"))
    assert len({appeal, offer, sign_in}) == 3  # the store cannot link an appeal to an offer or a sign-in
    assert appeal == _key_for(app, "/kk/appeal/check")  # one form family, one key: the shared check limit holds
    assert appeal != _key_for(app, "/en/appeal", "203.0.113.8")
    secret_key = app.config["SECRET_KEY"].encode()
    # Nothing derived from the configuration finds the address behind a key (the pentest's /16 search).
    for host in ipaddress.ip_network("203.0.113.0/24"):
        for key in (secret_key, hashlib.sha256(secret_key).digest()):
            for form in (b"", b"appeals", b"address\x00appeals\x00"):
                guess = hmac.new(key, form + str(host).encode(), hashlib.sha256).hexdigest()[:32]
                assert guess != appeal
        assert str(host) not in appeal


def test_the_hour_secret_is_shared_by_workers_and_forgotten_after_its_hour(tmp_path):
    import os
    import stat

    from portal import ratelimit

    uri = ratelimit.default_storage_uri(str(tmp_path))
    worker_a, worker_b = ratelimit.SQLiteStorage(uri), ratelimit.SQLiteStorage(uri)
    hour = ratelimit._hour()
    old = worker_a.shared_secret("portal-ratelimit-secret:%d" % (hour - 1), -1)  # an hour that has ended
    ratelimit._secrets.clear()
    current = ratelimit.hour_secret(worker_a, hour)
    ratelimit._secrets.clear()
    assert ratelimit.hour_secret(worker_b, hour) == current != old
    files = [tmp_path / name for name in os.listdir(tmp_path)]
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in files if path.suffix == ".sqlite3")
    assert not any(old in path.read_bytes() for path in files)  # deleted, overwritten, out of the log
    assert any(current in path.read_bytes() for path in files)
    # Counters are shared by every worker: 4 hits through two connections count 4.
    for storage in (worker_a, worker_b, worker_a, worker_b):
        storage.incr("k", 60)
    assert worker_a.get("k") == worker_b.get("k") == 4


def test_sign_in_has_a_per_account_limit_on_top_of_the_per_address_one(app):
    from tests.factories import make_staff

    app.config.update(STAFF_SIGN_IN_RATE_LIMIT="100 per minute", STAFF_ACCOUNT_RATE_LIMIT="3 per minute")
    with app.app_context():
        user = make_staff(role="admin")
        db.session.commit()
        email = user.email
    client = app.test_client()
    statuses = [
        client.post("/staff/login", data={"email": email, "password": "wrong"},
                    environ_base={"REMOTE_ADDR": "198.51.100.%d" % i}).status_code
        for i in range(5)
    ]
    assert statuses == [422, 422, 422, 429, 429]  # a new address does not buy new guesses
    other = client.post("/staff/login", data={"email": "someone.else@example.kz", "password": "wrong"},
                        environ_base={"REMOTE_ADDR": "198.51.100.1"})
    assert other.status_code == 422


def test_the_two_factor_step_has_a_per_account_limit(app):
    from tests.factories import make_staff

    app.config.update(STAFF_SIGN_IN_RATE_LIMIT="100 per minute", STAFF_ACCOUNT_RATE_LIMIT="3 per minute")
    with app.app_context():
        user = make_staff(role="admin")
        db.session.commit()
        email = user.email
    client = app.test_client()
    login = client.post("/staff/login", data={"email": email, "password": "correct horse battery"})
    assert login.status_code == 302
    statuses = [  # a new address for each guess at the code
        client.post("/staff/login/code", data={"code": "000000"},
                    environ_base={"REMOTE_ADDR": "198.51.100.%d" % (50 + i)}).status_code
        for i in range(5)
    ]
    assert statuses == [422, 422, 422, 429, 429]
