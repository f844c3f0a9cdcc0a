"""A region's page in a real browser: fits a 360 px phone, tel: links, no accessibility violations."""

import pytest

from tests.browser.conftest import assert_no_axe_violations, screenshot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ("kk", "ru", "en"))
def test_region_page_fits_a_phone(live_server, phone_page, lang):
    response = phone_page.goto(f"{live_server.url}/{lang}/regions/KZ-71")
    assert response.status == 200
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    assert phone_page.locator('a[href^="tel:"]').count() >= 3  # the region's lines and the national ones
    screenshot(phone_page, f"phone-{lang}-region")


def test_region_page_has_zero_axe_violations(live_server, axe_page):
    response = axe_page.goto(f"{live_server.url}/kk/regions/KZ-71")
    assert response.status == 200
    assert_no_axe_violations(axe_page)
