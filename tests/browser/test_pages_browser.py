"""The campaign pages in a real browser: language, switcher, accessibility, phone layout."""

import pytest

from tests.browser.conftest import assert_no_axe_violations, screenshot

pytestmark = pytest.mark.browser

LANGS = ("kk", "ru", "en")
PAGES = ("", "about", "help", "accessibility", "privacy")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", PAGES)
def test_page_has_zero_axe_violations(live_server, axe_page, lang, path):
    response = axe_page.goto(f"{live_server.url}/{lang}/{path}")
    assert response.status == 200
    assert axe_page.locator("html").get_attribute("lang") == lang
    assert_no_axe_violations(axe_page)


def test_root_sends_kazakh_browser_to_kazakh(live_server, browser):
    ctx = browser.new_context(extra_http_headers={"Accept-Language": "kk-KZ,ru;q=0.8"})
    page = ctx.new_page()
    page.goto(live_server.url + "/")
    assert page.url == live_server.url + "/kk/"
    assert page.locator("html").get_attribute("lang") == "kk"
    ctx.close()


def test_language_switcher_keeps_the_page(live_server, page):
    page.goto(f"{live_server.url}/kk/help")
    page.get_by_role("navigation", name="Тіл").get_by_role("link", name="Русский").click()
    page.wait_for_url(f"{live_server.url}/ru/help")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.get_by_role("heading", level=1).inner_text() == "Как семье получить помощь"
    page.get_by_role("navigation", name="Язык").get_by_role("link", name="English").click()
    page.wait_for_url(f"{live_server.url}/en/help")
    assert page.get_by_role("heading", level=1).inner_text() == "How a family gets help"


def test_skip_link_moves_focus_to_main(live_server, page):
    page.goto(f"{live_server.url}/ru/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_no_request_leaves_the_site(live_server, page):
    hosts = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    for path in PAGES:
        page.goto(f"{live_server.url}/kk/{path}")
    assert hosts == {live_server.url.split("/")[2]}


def test_no_csp_violations(live_server, page):
    messages = []
    page.on("console", lambda msg: messages.append(msg.text))
    for path in PAGES:
        page.goto(f"{live_server.url}/ru/{path}")
        page.wait_for_load_state("load")
    assert not [m for m in messages if "Content Security Policy" in m or "Refused" in m], messages
    assert page.evaluate("typeof htmx") == "object"


def test_help_regions_open_without_javascript(live_server, browser):
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(f"{live_server.url}/ru/help")
    page.get_by_text("Мангистауская область").click()
    assert page.locator("#KZ-47 .tel-big").first.is_visible()
    assert page.locator("#KZ-47").get_by_text("Демо-данные").first.is_visible()
    ctx.close()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", ["", "help"])
def test_phone_layout_has_no_horizontal_scroll(live_server, phone_page, lang, path):
    phone_page.goto(f"{live_server.url}/{lang}/{path}")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    screenshot(phone_page, f"phone-{lang}-{path or 'home'}")
