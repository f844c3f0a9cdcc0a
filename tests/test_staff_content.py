"""Staff writing news and fairs: regional scope, local times, calendar sequence, audit, lists with htmx."""

import datetime as dt

import pytest
import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.fairs.models import Fair
from portal.news.models import News
from tests.factories import make_fair, make_news

UTC = dt.timezone.utc

NEWS = {
    "region_code": "KZ-71", "status": "published", "published_at": "2023-08-14T09:00",
    "title_ru": "Ярмарка в Астане", "summary_ru": "Коротко", "body_ru": "**Жирный** <script>alert(1)</script>",
}


def _news_form(**changes):
    data = dict(NEWS)
    data.update(changes)
    return data


def test_coordinator_writes_news_for_own_region(app, staff_client):
    client = staff_client("coordinator", "KZ-71")
    response = client.post("/staff/news/new", data=_news_form())
    assert response.status_code == 302
    with app.app_context():
        news = db.session.scalar(sa.select(News))
        assert news.region_code == "KZ-71"
        assert news.slug == "yarmarka-v-astane"
        # 09:00 in Astana on 14 Aug 2023 was 03:00 UTC (UTC+6 then).
        assert news.published_at.astimezone(UTC) == dt.datetime(2023, 8, 14, 3, 0, tzinfo=UTC)
        assert "<strong>Жирный</strong>" in news.body_html_ru and "<script" not in news.body_html_ru
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.object_type == "news"))
        assert entry.action == "create" and entry.actor == client.user.email
        assert entry.changes["title_ru"] == [None, "Ярмарка в Астане"]


def test_coordinator_cannot_write_national_or_other_region_news(app, staff_client):
    client = staff_client("coordinator", "KZ-71")
    for region in ("", "KZ-47"):
        response = client.post("/staff/news/new", data=_news_form(region_code=region))
        assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(News)) == 0


def test_admin_writes_national_news(app, staff_client):
    client = staff_client("admin")
    assert client.post("/staff/news/new", data=_news_form(region_code="")).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(News)).region_code is None


@pytest.mark.parametrize("changes, field", [
    ({"title_ru": "", "body_ru": ""}, "title_kk"),
    ({"title_ru": ""}, "title_ru"),
    ({"body_ru": ""}, "body_ru"),
    ({"slug": "Not A Slug"}, "slug"),
    ({"published_at": "yesterday"}, "published_at"),
    ({"region_code": "KZ-99"}, "region_code"),
    ({"title_ru": "x" * 201}, "title_ru"),
])
def test_news_form_errors(staff_client, changes, field):
    client = staff_client("admin")
    response = client.post("/staff/news/new", data=_news_form(**changes))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="error-summary"' in html
    assert f'href="#{field}"' in html


def test_editing_news_is_audited_with_before_and_after(app, staff_client):
    client = staff_client("coordinator", "KZ-71")
    with app.app_context():
        news = make_news(region_code="KZ-71", title_ru="Старое", body_ru="текст")
        db.session.commit()
        news_id = news.id
    data = _news_form(title_ru="Новое", body_ru="текст", title_kk="", title_en="", slug=f"news-x")
    assert client.post(f"/staff/news/{news_id}/edit", data=data).status_code == 302
    with app.app_context():
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "update"))
        assert entry.changes["title_ru"] == ["Старое", "Новое"]
        assert "body_ru" not in entry.changes


def test_coordinator_reads_but_cannot_edit_national_news(app, staff_client):
    client = staff_client("coordinator", "KZ-71")
    with app.app_context():
        news = make_news(region_code=None)
        db.session.commit()
        news_id = news.id
    page = client.get(f"/staff/news/{news_id}/edit")
    assert page.status_code == 200
    assert "read it but not change it" in page.get_data(as_text=True)
    assert client.post(f"/staff/news/{news_id}/edit", data=_news_form(region_code="KZ-71")).status_code == 403


def test_news_list_scope_sort_filter_and_htmx_fragment(app, staff_client):
    client = staff_client("coordinator", "KZ-71")
    with app.app_context():
        make_news(region_code="KZ-71", title_en="Own news")
        make_news(region_code=None, title_en="National news")
        make_news(region_code="KZ-47", title_en="Other region news")
        db.session.commit()
    html = client.get("/staff/news/?lang=en").get_data(as_text=True)
    assert "Own news" in html and "National news" in html and "Other region news" not in html
    fragment = client.get("/staff/news/?status=published&sort=title", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="results"')
    assert "<html" not in body
    assert "HX-Request" in fragment.headers["Vary"]
    assert 'aria-sort="ascending"' in body
    assert client.get("/staff/news/?sort=bogus&page=abc").status_code == 200


# --- fairs ---------------------------------------------------------------------------

FAIR = {
    "region_code": "KZ-47", "kind": "mobile", "status": "scheduled", "settlement": "Бейнеу ауданы",
    "is_remote": "y", "venue": "Мәдениет үйі", "address": "Бейнеу, Орталық көше 1", "organiser": "Білім басқармасы",
    "starts_at": "2023-08-15T10:00", "ends_at": "2023-08-15T16:00", "title_kk": "Көшпелі жәрмеңке",
}


def test_fair_times_are_entered_in_the_regions_local_time(app, staff_client):
    admin = staff_client("admin")
    assert admin.post("/staff/fairs/new", data=FAIR).status_code == 302
    assert admin.post("/staff/fairs/new", data=dict(FAIR, region_code="KZ-71")).status_code == 302
    with app.app_context():
        aktau, astana = db.session.scalars(sa.select(Fair).order_by(Fair.id)).all()
        # 10:00 on 15 Aug 2023: Aktau (UTC+5) is 05:00 UTC, Astana (UTC+6 then) 04:00 UTC.
        assert aktau.starts_at.astimezone(UTC) == dt.datetime(2023, 8, 15, 5, 0, tzinfo=UTC)
        assert astana.starts_at.astimezone(UTC) == dt.datetime(2023, 8, 15, 4, 0, tzinfo=UTC)
        assert aktau.local_start.hour == astana.local_start.hour == 10
        assert aktau.is_remote and aktau.campaign.year == 2023


def test_after_the_2024_change_the_whole_country_is_utc_plus_5(app, staff_client):
    with app.app_context():
        from portal.campaigns.models import Campaign

        db.session.add(Campaign(year=2024, starts_on=dt.date(2024, 8, 1), ends_on=dt.date(2024, 9, 30)))
        db.session.commit()
    admin = staff_client("admin")
    data = dict(FAIR, region_code="KZ-71", starts_at="2024-08-15T10:00", ends_at="2024-08-15T12:00")
    assert admin.post("/staff/fairs/new", data=data).status_code == 302
    with app.app_context():
        fair = db.session.scalar(sa.select(Fair))
        assert fair.starts_at.astimezone(UTC) == dt.datetime(2024, 8, 15, 5, 0, tzinfo=UTC)


def test_edit_form_shows_local_time(app, staff_client):
    admin = staff_client("admin")
    admin.post("/staff/fairs/new", data=FAIR)
    with app.app_context():
        fair_id = db.session.scalar(sa.select(Fair.id))
    html = admin.get(f"/staff/fairs/{fair_id}/edit").get_data(as_text=True)
    assert 'value="2023-08-15T10:00"' in html


def test_fair_changes_bump_the_calendar_sequence(app, staff_client):
    client = staff_client("coordinator", "KZ-47")
    client.post("/staff/fairs/new", data=FAIR)
    with app.app_context():
        fair_id = db.session.scalar(sa.select(Fair.id))
    assert client.post(f"/staff/fairs/{fair_id}/edit", data=FAIR).status_code == 302  # no change
    client.post(f"/staff/fairs/{fair_id}/edit", data=dict(FAIR, status="cancelled"))
    client.post(f"/staff/fairs/{fair_id}/edit", data=dict(FAIR, status="cancelled", starts_at="2023-08-15T11:00"))
    with app.app_context():
        fair = db.session.get(Fair, fair_id)
        assert fair.sequence == 2 and fair.status == "cancelled"
        actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_type == "fair")).all()
        assert actions == ["create", "update", "update", "update"]


@pytest.mark.parametrize("changes, field", [
    ({"ends_at": "2023-08-15T09:00"}, "ends_at"),
    ({"ends_at": "2023-12-15T09:00"}, "ends_at"),
    ({"starts_at": "2031-08-15T10:00", "ends_at": "2031-08-15T12:00"}, "starts_at"),
    ({"venue": ""}, "venue"),
    ({"title_kk": ""}, "title_kk"),
    ({"kind": "rave"}, "kind"),
    ({"region_code": "KZ-71"}, "region_code"),  # not the coordinator's region
])
def test_fair_form_errors(staff_client, changes, field):
    client = staff_client("coordinator", "KZ-47")
    response = client.post("/staff/fairs/new", data=dict(FAIR, **changes))
    assert response.status_code == 422
    assert f'href="#{field}"' in response.get_data(as_text=True)


def test_coordinator_cannot_touch_another_regions_fair(app, staff_client):
    client = staff_client("coordinator", "KZ-71")
    with app.app_context():
        fair = make_fair(region_code="KZ-47")
        db.session.commit()
        fair_id = fair.id
    assert client.get(f"/staff/fairs/{fair_id}/edit").status_code == 404
    assert client.post(f"/staff/fairs/{fair_id}/edit", data=FAIR).status_code == 404
    assert "Fair" not in client.get("/staff/fairs/").get_data(as_text=True).split("<tbody>")[1]


def test_fair_list_queries_are_bounded(app, staff_client, count_queries):
    client = staff_client("admin")
    with app.app_context():
        for i in range(60):
            make_fair(region_code=("KZ-71", "KZ-47", "KZ-15")[i % 3])
        db.session.commit()
    with count_queries() as q:
        assert client.get("/staff/fairs/").status_code == 200
    assert q.count <= 8, q.statements


# --- audit log -----------------------------------------------------------------------


def test_audit_log_is_for_admins_and_read_only(app, staff_client):
    admin = staff_client("admin")
    admin.post("/staff/fairs/new", data=FAIR)
    html = admin.get("/staff/audit/?object_type=fair").get_data(as_text=True)
    assert "fair" in html and "create" in html and "Мәдениет үйі" in html
    assert staff_client("coordinator", "KZ-71").get("/staff/audit/").status_code == 403
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/staff/audit")]
    assert all(r.methods <= {"GET", "HEAD", "OPTIONS"} for r in rules)
