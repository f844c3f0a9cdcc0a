"""The page cache (portal/http/pagecache.py, issues 8, 21, 22): correct before fast.

What a visitor and an operator see: a repeat anonymous GET costs no query (and a revalidation
answers 304 with no query either), a staff change shows on the next GET (also in another worker),
each language, encoding and htmx variant is its own page, nothing with a cookie is shared, visitors
with a session get their own render, made-up query parameters neither reach the page nor grow the
cache, and memory stays bounded.
"""

from __future__ import annotations

import secrets
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import session

from portal import create_app
from portal.extensions import db
from portal.http import cacheable
from portal.regions.models import PhoneLine, Region
from tests.conftest import make_config


def _make(database_url, **extra):
    app = create_app(make_config(database_url, PAGE_CACHE_ENABLED=True, **extra))
    app.calls = {}

    def called(name):
        app.calls[name] = app.calls.get(name, 0) + 1

    @app.get("/<lang:lang>/test-cookie")
    @cacheable("regions")
    def cookie_page(**_):
        called("cookie")
        session["seen"] = True
        return "with a cookie"

    @app.get("/<lang:lang>/test-cookie-echo")
    @cacheable("regions")
    def cookie_echo(**_):
        from flask import request

        called("echo")
        response = app.make_response("region=%s" % request.cookies.get("region"))
        response.vary.add("Cookie")
        return response

    @app.get("/<lang:lang>/test-private")
    @cacheable("regions")
    def private_page(**_):
        called("private")
        return "private", 200, {"Cache-Control": "private"}

    @app.get("/<lang:lang>/test-vary")
    @cacheable("regions")
    def vary_page(**_):
        called("vary")
        return "varies", 200, {"Vary": "Accept-Language"}

    @app.get("/<lang:lang>/test-numbered")
    @cacheable("regions", params=("n",))
    def numbered(**_):
        from flask import request

        called("numbered")
        return "page %s %s" % (request.args.get("n"), "x" * 2000)

    return app


def _dispose(app):
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def cached_app(app, database_url):
    """A caching app on the test database (``app`` has just reset it)."""
    cached = _make(database_url)
    yield cached
    _dispose(cached)


@pytest.fixture
def second_worker(app, database_url):
    other = _make(database_url)
    yield other
    _dispose(other)


def get(app, path, **headers):
    """An anonymous visitor: no cookie jar."""
    return app.test_client(use_cookies=False).get(path, headers=headers)


@contextmanager
def counting(app):
    """``with counting(app) as statements:`` the SQL statements the app sends meanwhile."""
    statements = []
    with app.app_context():
        engine = db.engine

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(engine, "after_cursor_execute", listener)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "after_cursor_execute", listener)


def queries(app, path, **headers) -> int:
    with counting(app) as statements:
        get(app, path, **headers)
    return len(statements)


def test_repeat_anonymous_get_costs_no_query(cached_app):
    first = get(cached_app, "/kk/about")
    with counting(cached_app) as statements:
        second = get(cached_app, "/kk/about")
    assert statements == []
    assert second.status_code == 200
    assert second.get_data() == first.get_data()
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert "Set-Cookie" not in second.headers


@pytest.mark.parametrize("path", ["/kk/help", "/kk/fairs/"])  # /kk/fairs/: 8 queries and a render before
def test_a_revalidated_page_is_answered_304_with_no_query(cached_app, path):
    """A returning visitor's browser sends If-None-Match: the answer costs less than a new visit."""
    page = get(cached_app, path, **{"Accept-Encoding": "br"})
    etag = page.headers["ETag"]
    with counting(cached_app) as statements:
        again = get(cached_app, path, **{"Accept-Encoding": "br", "If-None-Match": etag})
    assert statements == []
    assert again.status_code == 304 and again.get_data() == b""
    for name in ("ETag", "Vary", "Cache-Control"):
        assert again.headers.get(name) == page.headers.get(name), name
    # Another encoding is another representation: its own ETag, a full answer.
    assert get(cached_app, path, **{"Accept-Encoding": "gzip", "If-None-Match": etag}).status_code == 200


def test_a_revalidation_before_any_visit_is_answered_and_kept(cached_app):
    etag = get(cached_app, "/kk/about").headers["ETag"]
    fresh = _make(cached_app.config["SQLALCHEMY_DATABASE_URI"])  # another worker, nothing kept yet
    try:
        assert get(fresh, "/kk/about", **{"If-None-Match": etag}).status_code == 304
        assert queries(fresh, "/kk/about", **{"If-None-Match": etag}) == 0
    finally:
        _dispose(fresh)


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_each_language_is_its_own_page(cached_app, lang):
    for code in ("kk", "ru", "en"):
        get(cached_app, f"/{code}/")
    html = get(cached_app, f"/{lang}/").get_data(as_text=True)
    assert f'<html lang="{lang}"' in html


def test_made_up_query_parameters_neither_reach_the_page_nor_make_new_entries(cached_app):
    cache = cached_app.extensions["page_cache"]
    get(cached_app, "/kk/help")
    entries = len(cache.entries)
    for _ in range(20):
        token = secrets.token_hex(4)
        with counting(cached_app) as statements:
            response = get(cached_app, f"/kk/help?cb={token}")
        assert statements == [] and response.status_code == 200
        assert token not in response.get_data(as_text=True)  # not in the language links either
    assert len(cache.entries) == entries


def test_declared_parameters_are_each_their_own_page(cached_app):
    assert "page 1" in get(cached_app, "/kk/test-numbered?n=1").get_data(as_text=True)
    assert "page 2" in get(cached_app, "/kk/test-numbered?n=2&cb=3").get_data(as_text=True)
    calls = cached_app.calls["numbered"]
    assert "page 2" in get(cached_app, "/kk/test-numbered?cb=4&n=2").get_data(as_text=True)
    assert "page 1" in get(cached_app, "/kk/test-numbered?n=1").get_data(as_text=True)
    assert cached_app.calls["numbered"] == calls


@pytest.mark.parametrize("accept, encoding", [("br, gzip", "br"), ("gzip", "gzip"), ("", None), ("identity", None)])
def test_encoding_is_part_of_the_key(cached_app, accept, encoding):
    for value in ("br, gzip", "gzip", "", "identity"):
        get(cached_app, "/kk/", **{"Accept-Encoding": value})
    response = get(cached_app, "/kk/", **{"Accept-Encoding": accept})
    assert response.headers.get("Content-Encoding") == encoding
    assert "Accept-Encoding" in response.headers.get("Vary", "")


def test_htmx_requests_never_get_the_full_page_and_back(cached_app):
    full = get(cached_app, "/kk/news/").get_data()
    fragment = get(cached_app, "/kk/news/", **{"HX-Request": "true"}).get_data()
    assert b"<html" in full and b"<html" not in fragment
    for _ in range(2):
        assert get(cached_app, "/kk/news/").get_data() == full
        assert get(cached_app, "/kk/news/", **{"HX-Request": "true"}).get_data() == fragment
    assert queries(cached_app, "/kk/news/", **{"HX-Request": "true"}) == 0
    boosted = get(cached_app, "/kk/news/", **{"HX-Request": "true", "HX-Boosted": "true"}).get_data()
    restored = get(cached_app, "/kk/news/", **{"HX-Request": "true", "HX-History-Restore-Request": "true"}).get_data()
    assert b"<html" in boosted and b"<html" in restored


def test_nothing_with_set_cookie_is_shared(cached_app):
    for _ in range(3):
        assert "Set-Cookie" in get(cached_app, "/kk/test-cookie").headers
    assert cached_app.calls["cookie"] == 3


@pytest.mark.parametrize("path, name", [("/kk/test-private", "private"), ("/kk/test-vary", "vary")])
def test_private_and_varying_responses_are_not_shared(cached_app, path, name):
    for _ in range(3):
        get(cached_app, path)
    assert cached_app.calls[name] == 3


def test_errors_are_not_kept(cached_app):
    for _ in range(2):
        assert get(cached_app, "/kk/fairs/999999").status_code == 404
    assert queries(cached_app, "/kk/fairs/999999") > 0


def test_visitors_with_a_session_get_their_own_render(cached_app):
    get(cached_app, "/kk/about")
    client = cached_app.test_client()
    client.set_cookie(cached_app.config["SESSION_COOKIE_NAME"], "anything")
    with counting(cached_app) as statements:
        client.get("/kk/about")
    assert statements


def test_other_cookies_are_part_of_the_key(cached_app):
    """Vary: Cookie respected: a page that reads a cookie (the home page's region) never mixes visitors."""
    for _ in range(2):
        for region in ("KZ-71", "KZ-75"):
            response = get(cached_app, "/kk/test-cookie-echo", Cookie=f"region={region}")
            assert response.get_data(as_text=True) == f"region={region}"
        assert get(cached_app, "/kk/test-cookie-echo").get_data(as_text=True) == "region=None"
    assert cached_app.calls["echo"] == 3


def test_head_is_never_served_from_the_cache(cached_app):
    get(cached_app, "/kk/about")
    with counting(cached_app) as statements:
        response = cached_app.test_client(use_cookies=False).head("/kk/about")
    assert response.status_code == 200 and statements
    assert cached_app.test_client(use_cookies=False).post("/kk/about").status_code in (400, 405)


def _set_national_line(app, number):
    with app.app_context():
        line = db.session.scalars(sa.select(PhoneLine).where(PhoneLine.region_code.is_(None))).first()
        if line is None:
            pytest.skip("no national phone line in the reference data")
        line.number = number
        db.session.commit()


def test_a_change_shows_on_the_next_get(cached_app):
    before = get(cached_app, "/kk/help").get_data(as_text=True)
    assert get(cached_app, "/kk/help").get_data(as_text=True) == before  # now kept
    _set_national_line(cached_app, "8 800 080 9999")
    after = get(cached_app, "/kk/help").get_data(as_text=True)
    assert "8 800 080 9999" in after and after != before


def test_a_changed_page_is_not_answered_304(cached_app):
    etag = get(cached_app, "/kk/help").headers["ETag"]
    _set_national_line(cached_app, "8 800 080 4444")
    response = get(cached_app, "/kk/help", **{"If-None-Match": etag})
    assert response.status_code == 200 and response.headers["ETag"] != etag
    assert "8 800 080 4444" in response.get_data(as_text=True)


def test_a_change_in_one_worker_shows_in_another(cached_app, second_worker):
    get(second_worker, "/ru/help")
    get(second_worker, "/ru/help")
    _set_national_line(cached_app, "8 800 080 7777")  # committed through the first worker
    assert "8 800 080 7777" in get(second_worker, "/ru/help").get_data(as_text=True)


def test_invalidation_is_precise(cached_app):
    get(cached_app, "/kk/about")
    get(cached_app, "/kk/help")
    _set_national_line(cached_app, "8 800 080 5555")  # regions: help (and home), not about
    assert queries(cached_app, "/kk/about") == 0
    assert queries(cached_app, "/kk/help") > 0


def test_a_news_item_published_by_staff_shows_on_the_home_page(cached_app):
    from tests import factories

    get(cached_app, "/en/")
    with cached_app.app_context():
        factories.make_news(title_en="Cache test headline", region_code=None)
        db.session.commit()
    html = get(cached_app, "/en/").get_data(as_text=True)
    news_shown = "Cache test headline" in html
    fresh = create_app(make_config(cached_app.config["SQLALCHEMY_DATABASE_URI"]))
    uncached = fresh.test_client().get("/en/").get_data(as_text=True)
    _dispose(fresh)
    assert news_shown == ("Cache test headline" in uncached)


def test_frozen_clock_is_part_of_the_key(cached_app):
    get(cached_app, "/en/")
    cached_app.config["FROZEN_NOW"] = "2023-10-01T06:00:00+00:00"
    assert "state-over" in get(cached_app, "/en/").get_data(as_text=True)


def test_entries_expire(database_url, app):
    short = _make(database_url, PAGE_CACHE_TTL=0)
    get(short, "/kk/about")
    assert queries(short, "/kk/about") > 0
    _dispose(short)


def test_a_view_may_keep_its_entries_longer(database_url, app):
    """The calendar feed does not change with the clock: it outlives the default TTL, not a change."""
    short = _make(database_url, PAGE_CACHE_TTL=0)
    assert get(short, "/kk/fairs/calendar.ics").status_code == 200
    assert queries(short, "/kk/fairs/calendar.ics") == 0
    get(short, "/kk/about")
    assert queries(short, "/kk/about") > 0  # the default (0 s here) still applies to other pages
    with short.app_context():
        region = db.session.get(Region, "KZ-71")
        region.name_en = "Astana (renamed)"
        db.session.commit()
    assert queries(short, "/kk/fairs/calendar.ics") > 0
    _dispose(short)


def test_memory_is_bounded_in_bytes(database_url, app):
    small = _make(database_url, PAGE_CACHE_MAX_BYTES=20_000)
    cache = small.extensions["page_cache"]
    for n in range(40):
        assert get(small, f"/kk/test-numbered?n={n}").status_code == 200
    assert 0 < cache.bytes <= 20_000
    assert len(cache.entries) < 40
    calls = small.calls["numbered"]
    get(small, "/kk/test-numbered?n=39")  # the newest are kept
    assert small.calls["numbered"] == calls
    get(small, "/kk/test-numbered?n=0")  # the oldest went first
    assert small.calls["numbered"] == calls + 1
    _dispose(small)


def test_a_cache_busting_burst_is_served_from_the_cache(cached_app):
    """Issue 22: eight connections asking for calendar.ics?cb=<random> took the site down."""
    cache = cached_app.extensions["page_cache"]
    assert get(cached_app, "/kk/fairs/calendar.ics").status_code == 200
    entries = len(cache.entries)
    with counting(cached_app) as statements:
        for _ in range(200):
            response = get(cached_app, "/kk/fairs/calendar.ics?cb=%s" % secrets.token_hex(8))
            assert response.status_code == 200
    assert statements == []
    assert len(cache.entries) == entries
    # A parameter the feed reads is still its own entry.
    assert "Road to School" in get(cached_app, "/en/fairs/calendar.ics?region=KZ-71").get_data(as_text=True)


def test_a_forged_host_does_not_reach_other_visitors(cached_app):
    """Pages carry absolute links (hreflang, canonical) built from the Host header."""
    forged = get(cached_app, "/kk/about", Host="evil.example").get_data(as_text=True)
    assert "evil.example" in forged
    honest = get(cached_app, "/kk/about", Host="mektepke-zhol.kz").get_data(as_text=True)
    assert "evil.example" not in honest and "mektepke-zhol.kz" in honest


def test_published_files_are_served_and_revalidated_without_a_query(cached_app):
    """A report version never changes: its files are kept (compressed) and revalidated from memory."""
    from tests.test_reports import FILES, SLUG, publish_report

    publish_report(cached_app)
    for name in FILES:
        path = f"/reports/{SLUG}/v1/{name}"
        first = get(cached_app, path, **{"Accept-Encoding": "br, gzip"})
        with counting(cached_app) as statements:
            second = get(cached_app, path, **{"Accept-Encoding": "br, gzip"})
            revalidated = get(cached_app, path, **{"Accept-Encoding": "br, gzip", "If-None-Match": first.headers["ETag"]})
        assert statements == [], name
        assert second.get_data() == first.get_data() and second.headers["ETag"] == first.headers["ETag"]
        assert revalidated.status_code == 304
        assert revalidated.headers["ETag"] == first.headers["ETag"]
        assert revalidated.headers.get("Vary") == first.headers.get("Vary")


def _later(monkeypatch, seconds):
    import time

    from portal.http import pagecache

    now = time.monotonic()
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: now + seconds)


def test_news_pages_are_kept_until_the_next_scheduled_item_goes_public(cached_app, monkeypatch):
    import datetime as dt

    from tests.factories import make_news

    get(cached_app, "/en/news/")
    _later(monkeypatch, 3500)
    assert queries(cached_app, "/en/news/") == 0  # nothing scheduled: kept an hour
    monkeypatch.undo()
    with cached_app.app_context():
        now = dt.datetime.fromisoformat(cached_app.config["FROZEN_NOW"])
        make_news(slug="later", published_at=now + dt.timedelta(minutes=30))
        db.session.commit()
    for path in ("/en/news/", "/en/news/feed.xml"):
        assert "later" not in get(cached_app, path).get_data(as_text=True)
        _later(monkeypatch, 1700)
        assert queries(cached_app, path) == 0, path
        _later(monkeypatch, 1810)
        assert queries(cached_app, path) > 0, path  # it went public: rendered again
        monkeypatch.undo()


def test_the_sponsor_wall_is_kept_until_midnight(cached_app, monkeypatch):
    """Price pledges start and end by the day: the wall is re-rendered at midnight in Almaty at the latest."""
    # FROZEN_NOW is 15 Aug 2023, 06:00 UTC = 12:00 in Almaty (UTC+6): twelve hours to midnight.
    cached_app.config["FROZEN_NOW"] = "2023-08-15T17:30:00+00:00"  # 23:30 in Almaty
    get(cached_app, "/en/sponsors")
    _later(monkeypatch, 1700)
    assert queries(cached_app, "/en/sponsors") == 0
    _later(monkeypatch, 1810)
    assert queries(cached_app, "/en/sponsors") > 0


def test_off_when_the_setting_says_so(app):
    """``PAGE_CACHE_ENABLED = False`` (the unit tests' config) renders every page; nothing branches on TESTING."""
    assert app.config["PAGE_CACHE_ENABLED"] is False
    get(app, "/kk/about")
    assert queries(app, "/kk/about") > 0


def test_on_by_default_testing_or_not(database_url):
    """The default is on whatever ``TESTING`` says: only the setting turns the cache off."""
    config = make_config(database_url)
    del config["PAGE_CACHE_ENABLED"]
    for testing in (True, False):
        app = create_app({**config, "TESTING": testing, "PAGE_CACHE_STORAGE_URI": "memory://"})
        get(app, "/kk/about")
        assert queries(app, "/kk/about") == 0, testing
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_every_area_a_view_names_is_some_models(app):
    """Start-up refuses a cache area nothing would ever invalidate (it was "sponsors" once)."""
    from portal.http.areas import check

    check(app)  # the portal as it is

    @app.get("/<lang:lang>/test-unknown-area")
    @cacheable("sponsors")
    def unknown(**_):
        return "never invalidated"

    with pytest.raises(RuntimeError, match="sponsors"):
        check(app)
