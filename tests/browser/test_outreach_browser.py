"""Self-check, needs board and posters in a real browser: three languages, JavaScript on and off, axe-core,
the phone layout, and the posters' print output rendered to PDF and PNG."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ARTIFACTS, assert_no_axe_violations, screenshot

pytestmark = pytest.mark.browser

LANGS = ("kk", "ru", "en")


def fill_self_check(page, count: bool):
    page.select_option("#region", "KZ-61")
    page.check("#uniform-1")  # "No"
    page.check("#shoes-0")  # "Yes"
    page.check("#asp-0")
    if count:
        page.check("#count")
    page.locator(".ready-form button[type=submit]").click()


@pytest.mark.parametrize("lang", LANGS)
def test_self_check_is_accessible_and_answers_in_every_language(live_server, axe_page, lang):
    base = live_server.url
    axe_page.goto(f"{base}/{lang}/ready")
    assert_no_axe_violations(axe_page)
    fill_self_check(axe_page, count=False)
    axe_page.wait_for_url(f"{base}/{lang}/ready/result?*")
    assert axe_page.locator("h1").count() == 1
    assert axe_page.locator("a[href^='tel:111']").count() >= 1
    assert axe_page.locator(f"a[href='/{lang}/appeal']").count() >= 1
    assert_no_axe_violations(axe_page)
    axe_page.goto(f"{base}/{lang}/ready/figures")
    assert_no_axe_violations(axe_page)


def test_self_check_without_javascript_counts_when_asked(live_server, browser):
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = ctx.new_page()
    try:
        page.goto(f"{live_server.url}/kk/ready")
        fill_self_check(page, count=True)
        page.wait_for_url(f"{live_server.url}/kk/ready/result?*")
        assert page.locator(".flash").count() == 1
        screenshot(page, "outreach-ready-result-kk-phone")
    finally:
        ctx.close()


@pytest.mark.parametrize("lang", LANGS)
def test_self_check_phone_layout(live_server, phone_page, lang):
    phone_page.goto(f"{live_server.url}/{lang}/ready")
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone_page, f"outreach-ready-{lang}-phone")


def first_fair_id(page, base) -> str:
    page.goto(f"{base}/en/fairs/")
    href = page.locator(".fair-title a").first.get_attribute("href")
    return href.rstrip("/").rsplit("/", 1)[-1]


@pytest.mark.parametrize("lang", LANGS)
def test_posters_print_to_pdf_and_png(live_server, page, axe_page, lang):
    base = live_server.url
    fair_id = first_fair_id(page, base)
    ARTIFACTS.mkdir(exist_ok=True)
    for name, path in (("campaign", "/print/campaign"), ("fair", f"/print/fair/{fair_id}")):
        for size in ("a4", "a6"):
            url = f"{base}/{lang}{path}?size={size}"
            axe_page.goto(url)
            assert_no_axe_violations(axe_page)
            page.goto(url)
            page.emulate_media(media="print")
            assert page.locator(".site-header").is_hidden()
            assert page.locator(".poster-qr svg").is_visible()
            # The printable area at 96 dpi (A4 minus 12 mm margins, A6 minus 6 mm): what a sheet shows.
            page.set_viewport_size({"width": 703, "height": 1032} if size == "a4" else {"width": 352, "height": 514})
            screenshot(page, f"outreach-{name}-{size}-{lang}-print")
            pdf = ARTIFACTS / f"outreach-{name}-{size}-{lang}.pdf"
            page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
            data = pdf.read_bytes()
            assert data.startswith(b"%PDF")
            # One sheet, of the right size (A4 595×842 pt, A6 298×420 pt).
            pages = re.findall(rb"/Type\s*/Page(?![s\w])", data)
            assert len(pages) == 1, (name, size, lang, len(pages))
            box = [float(v) for v in re.search(rb"/MediaBox\s*\[([^\]]+)\]", data).group(1).split()]
            expected = (595, 842) if size == "a4" else (298, 420)
            assert abs(box[2] - expected[0]) < 3 and abs(box[3] - expected[1]) < 3, box
            page.emulate_media(media="screen")


@pytest.mark.parametrize("lang", LANGS)
def test_needs_board_and_response_figures_are_accessible(live_server, axe_page, phone_page, lang):
    base = live_server.url
    axe_page.goto(f"{base}/{lang}/needs/")
    assert axe_page.locator("progress").count() >= 3
    assert_no_axe_violations(axe_page)
    href = axe_page.locator(f"a[href^='/{lang}/offer?need=']").first.get_attribute("href")
    axe_page.goto(base + href)
    assert axe_page.locator("input[name=need_id]").get_attribute("value") == href.rsplit("=", 1)[-1]
    axe_page.goto(f"{base}/{lang}/needs/response")
    assert_no_axe_violations(axe_page)
    phone_page.goto(f"{base}/{lang}/needs/")
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone_page, f"outreach-needs-{lang}-phone")


def test_needs_board_filter_without_javascript(live_server, browser):
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    try:
        page.goto(f"{live_server.url}/ru/needs/")
        page.select_option("#region", "KZ-47")
        page.locator("form.filters button[type=submit]").click()
        page.wait_for_url(f"{live_server.url}/ru/needs/?region=KZ-47")
        assert page.locator("section h2").count() == 1
    finally:
        ctx.close()


@pytest.fixture
def outreach_staff(live_app):
    """A fresh admin and a coordinator of KZ-47 (a TOTP code is accepted once), one tally and two needs to show."""
    from portal import clock
    from portal.extensions import db
    from portal.ready.models import ReadyTally
    from portal.ready.services import TALLY_TZ
    from tests.factories import make_need, make_staff

    with live_app.app_context():
        accounts = {}
        for role, region in (("admin", None), ("coordinator", "KZ-47")):
            user = make_staff(role=role, region_code=region)
            accounts[role] = (user.email, user.totp_plain)
        db.session.merge(ReadyTally(region_code="KZ-47", day=clock.today_in(TALLY_TZ), question="shoes",
                                    answer="no", count=4))
        own = make_need("KZ-47", item="shoes", size_band="30–34", quantity_total=60, quantity_needed=25)
        other = make_need("KZ-61", item="backpacks", quantity_total=40, quantity_needed=40)
        db.session.commit()
        accounts["needs"] = (own.id, other.id)
    return accounts


@pytest.mark.parametrize("lang", LANGS)
def test_staff_ready_and_needs_pages_have_zero_axe_violations(live_server, browser, outreach_staff, lang):
    from tests.browser.test_staff_browser import set_language, sign_in

    base = live_server.url
    own_id, other_id = outreach_staff["needs"]
    paths = ["/staff/ready/", "/staff/ready/?region=KZ-47&date_from=2000-01-01",
             "/staff/needs/", "/staff/needs/new", f"/staff/needs/{own_id}/edit"]
    ctx = browser.new_context(bypass_csp=True)
    page = ctx.new_page()
    try:
        for role, extra in (("admin", [f"/staff/needs/{other_id}/edit"]), ("coordinator", [])):
            ctx.clear_cookies()
            sign_in(page, base, *outreach_staff[role], lang)
            set_language(page, lang)
            for path in paths + extra:
                response = page.goto(base + path)
                assert response.status == 200, path
                assert page.locator("html").get_attribute("lang") == lang
                assert page.locator("h1").count() == 1
                assert_no_axe_violations(page)
        # A refused form (as the coordinator): the error summary and the field marked invalid.
        page.goto(f"{base}/staff/needs/new")
        page.locator("#quantity_total").fill("abc")
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state("load")
        assert page.locator(".error-summary").count() == 1
        assert page.locator("#quantity_total").get_attribute("aria-invalid") == "true"
        assert_no_axe_violations(page)
        screenshot(page, f"outreach-staff-need-error-{lang}")
    finally:
        ctx.close()
