"""The work queue in Chromium (issue 15): a coordinator works the day's queue in Kazakh — dashboard, the
overdue-first list, a template reply, a bulk close of duplicates with JavaScript off — with zero axe
violations on every new back-office page; an admin's templates and accounts pages too."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from portal.extensions import db
from tests.browser.conftest import assert_no_axe_violations, screenshot


def test_coordinator_works_the_queue_in_kazakh(live_server, live_app, axe_page, browser):
    from portal.appeals.models import Appeal
    from tests.browser.test_staff_browser import set_language, sign_in
    from tests.factories import make_appeal, make_staff

    with live_app.app_context():
        coordinator = make_staff(role="coordinator", region_code="KZ-75")
        admin = make_staff(role="admin", region_code=None)
        first = make_appeal("KZ-75", created_on=dt.date(2023, 8, 1), language="kk")
        duplicates = [make_appeal("KZ-75", created_on=dt.date(2023, 8, 2)).id for _ in range(2)]
        accounts = (coordinator.email, coordinator.totp_plain), (admin.email, admin.totp_plain)
        first_id = first.id
        db.session.commit()
    base = live_server.url
    page = axe_page
    sign_in(page, base, *accounts[0], "kk")
    set_language(page, "kk")
    assert "Не күтіп тұр" in page.content()
    assert_no_axe_violations(page)
    screenshot(page, "staff-kk-dashboard")
    page.goto(f"{base}/staff/appeals/?state=overdue")
    assert_no_axe_violations(page)
    page.goto(f"{base}/staff/appeals/{first_id}")
    assert_no_axe_violations(page)
    page.locator("#template").select_option("received")
    page.get_by_role("button", name="Жауапқа қою").click()
    page.wait_for_load_state("load")
    assert "Хабарламаңыз үшін рақмет" in page.locator("#body").input_value()
    page.goto(f"{base}/staff/appeals/new")
    assert_no_axe_violations(page)

    # JavaScript off: tick the two duplicates and close them in one POST.
    ctx = browser.new_context(java_script_enabled=False)
    plain = ctx.new_page()
    sign_in(plain, base, *accounts[0], "kk")
    plain.goto(f"{base}/staff/appeals/?region=KZ-75")
    for ident in duplicates:
        plain.locator(f"#pick-{ident}").check()
    plain.locator("#bulk-action").select_option("close:duplicate")
    plain.locator(".bulk-actions [type=submit]").click()
    plain.wait_for_load_state("load")
    assert "Өзгертілді: 2" in plain.content()
    ctx.close()
    with live_app.app_context():
        closed = db.session.scalars(sa.select(Appeal.close_reason).where(Appeal.id.in_(duplicates))).all()
        assert closed == ["duplicate", "duplicate"]

    admin_page = browser.new_context(bypass_csp=True).new_page()
    sign_in(admin_page, base, *accounts[1], "kk")
    for path in ("/staff/", "/staff/templates/", "/staff/accounts/", "/staff/offers/"):
        admin_page.goto(base + path)
        assert_no_axe_violations(admin_page)
