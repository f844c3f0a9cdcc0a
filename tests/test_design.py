"""Design patterns of issue 20 that a plain request can check (the browser tests check focus, layout and print)."""

from __future__ import annotations

import re

import pytest

LANGS = ("kk", "ru", "en")
EMERGENCY = ('href="tel:112"', 'href="tel:102"', 'href="tel:111"')


@pytest.mark.parametrize("lang", LANGS)
def test_emergency_numbers_come_first_on_appeal_and_help_pages_and_on_errors(client, lang):
    for path in (f"/{lang}/appeal", f"/{lang}/appeal/check", f"/{lang}/help"):
        html = client.get(path).get_data(as_text=True)
        main = html[html.index("<main"):]
        assert all(link in main for link in EMERGENCY), path
        # Before the form or the list of lines, not at the bottom of the page.
        first = min(main.index(mark) for mark in ("<form", 'class="phone-lines"') if mark in main)
        assert main.index('class="emergency"') < first, path
    missing = client.get(f"/{lang}/no-such-page")
    assert missing.status_code == 404
    assert all(link in missing.get_data(as_text=True) for link in EMERGENCY)


# --- errors as GOV.UK shows them --------------------------------------------------------------

ERROR_TITLES = {"kk": "Қате:", "ru": "Ошибка:", "en": "Error:"}
FAILED_FORMS = ("appeal", "appeal/check", "offer", "ready")


def title_of(html: str) -> str:
    return html[html.index("<title>") + 7:html.index("</title>")]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", FAILED_FORMS)
def test_a_failed_form_says_error_first_in_the_title_and_the_summary_takes_focus(client, lang, path):
    form = client.get(f"/{lang}/{path}")
    assert not title_of(form.get_data(as_text=True)).startswith(ERROR_TITLES[lang])
    response = client.post(f"/{lang}/{path}", data={})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert title_of(html).startswith(ERROR_TITLES[lang] + " "), title_of(html)
    summary = html[html.index('<div class="error-summary"'):]
    summary = summary[:summary.index(">") + 1]
    assert 'tabindex="-1"' in summary and "autofocus" in summary and 'role="alert"' in summary
    assert html.count("autofocus") == 1


def test_summary_links_to_a_radio_group_land_on_its_first_option(client):
    html = client.post("/en/appeal", data={}).get_data(as_text=True)
    summary = html[html.index('class="error-summary"'):]
    summary = summary[:summary.index("</ul>")]
    assert 'href="#category-0"' in summary and 'href="#category"' not in summary
    assert 'id="category-0"' in html
    offer = client.post("/en/offer", data={}).get_data(as_text=True)
    summary = offer[offer.index('class="error-summary"'):]
    summary = summary[:summary.index("</ul>")]
    assert 'href="#donor_type-0"' in summary and 'id="donor_type-0"' in offer
    # The group's error message is read with the group.
    assert 'aria-describedby="donor_type-error' in offer


# --- filters announce what they found ----------------------------------------------------------

FILTERED = {
    "fairs/": ("fair-count", "fair-results"),
    "fairs/month": ("fair-count", "fair-results"),
    "news/": ("news-count", "news-results"),
    "sponsors": ("sponsor-count", "sponsor-wall"),
    "prices": ("price-count", "price-results"),
}


@pytest.mark.parametrize("path", FILTERED)
def test_filtered_lists_keep_one_live_region_outside_the_results_and_htmx_refreshes_its_text(client, path):
    status, results = FILTERED[path]
    page = client.get(f"/ru/{path}").get_data(as_text=True)
    region = page[page.index(f'<p id="{status}"'):]
    assert 'role="status"' in region[:region.index(">")]
    # Outside the container htmx replaces, so the region itself stays and its new text is announced.
    assert page.index(f'<p id="{status}"') < page.index(f'id="{results}"')
    fragment = client.get(f"/ru/{path}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith(f'<div id="{results}"')
    assert f'<p id="{status}" data-hx-swap-oob="innerHTML">' in fragment
    assert page.count(f'id="{status}"') == 1 and fragment.count(f'id="{status}"') == 1


# --- nothing typed is lost ---------------------------------------------------------------------

from tests.test_appeals import TEXT, check, form_data, hidden, receipt_code, submit_ok  # noqa: E402


@pytest.fixture
def cheap_appeals(app):
    app.config.update(APPEAL_PEPPER="test-pepper", APPEAL_HASH_TIME_COST=1, APPEAL_HASH_MEMORY_KIB=64)
    return app


@pytest.mark.parametrize("lang", LANGS)
def test_a_rate_limited_report_comes_back_filled_in(cheap_appeals, client, lang):
    cheap_appeals.config["APPEAL_RATE_LIMIT"] = "1 per minute"
    submit_ok(client, lang)
    data = form_data(client, lang, message=TEXT + " second", settlement="Жаңаауыл")
    response = client.post(f"/{lang}/appeal", data=data)
    assert response.status_code == 429
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert '<form method="post"' in html and TEXT + " second" in html and 'value="Жаңаауыл"' in html
    assert hidden(html, "nonce") == data["nonce"]  # sending it again later is the same report, not a second one
    assert 'class="notice notice-warning" role="alert" tabindex="-1" autofocus' in html
    assert 'href="tel:112"' in html


def test_refused_forms_do_not_count_toward_the_limit(cheap_appeals, client):
    cheap_appeals.config["APPEAL_RATE_LIMIT"] = "1 per minute"
    for _ in range(3):
        assert client.post("/en/appeal", data=form_data(client, message="too short")).status_code == 422
    submit_ok(client)
    assert client.post("/en/appeal", data=form_data(client)).status_code == 429


def switcher_links(html: str) -> list[str]:
    nav = html[html.index('class="lang-switch"'):]
    nav = nav[:nav.index("</nav>")]
    return re.findall(r'href="([^"]+)"', nav)


def test_the_language_switch_after_every_post_lands_on_a_page_that_works(cheap_appeals, client):
    pages = {
        "failed appeal": client.post("/kk/appeal", data={}),
        "failed check": client.post("/kk/appeal/check", data={"code": "1"}),
        "failed offer": client.post("/kk/offer", data={}),
        "failed self-check": client.post("/kk/ready", data={}),
    }
    response = client.post("/kk/appeal", data=form_data(client, "kk"))
    html = response.get_data(as_text=True)
    code = receipt_code(html)
    pages["wrong last digits"] = client.post(
        "/kk/appeal/confirm", data={"nonce": hidden(html, "nonce"), "last_digits": "00000" if not code.endswith("00000") else "11111"}
    )
    result = check(client, code, "kk").get_data(as_text=True)
    pages["information added"] = client.post(
        "/kk/appeal/check/add", data={"code": code, "nonce": hidden(result, "nonce"), "message": "More detail about it."}
    )
    for name, response in pages.items():
        assert response.status_code in (200, 422), name
        links = switcher_links(response.get_data(as_text=True))
        assert len(links) == 3, name
        for link in links:
            assert client.get(link).status_code == 200, (name, link)


# --- the offer's check-answers step ------------------------------------------------------------

from html import unescape  # noqa: E402

from tests.test_offers import count, form_token, offer_data, offers  # noqa: E402


def hidden_fields(html: str) -> list[tuple[str, str]]:
    form = html[html.index('class="check-answers"'):]
    return [(unescape(n), unescape(v)) for n, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)]


@pytest.mark.parametrize("lang", LANGS)
def test_the_sponsor_checks_the_answers_then_sends_once(app, client, lang):
    data = offer_data(form_token(client, lang), check="1", kinds=["backpacks", "price_reduction"],
                      discount_percent="15", shop_name="Дәптер", shop_address="Астана, Абай 1",
                      discount_starts_on="2023-08-01", discount_ends_on="2023-08-31", consent_public="y")
    response = client.post(f"/{lang}/offer", data=data)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert count(app) == 0  # nothing is saved before "Send"
    for shown in ("Айгерім Сапарова", "8 701 123 45 67", "230840001231", "Рюкзаки с канцтоварами", "Дәптер"):
        assert shown in unescape(html), shown
    assert html.count('name="change"') >= 12
    assert 'value="contact_name" class="change-link"' in html
    sent = hidden_fields(html)
    assert ("kinds", "backpacks") in sent and ("kinds", "price_reduction") in sent and ("regions", "KZ-15") in sent
    assert ("form_token", data["form_token"]) in sent and ("check", "1") not in sent
    # Send: saved once, even when the button is pressed twice.
    payload = {}
    for name, value in sent:
        payload.setdefault(name, []).append(value)
    first = client.post(f"/{lang}/offer", data={**payload, "send": "1"})
    again = client.post(f"/{lang}/offer", data={**payload, "send": "1"})
    assert first.status_code == again.status_code == 303
    assert count(app) == 1
    saved = offers(app)[0]
    assert saved.contact_name == "Айгерім Сапарова" and saved.discount_percent == 15


def test_change_goes_back_to_the_filled_form_with_that_question_focused(app, client):
    data = offer_data(form_token(client), check="1")
    check = client.post("/en/offer", data=data).get_data(as_text=True)
    payload = {}
    for name, value in hidden_fields(check):
        payload.setdefault(name, []).append(value)
    back = client.post("/en/offer", data={**payload, "change": "contact_name"})
    assert back.status_code == 200
    html = back.get_data(as_text=True)
    assert re.search(r'<input[^>]*autofocus[^>]*id="contact_name"[^>]*value="Айгерім Сапарова"', html)
    assert "error-summary" not in html and count(app) == 0
    group = client.post("/en/offer", data={**payload, "change": "kinds"}).get_data(as_text=True)
    assert re.search(r'<input[^>]*autofocus[^>]*id="kinds-0"', group) and group.count("autofocus") == 1


def test_every_required_offer_field_is_marked(client):
    html = client.get("/en/offer").get_data(as_text=True)
    for label in ("Who is offering help?", "Contact person", "What do you offer?", "Where",
                  "I agree that the campaign staff process these data"):
        at = html.index(label)
        assert "(required)" in html[at:at + 200], label


# --- states that say what they are -------------------------------------------------------------


def test_a_news_article_with_a_body_keeps_its_summary(app, client):
    from portal.extensions import db
    from tests.factories import make_news

    with app.app_context():
        make_news(slug="with-body", summary_ru="Коротко о главном.", body_ru="Подробный текст статьи.",
                  body_html_ru="<p>Подробный текст статьи.</p>")
        db.session.commit()
    html = client.get("/ru/news/with-body").get_data(as_text=True)
    assert '<p class="lead">Коротко о главном.</p>' in html and "Подробный текст статьи." in html
    assert html.index("Коротко о главном.") < html.index("Подробный текст статьи.")


@pytest.mark.parametrize("lang", LANGS)
def test_response_figures_without_data_say_so_instead_of_an_empty_table(client, lang):
    html = client.get(f"/{lang}/needs/response").get_data(as_text=True)
    assert 'class="empty-state"' in html and "<table" not in html
