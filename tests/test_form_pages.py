"""Form pages rendered once and filled in per visitor (portal/http/formpage.py, issue 8).

The offer and appeal forms are the pages a TV appeal sends everyone to. Their empty form is kept
per language and query and only filled in with each visitor's tokens, so these tests prove what
must stay true: every visitor gets their own CSRF token and one-time token, a copy filled in for
one visitor can be sent (CSRF on), a staff change shows at once, and a kept copy costs no query.
"""

from __future__ import annotations

import gzip
import re
import zlib

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.extensions import db
from portal.regions.models import Region
from tests.conftest import make_config
from tests.test_appeals import TEXT
from tests.test_offers import offer_data

# Form page → its one-time field besides the CSRF token.
FORMS = {"offer": "form_token", "appeal": "nonce", "appeal/check": None, "ready": None}


@pytest.fixture
def cached_app(app, database_url):
    """Page cache on (as in production) and CSRF on, on the test database ``app`` has just reset."""
    cached = create_app(make_config(database_url, PAGE_CACHE_ENABLED=True, WTF_CSRF_ENABLED=True))
    yield cached
    with cached.app_context():
        db.session.remove()
        db.engine.dispose()


def hidden(html: str, name: str) -> str:
    match = re.search(r'<input[^>]*name="%s"[^>]*value="([^"]*)"' % name, html) or re.search(
        r'<input[^>]*value="([^"]*)"[^>]*name="%s"' % name, html
    )
    assert match, f"no hidden field {name}"
    return match.group(1)


def table_count(app, table: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.text(f"SELECT count(*) FROM {table}"))  # noqa: S608 - fixed names


@pytest.mark.parametrize("page", sorted(FORMS))
@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_each_visitor_gets_their_own_tokens(cached_app, page, lang):
    pages = [cached_app.test_client().get(f"/{lang}/{page}") for _ in range(3)]
    for response in pages:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        assert "formpage" not in response.get_data(as_text=True)  # no placeholder left
        assert f'<html lang="{lang}"' in response.get_data(as_text=True)
    htmls = [r.get_data(as_text=True) for r in pages]
    for name in ("csrf_token", FORMS[page]) if FORMS[page] else ("csrf_token",):
        values = [hidden(html, name) for html in htmls]
        assert len(set(values)) == 3, f"{name} shared between visitors"
    # Apart from the tokens, the three copies are the same page.
    stripped = {re.sub(r'value="[^"]{20,}"', "", html) for html in htmls}
    assert len(stripped) == 1


def test_a_filled_in_offer_form_can_be_sent(cached_app):
    for _ in range(2):  # the second visitor gets the kept copy
        client = cached_app.test_client()
        html = client.get("/ru/offer").get_data(as_text=True)
        data = offer_data(hidden(html, "form_token"), csrf_token=hidden(html, "csrf_token"))
        response = client.post("/ru/offer", data=data)
        assert response.status_code == 303, response.get_data(as_text=True)[:300]
    assert table_count(cached_app, "offer") == 2


@pytest.mark.parametrize("page", sorted(FORMS))
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_gzip_of_a_filled_in_page_is_that_page(cached_app, page, lang):
    """Pieces deflated once with tokens as stored blocks: one valid gzip member, CRC and all."""
    for _ in range(3):
        client = cached_app.test_client()
        packed = client.get(f"/{lang}/{page}", headers={"Accept-Encoding": "br, gzip"})
        assert packed.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in packed.headers["Vary"]
        html = gzip.decompress(packed.get_data()).decode()  # checks the CRC and the length
        streamed = zlib.decompressobj(16 + zlib.MAX_WBITS)  # as a browser reads it, in small chunks
        body = packed.get_data()
        assert b"".join(streamed.decompress(body[i:i + 100]) for i in range(0, len(body), 100)).decode() == html
        assert streamed.eof and not streamed.unused_data
        plain = cached_app.test_client().get(f"/{lang}/{page}").get_data(as_text=True)
        assert "formpage" not in html
        assert re.sub(r'value="[^"]{20,}"', "", html) == re.sub(r'value="[^"]{20,}"', "", plain)
        # Deflating piece by piece loses almost nothing against deflating the whole page.
        assert len(body) <= len(gzip.compress(html.encode(), 9)) + 100


def test_a_gzipped_form_can_be_sent(cached_app):
    for _ in range(2):
        client = cached_app.test_client()
        packed = client.get("/kk/offer", headers={"Accept-Encoding": "gzip"})
        html = gzip.decompress(packed.get_data()).decode()
        data = offer_data(hidden(html, "form_token"), csrf_token=hidden(html, "csrf_token"))
        assert client.post("/kk/offer", data=data).status_code == 303
    assert table_count(cached_app, "offer") == 2


def test_a_filled_in_appeal_form_can_be_sent(cached_app):
    for _ in range(2):
        client = cached_app.test_client()
        html = client.get("/kk/appeal").get_data(as_text=True)
        response = client.post("/kk/appeal", data={
            "csrf_token": hidden(html, "csrf_token"), "nonce": hidden(html, "nonce"), "category": "forced_fees",
            "region": "KZ-71", "settlement": "", "message": TEXT, "callback_phone": "", "submit": "1",
        })
        assert response.status_code == 200 and "receipt" in response.get_data(as_text=True).lower()
    assert table_count(cached_app, "appeal") == 2


def test_the_token_of_one_visitor_does_not_work_for_another(cached_app):
    first, second = cached_app.test_client(), cached_app.test_client()
    token = hidden(first.get("/en/offer").get_data(as_text=True), "csrf_token")
    html = second.get("/en/offer").get_data(as_text=True)
    response = second.post("/en/offer", data=offer_data(hidden(html, "form_token"), csrf_token=token))
    assert response.status_code == 400
    assert "The form has expired" in response.get_data(as_text=True)
    assert table_count(cached_app, "offer") == 0


@pytest.mark.parametrize("page", ["offer", "appeal", "ready"])
def test_a_kept_form_costs_no_query_and_a_staff_change_shows_at_once(cached_app, page):
    client = cached_app.test_client()
    client.get(f"/en/{page}")
    queries = []
    with cached_app.app_context():
        engine = db.engine
    listener = lambda *args: queries.append(args[2])  # noqa: E731
    sa.event.listen(engine, "after_cursor_execute", listener)
    try:
        cached_app.test_client().get(f"/en/{page}")
    finally:
        sa.event.remove(engine, "after_cursor_execute", listener)
    assert queries == []

    with cached_app.app_context():
        region = db.session.scalar(sa.select(Region).where(Region.code == "KZ-71"))
        region.name_en = "Astana (renamed)"
        db.session.commit()
    assert "Astana (renamed)" in cached_app.test_client().get(f"/en/{page}").get_data(as_text=True)


def test_a_forged_host_does_not_reach_other_visitors(cached_app):
    assert "evil.example" in cached_app.test_client().get("/kk/offer", headers={"Host": "evil.example"}).get_data(as_text=True)
    html = cached_app.test_client().get("/kk/offer", headers={"Host": "mektepke-zhol.kz"}).get_data(as_text=True)
    assert "evil.example" not in html


def test_query_string_is_its_own_copy(cached_app):
    client = cached_app.test_client()
    plain = client.get("/en/appeal").get_data(as_text=True)
    chosen = client.get("/en/appeal?category=fair_problem").get_data(as_text=True)
    checked = re.compile(r'<input checked[^>]*value="fair_problem"')
    assert checked.search(chosen) and not checked.search(plain)


def test_made_up_parameters_neither_reach_the_kept_copy_nor_replace_it(cached_app):
    """Issue 22: ?cb=<random> on a form page is a render of its own (counted as a page view), never a kept copy."""
    import secrets

    from tests.test_cache import counting

    cached_app.test_client().get("/kk/appeal")
    for _ in range(5):
        token = secrets.token_hex(4)
        html = cached_app.test_client().get(f"/kk/appeal?cb={token}").get_data(as_text=True)
        assert 'name="nonce"' in html
    with counting(cached_app) as statements:
        html = cached_app.test_client().get("/kk/appeal").get_data(as_text=True)
    assert statements == []  # the kept copy is still there
    assert "cb=" not in html
