"""Price pages in a real browser: axe-core in kk/ru/en, JavaScript on and off, phone width."""

import pytest

from tests.browser.conftest import assert_no_axe_violations, screenshot

pytestmark = pytest.mark.browser

LANGS = ("kk", "ru", "en")
PATHS = ("prices", "prices?region=KZ-71", "prices?region=KZ-47&item=shoes", "prices/data")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", PATHS)
def test_price_pages_have_zero_axe_violations(live_server, axe_page, lang, path):
    response = axe_page.goto(f"{live_server.url}/{lang}/{path}")
    assert response.status == 200
    assert axe_page.locator("html").get_attribute("lang") == lang
    assert_no_axe_violations(axe_page)


@pytest.mark.parametrize("javascript", [True, False])
def test_parent_picks_a_region_and_finds_the_report_link(live_server, browser, javascript):
    ctx = browser.new_context(java_script_enabled=javascript)
    page = ctx.new_page()
    page.goto(f"{live_server.url}/en/")
    page.get_by_role("navigation").get_by_role("link", name="Prices").first.click()
    page.wait_for_url(f"{live_server.url}/en/prices")
    assert page.get_by_role("heading", level=1).inner_text() == "School-goods prices"
    assert page.get_by_role("img", name="School uniform set: median price by region, 2023").is_visible()
    page.get_by_label("Region", exact=True).select_option("KZ-47")
    page.get_by_role("button", name="Show prices").click()
    page.wait_for_url("**/en/prices?region=KZ-47**")
    results = page.locator("#price-results")
    results.get_by_role("heading", name="Prices in Mangystau Region, campaign 2023").wait_for()
    assert results.get_by_role("table", name="Prices in Mangystau Region, campaign 2023").is_visible()
    sports = results.locator("tr", has_text="Sports kit")
    assert "not enough data" in sports.inner_text()
    assert page.get_by_text("Demo data").first.is_visible()
    page.get_by_role("link", name="Report it anonymously").click()
    page.wait_for_url("**/en/appeal?category=forced_fees")
    assert page.get_by_label("Forced fees or price gouging").is_checked()
    ctx.close()


@pytest.mark.parametrize("lang", LANGS)
def test_price_page_fits_a_phone(live_server, phone_page, lang):
    phone_page.goto(f"{live_server.url}/{lang}/prices?region=KZ-71")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    screenshot(phone_page, f"phone-{lang}-prices")


@pytest.fixture
def price_staff(live_app):
    from portal.extensions import db
    from tests.factories import make_staff

    with live_app.app_context():
        user = make_staff(role="coordinator", region_code="KZ-47")
        db.session.commit()
        return user.email, user.totp_plain


@pytest.mark.parametrize("lang", LANGS)
def test_staff_price_pages_have_zero_axe_violations(live_server, browser, price_staff, lang):
    from tests.browser.test_staff_browser import set_language, sign_in

    ctx = browser.new_context(bypass_csp=True)
    page = ctx.new_page()
    sign_in(page, live_server.url, *price_staff, lang)
    set_language(page, lang)
    for path in ("/staff/prices/", "/staff/prices/new", "/staff/prices/upload"):
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == lang
        assert_no_axe_violations(page)
    # A correction form of the coordinator's own region, and a failed upload with its error table.
    page.goto(live_server.url + "/staff/prices/?region=KZ-47")
    page.locator("#results a[href$='/edit']").first.click()
    page.wait_for_url("**/staff/prices/*/edit")
    assert_no_axe_violations(page)
    page.goto(live_server.url + "/staff/prices/upload")
    bad = "region,item,outlet,price_kzt,observed_on\nKZ-47,pen,shop,сто,2023-08-01\nKZ-71,pen,shop,100,2023-08-01\n"
    page.set_input_files("#file", files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": bad.encode()}])
    page.locator("form[enctype] button[type=submit]").click()
    page.wait_for_load_state("load")
    errors = page.locator("#upload-errors")
    assert errors.locator("tbody tr").count() == 2
    assert_no_axe_violations(page)
    screenshot(page, f"staff-prices-upload-{lang}")
    ctx.close()
