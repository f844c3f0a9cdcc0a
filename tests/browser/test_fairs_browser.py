"""News and fairs in a real browser: filters with htmx (no reload, URL pushed, back button), without
JavaScript, accessibility in three languages, and the phone layout."""

import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_axe_violations, screenshot

pytestmark = pytest.mark.browser

LANGS = ("kk", "ru", "en")


def first_fair_url(page, base, lang):
    page.goto(f"{base}/{lang}/fairs/")
    return base + page.locator(".fair-title a").first.get_attribute("href")


def test_filter_without_reload_pushes_the_url_and_back_restores(live_server, page):
    base = live_server.url
    page.goto(f"{base}/ru/fairs/")
    all_count = page.locator(".fair-item").count()
    assert all_count > 3
    page.evaluate("window.__sameDocument = true")

    page.select_option("#region", "KZ-61")
    page.wait_for_url(f"{base}/ru/fairs/?region=KZ-61")
    expect(page.locator(".fair-item")).to_have_count(2)
    assert page.evaluate("window.__sameDocument") is True  # no reload
    assert "Автолавка" in page.locator("#fair-results").inner_text()

    page.check("#remote")
    page.wait_for_url(f"{base}/ru/fairs/?region=KZ-61&remote=1")
    assert page.evaluate("window.__sameDocument") is True
    # The calendar link follows the filters.
    assert page.locator("a[href^='/ru/fairs/calendar.ics']").get_attribute("href") == (
        "/ru/fairs/calendar.ics?region=KZ-61&remote=1")

    page.select_option("#region", "")
    page.wait_for_url(f"{base}/ru/fairs/?remote=1")

    page.go_back()
    page.wait_for_url(f"{base}/ru/fairs/?region=KZ-61&remote=1")
    expect(page.locator("#region")).to_have_value("KZ-61")
    assert page.locator("#remote").is_checked()
    assert page.locator(".fair-item").count() == 2

    page.go_back()
    page.wait_for_url(f"{base}/ru/fairs/?region=KZ-61")
    expect(page.locator("#remote")).not_to_be_checked()
    expect(page.locator("#region")).to_have_value("KZ-61")
    page.go_back()
    page.wait_for_url(f"{base}/ru/fairs/")
    expect(page.locator("#region")).to_have_value("")
    expect(page.locator(".fair-item")).to_have_count(all_count)


def test_filters_work_without_javascript(live_server, browser):
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    base = live_server.url
    page.goto(f"{base}/kk/fairs/")
    page.select_option("#region", "KZ-61")
    page.select_option("#kind", "mobile")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/kk/fairs/\?region=KZ-61&kind=mobile.*"))
    assert page.locator(".fair-item").count() == 2
    page.get_by_role("link", name="Айлық күнтізбе").click()
    page.wait_for_url(re.compile(r".*/kk/fairs/month\?region=KZ-61&kind=mobile"))
    assert page.locator(".month-grid").is_visible()
    page.goto(f"{base}/kk/fairs/?when=past")
    assert page.locator(".fair-item").count() >= 2
    ctx.close()


def test_news_region_filter_with_htmx(live_server, page):
    base = live_server.url
    page.goto(f"{base}/en/news/")
    page.evaluate("window.__sameDocument = true")
    page.select_option("#region", "KZ-47")
    page.wait_for_url(f"{base}/en/news/?region=KZ-47")
    expect(page.locator("#news-results")).not_to_contain_text("Astana")
    assert page.evaluate("window.__sameDocument") is True
    text = page.locator("#news-results").inner_text()
    assert "Aktau" in text or "Актау" in text
    assert "Road to School campaign has begun" in text  # national news stays


def test_cancelled_fair_is_shown_as_cancelled(live_server, page):
    page.goto(f"{live_server.url}/en/fairs/")
    item = page.locator(".fair-item.is-cancelled")
    assert item.count() == 1
    assert "Cancelled" in item.inner_text()


@pytest.mark.parametrize("lang", LANGS)
def test_news_and_fair_pages_have_zero_axe_violations(live_server, axe_page, lang):
    base = live_server.url
    detail = first_fair_url(axe_page, base, lang)
    for url in (f"{base}/{lang}/fairs/", f"{base}/{lang}/fairs/month", detail, f"{base}/{lang}/fairs/embed",
                f"{base}/{lang}/news/", f"{base}/{lang}/news/demo-almaty-backpacks", f"{base}/{lang}/"):
        response = axe_page.goto(url)
        assert response.status == 200, url
        assert axe_page.locator("html").get_attribute("lang") == lang
        assert_no_axe_violations(axe_page)


def test_embed_works_in_an_iframe_of_another_site(live_server, page):
    # A school's page on another origin (another port) frames the embed.
    html = (f'<!doctype html><html lang="ru"><title>School</title><iframe title="Fairs" width="300" height="400" '
            f'src="{live_server.url}/ru/fairs/embed?region=KZ-61"></iframe></html>').encode()

    class School(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), School)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        page.goto("http://127.0.0.1:%d/" % server.server_port)
        frame = page.frame_locator("iframe")
        expect(frame.locator("body")).to_contain_text("Автолавка")
        expect(frame.locator(".badge-demo").first).to_be_visible()
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", ["fairs/", "fairs/month", "fairs/detail", "news/", "news/demo-campaign-started"])
def test_phone_layout_has_no_horizontal_scroll(live_server, phone_page, lang, path):
    base = live_server.url
    url = first_fair_url(phone_page, base, lang) if path == "fairs/detail" else f"{base}/{lang}/{path}"
    phone_page.goto(url)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    name = path.strip("/").replace("/", "-").replace("demo-campaign-started", "article")
    screenshot(phone_page, f"phone-{lang}-{name}")
