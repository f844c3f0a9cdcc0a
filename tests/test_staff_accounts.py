"""Accounts in the back office (issue 15): invitations that expire, deactivation with a handover, two-factor
reset, all audited; the read-only analyst; retention of closed appeals and declined offers."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from portal.extensions import db
from tests.factories import make_appeal, make_offer, make_staff


def _audit(action):
    from portal.audit.models import AuditEntry

    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def test_invitation_opens_an_account_once(app, staff_client):
    admin = staff_client("admin")
    response = admin.post("/staff/accounts/invite", data={
        "email": "New.Person@Example.kz", "name": "Жаңа қызметкер", "role": "coordinator", "region": "KZ-71",
        "language": "kk"})
    assert response.status_code == 200
    link = re.search(r'http://[^"<\s]+/staff/invitation\?token=[^"<\s]+', response.get_data(as_text=True)).group(0)
    path = link.split("localhost", 1)[-1] if "localhost" in link else "/" + link.split("/", 3)[3]
    visitor = app.test_client()
    assert visitor.get(path).status_code == 200
    assert visitor.post(path, data={"password": "short", "confirm": "short"}).status_code == 422
    response = visitor.post(path, data={"password": "a long enough password", "confirm": "a long enough password"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/staff/login")
    # Used once: the same link opens nothing more.
    assert visitor.get(path).status_code == 400
    with app.app_context():
        from portal.staff.models import StaffInvitation, StaffUser

        user = db.session.scalar(sa.select(StaffUser).where(StaffUser.email == "new.person@example.kz"))
        assert (user.role, user.region_code, user.totp_enabled) == ("coordinator", "KZ-71", False)
        invitation = db.session.scalar(sa.select(StaffInvitation))
        assert invitation.token_hash not in link and invitation.accepted_at is not None
        entries = _audit("invite") + _audit("create")
        assert len(entries) == 2 and all("token" not in str(e.changes) for e in entries)
    # Refused: an existing email, a coordinator without a region, an unknown role.
    for data in ({"email": "new.person@example.kz", "role": "admin", "region": "", "language": "kk"},
                 {"email": "x@example.kz", "role": "coordinator", "region": "", "language": "kk"},
                 {"email": "y@example.kz", "role": "root", "region": "", "language": "kk"}):
        assert admin.post("/staff/accounts/invite", data=data).status_code == 422


def test_invitation_expires(app, staff_client):
    admin = staff_client("admin")
    response = admin.post("/staff/accounts/invite", data={
        "email": "late@example.kz", "role": "analyst", "region": "", "language": "ru"})
    token = re.search(r"token=([A-Za-z0-9_\-]+)", response.get_data(as_text=True)).group(1)
    app.config["FROZEN_NOW"] = "2023-08-23T06:00:00+00:00"  # eight days later
    assert app.test_client().get("/staff/invitation?token=" + token).status_code == 400
    assert app.test_client().get("/staff/invitation?token=" + "x" * 5000).status_code == 400


def test_deactivate_hands_over_and_reset_two_factor(app, staff_client):
    admin = staff_client("admin")
    with app.app_context():
        leaving = make_staff(region_code="KZ-71")
        successor = make_staff(region_code="KZ-71")
        appeal = make_appeal(assignee_id=leaving.id)
        offer = make_offer(assignee_id=leaving.id)
        db.session.commit()
        ids = leaving.id, successor.id, appeal.id, offer.id
    html = admin.get("/staff/accounts/").get_data(as_text=True)
    assert f'value="{ids[1]}"' in html
    response = admin.post(f"/staff/accounts/{ids[0]}/deactivate", data={"successor": str(ids[1])})
    assert response.status_code == 303
    assert admin.post(f"/staff/accounts/{ids[1]}/reset-2fa").status_code == 303
    assert admin.post(f"/staff/accounts/{admin.user.id}/deactivate", data={"successor": ""}).status_code == 403
    with app.app_context():
        from portal.appeals.models import Appeal
        from portal.offers.models import Offer
        from portal.staff.models import StaffUser

        assert db.session.get(StaffUser, ids[0]).is_active_account is False
        assert db.session.get(Appeal, ids[2]).assignee_id == ids[1]
        assert db.session.get(Offer, ids[3]).assignee_id == ids[1]
        assert db.session.get(StaffUser, ids[1]).totp_enabled is False
        assert len(_audit("deactivate")) == 1 and len(_audit("handover")) == 1 and len(_audit("reset_2fa")) == 1


def test_analyst_reads_aggregates_only(app, staff_client):
    analyst = staff_client("analyst")
    with app.app_context():
        appeal = make_appeal(message="A SECRET TEXT").id
        offer = make_offer(contact_name="Aigerim Sponsor").id
        db.session.commit()
    html = analyst.get("/staff/").get_data(as_text=True)
    assert "What waits" in html and "SECRET" not in html and "Aigerim" not in html
    for url in ("/staff/appeals/", f"/staff/appeals/{appeal}", "/staff/offers/", f"/staff/offers/{offer}",
                "/staff/audit/", "/staff/accounts/", "/staff/templates/"):
        assert analyst.get(url).status_code == 403, url
    assert analyst.post("/staff/offers/export.csv").status_code == 403
    # The menu offers only what the analyst may open.
    assert "/staff/appeals/" not in html.split("<main", 1)[0]


# --- retention ------------------------------------------------------------------------------------


def test_retention_purge_is_a_dry_run_first(app, runner):
    with app.app_context():
        from portal.appeals.models import AppealMessage

        old = make_appeal(created_on=dt.date(2022, 5, 1), status="closed")
        old.messages.append(AppealMessage(kind="reply", body="x", created_on=dt.date(2022, 5, 2)))
        recent_activity = make_appeal(created_on=dt.date(2022, 5, 1), status="closed")
        recent_activity.messages.append(AppealMessage(kind="reply", body="x", created_on=dt.date(2023, 1, 2)))
        open_old = make_appeal(created_on=dt.date(2022, 5, 1), status="in_progress")
        declined = make_offer(status="declined")
        declined.updated_at = dt.datetime(2022, 6, 1, tzinfo=dt.timezone.utc)
        kept = make_offer(status="declined")
        db.session.commit()
        ids = old.id, recent_activity.id, open_old.id, declined.id, kept.id
    dry = runner.invoke(args=["retention", "purge"])
    assert dry.exit_code == 0 and "1 closed appeals" in dry.output and "1 declined offers" in dry.output
    with app.app_context():
        from portal.appeals.models import Appeal
        from portal.offers.models import Offer

        assert db.session.get(Appeal, ids[0]) is not None
    done = runner.invoke(args=["retention", "purge", "--apply"])
    assert done.exit_code == 0 and done.output.startswith("deleted: 1 closed appeals")
    with app.app_context():
        assert db.session.get(Appeal, ids[0]) is None
        assert all(db.session.get(Appeal, i) is not None for i in ids[1:3])
        assert db.session.get(Offer, ids[3]) is None and db.session.get(Offer, ids[4]) is not None
        (entry,) = _audit("retention_purge")
        assert entry.changes["appeals"] == 1 and entry.changes["offers"] == 1 and len(entry.changes) == 4


@pytest.mark.parametrize("lang, words", [("kk", "365 күн"), ("ru", "365\u00a0дней"), ("en", "365 days")])
def test_privacy_page_states_the_periods(client, lang, words):
    html = client.get(f"/{lang}/privacy").get_data(as_text=True)
    assert words in html and ("180" in html)
