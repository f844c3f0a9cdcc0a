"""The anonymous appeal path in a real browser: with and without JavaScript, three languages, axe-core."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import assert_no_axe_violations, screenshot

pytestmark = pytest.mark.browser

LANGS = ("kk", "ru", "en")
TEXT = "The school asks every family for 15 000 tenge for new curtains, or the child cannot start."


@pytest.fixture(scope="module", autouse=True)
def appeal_settings(live_app, live_server):
    """Cheap hashing, room for many submissions from 127.0.0.1, and a quick exit that stays on this machine."""
    keys = ("APPEAL_PEPPER", "APPEAL_HASH_TIME_COST", "APPEAL_HASH_MEMORY_KIB", "APPEAL_RATE_LIMIT",
            "APPEAL_CHECK_RATE_LIMIT", "APPEAL_EXIT_URL")
    saved = {k: live_app.config.get(k) for k in keys}
    live_app.config.update(
        APPEAL_PEPPER="browser-test-pepper", APPEAL_HASH_TIME_COST=1, APPEAL_HASH_MEMORY_KIB=64,
        APPEAL_RATE_LIMIT="1000 per minute", APPEAL_CHECK_RATE_LIMIT="1000 per minute",
        APPEAL_EXIT_URL=live_server.url + "/kk/about",
    )
    yield
    live_app.config.update(saved)


def fill_and_send(page, base, lang="en", text=TEXT, category_index=2):
    page.goto(f"{base}/{lang}/appeal")
    page.locator(f"#category-{category_index}").check()
    page.locator("#region").select_option("KZ-71")
    page.locator("#message").fill(text)
    page.locator("#submit").click()
    page.wait_for_load_state("load")


def code_on(page) -> str:
    return re.sub(r"\D", "", page.locator(".receipt-code").inner_text())


@pytest.fixture
def no_js_page(browser):
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    yield page
    ctx.close()


def test_whole_path_without_javascript(live_server, no_js_page):
    page = no_js_page
    fill_and_send(page, live_server.url, "ru")
    assert page.get_by_role("heading", level=1).inner_text() == "Ваше обращение получено"
    code = code_on(page)
    assert len(code) == 21
    assert code not in page.url
    assert not page.locator(".js-print").is_visible()  # printing is the browser's own command then
    page.locator("#last_digits").fill(code[-5:-1] + " " + code[-1])
    page.get_by_role("button", name="Код сохранён").click()
    page.wait_for_url(f"{live_server.url}/ru/appeal/done")
    assert code not in page.content()
    page.get_by_role("link", name="Проверить обращение").first.click()
    page.locator("#code").fill(" ".join(code[i : i + 4] for i in range(0, 21, 4)))
    page.get_by_role("button", name="Показать моё обращение").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Ваше обращение"
    assert TEXT in page.content()
    page.locator("#message").fill("Сегодня попросили ещё 5 000 тенге.")
    page.get_by_role("button", name="Добавить к обращению").click()
    assert "Ваши сведения добавлены" in page.content()
    assert "Сегодня попросили ещё 5 000 тенге." in page.content()
    cookies = page.context.cookies()
    assert all(c["expires"] == -1 for c in cookies), cookies  # session cookies only
    assert all(code not in c["value"] for c in cookies)


def test_with_javascript_print_button_and_no_requests_elsewhere(live_server, page):
    hosts, messages = set(), []
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.on("console", lambda msg: messages.append(msg.text))
    fill_and_send(page, live_server.url, "kk")
    assert page.locator(".js-print").is_visible()
    assert page.evaluate("typeof htmx") == "object"
    assert hosts == {live_server.url.split("/")[2]}
    assert not [m for m in messages if "Content Security Policy" in m or "Refused" in m], messages


def test_inline_validation_with_javascript(live_server, page):
    page.goto(f"{live_server.url}/en/appeal")
    page.locator("#message").fill("too short")
    page.locator("#message").blur()
    page.locator("#message-error").get_by_text("at least 20 characters").wait_for()


def test_identifier_warning_then_send_anyway(live_server, page):
    fill_and_send(page, live_server.url, "en", text="Her IIN is 100901500011 and she is not at school since May.")
    warning = page.get_by_role("alert").filter(has_text="Your text may identify someone")
    assert warning.is_visible()
    page.get_by_role("button", name="Send it anyway").click()
    page.wait_for_load_state("load")
    assert len(code_on(page)) == 21


def test_quick_exit_replaces_the_page(live_server, page):
    page.goto(f"{live_server.url}/kk/")
    page.goto(f"{live_server.url}/kk/appeal")
    page.locator("#message").fill("something private")
    page.get_by_role("link", name="Беттен тез кету").click()
    page.wait_for_url(f"{live_server.url}/kk/about")
    page.go_back()
    page.wait_for_load_state("load")
    assert page.url == f"{live_server.url}/kk/"  # the appeal page is gone from the history


def test_reload_of_the_receipt_does_not_send_twice(live_server, live_app, page):
    import sqlalchemy as sa

    from portal.appeals.models import Appeal
    from portal.extensions import db

    with live_app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Appeal))
        db.session.remove()
    fill_and_send(page, live_server.url, "en")
    code = code_on(page)
    page.reload()  # Chromium re-posts the form without asking in headless mode
    page.wait_for_load_state("load")
    assert code_on(page) == code
    with live_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Appeal)) == before + 1
        db.session.remove()


@pytest.mark.parametrize("lang", LANGS)
def test_axe_form_error_receipt_and_check(live_server, axe_page, lang):
    page = axe_page
    base = live_server.url
    page.goto(f"{base}/{lang}/appeal")
    assert page.locator("html").get_attribute("lang") == lang
    assert_no_axe_violations(page)
    page.locator("#submit").click()  # empty: the error state
    page.wait_for_load_state("load")
    assert page.locator(".error-summary").is_visible()
    assert_no_axe_violations(page)
    fill_and_send(page, base, lang, text="Call me on +7 701 123 45 67, the school takes money from parents.")
    assert page.locator(".identifier-warning").is_visible()
    assert_no_axe_violations(page)
    page.locator("#send_anyway").click()
    page.wait_for_load_state("load")
    code = code_on(page)
    assert_no_axe_violations(page)
    page.locator("#last_digits").fill("00000" if code[-5:] != "00000" else "11111")
    page.locator("form[action$='/confirm'] [type=submit]").click()
    page.wait_for_load_state("load")
    assert page.locator(".error-summary").is_visible()
    assert_no_axe_violations(page)
    page.locator("#last_digits").fill(code[-5:])
    page.locator("form[action$='/confirm'] [type=submit]").click()
    page.wait_for_url(f"{base}/{lang}/appeal/done")
    assert_no_axe_violations(page)
    page.goto(f"{base}/{lang}/appeal/check")
    assert_no_axe_violations(page)
    page.locator("#code").fill(code[:-1] + str((int(code[-1]) + 1) % 10))  # a typo
    page.locator("#submit").click()
    page.wait_for_load_state("load")
    assert page.locator(".error-summary").is_visible()
    assert_no_axe_violations(page)
    page.locator("#code").fill(code)
    page.locator("#submit").click()
    page.wait_for_load_state("load")
    assert page.locator(".appeal-messages").is_visible()
    assert_no_axe_violations(page)


@pytest.mark.parametrize("lang", LANGS)
def test_phone_layout(live_server, phone_page, lang):
    phone_page.goto(f"{live_server.url}/{lang}/appeal?category=not_attending")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone_page, f"phone-{lang}-appeal")
    fill_and_send(phone_page, live_server.url, lang, category_index=0)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone_page, f"phone-{lang}-appeal-receipt")
    phone_page.goto(f"{live_server.url}/{lang}/appeal/check")
    phone_page.locator("#code").fill(code_placeholder())
    phone_page.locator("#submit").click()
    phone_page.wait_for_load_state("load")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone_page, f"phone-{lang}-appeal-check-error")


def code_placeholder() -> str:
    return "1234 5678 9012 3456 7890 1"
