"""Staff sign-in: password + TOTP, enrolment, rate limits, session rotation and expiry, CLI accounts."""

import re
import time

import pyotp
import pytest
import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.staff.models import StaffUser
from tests.conftest import sign_in
from tests.factories import make_staff


@pytest.fixture
def coordinator(app):
    with app.app_context():
        user = make_staff(role="coordinator", region_code="KZ-71")
        db.session.commit()
        return _detached(user)


def _detached(user):
    class U:
        pass

    u = U()
    u.id, u.email, u.totp_plain = user.id, user.email, user.totp_plain
    return u


def test_staff_pages_require_sign_in(client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login?next=")


def test_full_sign_in_and_sign_out(app, client, coordinator):
    sign_in(client, coordinator)
    response = client.get("/staff/")
    assert response.status_code == 200
    assert coordinator.email in response.get_data(as_text=True)
    response = client.post("/staff/logout")
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 302
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["sign_in", "sign_out"]


def test_wrong_password_and_unknown_email_get_the_same_answer(client, coordinator):
    wrong = client.post("/staff/login?lang=en", data={"email": coordinator.email, "password": "nope nope nope"})
    unknown = client.post("/staff/login?lang=en", data={"email": "nobody@example.kz", "password": "nope nope nope"})
    assert wrong.status_code == unknown.status_code == 422
    strip = lambda r: re.sub(r'value="[^"]*"', "", r.get_data(as_text=True))  # noqa: E731
    assert strip(wrong) == strip(unknown)
    assert "The email or password is incorrect." in wrong.get_data(as_text=True)


def test_password_alone_does_not_sign_in(client, coordinator):
    client.post("/staff/login", data={"email": coordinator.email, "password": "correct horse battery"})
    assert client.get("/staff/").status_code == 302


def test_wrong_and_replayed_codes_are_refused(app, client, coordinator):
    client.post("/staff/login", data={"email": coordinator.email, "password": "correct horse battery"})
    assert client.post("/staff/login/code", data={"code": "000000"}).status_code == 422
    code = pyotp.TOTP(coordinator.totp_plain).now()
    assert client.post("/staff/login/code", data={"code": code}).status_code == 302
    other = app.test_client()
    other.post("/staff/login", data={"email": coordinator.email, "password": "correct horse battery"})
    assert other.post("/staff/login/code", data={"code": code}).status_code == 422  # replay


def test_first_sign_in_enrols_totp_with_a_local_qr_code(app, client):
    with app.app_context():
        user = make_staff(totp=False)
        db.session.commit()
        email = user.email
    response = client.post("/staff/login", data={"email": email, "password": "correct horse battery"})
    assert response.headers["Location"] == "/staff/login/enrol"
    page = client.get("/staff/login/enrol")
    html = page.get_data(as_text=True)
    assert "<svg" in html and "http" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org", "")
    assert page.headers["Cache-Control"] == "no-store"
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', html).group(1)
    assert client.post("/staff/login/enrol", data={"code": "123456"}).status_code == 422
    with app.app_context():
        assert not db.session.scalar(sa.select(StaffUser).where(StaffUser.email == email)).totp_enabled
    assert client.post("/staff/login/enrol", data={"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert client.get("/staff/").status_code == 200
    with app.app_context():
        user = db.session.scalar(sa.select(StaffUser).where(StaffUser.email == email))
        assert user.totp_enabled and user.totp_secret == secret


def test_session_is_rotated_at_sign_in(client, coordinator):
    client.get("/staff/login")
    with client.session_transaction() as sess:
        sess["planted"] = "attacker"
    sign_in(client, coordinator)
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["mfa"] is True


def test_session_expires_after_inactivity(app, client, coordinator):
    sign_in(client, coordinator)
    with client.session_transaction() as sess:
        import datetime as dt

        frozen = dt.datetime.fromisoformat(app.config["FROZEN_NOW"]).timestamp()
        sess["seen"] = int(frozen) - app.config["STAFF_IDLE_TIMEOUT"] - 5
    response = client.get("/staff/")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    assert client.get("/staff/").status_code == 302


def test_sign_out_ends_other_sessions_too(app, coordinator):
    first, second = app.test_client(), app.test_client()
    sign_in(first, coordinator)
    sign_in(second, coordinator)
    first.post("/staff/logout")
    assert second.get("/staff/").status_code == 302


def test_deactivated_account_cannot_sign_in_and_loses_sessions(app, runner, client, coordinator):
    sign_in(client, coordinator)
    result = runner.invoke(args=["staff", "deactivate", "--email", coordinator.email])
    assert result.exit_code == 0
    assert client.get("/staff/").status_code == 302
    response = app.test_client().post("/staff/login", data={"email": coordinator.email, "password": "correct horse battery"})
    assert response.status_code == 422


def test_demo_accounts_cannot_sign_in_without_the_demo_switch(app, runner):
    from portal.staff.demo import DEMO_PASSWORD

    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    client = app.test_client()
    data = {"email": "admin@demo.mektepke-zhol.kz", "password": DEMO_PASSWORD}
    assert client.post("/staff/login", data=data).status_code == 422
    app.config["ALLOW_DEMO_LOGIN"] = True
    assert client.post("/staff/login", data=data).status_code == 302


def test_sign_in_is_rate_limited(app, client, coordinator):
    statuses = [
        client.post("/staff/login", data={"email": coordinator.email, "password": "wrong wrong wrong"}).status_code
        for _ in range(12)
    ]
    assert statuses[:10] == [422] * 10
    assert statuses[-1] == 429
    response = client.post("/staff/login?lang=en", data={"email": "x@y.kz", "password": "z"})
    assert response.status_code == 429
    assert "Too many requests" in response.get_data(as_text=True)


def test_open_redirect_is_refused(client, coordinator):
    client.post("/staff/login?next=https://evil.example/", data={"email": coordinator.email, "password": "correct horse battery"})
    response = client.post("/staff/login/code", data={"code": pyotp.TOTP(coordinator.totp_plain).now()})
    assert response.headers["Location"] == "/staff/"


def test_next_is_honoured_for_staff_paths(client, coordinator):
    response = client.get("/staff/news/")
    nxt = response.headers["Location"].split("next=", 1)[1]
    client.post(f"/staff/login?next={nxt}", data={"email": coordinator.email, "password": "correct horse battery"})
    response = client.post("/staff/login/code", data={"code": pyotp.TOTP(coordinator.totp_plain).now()})
    assert response.headers["Location"] == "/staff/news/"


def test_session_cookie_flags(app, coordinator):
    client = app.test_client()
    client.get("/staff/login")
    response = client.post("/staff/login", data={"email": coordinator.email, "password": "correct horse battery"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires" not in cookie  # ends with the browser session


def test_secure_cookie_over_https(database_url):
    from portal import create_app
    from tests.conftest import make_config

    app = create_app(make_config(database_url, PREFER_HTTPS=True))
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_passwords_are_hashed_with_argon2(app, coordinator):
    with app.app_context():
        user = db.session.get(StaffUser, coordinator.id)
        assert user.password_hash.startswith("$argon2id$")


def test_a_password_hashed_at_another_cost_still_signs_in(app, client, coordinator):
    """PASSWORD_HASH_* set the cost of new hashes only: an account hashed at the production cost (argon2's
    defaults, outside the app) signs in under the tests' cheap settings, and a new hash takes the configured cost."""
    from portal.staff.passwords import hash_password

    production_hash = hash_password("correct horse battery")  # no app context: the library's defaults
    with app.app_context():
        user = db.session.get(StaffUser, coordinator.id)
        user.password_hash = production_hash
        db.session.commit()
        cheap = hash_password("another long password")
    assert "m=65536,t=3,p=4" in production_hash
    assert "m=%(PASSWORD_HASH_MEMORY_KIB)d,t=%(PASSWORD_HASH_TIME_COST)d,p=%(PASSWORD_HASH_PARALLELISM)d" % app.config in cheap
    sign_in(client, coordinator)
    assert client.get("/staff/").status_code == 200


def test_change_password(app, staff_client):
    client = staff_client()
    response = client.post("/staff/password", data={"current": "correct horse battery", "new": "short", "confirm": "short"})
    assert response.status_code == 422
    response = client.post("/staff/password", data={
        "current": "correct horse battery", "new": "a much longer passphrase", "confirm": "a much longer passphrase"})
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200  # this session continues


@pytest.mark.parametrize("lang, text", [("kk", "Кіру"), ("ru", "Войти"), ("en", "Sign in")])
def test_staff_ui_in_three_languages(client, lang, text):
    html = client.get(f"/staff/login?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}"' in html
    assert text in html


def test_staff_language_preference(app, staff_client):
    client = staff_client()
    response = client.post("/staff/language?next=/staff/", data={"language": "kk"})
    assert response.headers["Location"] == "/staff/"
    assert '<html lang="kk"' in client.get("/staff/").get_data(as_text=True)


# --- command line ---------------------------------------------------------------------


def test_cli_create_list_reset(app, runner):
    result = runner.invoke(args=["staff", "create", "--email", "Aigerim@Example.kz", "--role", "coordinator", "--region", "KZ-47"])
    assert result.exit_code == 0, result.output
    assert "initial password:" in result.output
    assert runner.invoke(args=["staff", "create", "--email", "x@example.kz", "--role", "coordinator"]).exit_code != 0
    assert runner.invoke(args=["staff", "create", "--email", "y@example.kz", "--role", "coordinator", "--region", "KZ-99"]).exit_code != 0
    assert runner.invoke(args=["staff", "create", "--email", "aigerim@example.kz", "--role", "admin"]).exit_code != 0
    listing = runner.invoke(args=["staff", "list"]).output
    assert "aigerim@example.kz\tcoordinator\tKZ-47\tactive\t2FA not set up" in listing
    result = runner.invoke(args=["staff", "reset-password", "--email", "aigerim@example.kz", "--password", "a brand new passphrase", "--reset-2fa"])
    assert result.exit_code == 0
    with app.app_context():
        entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.object_type == "staff_user")).all()
        assert [e.action for e in entries] == ["create", "reset_password"]
        assert all(e.actor == "cli" for e in entries)
        assert "password_hash" not in entries[0].changes
