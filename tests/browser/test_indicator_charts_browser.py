"""The indicators' charts on a phone (issue 16): 360 px wide, no horizontal scroll, zero axe violations, each
chart an image with its name beside its table, in Kazakh and Russian; screenshots in test-artifacts/."""

import pytest

from tests.browser.conftest import assert_no_axe_violations
from tests.conftest import LiveServer
from tests.test_indicator_charts import publish_with_indicators
from tests.test_reports import SLUG

pytestmark = pytest.mark.browser

DEMO = "demo-mektepke-zhol-2022"  # the demo's latest past year: indicators for every region and two years' series
TITLES = {
    "kk": ("Өңірлер бойынша қамту", "Жоспарланған бюджетпен салыстырғанда жұмсалғаны"),
    "ru": ("Охват по регионам", "Расходы относительно запланированного бюджета"),
}


@pytest.fixture
def phone(browser):
    """A 360 px phone whose context lets axe-core in (CSP bypassed for the injected script only)."""
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
                              has_touch=True, bypass_csp=True)
    yield ctx.new_page()
    ctx.close()


def _check(page, lang, name):
    assert page.locator("html").get_attribute("lang") == lang
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    for title in TITLES[lang]:
        chart = page.get_by_role("img", name=title)
        assert chart.count() == 1 and chart.is_visible()
        box = chart.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    # Every chart sits beside (on a phone: above) a table of its figures (the series: one table per group).
    for n, pair in enumerate(page.locator("#indicators .report-pair").all()):
        assert pair.locator("svg[role=img]").count() >= 1 and pair.locator("table").count() >= 1
        pair.screenshot(path=_artifact(f"{name}-{n + 1}"))
    assert_no_axe_violations(page)


def _artifact(name: str) -> str:
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return str(ARTIFACTS / f"{name}.png")


@pytest.mark.parametrize("lang", ("kk", "ru"))
def test_demo_indicator_charts_fit_a_phone(live_server, phone, lang):
    assert phone.goto(f"{live_server.url}/{lang}/reports/{DEMO}").status == 200
    _check(phone, lang, f"phone-{lang}-indicator-charts-demo")
    assert phone.locator("#indicator-series-title ~ .report-pair svg[role=img]").count() == 2  # the series


@pytest.mark.parametrize("lang", ("kk", "ru"))
def test_every_indicator_chart_fits_a_phone(app, phone, lang):
    publish_with_indicators(app)
    server = LiveServer(app)
    server.start()
    try:
        assert phone.goto(f"{server.url}/{lang}/reports/{SLUG}").status == 200
        assert phone.locator("#indicator-places svg[role=img]").count() == 2
        _check(phone, lang, f"phone-{lang}-indicator-charts")
    finally:
        server.stop()
