"""Design patterns of issue 20 that a plain request can check (the browser tests check focus, layout and print)."""

from __future__ import annotations

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
