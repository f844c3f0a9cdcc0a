"""The page cache (portal/cache.py, issue 8): correct before fast.

A staff change shows on the next GET (also in another worker), each language and encoding and
htmx variant is its own entry, nothing with a cookie is stored, visitors with a session bypass it.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import session

from portal import create_app
from portal.cache import cacheable
from portal.extensions import db
from portal.regions.models import PhoneLine, Region
from tests.conftest import make_config


def _make(database_url, **extra):
    app = create_app(make_config(database_url, PAGE_CACHE_ENABLED=True, **extra))

    @app.get("/<lang:lang>/test-cookie")
    @cacheable("regions")
    def cookie_page(**_):
        session["seen"] = True
        return "with a cookie"

    @app.get("/<lang:lang>/test-cookie-echo")
    @cacheable("regions")
    def cookie_echo(**_):
        from flask import request

        response = app.make_response("region=%s" % request.cookies.get("region"))
        response.vary.add("Cookie")
        return response

    @app.get("/<lang:lang>/test-private")
    @cacheable("regions")
    def private_page(**_):
        return "private", 200, {"Cache-Control": "private"}

    @app.get("/<lang:lang>/test-vary")
    @cacheable("regions")
    def vary_page(**_):
        return "varies", 200, {"Vary": "Accept-Language"}

    return app


@pytest.fixture
def cached_app(app, database_url):
    """A caching app on the test database (``app`` has just reset it)."""
    cached = _make(database_url)
    yield cached
    with cached.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def second_worker(app, database_url):
    other = _make(database_url)
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def stats(app):
    cache = app.extensions["page_cache"]
    return cache.hits, cache.misses


def get(app, path, **headers):
    """An anonymous visitor: no cookie jar."""
    return app.test_client(use_cookies=False).get(path, headers=headers)


def test_repeat_anonymous_get_is_served_from_memory(cached_app):
    first = get(cached_app, "/kk/about")
    hits, _ = stats(cached_app)
    second = get(cached_app, "/kk/about")
    assert stats(cached_app)[0] == hits + 1
    assert second.status_code == 200
    assert second.get_data() == first.get_data()
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert "Set-Cookie" not in second.headers


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_each_language_is_its_own_entry(cached_app, lang):
    for code in ("kk", "ru", "en"):
        get(cached_app, f"/{code}/")
    html = get(cached_app, f"/{lang}/").get_data(as_text=True)
    assert f'<html lang="{lang}"' in html


def test_query_string_is_part_of_the_key(cached_app):
    get(cached_app, "/kk/help?a=1")
    hits = stats(cached_app)[0]
    get(cached_app, "/kk/help?a=2")
    assert stats(cached_app)[0] == hits
    get(cached_app, "/kk/help?a=1")
    assert stats(cached_app)[0] == hits + 1


@pytest.mark.parametrize("accept, encoding", [("br, gzip", "br"), ("gzip", "gzip"), ("", None), ("identity", None)])
def test_encoding_is_part_of_the_key(cached_app, accept, encoding):
    for value in ("br, gzip", "gzip", "", "identity"):
        get(cached_app, "/kk/", **{"Accept-Encoding": value})
    response = get(cached_app, "/kk/", **{"Accept-Encoding": accept})
    assert response.headers.get("Content-Encoding") == encoding
    assert "Accept-Encoding" in response.headers.get("Vary", "")


def test_htmx_requests_never_get_the_full_page_entry_and_back(cached_app):
    full = get(cached_app, "/kk/about").get_data()
    hits = stats(cached_app)[0]
    get(cached_app, "/kk/about", **{"HX-Request": "true"})
    get(cached_app, "/kk/about", **{"HX-Request": "true", "HX-Boosted": "true"})
    get(cached_app, "/kk/about", **{"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert stats(cached_app)[0] == hits
    assert get(cached_app, "/kk/about").get_data() == full


def test_htmx_fragment_pages_keep_both_variants_apart(cached_app):
    """Any cacheable page built with portal.htmx.render: fragment for htmx, page otherwise, from the cache too."""
    from portal.cache import ENDPOINT_AREAS

    for rule in cached_app.url_map.iter_rules():
        view = cached_app.view_functions[rule.endpoint]
        marked = getattr(view, "page_cache_areas", None) is not None or rule.endpoint in ENDPOINT_AREAS
        if not marked or rule.arguments - {"lang"} or "GET" not in rule.methods:
            continue
        with cached_app.test_request_context():
            from flask import url_for

            path = url_for(rule.endpoint, lang="kk")
        page = get(cached_app, path)
        if "HX-Request" not in page.headers.get("Vary", ""):
            continue
        fragment = get(cached_app, path, **{"HX-Request": "true"})
        for _ in range(2):
            assert get(cached_app, path).get_data() == page.get_data()
            assert get(cached_app, path, **{"HX-Request": "true"}).get_data() == fragment.get_data()
        assert b"<html" in page.get_data() and b"<html" not in fragment.get_data()
        return
    pytest.skip("no cacheable page answers htmx with a fragment yet")


def test_nothing_with_set_cookie_is_stored(cached_app):
    for _ in range(3):
        response = get(cached_app, "/kk/test-cookie")
        assert "Set-Cookie" in response.headers
    assert not any(key[1] == "/kk/test-cookie" for key in cached_app.extensions["page_cache"].entries)


@pytest.mark.parametrize("path", ["/kk/test-private", "/kk/test-vary", "/kk/no-such-page"])
def test_private_varying_and_error_responses_are_not_stored(cached_app, path):
    get(cached_app, path)
    get(cached_app, path)
    assert not any(key[1] == path for key in cached_app.extensions["page_cache"].entries)


def test_visitors_with_a_session_bypass_the_cache(cached_app):
    get(cached_app, "/kk/about")
    hits = stats(cached_app)[0]
    client = cached_app.test_client()
    name = cached_app.config["SESSION_COOKIE_NAME"]
    client.set_cookie(name, "anything")
    client.get("/kk/about")
    client.get("/kk/about")
    assert stats(cached_app)[0] == hits


def test_other_cookies_are_part_of_the_key(cached_app):
    """Vary: Cookie respected: a page that reads a cookie (the home page's region) never mixes visitors."""
    for _ in range(2):
        for region in ("KZ-71", "KZ-75"):
            response = get(cached_app, "/kk/test-cookie-echo", Cookie=f"region={region}")
            assert response.get_data(as_text=True) == f"region={region}"
        assert get(cached_app, "/kk/test-cookie-echo").get_data(as_text=True) == "region=None"
    assert stats(cached_app)[0] == 3


def test_post_and_head_are_never_served_from_the_cache(cached_app):
    get(cached_app, "/kk/about")
    hits = stats(cached_app)[0]
    client = cached_app.test_client(use_cookies=False)
    assert client.post("/kk/about").status_code in (400, 405)
    client.head("/kk/about")
    assert stats(cached_app)[0] == hits


def _set_national_line(app, number):
    with app.app_context():
        line = db.session.scalars(sa.select(PhoneLine).where(PhoneLine.region_code.is_(None))).first()
        if line is None:
            pytest.skip("no national phone line in the reference data")
        line.number = number
        db.session.commit()


def test_a_change_shows_on_the_next_get(cached_app):
    before = get(cached_app, "/kk/help").get_data(as_text=True)
    assert get(cached_app, "/kk/help").get_data(as_text=True) == before  # now cached
    _set_national_line(cached_app, "8 800 080 9999")
    after = get(cached_app, "/kk/help").get_data(as_text=True)
    assert "8 800 080 9999" in after and after != before


def test_a_change_in_one_worker_shows_in_another(cached_app, second_worker):
    get(second_worker, "/ru/help")
    get(second_worker, "/ru/help")
    _set_national_line(cached_app, "8 800 080 7777")  # committed through the first worker
    assert "8 800 080 7777" in get(second_worker, "/ru/help").get_data(as_text=True)


def test_invalidation_is_precise(cached_app):
    get(cached_app, "/kk/privacy")
    get(cached_app, "/kk/about")
    hits = stats(cached_app)[0]
    _set_national_line(cached_app, "8 800 080 5555")  # regions: help and home, not privacy or about
    get(cached_app, "/kk/privacy")
    get(cached_app, "/kk/about")
    assert stats(cached_app)[0] == hits + 2


def test_a_news_item_published_by_staff_shows_on_the_home_page(cached_app):
    from tests import factories

    if not hasattr(factories, "make_news"):
        pytest.skip("no news factory")
    get(cached_app, "/en/")
    with cached_app.app_context():
        factories.make_news(title_en="Cache test headline", region_code=None)
        db.session.commit()
    html = get(cached_app, "/en/").get_data(as_text=True)
    news_shown = "Cache test headline" in html
    with cached_app.app_context():
        fresh = create_app(make_config(cached_app.config["SQLALCHEMY_DATABASE_URI"]))
    uncached = fresh.test_client().get("/en/").get_data(as_text=True)
    with fresh.app_context():
        db.engine.dispose()
    assert news_shown == ("Cache test headline" in uncached)


def test_frozen_clock_is_part_of_the_key(cached_app):
    get(cached_app, "/en/")
    cached_app.config["FROZEN_NOW"] = "2023-10-01T06:00:00+00:00"
    assert "state-over" in get(cached_app, "/en/").get_data(as_text=True)


def test_entries_expire(database_url, app):
    short = _make(database_url, PAGE_CACHE_TTL=0)
    get(short, "/kk/about")
    get(short, "/kk/about")
    assert stats(short)[0] == 0
    with short.app_context():
        db.engine.dispose()


def test_a_view_may_keep_its_entries_longer(database_url, app):
    """The calendar feed does not change with the clock: it outlives the default TTL, not a change."""
    short = _make(database_url, PAGE_CACHE_TTL=0)
    first = get(short, "/kk/fairs/calendar.ics")
    assert first.status_code == 200
    get(short, "/kk/fairs/calendar.ics")
    assert stats(short)[0] == 1
    get(short, "/kk/about")
    get(short, "/kk/about")
    assert stats(short)[0] == 1  # the default (0 s here) still applies to other pages
    with short.app_context():
        region = db.session.get(Region, "KZ-71")
        region.name_en = "Astana (renamed)"
        db.session.commit()
    hits = stats(short)[0]
    get(short, "/kk/fairs/calendar.ics")
    assert stats(short)[0] == hits
    with short.app_context():
        db.engine.dispose()


def test_memory_is_bounded_in_bytes(database_url, app):
    small = _make(database_url, PAGE_CACHE_MAX_BYTES=20_000)
    cache = small.extensions["page_cache"]
    for n in range(40):
        assert get(small, f"/kk/help?crawler={n}").status_code == 200
    assert 0 < cache.bytes <= 20_000
    assert cache.bytes == sum(len(entry.body) for entry in cache.entries.values())
    assert len(cache.entries) < 40
    hits = stats(small)[0]
    get(small, "/kk/help?crawler=39")  # the newest are kept
    assert stats(small)[0] == hits + 1
    with small.app_context():
        db.engine.dispose()


def test_a_forged_host_does_not_reach_other_visitors(cached_app):
    """Pages carry absolute links (hreflang, canonical) built from the Host header."""
    forged = get(cached_app, "/kk/about", Host="evil.example").get_data(as_text=True)
    assert "evil.example" in forged
    honest = get(cached_app, "/kk/about", Host="mektepke-zhol.kz").get_data(as_text=True)
    assert "evil.example" not in honest and "mektepke-zhol.kz" in honest


def test_published_files_are_served_from_memory(cached_app):
    """A report version never changes: its files are kept (compressed) and served without a query."""
    from tests.test_reports import FILES, SLUG, publish_report

    publish_report(cached_app)
    for name in FILES:
        path = f"/reports/{SLUG}/v1/{name}"
        first = get(cached_app, path, **{"Accept-Encoding": "br, gzip"})
        hits = stats(cached_app)[0]
        second = get(cached_app, path, **{"Accept-Encoding": "br, gzip"})
        assert stats(cached_app)[0] == hits + 1, name
        assert second.get_data() == first.get_data() and second.headers["ETag"] == first.headers["ETag"]
        # Revalidation still goes to the app and answers 304.
        assert get(cached_app, path, **{"If-None-Match": first.headers["ETag"]}).status_code == 304


def _expires_in(app, path) -> float:
    import time

    cache = app.extensions["page_cache"]
    entry = [entry for key, entry in cache.entries.items() if path in key][-1]  # the newest
    return entry.expires - time.monotonic()


def test_news_pages_are_kept_until_the_next_scheduled_item_goes_public(cached_app):
    import datetime as dt

    from tests.factories import make_news

    get(cached_app, "/en/news/")
    assert 3500 < _expires_in(cached_app, "/en/news/") <= 3600  # nothing scheduled: kept an hour
    with cached_app.app_context():
        now = dt.datetime.fromisoformat(cached_app.config["FROZEN_NOW"])
        make_news(slug="later", published_at=now + dt.timedelta(minutes=30))
        db.session.commit()
    for path in ("/en/news/", "/en/news/feed.xml"):
        response = get(cached_app, path)
        assert "later" not in response.get_data(as_text=True)
        assert 1700 < _expires_in(cached_app, path) <= 1800, path  # until it goes public


def test_the_sponsor_wall_is_kept_until_midnight(cached_app):
    """Price pledges start and end by the day: the wall is re-rendered at midnight in Almaty at the latest."""
    get(cached_app, "/en/sponsors")
    # FROZEN_NOW is 15 Aug 2023, 06:00 UTC = 12:00 in Almaty (UTC+6): twelve hours to midnight.
    assert 3500 < _expires_in(cached_app, "/en/sponsors") <= 3600
    cached_app.config["FROZEN_NOW"] = "2023-08-15T17:30:00+00:00"  # 23:30 in Almaty
    get(cached_app, "/en/sponsors")
    assert 1700 < _expires_in(cached_app, "/en/sponsors") <= 1800


def test_off_in_tests_unless_asked(app):
    assert not app.extensions["page_cache"].enabled
