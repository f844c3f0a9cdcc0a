"""CSRF on every POST route of the URL map (issue 8): refused without or with a wrong token, in every
language; an htmx request with ``X-CSRFToken`` passes the check.

"Passes" is read from ``g.csrf_valid``, which Flask-WTF sets only after the token was accepted, so
a route that answers 400 for its own reasons (e.g. a missing field) still shows that CSRF let it through.
"""

from __future__ import annotations

import pytest
from flask import g

from portal.errors import error_title
from tests import battery
from tests.test_security_headers import _route_app

POST_ROUTES = battery.routes(_route_app(), "POST")


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    with battery.rate_limits_off():
        yield app


def _paths(app, route):
    values = battery.url_values(app, route)
    if values is None:
        pytest.skip(f"{route.rule}: no factory in tests/factories.py builds its {sorted(route.arguments - {'lang'})}")
    if "lang" in route.arguments:
        return [(lang, battery.build(app, route, lang, values)) for lang in battery.LANGS]
    # No language in the URL: the error page follows Accept-Language.
    return [(lang, battery.build(app, route, None, values)) for lang in battery.LANGS]


def _expired_message(app, lang):
    from portal.forms import CSRF_MESSAGE

    with app.test_request_context(f"/{lang}/"):
        from flask import g as request_g

        request_g.lang = lang
        return str(CSRF_MESSAGE).replace("'", "&#39;")


def _refusal_title(app, lang):
    with app.test_request_context(f"/{lang}/"):
        from flask import g as request_g

        request_g.lang = lang
        return str(error_title(400))


def is_exempt(route) -> bool:
    """Exempted from CSRFProtect: the view's own form checks the token (and keeps the visitor's text)."""
    from portal.extensions import csrf

    view = route.view
    return f"{view.__module__}.{view.__name__}" in getattr(csrf, "_exempt_views", set())


def _assert_refused(app, client, response, lang, path, route=None, before=None):
    assert not g.get("csrf_valid"), path
    assert response.status_code == 400, f"{path}: {response.status_code}"
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}"' in html, path
    title = _refusal_title(app, lang)
    if route is not None and is_exempt(route):
        # The form's own CSRF check: the form again, saying it expired, or the 400 page; nothing written.
        assert battery.table_counts(app) == before, f"{path}: wrote without a valid token"
        assert _expired_message(app, lang) in html or title.replace("'", "&#39;") in html, f"{path}: not in {lang}"
        return
    assert title.replace("'", "&#39;") in html or title in html, f"{path}: 400 page not in {lang}"


def test_the_battery_sees_post_routes():
    assert POST_ROUTES, "the URL map has no POST route"


def _set_account_language(app, user_id, lang):
    from portal.extensions import db
    from portal.staff.models import StaffUser

    with app.app_context():
        db.session.get(StaffUser, int(user_id.split(":")[0])).language = lang
        db.session.commit()


@pytest.mark.parametrize("route", [pytest.param(r, id=r.rule) for r in POST_ROUTES])
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "staff"])
def test_post_without_or_with_wrong_token_is_refused(csrf_app, route, signed_in):
    if signed_in and not route.is_staff:
        pytest.skip("public route")
    app = csrf_app
    client = app.test_client()
    user_id = battery.sign_in_staff(app, client) if signed_in else None
    battery.csrf_token(app, client)  # the session holds a real token; the request does not send it
    before = battery.table_counts(app)
    for lang, path in _paths(app, route):
        headers = {"Accept-Language": lang}
        if user_id is not None:  # a signed-in staff member reads the back office in their account's language
            _set_account_language(app, user_id, lang)
            headers = {"Accept-Language": "kk" if lang != "kk" else "ru"}
        with client:
            response = client.post(path, data={"anything": "1"}, headers=headers)
            _assert_refused(app, client, response, lang, path, route, before)
        with client:
            response = client.post(path, data={"csrf_token": "not-a-token"}, headers=headers)
            _assert_refused(app, client, response, lang, path, route, before)
        with client:
            response = client.post(
                path,
                data={"anything": "1"},
                headers={**headers, "HX-Request": "true", "X-CSRFToken": "IjAwMDAi.AAAAAA.forged"},
            )
            _assert_refused(app, client, response, lang, path, route, before)


def test_token_of_another_session_is_refused(csrf_app):
    route = next((r for r in POST_ROUTES if not r.arguments - {"lang"} and not is_exempt(r)), None)
    if route is None:
        pytest.skip("no POST route without ids")
    app = csrf_app
    other = app.test_client()
    foreign_token = battery.csrf_token(app, other)
    client = app.test_client()
    battery.csrf_token(app, client)
    path = battery.build(app, route, "kk", {})
    with client:
        response = client.post(path, data={"csrf_token": foreign_token})
        _assert_refused(app, client, response, "kk", path)


@pytest.mark.parametrize("route", [pytest.param(r, id=r.rule) for r in POST_ROUTES])
def test_htmx_request_with_x_csrftoken_passes(csrf_app, route):
    app = csrf_app
    client = app.test_client()
    if route.needs_sign_in:
        battery.sign_in_staff(app, client)
    token = battery.csrf_token(app, client)
    exempt = is_exempt(route)
    for lang, path in _paths(app, route):
        with client:
            response = client.post(
                path,
                # A view that checks CSRF in its form reads the token htmx sends with the form's fields.
                data={"csrf_token": token} if exempt else {},
                headers={"HX-Request": "true", "X-CSRFToken": token, "Accept-Language": lang},
            )
            if exempt:
                assert _expired_message(app, lang) not in response.get_data(as_text=True), path
            else:
                assert g.get("csrf_valid"), f"{path}: CSRF refused a valid X-CSRFToken ({response.status_code})"
            assert response.status_code < 500, path
        if route.endpoint.endswith("logout"):
            break


@pytest.mark.parametrize("lang", battery.LANGS)
def test_a_refused_staff_sign_in_speaks_the_language_the_page_was_in(csrf_app, lang):
    """The sign-in page chosen with ?lang= before sign-in: its CSRF refusal is in that language, whatever the
    browser's Accept-Language says (the staff language is set before the extensions' checks run)."""
    other = "kk" if lang != "kk" else "ru"
    client = csrf_app.test_client()
    response = client.post(f"/staff/login?lang={lang}", data={"email": "a@b.kz"}, headers={"Accept-Language": other})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}"' in html
