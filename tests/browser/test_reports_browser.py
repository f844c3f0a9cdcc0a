"""Report pages in a real browser: axe-core, JavaScript on and off, phone width, downloads."""

import hashlib

import pytest

from tests.browser.conftest import assert_no_axe_violations, screenshot

pytestmark = pytest.mark.browser

LANGS = ("kk", "ru", "en")
SLUG = "demo-mektepke-zhol-2022"  # published by `flask seed demo` in the live app
PATHS = ("reports/", f"reports/{SLUG}", f"reports/{SLUG}/v1")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", PATHS)
def test_report_pages_have_zero_axe_violations(live_server, axe_page, lang, path):
    response = axe_page.goto(f"{live_server.url}/{lang}/{path}")
    assert response.status == 200
    assert axe_page.locator("html").get_attribute("lang") == lang
    assert_no_axe_violations(axe_page)


@pytest.mark.parametrize("lang", LANGS)
def test_home_key_figures_have_zero_axe_violations(live_server, axe_page, lang):
    axe_page.goto(f"{live_server.url}/{lang}/")
    assert axe_page.locator(".key-figures").is_visible()
    assert_no_axe_violations(axe_page)


@pytest.mark.parametrize("javascript", [True, False])
def test_journalist_finds_reads_and_downloads_a_report(live_server, browser, javascript):
    ctx = browser.new_context(java_script_enabled=javascript, accept_downloads=True)
    page = ctx.new_page()
    page.goto(f"{live_server.url}/en/")
    page.locator(".key-figures").get_by_role("link", name="Read the report and download the data").click()
    page.wait_for_url(f"{live_server.url}/en/reports/{SLUG}")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Demo report")
    assert page.get_by_text("Demo data").first.is_visible()
    # Charts are images with accessible names; each has its table next to it.
    charts = page.get_by_role("img", name="Children helped by region")
    assert charts.count() == 1
    assert page.get_by_role("table", name="By region", exact=True).is_visible()  # not "Indicators by region"
    # Download data.csv and check it against the checksum on the page.
    with page.expect_download() as info:
        page.locator("#downloads").get_by_role("link", name="data.csv").click()
    path = info.value.path()
    with open(path, "rb") as fh:
        data = fh.read()
    assert data.startswith(b"\xef\xbb\xbf")
    row = page.locator("#downloads tr", has_text="data.csv")
    assert hashlib.sha256(data).hexdigest() == row.locator(".checksum").inner_text()
    # An older version stays reachable from the history.
    page.locator("#history").get_by_role("link", name="Version 1").click()
    page.wait_for_url(f"{live_server.url}/en/reports/{SLUG}/v1")
    assert page.get_by_text("This is an earlier version").is_visible()
    ctx.close()


@pytest.mark.parametrize("lang", LANGS)
def test_report_page_fits_a_phone(live_server, phone_page, lang):
    phone_page.goto(f"{live_server.url}/{lang}/reports/{SLUG}")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    screenshot(phone_page, f"phone-{lang}-report")


def test_no_csp_violations_and_no_other_host(live_server, page):
    messages, hosts = [], set()
    page.on("console", lambda msg: messages.append(msg.text))
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    for path in PATHS:
        page.goto(f"{live_server.url}/ru/{path}")
        page.wait_for_load_state("load")
    assert not [m for m in messages if "Content Security Policy" in m or "Refused" in m], messages
    assert hosts == {live_server.url.split("/")[2]}


@pytest.fixture
def report_staff(live_app):
    from portal.extensions import db
    from tests.factories import make_staff

    with live_app.app_context():
        users = {}
        for key, role, region in (("admin", "admin", None), ("coordinator", "coordinator", "KZ-47")):
            user = make_staff(role=role, region_code=region)
            users[key] = (user.email, user.totp_plain)
        db.session.commit()
    return users


HEADER = "region,recipient_group,aid_kind,source,children,amount_kzt,items"


@pytest.mark.parametrize("javascript", [True, False])
def test_coordinator_uploads_a_file_and_sees_every_error(live_server, browser, report_staff, javascript):
    from tests.browser.test_staff_browser import set_language, sign_in

    ctx = browser.new_context(java_script_enabled=javascript)
    page = ctx.new_page()
    email, secret = report_staff["coordinator"]
    sign_in(page, live_server.url, email, secret, "ru")
    set_language(page, "ru")
    page.goto(f"{live_server.url}/staff/reports/upload")
    bad = f"{HEADER}\nKZ-47,orphan,shoes,sponsors,много,1000,1\nKZ-71,orphan,shoes,sponsors,3,1000,3\n"
    page.set_input_files("#file", files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": bad.encode()}])
    page.get_by_role("button", name="Загрузить").click()
    page.wait_for_load_state("load")
    errors = page.locator("#upload-errors")
    assert "Ничего не загружено: в файле 2\xa0ошибки." in errors.inner_text()
    assert errors.get_by_role("row").filter(has_text="Должно быть целое число.").count() == 1
    assert errors.get_by_role("row").filter(has_text="только по своему региону (KZ-47)").count() == 1
    good = f"{HEADER}\nKZ-47,orphan,shoes,sponsors,12,132000,12\n"
    page.set_input_files("#file", files=[{"name": "good.csv", "mimeType": "text/csv", "buffer": good.encode()}])
    page.get_by_role("button", name="Загрузить").click()
    page.wait_for_url(f"{live_server.url}/staff/reports/?year=2023")
    assert "Загружена 1&nbsp;строка." in page.content()  # Chromium writes U+00A0 as &nbsp;
    ctx.close()


@pytest.mark.parametrize("lang", LANGS)
def test_staff_report_pages_have_zero_axe_violations(live_server, axe_page, report_staff, lang):
    from tests.browser.test_staff_browser import set_language, sign_in

    email, secret = report_staff["admin"]
    sign_in(axe_page, live_server.url, email, secret, lang)
    set_language(axe_page, lang)
    for path in ("/staff/reports/?year=2023", "/staff/reports/upload", "/staff/reports/allocations/new",
                 "/staff/reports/preview?year=2023", "/staff/reports/publish?year=2023"):
        response = axe_page.goto(live_server.url + path)
        assert response.status == 200, path
        assert axe_page.locator("html").get_attribute("lang") == lang
        assert_no_axe_violations(axe_page)
    axe_page.goto(live_server.url + "/staff/reports/upload")
    axe_page.set_input_files("#file", files=[{"name": "x.csv", "mimeType": "text/csv", "buffer": b"a|b|c\n1|2|3\n"}])
    axe_page.locator("form button[type=submit]").last.click()
    axe_page.wait_for_load_state("load")
    assert axe_page.locator("#upload-errors").is_visible()
    assert_no_axe_violations(axe_page)
    screenshot(axe_page, f"staff-{lang}-report-upload-errors")
