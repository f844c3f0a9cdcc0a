"""HTTP caching as RFC 9110 says, checked over a real socket (issues 18, 21 and 22).

Against a live server (page cache on, demo data), for every kind of cacheable response — pages,
feeds, calendar files, report and prices downloads, the catalogue, the sitemap, robots.txt, static
files — and for an anonymous visitor (served by the page cache) and a visitor with a session cookie
(served by the app): the 200 carries validators; ``If-None-Match`` with its ETag, and
``If-Modified-Since`` with its ``Last-Modified``, are answered ``304`` repeating the ETag, ``Vary``
and ``Cache-Control`` of the 200; responses that do not depend on cookies say no ``Vary: Cookie``;
a ``Content-Type`` names its charset once. Then the page-view limit of issue 22.
"""

from __future__ import annotations

import http.client
import re
import threading

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from portal import create_app
from portal.extensions import db
from tests.conftest import make_config, migrate_and_seed, throwaway_database

class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


SESSION = {"Cookie": "session=not-a-valid-session"}  # any session cookie: the page cache steps aside
COOKIE_FREE = (".csv", ".json", ".jsonld", ".ics", ".xml", ".txt", ".xlsx", ".css", ".js", ".svg", ".ico")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with throwaway_database(tmp_path_factory.mktemp("http"), "http") as url:
        app = create_app(make_config(url, PAGE_CACHE_ENABLED=True))
        migrate_and_seed(app, demo=True)
        httpd = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield httpd.server_port
        finally:
            httpd.shutdown()
            thread.join(5)
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def fetch(port, path, **headers):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def _first(port, page, pattern):
    match = re.search(pattern, fetch(port, page)[2].decode())
    return match.group(1) if match else None


@pytest.fixture(scope="module")
def urls(server):
    """One URL of each kind, found the way a visitor finds them."""
    found = [
        "/kk/", "/kk/about", "/kk/fairs/", "/kk/fairs/month", "/kk/fairs/calendar.ics", "/kk/news/",
        "/kk/news/feed.xml", "/kk/reports/", "/kk/sponsors", "/kk/prices", "/kk/prices/data",
        "/kk/prices/data/observations.csv", "/kk/prices/data/aggregates.json", "/sitemap.xml", "/robots.txt",
        "/catalog.jsonld", "/kk/prices/data/datapackage.json", "/favicon.ico",
    ]
    found.append(_first(server, "/kk/about", r'<link rel="stylesheet" href="(/static/[^"]+)"'))
    found.append(_first(server, "/en/fairs/", r'href="(/en/fairs/\d+)"'))
    found.append(_first(server, "/en/news/", r'href="(/en/news/(?!feed)[\w-]+)"'))
    report = _first(server, "/en/reports/", r'href="(/en/reports/[\w-]+)"')
    found.append(report)
    if report:
        found += sorted(set(re.findall(r'href="(/reports/[\w-]+/v\d+/[\w.]+)"', fetch(server, report)[2].decode())))
    fair = _first(server, "/en/fairs/", r'href="(/en/fairs/\d+)"')
    if fair:
        found.append(_first(server, fair, r'href="(/fairs/\d+\.ics[^"]*)"'))
    found = [url.replace("&amp;", "&") for url in found if url]
    for url in found:
        assert fetch(server, url)[0] == 200, url
    assert any(u.startswith("/reports/") for u in found) and any(u.endswith(".ics") for u in found)
    return found


def _vary(headers) -> set:
    return {v.strip().lower() for v in (headers.get("Vary") or "").split(",") if v.strip()}


VISITORS = {"anonymous": {}, "with a session cookie": SESSION}


@pytest.mark.parametrize("visitor", sorted(VISITORS))
@pytest.mark.parametrize("encoding", ["br, gzip", "gzip", "identity"])
def test_every_200_has_validators_and_its_304_repeats_them(server, urls, visitor, encoding):
    base = {"Accept-Encoding": encoding, **VISITORS[visitor]}
    for url in urls:
        status, ok, body = fetch(server, url, **base)
        assert status == 200, url
        assert ok.get("ETag"), f"{url}: no ETag"
        content_type = ok.get("Content-Type", "")
        assert content_type.lower().count("charset") <= 1, f"{url}: {content_type}"
        if url.endswith(COOKIE_FREE) or ".ics?" in url:
            assert "cookie" not in _vary(ok), f"{url} does not depend on cookies: Vary {ok.get('Vary')}"
        checks = {"If-None-Match": ok["ETag"]}
        if ok.get("Last-Modified"):
            checks["If-Modified-Since"] = ok["Last-Modified"]
        for name, value in checks.items():
            status, not_modified, again = fetch(server, url, **base, **{name: value})
            assert status == 304, f"{url}: {name} answered {status}"
            assert again == b""
            assert not_modified.get("ETag") == ok["ETag"], url
            assert _vary(not_modified) == _vary(ok), url
            assert not_modified.get("Cache-Control") == ok.get("Cache-Control"), url
        # Another ETag is another version: the full answer.
        assert fetch(server, url, **base, **{"If-None-Match": '"not-this-one"'})[0] == 200, url


def test_a_compressed_copy_is_not_the_plain_one(server, urls):
    for url in urls:
        _s, compressed, _b = fetch(server, url, **{"Accept-Encoding": "gzip"})
        _s, plain, _b = fetch(server, url, **{"Accept-Encoding": "identity"})
        if compressed.get("Content-Encoding"):
            assert compressed["ETag"] != plain["ETag"], url
            assert "accept-encoding" in _vary(compressed) and "accept-encoding" in _vary(plain), url
            status = fetch(server, url, **{"Accept-Encoding": "identity", "If-None-Match": compressed["ETag"]})[0]
            assert status == 200, url


# --- the page-view limit (issue 22) -------------------------------------------------------------------------


@pytest.fixture
def limited(app, database_url):
    limited = create_app(make_config(database_url, PAGE_CACHE_ENABLED=True, PAGE_VIEW_RATE_LIMIT="5 per minute"))
    yield limited
    with limited.app_context():
        db.session.remove()
        db.engine.dispose()


def test_page_views_the_app_renders_are_limited_per_address(limited):
    visitor = limited.test_client(use_cookies=False)
    for path in ("/kk/about", "/kk/appeal"):
        for _ in range(10):  # served from the page cache (or the form's kept copy) after the first: not counted
            assert visitor.get(path).status_code == 200
    # Renders: /kk/about once, the appeal form's copy at most once (form pages are kept per process), then these.
    statuses = [visitor.get(path).status_code for path in ("/kk/privacy", "/kk/accessibility", "/kk/news/", "/kk/sponsors", "/kk/fairs/")]
    assert statuses[:3] == [200, 200, 200] and 429 in statuses[3:], statuses
    refused = visitor.get("/kk/prices")
    assert refused.status_code == 429
    assert '<html lang="kk"' in refused.get_data(as_text=True)
    assert visitor.get("/kk/about").status_code == 200  # still served from the cache
    other = limited.test_client(use_cookies=False)
    assert other.get("/kk/sponsors", environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 200


def test_no_page_view_limit_when_the_limiter_is_off(app, database_url):
    from portal.extensions import limiter

    # Flask-Limiter's init_app keeps RATELIMIT_ENABLED=False as the default of every app created after it
    # (the limiter is global): put it back, or the rate-limit tests of later modules test nothing.
    previous = limiter.enabled
    off = create_app(make_config(database_url, RATELIMIT_ENABLED=False, PAGE_VIEW_RATE_LIMIT="1 per minute"))
    try:
        for path in ("/kk/about", "/kk/help", "/healthz"):
            assert off.test_client().get(path).status_code == 200, path
    finally:
        limiter.enabled = previous
        with off.app_context():
            db.engine.dispose()
