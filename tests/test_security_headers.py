"""Security headers per path, asserted exactly, for every GET route of the URL map (issue 8).

Routes come from the URL map: a new area's pages are checked as soon as its blueprint is
registered. Routes with ids or slugs are built with a factory from tests/factories.py when
one matches, else skipped (listed in the skip reason). Views marked
``portal.security.embeddable`` may be framed; every other page refuses framing.
"""

from __future__ import annotations

import re

import pytest

from portal import create_app
from portal.extensions import db
from tests import battery
from tests.conftest import make_config

CSP_TEMPLATE = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'; frame-ancestors {}"
)
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)
HSTS = "max-age=63072000; includeSubDomains"
TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'File "', "werkzeug", "jinja2.exceptions", "sqlalchemy.exc")


def _route_app():
    """An app only for reading the URL map at collection time (it never touches its database)."""
    app = create_app(make_config("sqlite://"))
    with app.app_context():
        db.engine.dispose()
    return app


GET_ROUTES = battery.routes(_route_app(), "GET")


def _param(route):
    return pytest.param(route, id=route.rule)


def expected_headers(embeddable: bool, https: bool) -> dict:
    expected = {
        "Content-Security-Policy": CSP_TEMPLATE.format("*" if embeddable else "'none'"),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "cross-origin" if embeddable else "same-origin",
        "Permissions-Policy": PERMISSIONS_POLICY,
        "X-Frame-Options": None if embeddable else "DENY",
        "Strict-Transport-Security": HSTS if https else None,
        "Server": None,
    }
    return expected


def csp_directives(value: str) -> dict[str, list[str]]:
    directives = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def check_csp_semantics(value: str, embeddable: bool) -> None:
    """The rules behind the exact string, so a deliberate change of the policy still keeps them."""
    d = csp_directives(value)
    assert d.get("default-src") in (["'self'"], ["'none'"]), value
    scripts = d.get("script-src", d["default-src"])
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(scripts), value
    assert d.get("object-src") == ["'none'"], value
    assert d.get("base-uri") == ["'none'"], value
    if not embeddable:
        assert d.get("frame-ancestors") == ["'none'"], value


def check_response(response, path: str, embeddable: bool, https: bool) -> None:
    headers = response.headers
    for name, value in expected_headers(embeddable, https).items():
        assert headers.get(name) == value, f"{path}: {name} is {headers.get(name)!r}, expected {value!r}"
    check_csp_semantics(headers["Content-Security-Policy"], embeddable)
    check_cookies(response, path, https)
    if response.status_code >= 400:
        body = response.get_data(as_text=True)
        for marker in TRACEBACK_MARKERS:
            assert marker not in body, f"{path}: {response.status_code} page shows {marker!r}"


def check_cookies(response, path: str, https: bool) -> None:
    for cookie in response.headers.getlist("Set-Cookie"):
        name = cookie.split("=", 1)[0]
        attrs = [a.strip().lower() for a in cookie.split(";")[1:]]
        assert "httponly" in attrs, f"{path}: cookie {name} without HttpOnly"
        assert any(a.startswith("samesite=") and a != "samesite=none" for a in attrs), f"{path}: {name} without SameSite"
        if https:
            assert "secure" in attrs, f"{path}: cookie {name} without Secure under HTTPS"
            assert name.startswith("__Host-"), f"{path}: cookie {name} without the __Host- prefix under HTTPS"
            assert "path=/" in attrs and not any(a.startswith("domain=") for a in attrs), cookie


def is_embeddable(route) -> bool:
    return bool(getattr(route.view, "embeddable", False))


def paths_of(app, route) -> list[str]:
    values = battery.url_values(app, route)
    if values is None:
        pytest.skip(f"{route.rule}: no factory in tests/factories.py builds its {sorted(route.arguments - {'lang'})}")
    langs = battery.LANGS if "lang" in route.arguments else (None,)
    return [battery.build(app, route, lang, values) for lang in langs]


@pytest.fixture
def https_app(app, database_url):
    """Same database as ``app``, configured as production behind TLS."""
    secure = create_app(make_config(database_url, PREFER_HTTPS=True))
    yield secure
    with secure.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("route", [_param(r) for r in GET_ROUTES])
def test_headers_of_every_get_route(app, route):
    client = app.test_client()
    for path in paths_of(app, route):
        response = client.get(path)
        assert response.status_code < 500, path
        check_response(response, path, is_embeddable(route), https=False)


@pytest.mark.parametrize("route", [_param(r) for r in GET_ROUTES])
def test_headers_of_every_get_route_over_https(https_app, route):
    client = https_app.test_client()
    for path in paths_of(https_app, route):
        response = client.get(path, base_url="https://localhost")
        assert response.status_code < 500, path
        check_response(response, path, is_embeddable(route), https=True)


@pytest.mark.parametrize("route", [_param(r) for r in GET_ROUTES if r.needs_sign_in])
def test_headers_of_staff_pages_when_signed_in(https_app, route):
    client = https_app.test_client()
    battery.sign_in_staff(https_app, client)
    for path in paths_of(https_app, route):
        response = client.get(path, base_url="https://localhost")
        assert response.status_code < 500, path
        check_response(response, path, is_embeddable(route), https=True)


def test_a_static_asset_has_the_headers_too(app, client):
    html = client.get("/kk/about").get_data(as_text=True)
    path = re.search(r'<link rel="stylesheet" href="(/static/[^"]+)"', html).group(1)
    response = client.get(path)
    assert response.status_code == 200
    check_response(response, path, embeddable=False, https=False)


def _form_page(app):
    """A GET page that carries a form (and so a session cookie), found from the URL map."""
    client = app.test_client()
    for route in GET_ROUTES:
        if route.arguments - {"lang"}:
            continue
        path = battery.build(app, route, "kk", {})
        response = client.get(path, base_url="https://localhost")
        if response.headers.get("Set-Cookie"):
            return path
    pytest.skip("no GET page sets a cookie")


def test_session_cookie_is_host_prefixed_secure_httponly_samesite_under_https(https_app):
    assert https_app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    path = _form_page(https_app)
    cookie = https_app.test_client().get(path, base_url="https://localhost").headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    attrs = {a.strip().split("=", 1)[0].lower(): a.strip() for a in cookie.split(";")[1:]}
    assert set(attrs) >= {"secure", "httponly", "path", "samesite"}
    assert attrs["path"] == "Path=/" and "domain" not in attrs
    assert attrs["samesite"].lower() in ("samesite=lax", "samesite=strict")


def test_cookie_over_plain_http_is_httponly_and_samesite(app):
    path = _form_page(app)
    cookie = app.test_client().get(path).headers["Set-Cookie"]
    assert not cookie.startswith("__Host-")
    assert "HttpOnly" in cookie and re.search(r"SameSite=(Lax|Strict)", cookie)


@pytest.mark.parametrize("path", ["/", "/kk/", "/ru/about", "/staff/login", "/healthz"])
def test_trace_is_refused(client, path):
    response = client.open(path, method="TRACE", headers={"X-Echo": "secret-value"})
    assert response.status_code == 405
    assert "secret-value" not in response.get_data(as_text=True)
    check_response(response, path, embeddable=False, https=False)


@pytest.mark.parametrize("path", ["/kk/no-such-page", "/de/", "/ru/about/extra", "/static/no-such-file.css", "/staff/no-such"])
def test_404_without_traceback(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    check_response(response, path, embeddable=False, https=False)


@pytest.mark.parametrize("lang", battery.LANGS)
def test_405_without_traceback(client, lang):
    path = f"/{lang}/about"
    response = client.post(path, data={"x": "1"})
    assert response.status_code == 405
    check_response(response, path, embeddable=False, https=False)
    assert f'<html lang="{lang}"' in response.get_data(as_text=True)


def test_413_without_traceback(app, client):
    post_routes = [r for r in battery.routes(app, "POST") if not (r.arguments - {"lang"})]
    assert post_routes, "no POST route to send a large body to"
    path = battery.build(app, post_routes[0], "kk", {})
    body = b"x=" + b"a" * (app.config["MAX_CONTENT_LENGTH"] + 1024)
    response = client.post(path, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413, path
    check_response(response, path, embeddable=False, https=False)


def test_embeddable_views_are_only_those_marked(app):
    """Framing is allowed per view and never by accident: list the marked ones."""
    marked = sorted(r.endpoint for r in GET_ROUTES if is_embeddable(r))
    assert all(".embed" in e or e.endswith("embed") for e in marked), marked
