"""The offer form in a real browser: inline validation with JavaScript, the whole path without it, axe-core."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from portal.extensions import db
from tests.browser.conftest import assert_no_axe_violations, screenshot

pytestmark = pytest.mark.browser

LANGS = ("kk", "ru", "en")
HEADINGS = {
    "kk": "Рақмет! Ұсынысыңыз келіп түсті",
    "ru": "Спасибо! Ваше предложение получено",
    "en": "Thank you! Your offer has been received",
}


@pytest.fixture(scope="module", autouse=True)
def offer_settings(live_app):
    """Room for many submissions from 127.0.0.1 in one minute."""
    keys = ("OFFER_RATE_LIMIT", "OFFER_VALIDATE_RATE_LIMIT")
    saved = {k: live_app.config.get(k) for k in keys}
    live_app.config.update(OFFER_RATE_LIMIT="1000 per minute", OFFER_VALIDATE_RATE_LIMIT="1000 per minute")
    yield
    live_app.config.update(saved)


@pytest.fixture
def no_js_page(browser):
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    yield page
    ctx.close()


def offer_count(app) -> int:
    from portal.offers.models import Offer

    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Offer))
        db.session.remove()
        return count


def fill_valid(page, base, lang="en"):
    page.goto(f"{base}/{lang}/offer")
    page.locator("#donor_type-2").check()  # company
    page.locator("#org_name").fill("ТОО «Браузер Тест»")
    page.locator("#tax_id").fill("230840001231")
    page.locator("#contact_name").fill("Айгерім Тест")
    page.locator("#phone").fill("8 701 765 43 21")
    page.locator("#kinds-2").check()  # backpacks
    page.locator("#quantity").fill("40")
    page.locator("#regions-19").check()  # KZ-79 Shymkent
    page.locator("#consent_data").check()


def send(page):
    """Continue, and on the check-answers page (a valid form) send the offer."""
    page.locator(".offer-form button[type=submit]").click()
    page.wait_for_load_state("load")
    if page.locator(".check-answers").count():
        page.locator(".check-answers button[name=send]").click()
        page.wait_for_load_state("load")


def test_whole_path_without_javascript(live_server, live_app, no_js_page):
    before = offer_count(live_app)
    fill_valid(no_js_page, live_server.url, "ru")
    send(no_js_page)
    assert no_js_page.url == f"{live_server.url}/ru/offer/received"
    assert no_js_page.get_by_role("heading", level=1).inner_text() == HEADINGS["ru"]
    assert no_js_page.locator(".reference").inner_text().startswith("MZ-")
    assert offer_count(live_app) == before + 1


def test_errors_without_javascript_show_summary_and_keep_input(live_server, no_js_page):
    no_js_page.goto(f"{live_server.url}/kk/offer")
    no_js_page.locator("#contact_name").fill("Айгерім")
    no_js_page.locator("#phone").fill("+7 912 345 67 89")
    send(no_js_page)
    summary = no_js_page.locator(".error-summary")
    assert summary.is_visible()
    assert "Қазақстандық телефон нөмірін енгізіңіз" in summary.inner_text()
    assert no_js_page.locator("#contact_name").input_value() == "Айгерім"
    summary.get_by_role("link").first.click()  # each message links to its field


def test_inline_validation_when_leaving_a_field(live_server, page):
    messages = []
    page.on("console", lambda msg: messages.append(msg.text))
    page.goto(f"{live_server.url}/en/offer")
    page.locator("#phone").fill("+7 912 345 67 89")
    page.locator("#phone").press("Tab")
    error = page.locator("#phone-error")
    error.get_by_text("Enter a Kazakhstan phone number").wait_for(timeout=5000)
    # Same server rules: a Kazakh number clears the message.
    page.locator("#phone").fill("8 701 123 45 67")
    page.locator("#phone").press("Tab")
    expect(page.locator("#phone-error")).to_have_text("", timeout=5000)
    # A cross-field rule: a sole proprietor's IIN, not a BIN.
    page.locator("#donor_type-1").check()
    page.locator("#tax_id").fill("940140000385")
    page.locator("#tax_id").press("Tab")
    page.locator("#tax_id-error").get_by_text("This looks like a BIN.").wait_for(timeout=5000)
    assert not [m for m in messages if "Content Security Policy" in m or "Refused" in m], messages


def test_double_click_creates_one_offer(live_server, live_app, page):
    fill_valid(page, live_server.url, "en")
    before = offer_count(live_app)
    page.locator(".offer-form button[type=submit]").click()
    page.locator(".check-answers button[name=send]").dblclick()
    page.wait_for_url(f"{live_server.url}/en/offer/received")
    page.wait_for_load_state("load")
    assert offer_count(live_app) == before + 1


@pytest.mark.parametrize("lang", LANGS)
def test_axe_form_error_state_and_confirmation(live_server, axe_page, lang):
    axe_page.goto(f"{live_server.url}/{lang}/offer")
    assert axe_page.locator("html").get_attribute("lang") == lang
    assert_no_axe_violations(axe_page)
    send(axe_page)  # empty form: errors
    assert axe_page.locator(".error-summary").is_visible()
    assert_no_axe_violations(axe_page)
    fill_valid(axe_page, live_server.url, lang)
    send(axe_page)
    assert axe_page.get_by_role("heading", level=1).inner_text() == HEADINGS[lang]
    assert_no_axe_violations(axe_page)


LONG_NAME = "Товарищество с ограниченной ответственностью «Северо-Казахстанская распределительная компания»"


@pytest.fixture
def many_sponsors(live_app):
    """101 wall sponsors in Karaganda Region (two pages) and 12 more in Astana, newer than the demo ones;
    removed afterwards, so the other tests see the demo wall as it was."""
    import datetime as dt

    from portal.offers.models import Offer
    from tests.factories import make_offer

    start = dt.datetime(2023, 8, 15, 7, 0, tzinfo=dt.timezone.utc)  # after the demo offers (FROZEN_NOW)
    names = ["ТОО «Қарағанды Дәптер»", "ИП «Мектеп формасы»", "Қоғамдық қор «Балаларға»", LONG_NAME, "ЖК «Сөмке»"]
    with live_app.app_context():
        for n in range(113):
            region = "KZ-35" if n < 101 else "KZ-71"
            make_offer(region, org_name=f"{names[n % len(names)]} №{n + 1}", kinds=("uniforms", "stationery"),
                       created_at=start + dt.timedelta(minutes=n), consent_public=True, wall_approved=True,
                       status="accepted", description="browser-wall")
        db.session.commit()
        db.session.remove()
    yield
    with live_app.app_context():
        for offer in db.session.scalars(sa.select(Offer).where(Offer.description == "browser-wall")):
            db.session.delete(offer)
        db.session.commit()
        db.session.remove()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("query", ["", "?region=KZ-35", "?region=KZ-35&page=2", "?region=national"])
def test_sponsor_wall_axe(live_server, axe_page, many_sponsors, lang, query):
    axe_page.goto(f"{live_server.url}/{lang}/sponsors{query}")
    assert_no_axe_violations(axe_page)


def test_sponsor_wall_pages_with_htmx(live_server, page, many_sponsors):
    page.goto(f"{live_server.url}/kk/sponsors")
    wall = page.locator("#sponsor-wall")
    expect(wall.get_by_role("link", name="Астана (қала): барлық 13 демеуші")).to_be_visible()
    page.locator("#region").select_option("KZ-35")
    page.wait_for_url("**/kk/sponsors?region=KZ-35")
    expect(wall.get_by_role("heading", level=3, name="Қарағанды облысы")).to_be_visible()
    expect(wall.locator(".result-count")).to_have_text("101 демеуші")
    expect(wall.locator(".sponsor-list li")).to_have_count(100)
    wall.get_by_role("link", name="Келесі бет").click()
    page.wait_for_url("**/kk/sponsors?page=2&region=KZ-35")
    expect(wall.locator(".sponsor-list li")).to_have_count(1)
    expect(wall.locator(".sponsor-list")).to_contain_text("№101")
    expect(page.get_by_role("navigation", name="Беттер")).to_contain_text("2-бет, барлығы 2 бет")
    assert page.locator("#region").input_value() == "KZ-35"
    wall.get_by_role("link", name="Алдыңғы бет").click()
    page.wait_for_url("**/kk/sponsors?region=KZ-35")
    expect(wall.locator(".sponsor-list li")).to_have_count(100)


def test_sponsor_wall_pages_without_javascript(live_server, no_js_page, many_sponsors):
    page = no_js_page
    page.goto(f"{live_server.url}/ru/sponsors")
    page.get_by_role("link", name="Все 13 спонсоров: Астана (город)").click()
    page.wait_for_url("**/ru/sponsors?region=KZ-71")
    assert page.locator("#region").input_value() == "KZ-71"
    page.locator("#region").select_option("KZ-35")
    page.get_by_role("button", name="Показать").click()
    page.wait_for_url("**/ru/sponsors?region=KZ-35")
    page.get_by_role("link", name="Следующая страница").click()
    page.wait_for_url("**/ru/sponsors?page=2&region=KZ-35")
    assert "№101" in page.locator(".sponsor-list").inner_text()


@pytest.mark.parametrize("query", ["", "?region=KZ-35", "?region=KZ-71"])
def test_sponsor_wall_on_a_phone(live_server, phone_page, many_sponsors, query):
    phone_page.goto(f"{live_server.url}/kk/sponsors{query}")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone_page, "phone-kk-sponsors" + (query.replace("?region=", "-") or "-overview"))


@pytest.mark.parametrize("lang", LANGS)
def test_phone_layout(live_server, phone_page, lang):
    phone_page.goto(f"{live_server.url}/{lang}/offer")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone_page, f"phone-{lang}-offer")
    send(phone_page)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone_page, f"phone-{lang}-offer-errors")
    fill_valid(phone_page, live_server.url, lang)
    send(phone_page)
    screenshot(phone_page, f"phone-{lang}-offer-received")
    phone_page.goto(f"{live_server.url}/{lang}/sponsors")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone_page, f"phone-{lang}-sponsors")


def test_staff_triage_in_kazakh_with_zero_axe_violations(live_server, live_app, axe_page):
    from portal.offers.models import Offer
    from tests.browser.test_staff_browser import set_language, sign_in
    from tests.factories import make_staff

    with live_app.app_context():
        user = make_staff(role="admin", region_code=None)
        email, secret = user.email, user.totp_plain
        offer = db.session.scalar(sa.select(Offer).where(Offer.form_token == "demo-offer-06"))
        offer_id, name = offer.id, offer.org_name
        db.session.commit()
    page = axe_page
    sign_in(page, live_server.url, email, secret, "kk")
    set_language(page, "kk")
    page.goto(f"{live_server.url}/staff/offers/")
    assert page.get_by_role("heading", level=1).inner_text() == "Көмек ұсыныстары"
    assert_no_axe_violations(page)
    page.goto(f"{live_server.url}/staff/offers/{offer_id}")
    assert_no_axe_violations(page)
    screenshot(page, "staff-kk-offer-detail")
    page.get_by_role("button", name="Тізімге мақұлдау").click()
    page.wait_for_load_state("load")
    assert "Демеуші тізімде көрсетілді." in page.content()
    page.locator("#status").select_option("accepted")
    page.locator("#note").fill("Автобус 20 тамызда")
    page.get_by_role("button", name="Мәртебені сақтау").click()
    page.wait_for_load_state("load")
    assert "Автобус 20 тамызда" in page.locator(".offer-history").inner_text()
    page.goto(f"{live_server.url}/kk/sponsors")
    assert name in page.content()
