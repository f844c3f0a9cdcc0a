"""The work queue (issue 15): working days, due dates and the overdue state, assignment, forwarding,
bulk actions with a bounded number of statements."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from portal import workdays
from portal.extensions import db
from tests.factories import make_appeal, make_offer, make_staff

# FROZEN_NOW (tests/conftest.py): Tuesday 15 August 2023 in Astana.
TODAY = dt.date(2023, 8, 15)


# --- working days --------------------------------------------------------------------------


def test_weekends_and_holidays_are_not_working_days():
    assert not workdays.is_working_day(dt.date(2023, 8, 19))  # Saturday
    assert not workdays.is_working_day(dt.date(2023, 8, 30))  # Constitution Day
    assert workdays.is_working_day(dt.date(2023, 8, 29))


def test_moved_days_off_and_moved_working_days_come_from_the_package():
    # 2023: the day off of Saturday 1 July moved to Friday 7 July; that Saturday was a working day.
    assert not workdays.is_working_day(dt.date(2023, 7, 7))
    assert workdays.is_working_day(dt.date(2023, 7, 1))
    # 2024: Saturday 4 May worked, Wednesday 8 May off.
    assert workdays.is_working_day(dt.date(2024, 5, 4))
    assert not workdays.is_working_day(dt.date(2024, 5, 8))
    # A holiday on a weekend moves to Monday: Constitution Day 2025 (Saturday) → Monday 1 September.
    assert not workdays.is_working_day(dt.date(2025, 9, 1))


@pytest.mark.parametrize("arrived, due", [
    (dt.date(2023, 8, 14), dt.date(2023, 8, 17)),  # Monday → Thursday
    (dt.date(2023, 8, 17), dt.date(2023, 8, 22)),  # Thursday → over the weekend → Tuesday
    (dt.date(2023, 8, 19), dt.date(2023, 8, 23)),  # arrived on a Saturday: Mon, Tue, Wed
    (dt.date(2023, 8, 28), dt.date(2023, 9, 1)),  # over Constitution Day (Wed 30 Aug): Tue 29, Thu 31, Fri 1
    (dt.date(2023, 8, 29), dt.date(2023, 9, 4)),  # Thu 31, Fri 1, Mon 4
    (dt.date(2023, 12, 29), dt.date(2024, 1, 5)),  # New Year: 1 and 2 January off
])
def test_due_date_is_three_working_days_later(arrived, due):
    assert workdays.due_on(arrived) == due


def test_operator_can_correct_the_calendar(app):
    app.config["WORKDAYS_EXTRA_DAYS_OFF"] = "2023-08-16"
    app.config["WORKDAYS_EXTRA_WORKING_DAYS"] = "2023-08-19"
    with app.app_context():
        assert not workdays.is_working_day(dt.date(2023, 8, 16))
        assert workdays.is_working_day(dt.date(2023, 8, 19))
        assert workdays.due_on(dt.date(2023, 8, 15)) == dt.date(2023, 8, 19)  # Thu 17, Fri 18, Sat 19


def test_items_get_their_due_date_when_they_arrive(app_ctx):
    appeal = make_appeal(created_on=dt.date(2023, 8, 10))  # Thursday
    offer = make_offer()  # 15 August, 12:00 in Astana
    db.session.commit()
    assert appeal.due_on == dt.date(2023, 8, 15)
    assert offer.due_on == dt.date(2023, 8, 18)


def test_a_follow_up_gets_its_own_due_date(app_ctx):
    from portal.appeals.services import add_follow_up

    appeal = make_appeal(created_on=dt.date(2023, 8, 1), status="answered")
    db.session.commit()
    assert add_follow_up(appeal, "More details.", b"x" * 40)
    assert appeal.follow_up_due_on == dt.date(2023, 8, 18)
    assert appeal.queue_due_on == dt.date(2023, 8, 18)


# --- the lists -----------------------------------------------------------------------------


def _ids(html: str, prefix: str = 'name="ids" value="') -> list[int]:
    out = []
    for part in html.split(prefix)[1:]:
        out.append(int(part.split('"', 1)[0]))
    return out


def test_appeal_list_shows_overdue_first_and_filters(app, staff_client):
    client = staff_client("coordinator", "KZ-71")
    with app.app_context():
        fresh = make_appeal(created_on=dt.date(2023, 8, 14)).id  # due 17 Aug
        late = make_appeal(created_on=dt.date(2023, 8, 1)).id  # due 4 Aug: overdue
        answered = make_appeal(created_on=dt.date(2023, 7, 20), status="answered").id  # waiting for the reporter
        other = make_appeal(region_code="KZ-47", created_on=dt.date(2023, 8, 1)).id
        db.session.commit()
    html = client.get("/staff/appeals/").get_data(as_text=True)
    assert _ids(html) == [late, fresh, answered]
    assert other not in _ids(html)
    assert "Overdue" in html
    assert _ids(client.get("/staff/appeals/?state=overdue").get_data(as_text=True)) == [late]
    assert _ids(client.get("/staff/appeals/?state=waiting").get_data(as_text=True)) == [answered]
    assert _ids(client.get("/staff/appeals/?state=open").get_data(as_text=True)) == [fresh]
    assert _ids(client.get("/staff/appeals/?assignee=none").get_data(as_text=True)) == [late, fresh, answered]
    assert _ids(client.get("/staff/appeals/?assignee=me").get_data(as_text=True)) == []
    # Hostile filter values are ignored, not a 500.
    for query in ("state=%00", "assignee=99999999999999999999", "assignee=-1", "sort=-due&page=abc"):
        assert client.get("/staff/appeals/?" + query).status_code in (200, 400)


def test_offer_list_shows_overdue_first(app, staff_client):
    client = staff_client("coordinator", "KZ-71")
    with app.app_context():
        fresh = make_offer().id
        late = make_offer()
        late.due_on = dt.date(2023, 8, 10)
        late = late.id
        db.session.commit()
    html = client.get("/staff/offers/").get_data(as_text=True)
    assert _ids(html) == [late, fresh]
    assert _ids(client.get("/staff/offers/?state=overdue").get_data(as_text=True)) == [late]


# --- assignment and forwarding ---------------------------------------------------------------


def _audit(action):
    from portal.audit.models import AuditEntry

    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def test_assign_to_a_colleague_and_my_queue(app, staff_client):
    client = staff_client("coordinator", "KZ-71")
    with app.app_context():
        colleague = make_staff(region_code="KZ-71").id
        stranger = make_staff(region_code="KZ-47").id
        appeal = make_appeal().id
        db.session.commit()
    response = client.post(f"/staff/appeals/{appeal}/assign", data={"assignee": str(client.user.id)})
    assert response.status_code == 303
    assert _ids(client.get("/staff/appeals/?assignee=me").get_data(as_text=True)) == [appeal]
    assert client.post(f"/staff/appeals/{appeal}/assign", data={"assignee": str(colleague)}).status_code == 303
    # Someone of another region cannot be given this appeal.
    assert client.post(f"/staff/appeals/{appeal}/assign", data={"assignee": str(stranger)}).status_code == 422
    assert client.post(f"/staff/appeals/{appeal}/assign", data={"assignee": "x"}).status_code == 422
    with app.app_context():
        from portal.appeals.models import Appeal

        assert db.session.get(Appeal, appeal).assignee_id == colleague
        entries = _audit("assign")
        assert [e.changes["assignee_id"] for e in entries] == [[None, client.user.id], [client.user.id, colleague]]


def test_national_admin_routes_a_region_less_appeal_and_offer(app, staff_client):
    admin = staff_client("admin")
    coordinator = staff_client("coordinator", "KZ-71")
    with app.app_context():
        appeal = make_appeal(region_code=None).id
        offer = make_offer(region_code=None).id
        db.session.commit()
    assert coordinator.get(f"/staff/appeals/{appeal}").status_code == 404
    assert coordinator.get(f"/staff/offers/{offer}").status_code == 404
    assert admin.post(f"/staff/appeals/{appeal}/forward", data={"region": "KZ-71"}).status_code == 303
    assert admin.post(f"/staff/offers/{offer}/forward", data={"region": "KZ-71"}).status_code == 303
    assert coordinator.get(f"/staff/appeals/{appeal}").status_code == 200
    assert coordinator.get(f"/staff/offers/{offer}").status_code == 200
    # The coordinator passes it back to the national level and loses it.
    response = coordinator.post(f"/staff/appeals/{appeal}/forward", data={"region": "national"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/staff/appeals/")
    assert coordinator.get(f"/staff/appeals/{appeal}").status_code == 404
    assert admin.post(f"/staff/appeals/{appeal}/forward", data={"region": "KZ-99"}).status_code == 422
    with app.app_context():
        assert len(_audit("forward")) == 3


def test_deactivation_hands_open_items_over(app, runner):
    with app.app_context():
        leaving = make_staff(region_code="KZ-71", email="leaving@example.kz")
        appeal = make_appeal(assignee_id=leaving.id)
        closed = make_appeal(assignee_id=leaving.id, status="closed")
        offer = make_offer(assignee_id=leaving.id)
        db.session.commit()
        ids = appeal.id, closed.id, offer.id
    result = runner.invoke(args=["staff", "deactivate", "--email", "leaving@example.kz"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        from portal.appeals.models import Appeal
        from portal.offers.models import Offer

        assert db.session.get(Appeal, ids[0]).assignee_id is None
        assert db.session.get(Appeal, ids[1]).assignee_id is None
        assert db.session.get(Offer, ids[2]).assignee_id is None
        (entry,) = _audit("handover")
        assert entry.changes["appeals"] == 1 and entry.changes["offers"] == 1


# --- bulk actions ------------------------------------------------------------------------------


def test_bulk_close_as_duplicate_touches_only_own_region(app, staff_client):
    client = staff_client("coordinator", "KZ-71")
    with app.app_context():
        mine = [make_appeal().id for _ in range(3)]
        other = make_appeal(region_code="KZ-47").id
        db.session.commit()
    response = client.post("/staff/appeals/bulk", data={"ids": mine + [other], "action": "close:duplicate"})
    assert response.status_code == 303
    with app.app_context():
        from portal.appeals.models import Appeal

        rows = {a.id: (a.status, a.close_reason) for a in db.session.scalars(sa.select(Appeal))}
        assert all(rows[i] == ("closed", "duplicate") for i in mine)
        assert rows[other] == ("new", "")
        assert len(_audit("bulk_close")) == 3
    # No selection, an unknown action: a message, never a 500.
    for data in ({"action": "close:spam"}, {"ids": mine, "action": "drop table"}, {"ids": ["x"], "action": "export"}):
        response = client.post("/staff/appeals/bulk", data=data)
        assert response.status_code == 303


def test_bulk_export_has_no_reporter_text(app, staff_client):
    client = staff_client("coordinator", "KZ-71")
    with app.app_context():
        ids = [make_appeal(message="SECRET TEXT").id for _ in range(2)]
        db.session.commit()
    response = client.post("/staff/appeals/bulk", data={"ids": ids, "action": "export"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert "SECRET TEXT" not in body and str(ids[0]) in body
    with app.app_context():
        assert _audit("export")[0].changes["rows"] == 2


def test_bulk_over_500_items_uses_a_bounded_number_of_statements(app, staff_client, count_queries):
    client = staff_client("admin")
    with app.app_context():
        rows = [dict(receipt_hash="bulk-%d" % n, category="other", region_code="KZ-71", message="m",
                     created_on=dt.date(2023, 8, 1)) for n in range(500)]
        from portal.appeals.models import Appeal

        db.session.execute(sa.insert(Appeal), rows)
        for n in range(500):
            make_offer(org_name="Bulk %d" % n)
        db.session.commit()
        appeal_ids = list(db.session.scalars(sa.select(Appeal.id)))
        from portal.offers.models import Offer

        offer_ids = list(db.session.scalars(sa.select(Offer.id)))
    with count_queries() as q:
        response = client.post("/staff/appeals/bulk", data={"ids": appeal_ids, "action": "status:in_progress"})
    assert response.status_code == 303
    assert q.count <= 12, q.statements
    with count_queries() as q:
        response = client.post("/staff/offers/bulk", data={"ids": offer_ids, "action": "status:contacted"})
    assert response.status_code == 303
    assert q.count <= 16, q.statements  # grouped queries: the same with 50 or 50,000 appeals
    with count_queries() as q:
        response = client.post("/staff/appeals/bulk", data={"ids": appeal_ids, "action": "assign",
                                                             "assignee": str(client.user.id)})
    assert q.count <= 12, q.statements
    with app.app_context():
        assert len(_audit("bulk_status")) == 1000
    for url in ("/staff/appeals/", "/staff/offers/", "/staff/appeals/?state=overdue&assignee=none"):
        with count_queries() as q:
            assert client.get(url).status_code == 200
        assert q.count <= 12, "\n".join(s[:150] for s in q.statements)


# --- reply templates and appeals taken by telephone ---------------------------------------------


def test_reply_template_in_the_reporters_language(app, staff_client):
    admin = staff_client("admin")
    coordinator = staff_client("coordinator", "KZ-71")
    response = admin.post("/staff/templates/new", data={
        "key": "received", "language": "ru", "title": "Получено", "body": "Спасибо, обращение получено."})
    assert response.status_code == 303
    admin.post("/staff/templates/new", data={"key": "received", "language": "kk", "title": "Алынды",
                                              "body": "Рақмет, хабарлама алынды."})
    assert admin.post("/staff/templates/new", data={"key": "received", "language": "ru", "title": "x",
                                                     "body": "y"}).status_code == 422
    assert admin.post("/staff/templates/new", data={"key": "Bad Key!", "language": "xx", "title": "",
                                                     "body": ""}).status_code == 422
    assert coordinator.get("/staff/templates/").status_code == 403
    with app.app_context():
        appeal = make_appeal(language="ru").id
        db.session.commit()
    html = coordinator.get(f"/staff/appeals/{appeal}?template=received").get_data(as_text=True)
    assert "Спасибо, обращение получено." in html and "Рақмет" not in html
    assert coordinator.get(f"/staff/appeals/{appeal}?template=" + "x" * 500).status_code == 200


def test_staff_record_a_telephone_appeal_that_joins_the_queue(app, staff_client):
    client = staff_client("coordinator", "KZ-71")
    response = client.post("/staff/appeals/new", data={
        "channel": "phone", "category": "not_attending", "region": "KZ-71", "settlement": "Школа №5",
        "message": "Звонившая сообщила, что ребёнок соседей не ходит в школу с начала недели.", "language": "ru"})
    assert response.status_code == 200
    assert "receipt-code" in response.get_data(as_text=True)
    with app.app_context():
        from portal.appeals.models import Appeal
        from portal.needs.response import appeal_figures
        from portal.campaigns.models import current_campaign

        (appeal,) = db.session.scalars(sa.select(Appeal))
        assert (appeal.channel, appeal.language, appeal.callback_phone) == ("phone", "ru", "")
        assert appeal.due_on == workdays.due_on(appeal.created_on)
        received, _answered, _days = appeal_figures(current_campaign())
        assert received == {"KZ-71": 1}
    # A coordinator cannot record one for another region; bad input is a 422 with messages.
    bad = client.post("/staff/appeals/new", data={"channel": "web", "category": "x", "region": "KZ-47",
                                                   "message": "", "language": "de"})
    assert bad.status_code == 422


# --- the dashboard -------------------------------------------------------------------------------------


def test_dashboard_counts_per_region_with_drill_down(app, staff_client, count_queries):
    from portal.appeals.models import AppealMessage

    admin = staff_client("admin")
    coordinator = staff_client("coordinator", "KZ-71")
    analyst = staff_client("analyst")
    with app.app_context():
        make_appeal(created_on=dt.date(2023, 8, 14))  # new, not yet due
        late = make_appeal(created_on=dt.date(2023, 8, 1))  # new, overdue
        on_time = make_appeal(created_on=dt.date(2023, 8, 1), status="answered")  # waiting for the reporter
        on_time.messages.append(AppealMessage(kind="reply", body="Ok", created_on=dt.date(2023, 8, 3)))
        make_appeal(region_code="KZ-47", created_on=dt.date(2023, 8, 1))
        make_appeal(region_code=None, created_on=dt.date(2023, 8, 1))
        make_offer()
        make_offer(region_code=None)
        db.session.commit()
        late_id = late.id
    html = coordinator.get("/staff/").get_data(as_text=True)
    assert "What waits" in html
    assert "/staff/appeals/?region=KZ-71&amp;state=overdue" in html
    assert "Mangystau" not in html.split("What waits")[1].split("</table>")[0]
    # 2 of the 3 KZ-71 appeals fell due; 1 was answered on time: 50 %.
    assert "50&nbsp;%" in html
    listing = coordinator.get("/staff/appeals/?region=KZ-71&state=overdue").get_data(as_text=True)
    assert _ids(listing) == [late_id]
    with count_queries() as q:
        html = admin.get("/staff/").get_data(as_text=True)
    assert q.count <= 16, q.statements  # grouped queries: the same with 50 or 50,000 appeals
    assert "National level" in html and "Mangystau" in html and "/staff/appeals/?region=none" in html
    # The analyst sees the counts without links into the lists, and the aggregate CSV.
    html = analyst.get("/staff/").get_data(as_text=True)
    assert "What waits" in html and "/staff/appeals/?region" not in html
    csv_text = analyst.get("/staff/dashboard.csv").get_data(as_text=True)
    assert "KZ-71" in csv_text and "national" in csv_text
    assert analyst.get("/staff/appeals/").status_code == 403
    assert analyst.get(f"/staff/appeals/{late_id}").status_code == 403
    assert analyst.get("/staff/offers/").status_code == 403


def test_lists_answer_htmx_with_the_results_fragment(app, staff_client):
    client = staff_client("coordinator", "KZ-71")
    with app.app_context():
        make_appeal()
        make_offer()
        db.session.commit()
    for url in ("/staff/appeals/?state=open", "/staff/offers/?assignee=none"):
        response = client.get(url, headers={"HX-Request": "true"})
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
        assert html.lstrip().startswith('<div id="results"') and 'name="ids"' in html


def test_bulk_refuses_too_many_and_foreign_assignees(app, staff_client):
    client = staff_client("coordinator", "KZ-71")
    with app.app_context():
        appeal = make_appeal().id
        stranger = make_staff(region_code="KZ-47").id
        db.session.commit()
    response = client.post("/staff/appeals/bulk", data={"ids": [str(i) for i in range(1, 502)], "action": "close:spam"},
                           follow_redirects=True)
    assert "at most 500" in response.get_data(as_text=True)
    # A person of another region is not in this coordinator's list: refused, nothing changes.
    client.post("/staff/appeals/bulk", data={"ids": [appeal], "action": "assign", "assignee": str(stranger)})
    with app.app_context():
        from portal.appeals.models import Appeal

        assert db.session.get(Appeal, appeal).assignee_id is None
