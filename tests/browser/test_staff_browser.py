"""An admin and a coordinator use the back office in a real browser, in three languages."""

import time

import pyotp
import pytest

from portal.extensions import db
from tests.browser.conftest import assert_no_axe_violations, screenshot
from tests.factories import make_staff

pytestmark = pytest.mark.browser


@pytest.fixture
def accounts(live_app):
    """Fresh accounts per test: a TOTP code is accepted once, so reusing one account would mean waiting."""
    with live_app.app_context():
        users = {}
        for key, role, region in (("admin", "admin", None), ("coordinator", "coordinator", "KZ-47")):
            user = make_staff(role=role, region_code=region)
            users[key] = (user.email, user.totp_plain)
        db.session.commit()
    return users


def sign_in(page, base, email, secret, lang):
    page.goto(f"{base}/staff/login?lang={lang}")
    page.locator("#email").fill(email)
    page.locator("#password").fill("correct horse battery")
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"{base}/staff/login/code")
    # A code is accepted once; wait for a fresh time step when this account just used one.
    totp = pyotp.TOTP(secret)
    page.locator("#code").fill(totp.now())
    page.locator("form button[type=submit]").click()
    if "/login/code" in page.url:
        time.sleep(31 - time.time() % 30)
        page.locator("#code").fill(totp.now())
        page.locator("form button[type=submit]").click()
    page.wait_for_url(f"{base}/staff/")


def set_language(page, lang):
    page.locator("#staff-language").select_option(lang)
    page.locator(".staff-lang button").click()
    page.wait_for_load_state("load")


def test_coordinator_creates_a_fair_in_local_time(live_server, browser, accounts):
    ctx = browser.new_context()
    page = ctx.new_page()
    email, secret = accounts["coordinator"]
    sign_in(page, live_server.url, email, secret, "ru")
    set_language(page, "ru")
    assert page.locator("html").get_attribute("lang") == "ru"
    page.get_by_role("link", name="Ярмарки").first.click()
    page.get_by_role("link", name="Добавить ярмарку или мероприятие").click()
    # The region list offers only the coordinator's region.
    assert page.locator("#region_code option").count() == 1
    page.locator("#kind").select_option("mobile")
    page.locator("#starts_at").fill("2023-08-21T10:00")
    page.locator("#ends_at").fill("2023-08-21T15:00")
    page.locator("#venue").fill("Бейнеу, Дом культуры")
    page.locator("#is_remote").check()
    page.locator("#title_ru").fill("Выездная ярмарка в Бейнеу")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/staff/fairs/*/edit")
    assert "Ярмарка сохранена." in page.content()
    assert page.locator("#starts_at").input_value() == "2023-08-21T10:00"
    screenshot(page, "staff-fair-ru")
    ctx.close()


def test_admin_filters_lists_with_htmx_and_without(live_server, browser, accounts):
    ctx = browser.new_context()
    page = ctx.new_page()
    email, secret = accounts["admin"]
    sign_in(page, live_server.url, email, secret, "kk")
    set_language(page, "kk")
    page.goto(f"{live_server.url}/staff/fairs/")
    page.evaluate("window.__marker = 1")
    page.locator("select#status").select_option("scheduled")
    page.wait_for_url("**/staff/fairs/?*status=scheduled*")
    assert page.evaluate("window.__marker") == 1  # no full reload
    page.go_back()
    page.wait_for_url(f"{live_server.url}/staff/fairs/")
    ctx.close()
    nojs = browser.new_context(java_script_enabled=False)
    page = nojs.new_page()
    email, secret = accounts["coordinator"]
    sign_in(page, live_server.url, email, secret, "en")
    page.goto(f"{live_server.url}/staff/fairs/")
    page.locator("select#status").select_option("cancelled")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/staff/fairs/?*status=cancelled*")
    assert page.locator("#results").is_visible()
    nojs.close()


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_staff_pages_have_zero_axe_violations(live_server, browser, accounts, lang):
    ctx = browser.new_context(bypass_csp=True)
    page = ctx.new_page()
    page.goto(f"{live_server.url}/staff/login?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    assert_no_axe_violations(page)
    email, secret = accounts["admin"]
    sign_in(page, live_server.url, email, secret, lang)
    set_language(page, lang)
    for path in ("/staff/", "/staff/news/", "/staff/news/new", "/staff/fairs/", "/staff/fairs/new", "/staff/audit/",
                 "/staff/password"):
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == lang
        assert_no_axe_violations(page)
    screenshot(page, f"staff-audit-{lang}")
    ctx.close()


def test_admin_writes_national_news_in_kazakh(live_server, live_app, browser, accounts):
    ctx = browser.new_context()
    page = ctx.new_page()
    email, secret = accounts["admin"]
    sign_in(page, live_server.url, email, secret, "kk")
    set_language(page, "kk")
    page.goto(f"{live_server.url}/staff/news/new")
    assert page.locator("#region_code").input_value() == ""  # national by default for admins
    page.locator("#title_kk").fill("Акция басталды")
    page.locator("#body_kk").fill("**Мектепке жол** акциясы 1 тамызда басталды.")
    page.get_by_role("button", name="Сақтау").click()
    page.wait_for_url("**/staff/news/*/edit")
    assert "Мақала сақталды." in page.content()
    with live_app.app_context():
        import sqlalchemy as sa

        from portal.news.models import News

        news = db.session.scalar(sa.select(News).where(News.title_kk == "Акция басталды"))
        assert news.region_code is None and "<strong>Мектепке жол</strong>" in news.body_html_kk
    ctx.close()
