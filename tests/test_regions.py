"""The regional directory: staff keep phones, receptions, headquarters and plans; one public page per region."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.phones import directory_phone, tel_uri
from portal.regions.models import Headquarters, PhoneLine, Reception, RegionPlan
from tests.conftest import LANGS
from tests.factories import make_fair, make_headquarters, make_news, make_phone_line, make_reception, make_region_plan

UTC = dt.timezone.utc


def _line_form(**overrides):
    data = {
        "region_code": "KZ-71", "kind": "trust", "number": "8 (7172) 55-00-07", "languages": ["kk", "ru"],
        "title_kk": "Сенім телефоны", "title_ru": "Телефон доверия", "title_en": "",
        "hours_kk": "дс–жм, 09:00–18:00", "hours_ru": "", "hours_en": "", "position": "2",
    }
    data.update(overrides)
    return data


# --- phone numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("8 (7172) 55-00-01", "+7 7172 55 00 01"),
        ("+7 7172 550001", "+7 7172 55 00 01"),
        ("87011234567", "+7 701 123 45 67"),
        ("+7 (72533) 7-00-01", "+7 72533 7 00 01"),
    ],
)
def test_directory_numbers_are_kept_in_one_readable_form(raw, shown):
    assert directory_phone(raw) == shown
    assert tel_uri(shown).startswith("tel:+77")


@pytest.mark.parametrize("raw", ["+7 495 123 45 67", "8 912 345 67 89", "111", "call us", "", "8" * 60, "+7 701\x00123"])
def test_directory_refuses_what_is_not_a_kazakh_number(raw):
    assert directory_phone(raw) is None


def test_short_national_numbers_only_where_allowed():
    assert directory_phone("111", allow_short=True) == "111"
    assert directory_phone("1 414", allow_short=True) == "1414"
    assert tel_uri("111") == "tel:111"


# --- staff ---------------------------------------------------------------------------------


def test_coordinator_adds_a_line_to_their_region_audited_and_shown_as_a_tel_link(app, staff_client):
    coordinator = staff_client("coordinator", "KZ-71")
    response = coordinator.post("/staff/regions/lines/new", data=_line_form())
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        line = db.session.scalar(sa.select(PhoneLine).where(PhoneLine.region_code == "KZ-71"))
        assert line.number == "+7 7172 55 00 07" and line.languages == "kk ru" and line.position == 2
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.object_type == "phone_line"))
        assert entry.action == "create" and entry.region_code == "KZ-71" and entry.actor == coordinator.user.email
        assert entry.changes["number"] == [None, "+7 7172 55 00 07"]
    for lang in LANGS:
        for url in (f"/{lang}/regions/KZ-71", f"/{lang}/help"):
            html = coordinator.get(url).get_data(as_text=True)
            assert 'href="tel:+77172550007"' in html, (lang, url)
    assert "Қазақша" in coordinator.get("/en/regions/KZ-71").get_data(as_text=True)


def test_coordinator_cannot_write_another_region_or_a_national_line(app, staff_client):
    coordinator = staff_client("coordinator", "KZ-71")
    response = coordinator.post("/staff/regions/lines/new", data=_line_form(region_code="KZ-47"))
    assert response.status_code == 422  # not among their choices
    response = coordinator.post("/staff/regions/lines/new", data=_line_form(region_code=""))
    assert response.status_code == 422
    with app.app_context():
        other = make_phone_line("KZ-47")
        national = db.session.scalar(sa.select(PhoneLine).where(PhoneLine.region_code.is_(None)))
        db.session.commit()
        other_id, national_id = other.id, national.id
    assert coordinator.get(f"/staff/regions/lines/{other_id}/edit").status_code == 404
    assert coordinator.get(f"/staff/regions/lines/{national_id}/edit").status_code == 200  # read only
    assert coordinator.post(f"/staff/regions/lines/{national_id}/edit", data=_line_form()).status_code == 403
    assert coordinator.post(f"/staff/regions/lines/{national_id}/delete", data={"confirm": "yes"}).status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PhoneLine).where(PhoneLine.region_code == "KZ-71")) == 0
        assert not db.session.scalars(sa.select(AuditEntry).where(AuditEntry.object_type == "phone_line")).all()


def test_coordinator_list_shows_own_and_national_records_only(app, staff_client):
    with app.app_context():
        make_reception("KZ-71", address="Own street 1")
        make_reception("KZ-47", address="Other street 2")
        db.session.commit()
    coordinator = staff_client("coordinator", "KZ-71")
    html = coordinator.get("/staff/regions/?region=KZ-47").get_data(as_text=True)
    assert "Own street 1" in html and "Other street 2" not in html
    admin = staff_client("admin")
    assert "Other street 2" in admin.get("/staff/regions/?region=KZ-47").get_data(as_text=True)


@pytest.mark.parametrize(
    "lang, number, message",
    [
        ("kk", "+7 495 123 45 67", "Қазақстандық телефон нөмірін"),
        ("ru", "+7 495 123 45 67", "казахстанский номер телефона"),
        ("kk", "111", "Қазақстандық телефон нөмірін"),
        ("ru", "звоните нам", "казахстанский номер телефона"),
        ("en", "", "Enter a Kazakhstan phone number"),
    ],
)
def test_bad_numbers_get_a_clear_message_in_the_staff_language(app, staff_client, lang, number, message):
    coordinator = staff_client("coordinator", "KZ-71")
    coordinator.post("/staff/language", data={"language": lang})
    response = coordinator.post("/staff/regions/lines/new", data=_line_form(number=number))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_admin_keeps_national_lines_with_short_numbers(app, staff_client):
    admin = staff_client("admin")
    response = admin.post("/staff/regions/lines/new", data=_line_form(region_code="", number="1414", kind="hotline"))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(PhoneLine).where(PhoneLine.number == "1414")).region_code is None


def test_edit_and_remove_are_audited(app, staff_client):
    with app.app_context():
        hq = make_headquarters("KZ-71")
        db.session.commit()
        hq_id = hq.id
    coordinator = staff_client("coordinator", "KZ-71")
    form = {"region_code": "KZ-71", "name_kk": "Облыстық штаб", "name_ru": "", "name_en": "", "head": "А. Ахметов",
            "phone": "8 701 123 45 67", "email": "shtab@example.kz", "address": "", "position": ""}
    assert coordinator.post(f"/staff/regions/headquarters/{hq_id}/edit", data=form).status_code == 302
    page = coordinator.get(f"/staff/regions/headquarters/{hq_id}/delete")
    assert page.status_code == 200 and 'name="confirm"' in page.get_data(as_text=True)
    assert coordinator.post(f"/staff/regions/headquarters/{hq_id}/delete", data={}).status_code == 200  # asks again
    assert coordinator.post(f"/staff/regions/headquarters/{hq_id}/delete", data={"confirm": "yes"}).status_code == 302
    with app.app_context():
        assert db.session.get(Headquarters, hq_id) is None
        entries = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.object_type == "headquarters").order_by(AuditEntry.id)
        ).all()
        assert [e.action for e in entries] == ["update", "delete"]
        assert entries[0].changes["phone"][1] == "+7 701 123 45 67"
        assert entries[1].changes["name_kk"] == ["Облыстық штаб", None]


def test_reception_and_plan_forms(app, staff_client):
    coordinator = staff_client("coordinator", "KZ-71")
    response = coordinator.post("/staff/regions/receptions/new", data={
        "region_code": "KZ-71", "settlement": "Астана", "address": "Бейбітшілік к-сі, 11", "phone": "",
        "hours_kk": "", "hours_ru": "", "hours_en": "", "position": "",
    })
    assert response.status_code == 422  # hours in at least one language
    response = coordinator.post("/staff/regions/receptions/new", data={
        "region_code": "KZ-71", "settlement": "Астана", "address": "Бейбітшілік к-сі, 11", "phone": "8 7172 55 00 10",
        "hours_kk": "сейсенбі, 15:00–18:00", "position": "abc",
    })
    assert response.status_code == 422  # position is a whole number
    response = coordinator.post("/staff/regions/receptions/new", data={
        "region_code": "KZ-71", "settlement": "Астана", "address": "Бейбітшілік к-сі, 11", "phone": "8 7172 55 00 10",
        "hours_kk": "сейсенбі, 15:00–18:00", "position": "",
    })
    assert response.status_code == 302
    with app.app_context():
        campaign_id = db.session.scalar(sa.text("SELECT id FROM campaign WHERE year = 2023"))
    plan = {"region_code": "KZ-71", "campaign_id": str(campaign_id), "approved_on": "15.06.2023",
            "summary_kk": "Жоспар: 12 жәрмеңке, 4 кеңес.", "summary_ru": "", "summary_en": ""}
    assert coordinator.post("/staff/regions/plans/new", data=plan).status_code == 302
    again = coordinator.post("/staff/regions/plans/new", data=plan)
    assert again.status_code == 422  # one plan per region and year
    bad = coordinator.post("/staff/regions/plans/new", data=dict(plan, campaign_id="x", approved_on="32.13.2023"))
    assert bad.status_code == 422
    html = coordinator.get("/kk/regions/KZ-71").get_data(as_text=True)
    assert "Жоспар: 12 жәрмеңке" in html and "Бейбітшілік к-сі, 11" in html and 'href="tel:+77172550010"' in html
    with app.app_context():
        assert db.session.scalar(sa.select(RegionPlan)).approved_on == dt.date(2023, 6, 15)
        assert db.session.scalar(sa.select(Reception)).phone == "+7 7172 55 00 10"


@pytest.mark.parametrize("field", ["region_code", "kind", "languages", "position", "number", "title_kk", "hours_ru",
                                   "free_of_charge"])
def test_no_500_on_hostile_values(staff_client, field):
    coordinator = staff_client("coordinator", "KZ-71")
    for value in ("\x00", "x" * 5000, "<script>", "-1", "99999999999999999999", "a\x00b"):
        response = coordinator.post("/staff/regions/lines/new", data=_line_form(**{field: value}))
        assert response.status_code in (302, 400, 422), (field, value, response.status_code)


def test_no_500_on_hostile_query_values(staff_client):
    admin = staff_client("admin")
    for value in ("%00", "KZ-71%00", "x" * 500, "national", "KZ-99"):
        # a NUL byte may be refused as a bad request before the view (400); never a 500
        assert admin.get(f"/staff/regions/?region={value}").status_code in (200, 400), value
        assert admin.get(f"/staff/regions/plans/new?region={value}").status_code in (200, 400), value


def test_dashboard_names_regions_without_a_number(app, staff_client):
    with app.app_context():
        make_phone_line("KZ-71")
        db.session.commit()
    admin = staff_client("admin")
    html = admin.get("/staff/").get_data(as_text=True)
    assert "publish no phone number" in html
    assert "Abai" in html or "Абай" in html
    warning = html.split("publish no phone number")[1].split("</p>")[0]
    assert "Astana" not in warning


# --- the public region page ----------------------------------------------------------------


def test_region_page_in_every_language(app, client):
    with app.app_context():
        make_phone_line("KZ-71", number="+7 7172 55 00 01", hours_en="Mon–Fri")
        make_reception("KZ-71", address="Beibitshilik 11")
        make_headquarters("KZ-71", name_en="Astana campaign headquarters")
        make_region_plan("KZ-71", summary_en="Twelve fairs and four consultations.")
        make_fair("KZ-71", starts_at=dt.datetime(2023, 8, 20, 4, tzinfo=UTC), kind="consultation", title_en="Consultation day")
        make_fair("KZ-47", starts_at=dt.datetime(2023, 8, 21, 4, tzinfo=UTC), title_en="Other region fair")
        make_news("KZ-71", title_en="Astana news")
        db.session.commit()
    for lang in LANGS:
        response = client.get(f"/{lang}/regions/KZ-71")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert 'href="tel:+77172550001"' in html and "Beibitshilik 11" in html
        assert "/fairs/calendar.ics?region=KZ-71" in html
        assert "Other region fair" not in html
    html = client.get("/en/regions/KZ-71").get_data(as_text=True)
    for text in ("Astana campaign headquarters", "Twelve fairs and four consultations.", "Consultation day",
                 "Consultation for education specialists", "Astana news"):
        assert text in html


def test_unknown_region_is_a_404(client):
    for code in ("KZ-00", "kz-71", "x" * 300, "%00"):
        assert client.get(f"/en/regions/{code}").status_code == 404


def test_region_pages_are_linked_and_in_the_sitemap(client):
    assert "/kk/regions/KZ-71" in client.get("/kk/help").get_data(as_text=True)
    assert "/ru/regions/KZ-71" in client.get("/ru/fairs/?region=KZ-71").get_data(as_text=True)
    assert "/en/regions/KZ-71" in client.get("/en/news/?region=KZ-71").get_data(as_text=True)
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    assert "/kk/regions/KZ-75" in sitemap and "/en/regions/" in sitemap



def test_demo_directory_is_labelled_and_idempotent(app, runner, client):
    for _ in range(2):
        assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    with app.app_context():
        for model in (Reception, Headquarters, RegionPlan):
            rows = db.session.scalars(sa.select(model)).all()
            assert rows and all(row.is_demo for row in rows), model
        assert len(db.session.scalars(sa.select(RegionPlan)).all()) == 3
        kinds = set(db.session.scalars(sa.text("SELECT kind FROM fair WHERE is_demo")))
        assert {"consultation", "reception"} <= kinds
    html = client.get("/kk/regions/KZ-71").get_data(as_text=True)
    assert html.count("badge-demo") >= 4  # lines, reception, headquarters, plan


def test_new_event_kinds_in_filters_and_feeds(app, client):
    with app.app_context():
        make_fair("KZ-71", kind="consultation", title_en="Consultation for teachers")
        make_fair("KZ-71", kind="reception", title_en="Reception day",
                  starts_at=dt.datetime(2023, 8, 22, 4, tzinfo=UTC))
        make_fair("KZ-71", kind="school", title_en="Plain fair", starts_at=dt.datetime(2023, 8, 23, 4, tzinfo=UTC))
        db.session.commit()
    html = client.get("/en/fairs/?kind=reception").get_data(as_text=True)
    assert "Reception day" in html and "Plain fair" not in html and "Consultation for teachers" not in html
    assert 'value="consultation"' in html and "Public reception day" in html
    feed = client.get("/en/fairs/calendar.ics?region=KZ-71").get_data(as_text=True)
    assert "CATEGORIES:Consultation for education specialists" in feed and "CATEGORIES:Public reception day" in feed
    feed_kk = client.get("/kk/fairs/calendar.ics?kind=consultation").get_data(as_text=True).replace("\r\n ", "")
    assert "CATEGORIES:Білім беру мамандарына арналған консультация" in feed_kk
