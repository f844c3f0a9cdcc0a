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
    page.locator("#KZ-47 summary").click()  # the region's disclosure (its name also links to the region page)
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


MENU_BUTTON = {"kk": "Мәзір", "ru": "Меню", "en": "Menu"}
MAIN_MENU = {"kk": "Негізгі мәзір", "ru": "Главное меню", "en": "Main menu"}
MENU_LINKS = {"kk": ("Акция туралы", "Бағалар"), "ru": ("Об акции", "Цены"), "en": ("About", "Prices")}


def menu_button_expanded(cdp, label: str) -> bool:
    """The expanded state Chromium gives screen readers for the menu button (a <summary>)."""
    for node in cdp.send("Accessibility.getFullAXTree")["nodes"]:
        if node.get("name", {}).get("value") == label and node["role"]["value"] == "DisclosureTriangle":
            return {p["name"]: p["value"]["value"] for p in node.get("properties", [])}["expanded"]
    raise AssertionError(f"no menu button named {label!r} in the accessibility tree")


@pytest.mark.parametrize("lang", LANGS)
def test_phone_menu_opens_and_closes(live_server, browser, lang):
    # bypass_csp only so that axe-core can be injected; the menu itself runs no script.
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1, is_mobile=True,
                              has_touch=True, bypass_csp=True)
    page = ctx.new_page()
    cdp = ctx.new_cdp_session(page)
    page.goto(f"{live_server.url}/{lang}/help")
    nav = page.get_by_role("navigation", name=MAIN_MENU[lang])
    toggle = nav.locator("summary")
    first, last = (nav.get_by_role("link", name=name, exact=True) for name in MENU_LINKS[lang])

    # Closed: one button, no links in the way (nor in the accessibility tree).
    assert toggle.is_visible() and toggle.inner_text().strip() == MENU_BUTTON[lang]
    assert nav.get_by_role("link").count() == 0
    assert menu_button_expanded(cdp, MENU_BUTTON[lang]) is False
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 200, header
    assert_no_axe_violations(page)

    # Keyboard: Enter opens, Tab walks into the links, every link fits the screen.
    toggle.focus()
    page.keyboard.press("Enter")
    assert menu_button_expanded(cdp, MENU_BUTTON[lang]) is True
    assert first.is_visible() and last.is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == MENU_LINKS[lang][0]
    links = nav.get_by_role("link")
    assert links.count() >= 10
    for n in range(links.count()):
        box = links.nth(n).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360 and box["height"] >= 44, box
    # The current page is marked inside the menu.
    assert nav.locator('a[aria-current="page"]').get_attribute("href") == f"/{lang}/help"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_no_axe_violations(page)
    screenshot(page, f"phone-menu-open-{lang}")

    # Shift+Tab back to the button, Space closes.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press(" ")
    assert menu_button_expanded(cdp, MENU_BUTTON[lang]) is False
    assert nav.get_by_role("link").count() == 0

    # A tap opens it again, and a link leads to its page.
    toggle.tap()
    last.tap()
    page.wait_for_url(f"{live_server.url}/{lang}/prices")
    assert page.locator("html").get_attribute("lang") == lang
    ctx.close()


def test_phone_menu_works_without_javascript(live_server, browser):
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = ctx.new_page()
    page.goto(f"{live_server.url}/ru/")
    nav = page.get_by_role("navigation", name=MAIN_MENU["ru"])
    nav.get_by_text(MENU_BUTTON["ru"], exact=True).click()
    nav.get_by_role("link", name="Ярмарки").click()
    page.wait_for_url(f"{live_server.url}/ru/fairs/")
    ctx.close()


@pytest.mark.parametrize("lang", LANGS)
def test_wide_screen_shows_the_menu_links_inline(live_server, browser, lang):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    page = ctx.new_page()
    page.goto(f"{live_server.url}/{lang}/")
    nav = page.get_by_role("navigation", name=MAIN_MENU[lang])
    assert not nav.locator("summary").is_visible()
    links = nav.get_by_role("link")
    assert links.count() >= 10
    tops = {round(links.nth(n).bounding_box()["y"]) for n in range(links.count())}
    assert len(tops) <= 2, tops  # in a row (two at most), not a column
    # The links line up with the page's content, not with the window's edge.
    assert links.first.bounding_box()["x"] == pytest.approx(page.locator("main h1").bounding_box()["x"], abs=4)
    assert_no_axe_violations(page)
    screenshot(page, f"desktop-menu-{lang}")
    ctx.close()
