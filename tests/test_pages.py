"""Home, about, help, accessibility and privacy: every page in every language, with and without htmx."""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest

from portal.extensions import db
from portal.regions.models import PhoneLine
from portal.site.routes import static_pages

LANGS = ("kk", "ru", "en")
PAGES = ("", "about", "help", "accessibility", "privacy")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", PAGES)
def test_page_renders_in_its_language(client, lang, page):
    response = client.get(f"/{lang}/{page}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}"' in html
    assert 'class="skip-link" href="#main"' in html
    assert "<title>" in html and "</title>" in html
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    # Plain pages set no cookie: anonymous readers leave nothing behind.
    assert "Set-Cookie" not in response.headers


SLOGANS = {"kk": "Жақсылықты жаса", "ru": "Делай добро", "en": "Do good"}


@pytest.mark.parametrize("lang", LANGS)
def test_home_shows_slogan_dates_state_and_three_calls_to_action(client, lang):
    html = client.get(f"/{lang}/").get_data(as_text=True)
    assert SLOGANS[lang] in html
    dates = {
        "kk": "2023 ж. 1 тамыз – 30 қыркүйек",
        "ru": "1 августа – 30 сентября 2023 г.",
        "en": "August 1 – September 30, 2023",
    }[lang]
    assert dates in html
    state = {"kk": "Жүріп жатыр", "ru": "Идёт сейчас", "en": "Under way"}[lang]
    assert state in html
    assert html.count('class="cta"') == 3
    assert f'href="/{lang}/help"' in html


@pytest.mark.parametrize(
    "now, state, text",
    [
        ("2023-07-20T06:00:00+00:00", "upcoming", "The campaign starts in 12 days."),
        ("2023-08-15T06:00:00+00:00", "running", "46 days left until the end of the campaign."),
        ("2023-09-29T06:00:00+00:00", "running", "1 day left until the end of the campaign."),
        ("2023-09-30T17:00:00+00:00", "running", "Today is the last day of the campaign."),
        ("2023-10-01T06:00:00+00:00", "over", "The 2023 campaign is over."),
        ("2026-11-24T06:00:00+00:00", "over", "The 2023 campaign is over."),
    ],
)
def test_campaign_state_follows_the_date(app, client, now, state, text):
    app.config["FROZEN_NOW"] = now
    html = client.get("/en/").get_data(as_text=True)
    assert f"state-{state}" in html
    assert text in html


def test_campaign_state_uses_kazakh_date_not_utc(app, client):
    # 31 July 2023 19:00 UTC is already 1 August 01:00 in Astana (UTC+6 then).
    app.config["FROZEN_NOW"] = "2023-07-31T19:00:00+00:00"
    assert "state-running" in client.get("/en/").get_data(as_text=True)


def test_russian_plural_forms(app, client):
    app.config["FROZEN_NOW"] = "2023-09-28T06:00:00+00:00"  # 2 days left
    assert "До конца акции осталось 2\xa0дня." in client.get("/ru/").get_data(as_text=True)
    app.config["FROZEN_NOW"] = "2023-09-05T06:00:00+00:00"  # 25 days left
    assert "До конца акции осталось 25\xa0дней." in client.get("/ru/").get_data(as_text=True)
    app.config["FROZEN_NOW"] = "2023-09-09T06:00:00+00:00"  # 21 days left
    assert "До конца акции остался 21\xa0день." in client.get("/ru/").get_data(as_text=True)


def test_home_hides_sections_with_nothing_to_show(client):
    html = client.get("/en/").get_data(as_text=True)
    # No news, fairs or reports yet: no empty headings, no placeholders.
    for word in ("Latest news", "Next fairs", "Key figures"):
        assert word not in html


@pytest.mark.parametrize("lang", LANGS)
def test_about_has_the_whole_concept(client, lang):
    html = client.get(f"/{lang}/about").get_data(as_text=True)
    for anchor in ("goal", "who", "legal-basis", "organisers", "directions"):
        assert f'id="{anchor}"' in html
    assert "726" in html and "2015" in html  # the decree and the UN recommendation
    assert html.count("<li>") >= 20
    if lang == "kk":
        # The seed's typo «қүқықтарын» is shown corrected.
        assert "Балалардың құқықтарын қорғау комитеті" in html
        assert "қүқық" not in html


@pytest.mark.parametrize("lang", LANGS)
def test_help_lists_national_lines_with_tel_links(client, lang):
    html = client.get(f"/{lang}/help").get_data(as_text=True)
    assert 'href="tel:111"' in html
    assert 'href="tel:150"' in html
    assert 'href="tel:+77172742528"' in html
    # 111 first: it is the state line for families and children.
    assert html.index("tel:111") < html.index("tel:150") < html.index("tel:+77172742528")
    assert html[html.index("<main"):].count("<details") == 20  # one per region (the menu is one more, above)


def test_help_shows_regional_lines_and_labels_demo_ones(app, client):
    with app.app_context():
        db.session.add(PhoneLine(region_code="KZ-47", kind="trust", number="8 7292 60 00 02",
                                 title_ru="Телефон доверия", is_demo=True))
        db.session.add(PhoneLine(region_code="KZ-15", kind="hotline", number="+7 7132 50 00 01",
                                 title_en="Education department hotline", is_demo=False))
        db.session.commit()
    html = client.get("/ru/help").get_data(as_text=True)
    section = html[html.index('id="KZ-47"'):]
    section = section[: section.index("</details>")]
    assert 'href="tel:+77292600002"' in section
    assert "Телефон доверия" in section
    assert "Демо-данные" in section
    aktobe = html[html.index('id="KZ-15"'):]
    aktobe = aktobe[: aktobe.index("</details>")]
    assert "Демо-данные" not in aktobe
    # Falls back to another language when the Russian title is missing.
    assert "Education department hotline" in aktobe
    # A region without numbers says whom to call instead.
    astana = html[html.index('id="KZ-71"'):]
    assert "Звоните 111" in astana[: astana.index("</details>")]


def test_cities_are_labelled_as_cities(client):
    html = client.get("/ru/help").get_data(as_text=True)
    assert "Алматы (город)" in html
    assert "Алматинская область" in html


@pytest.mark.parametrize("lang", LANGS)
def test_htmx_request_gets_the_same_page(client, lang):
    # Boosted navigation and plain requests get full pages; pages without fragments ignore HX-Request.
    plain = client.get(f"/{lang}/help")
    boosted = client.get(f"/{lang}/help", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert plain.status_code == boosted.status_code == 200
    assert "<html" in boosted.get_data(as_text=True)


@pytest.mark.parametrize("lang", LANGS)
def test_main_menu_marks_current_page(client, lang):
    html = client.get(f"/{lang}/about").get_data(as_text=True)
    assert re.search(rf'<a href="/{lang}/about" aria-current="page">', html)


@pytest.mark.parametrize("lang, label", [("kk", "Мәзір"), ("ru", "Меню"), ("en", "Menu")])
def test_main_menu_is_a_disclosure_that_needs_no_script(client, lang, label):
    # Phones see one translated button; the links are inside a native <details> (no JavaScript).
    html = client.get(f"/{lang}/help").get_data(as_text=True)
    nav = html[html.index('<nav class="main-nav"'):]
    nav = nav[: nav.index("</nav>")]
    assert re.search(rf'<details class="wrap nav-menu">\s*<summary class="nav-toggle">{label}</summary>\s*<ul>', nav)
    assert "<script" not in nav and " on" not in nav.replace(" only", "")
    assert nav.count("<a href=") >= 10
    assert f'<a href="/{lang}/help" aria-current="page">' in nav


def test_unknown_language_is_404(client):
    assert client.get("/de/").status_code == 404
    assert client.get("/de/about").status_code == 404


@pytest.mark.parametrize(
    "lang, title", [("kk", "Бет табылмады"), ("ru", "Страница не найдена"), ("en", "Page not found")]
)
def test_404_page_in_the_visitors_language(client, lang, title):
    response = client.get(f"/{lang}/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert title in html
    assert f'<html lang="{lang}"' in html
    assert "Traceback" not in html


def test_404_without_prefix_uses_accept_language(client):
    response = client.get("/nothing-here", headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    assert response.status_code == 404
    assert "Страница не найдена" in response.get_data(as_text=True)


def test_500_page_is_translated_and_has_no_traceback(app, client):
    @app.get("/<lang>/boom")
    def boom(lang):
        raise RuntimeError("secret detail")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/kk/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Біз жақта бірдеңе дұрыс болмады" in html
    assert "secret detail" not in html and "Traceback" not in html


def test_405_page(client):
    response = client.post("/en/about")
    # CSRF runs first for POSTs; either way the answer is a clean error page.
    assert response.status_code in (400, 405)
    assert "Traceback" not in response.get_data(as_text=True)


def test_date_formats_per_locale(app):
    from flask_babel import force_locale

    from portal.i18n import format_date, format_money, format_number

    with app.test_request_context("/"):
        with force_locale("kk"):
            assert format_money(12345) == "12\xa0345\xa0₸"
            assert format_date(dt.date(2023, 8, 1)) == "2023\u202fж. 1 тамыз"
        with force_locale("ru"):
            assert format_money(12345.4) == "12\xa0345\xa0₸"  # never "KZT"
            assert format_number(1234567) == "1\xa0234\xa0567"
        with force_locale("en"):
            assert format_money(3_200_000_000) == "3,200,000,000\xa0₸"
            assert format_date(dt.date(2023, 8, 1)) == "August 1, 2023"


class _Head(HTMLParser):
    def __init__(self):
        super().__init__()
        self.metas = []

    def handle_starttag(self, tag, attrs):
        if tag == "meta":
            self.metas.append(dict(attrs))


def meta_description(html: str) -> str:
    head = _Head()
    head.feed(html)
    found = [m.get("content") or "" for m in head.metas if m.get("name") == "description"]
    assert len(found) == 1, found
    return found[0]


KAZAKH_ONLY = set("әғқңөұүһі")


def written_in(text: str) -> str:
    letters = {c for c in text.lower() if c.isalpha()}
    if letters & KAZAKH_ONLY:
        return "kk"
    if any("а" <= c <= "я" or c == "ё" for c in letters):
        return "ru"
    return "en"


@pytest.mark.parametrize("lang", LANGS)
def test_every_public_page_has_its_own_description_in_its_language(app, client, lang):
    # Search engines and Lighthouse's SEO audit read it; one shared text for every page says nothing.
    with app.test_request_context():
        from flask import url_for

        paths = [url_for(endpoint, lang=lang, **values) for endpoint, values, _ in static_pages()]
    assert f"/{lang}/" in paths and f"/{lang}/offer" in paths and f"/{lang}/appeal" in paths
    home = meta_description(client.get(f"/{lang}/").get_data(as_text=True))
    seen = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        text = meta_description(response.get_data(as_text=True))
        assert len(text) >= 50, (path, text)
        assert written_in(text) == lang, (path, text)
        if path != f"/{lang}/":
            assert text != home, f"{path} has the generic description: give it a {{% block description %}}"
        seen[path] = text
    # The list and the month view of the fairs are one page in two views; every other page differs.
    assert len(set(seen.values())) >= len(seen) - 1
