"""Public news: list, region filter, pagination and "load more", articles with fallback, Atom feed, caching."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest

from portal.extensions import db
from tests.factories import make_news

LANGS = ("kk", "ru", "en")
UTC = dt.timezone.utc
ATOM = {"a": "http://www.w3.org/2005/Atom"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def day(n: int, hour: int = 6) -> dt.datetime:
    return dt.datetime(2023, 8, 1, hour, tzinfo=UTC) + dt.timedelta(days=n)


def add_news(app, count: int, region_code="KZ-71", start: int = 0, **fields):
    """``count`` published articles, one a day (by ``published_at``) from 1 August + ``start``, newest last."""
    with app.app_context():
        for i in range(count):
            make_news(region_code=region_code, published_at=day(0) + dt.timedelta(minutes=start + i), **fields)
        db.session.commit()


def titles(html: str) -> list[str]:
    return re.findall(r'class="news-title"><a href="[^"]+">(?:<span lang="\w\w">)?([^<]+)<', html)


# --- list ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_list_shows_published_news_newest_first(app, client, lang):
    with app.app_context():
        make_news(title_en="Older", title_kk="Ескі", title_ru="Старая", published_at=day(1))
        make_news(title_en="Newer", title_kk="Жаңа", title_ru="Новая", published_at=day(5))
        make_news(title_en="Draft", status="draft", published_at=day(2))
        make_news(title_en="Scheduled", published_at=day(20))  # after FROZEN_NOW (15 August)
        db.session.commit()
    response = client.get(f"/{lang}/news/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    expected = {"kk": ["Жаңа", "Ескі"], "ru": ["Новая", "Старая"], "en": ["Newer", "Older"]}[lang]
    assert titles(html) == expected
    assert "Draft" not in html and "Scheduled" not in html
    assert f'<html lang="{lang}"' in html
    assert html.count("<h1>") == 1
    assert "Set-Cookie" not in response.headers


def test_region_filter_keeps_national_news_and_drops_other_regions(app, client):
    with app.app_context():
        make_news(region_code="KZ-47", title_en="Aktau news")
        make_news(region_code="KZ-71", title_en="Astana news")
        make_news(region_code=None, title_en="National news")
        db.session.commit()
    html = client.get("/en/news/?region=KZ-47").get_data(as_text=True)
    assert set(titles(html)) == {"Aktau news", "National news"}
    assert '<option selected value="KZ-47">' in html
    # The feed link follows the filter.
    assert 'href="/en/news/feed.xml?region=KZ-47"' in html
    # A mistyped region shows everything rather than an error.
    response = client.get("/en/news/?region=KZ-99")
    assert response.status_code == 200
    assert len(titles(response.get_data(as_text=True))) == 3


def test_htmx_filter_returns_the_results_fragment(app, client):
    add_news(app, 3)
    plain = client.get("/kk/news/?region=KZ-71")
    htmx = client.get("/kk/news/?region=KZ-71", headers={"HX-Request": "true"})
    assert "HX-Request" in plain.headers["Vary"] and "HX-Request" in htmx.headers["Vary"]
    fragment = htmx.get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="news-results"')
    assert "<html" not in fragment
    assert '<div id="news-results"' in plain.get_data(as_text=True)
    assert htmx.headers["HX-Push-Url"] == "/kk/news/?region=KZ-71"
    assert "HX-Push-Url" not in plain.headers
    # Empty filters are left out of the URL the browser shows.
    assert client.get("/kk/news/?region=", headers={"HX-Request": "true"}).headers["HX-Push-Url"] == "/kk/news/"
    # A history restore gets the whole page.
    restore = client.get("/kk/news/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)


def test_pagination_plain_next_link_and_htmx_load_more(app, client):
    add_news(app, 25)
    html = client.get("/en/news/").get_data(as_text=True)
    assert len(titles(html)) == 10
    assert "25 articles" in html
    # Without JavaScript: an ordinary link to the next page…
    assert re.search(r'<a class="button button-secondary" href="/en/news/\?page=2" data-hx-get="/en/news/\?page=2"', html)
    page2 = client.get("/en/news/?page=2").get_data(as_text=True)
    assert "<html" in page2 and len(titles(page2)) == 10
    assert 'href="/en/news/" rel="prev"' in page2
    assert set(titles(page2)).isdisjoint(titles(html))
    # …and with htmx, only the next items and the next "load more" link, to append in place.
    more = client.get("/en/news/?page=3", headers={"HX-Request": "true"})
    fragment = more.get_data(as_text=True)
    assert "<html" not in fragment and 'id="news-results"' not in fragment
    assert fragment.count('class="news-item"') == 5
    assert "load-more" not in fragment  # last page
    assert "HX-Request" in more.headers["Vary"]
    assert "HX-Push-Url" not in more.headers  # "load more" keeps the address
    assert client.get("/en/news/?page=4").status_code == 404
    assert client.get("/en/news/?page=0").status_code == 404
    assert client.get("/en/news/?page=abc").status_code == 200  # ignored, first page


def test_list_runs_a_bounded_number_of_queries(app, client, count_queries):
    add_news(app, 20)
    client.get("/ru/news/")  # warm-up
    with count_queries() as few:
        assert client.get("/ru/news/").status_code == 200
    add_news(app, 180, start=100)
    with count_queries() as many:
        response = client.get("/ru/news/?region=KZ-71")
        assert response.status_code == 200
    assert "200" in response.get_data(as_text=True)  # the total is counted in the database
    assert many.count == few.count <= 8, many.statements
    # Pagination happens in SQL (LIMIT/OFFSET), not by loading every row.
    assert any("LIMIT" in s.upper() for s in many.statements)


# --- article ---------------------------------------------------------------------


def test_article_in_the_visitors_language_has_no_notice(app, client):
    with app.app_context():
        make_news(slug="start", title_ru="Старт акции", body_html_ru="<p>Текст</p>", summary_ru="Коротко",
                  region_code="KZ-47")
        db.session.commit()
    response = client.get("/ru/news/start")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Старт акции</h1>" in html
    assert "<p>Текст</p>" in html
    assert "Мангистауская область" in html
    assert "12 августа" not in html and "10 августа 2023" in html
    assert 'role="note"' not in html
    assert '<meta property="og:title" content="Старт акции">' in html
    assert '<meta property="og:description" content="Коротко">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert '<meta property="og:url" content="http://localhost/ru/news/start">' in html
    assert '<meta property="article:published_time" content="2023-08-10T06:00:00Z">' in html


@pytest.mark.parametrize(
    "lang, notice",
    [
        ("kk", "орыс тілінде"),
        ("en", "shown in Russian"),
    ],
)
def test_article_missing_in_the_visitors_language_falls_back_and_says_so(app, client, lang, notice):
    with app.app_context():
        make_news(slug="only-ru", title_kk="", title_en="", title_ru="Только по-русски", body_html_ru="<p>Текст</p>")
        db.session.commit()
    html = client.get(f"/{lang}/news/only-ru").get_data(as_text=True)
    assert '<h1><span lang="ru">Только по-русски</span></h1>' in html
    assert '<div class="prose" lang="ru"><p>Текст</p></div>' in html
    note = re.search(r'<p class="notice" role="note">(.*?)</p>', html, re.S).group(1)
    assert notice in note
    # In the list too, the title is marked as Russian.
    listing = client.get(f"/{lang}/news/").get_data(as_text=True)
    assert '<span lang="ru">Только по-русски</span>' in listing
    assert 'class="badge badge-lang"' in listing


def test_unpublished_and_unknown_articles_are_404(app, client):
    with app.app_context():
        make_news(slug="draft", status="draft")
        make_news(slug="future", published_at=day(30))
        db.session.commit()
    for slug in ("draft", "future", "nothing"):
        assert client.get(f"/kk/news/{slug}").status_code == 404


# --- Atom feed -------------------------------------------------------------------


def parse_feed(response):
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    return ET.fromstring(response.data)


@pytest.mark.parametrize("lang", LANGS)
def test_atom_feed_is_valid_and_in_the_language(app, client, lang):
    with app.app_context():
        make_news(slug="a", title_kk="Бірінші", title_ru="Первая", title_en="First", summary_en="Short",
                  body_html_en="<p>Body &amp; more</p>", body_html_kk="<p>Мәтін</p>", body_html_ru="<p>Текст</p>",
                  published_at=day(1))
        make_news(slug="b", title_kk="", title_en="", title_ru="Вторая", body_html_ru="<p>Т</p>", published_at=day(2))
        db.session.commit()
    feed = parse_feed(client.get(f"/{lang}/news/feed.xml"))
    assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
    assert feed.get(XML_LANG) == lang
    for required in ("id", "title", "updated", "author/a:name"):
        assert feed.find("a:" + required, ATOM) is not None, required
    assert feed.find("a:link[@rel='self']", ATOM).get("href") == f"http://localhost/{lang}/news/feed.xml"
    entries = feed.findall("a:entry", ATOM)
    assert len(entries) == 2
    newest, older = entries
    assert newest.find("a:title", ATOM).text == "Вторая"
    if lang != "ru":
        assert newest.get(XML_LANG) == "ru"  # fallback marked
    assert older.find("a:title", ATOM).text == {"kk": "Бірінші", "ru": "Первая", "en": "First"}[lang]
    link = older.find("a:link[@rel='alternate']", ATOM).get("href")
    assert link == f"http://localhost/{lang}/news/a"
    content = older.find("a:content", ATOM)
    assert content.get("type") == "html"
    assert content.text == {"kk": "<p>Мәтін</p>", "ru": "<p>Текст</p>", "en": "<p>Body &amp; more</p>"}[lang]
    for entry in entries:
        for required in ("id", "title", "updated", "published"):
            assert entry.find("a:" + required, ATOM) is not None
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry.find("a:updated", ATOM).text)
    assert older.find("a:published", ATOM).text == "2023-08-02T06:00:00Z"
    ids = [e.find("a:id", ATOM).text for e in entries]
    assert len(set(ids)) == 2 and all(i.startswith("tag:") for i in ids)


def test_atom_feed_per_region(app, client):
    with app.app_context():
        make_news(region_code="KZ-47", title_en="Aktau")
        make_news(region_code="KZ-71", title_en="Astana")
        make_news(region_code=None, title_en="Everyone")
        db.session.commit()
    feed = parse_feed(client.get("/en/news/feed.xml?region=KZ-47"))
    assert {e.find("a:title", ATOM).text for e in feed.findall("a:entry", ATOM)} == {"Aktau", "Everyone"}
    assert feed.find("a:link[@rel='self']", ATOM).get("href") == "http://localhost/en/news/feed.xml?region=KZ-47"
    assert "Mangystau" in feed.find("a:title", ATOM).text


def test_empty_feed_is_still_valid(client):
    feed = parse_feed(client.get("/kk/news/feed.xml"))
    assert feed.findall("a:entry", ATOM) == []
    assert feed.find("a:updated", ATOM) is not None


# --- conditional requests ----------------------------------------------------------


@pytest.mark.parametrize("path", ["/kk/news/", "/ru/news/x", "/en/news/feed.xml", "/kk/news/?region=KZ-71"])
def test_etag_and_last_modified_give_304(app, client, path):
    with app.app_context():
        make_news(slug="x")
        db.session.commit()
    first = client.get(path)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
    assert client.get(path, headers={"If-Modified-Since": "Tue, 01 Aug 2023 00:00:00 GMT"}).status_code == 200
    # A compressed copy (ETag with the encoding suffix) is recognised too.
    compressed = client.get(path, headers={"Accept-Encoding": "gzip"})
    if compressed.headers.get("Content-Encoding") == "gzip":
        assert compressed.headers["ETag"].endswith('-gzip"')
        revalidated = client.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": compressed.headers["ETag"]})
        assert revalidated.status_code == 304
        assert revalidated.headers["ETag"] == compressed.headers["ETag"]
    # A change to the news changes the validator.
    with app.app_context():
        make_news(slug="y", title_kk="Жаңа", title_ru="Новая", title_en="New", published_at=day(13))
        db.session.commit()
    if path != "/ru/news/x":
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 200


# --- home page, sitemap, demo ------------------------------------------------------


def test_home_shows_the_latest_news(app, client):
    add_news(app, 5)
    html = client.get("/en/").get_data(as_text=True)
    assert "Latest news" in html
    section = html[html.index('aria-labelledby="news-title"'):]
    section = section[: section.index("</section>")]
    assert section.count('class="news-item"') == 3
    assert 'href="/en/news/"' in section


def test_sitemap_lists_articles_in_every_language(app, client):
    with app.app_context():
        make_news(slug="in-sitemap")
        make_news(slug="not-yet", status="draft")
        db.session.commit()
    body = client.get("/sitemap.xml").get_data(as_text=True)
    for lang in LANGS:
        assert f"<loc>http://localhost/{lang}/news/in-sitemap</loc>" in body
        assert f"<loc>http://localhost/{lang}/news/</loc>" in body
    assert "not-yet" not in body
    assert "/news/feed.xml" not in body


def test_demo_news_is_labelled(app, client):
    from portal.news.demo import load_demo_news

    with app.app_context():
        assert load_demo_news() == 8
        db.session.commit()
        assert load_demo_news() == 0  # idempotent
    html = client.get("/kk/news/").get_data(as_text=True)
    assert html.count('class="news-item"') == 8
    assert html.count("badge-demo") == 8
    article = client.get("/kk/news/demo-almaty-backpacks").get_data(as_text=True)
    assert "badge-demo" in article and 'role="note"' in article
    with app.app_context():
        from portal.news.models import News

        assert all(n.is_demo for n in db.session.scalars(db.select(News)))
        assert {n.region_code for n in db.session.scalars(db.select(News))} >= {None, "KZ-71", "KZ-47", "KZ-61"}
