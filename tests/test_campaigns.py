"""Campaign years (issue 14): opening a year, where things are counted, and what every page says on any date."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from portal.campaigns.models import Campaign, campaign_for, current_campaign, period
from portal.extensions import db
from tests.factories import make_appeal, make_fair, make_need, make_offer

LANGS = ("kk", "ru", "en")


def open_year(year, starts=(8, 1), ends=(9, 30), **fields):
    campaign = Campaign(year=year, starts_on=dt.date(year, *starts), ends_on=dt.date(year, *ends), **fields)
    db.session.add(campaign)
    db.session.commit()
    return campaign


def at(app, when: str):
    app.config["FROZEN_NOW"] = when


# --- the rule -----------------------------------------------------------------------------------


def test_current_campaign_and_where_things_are_counted(app):
    with app.app_context():
        c2023 = db.session.scalar(sa.select(Campaign).where(Campaign.year == 2023))
        assert current_campaign(dt.date(2023, 8, 15)) == c2023
        assert current_campaign(dt.date(2026, 12, 4)) == c2023  # the last one, over: its results
        assert campaign_for(dt.date(2026, 12, 4)) == c2023  # counted in the current year until the next opens
        c2027 = open_year(2027)
        assert current_campaign(dt.date(2026, 12, 4)) == c2027  # the next one, upcoming
        assert campaign_for(dt.date(2026, 12, 4)) == c2027
        assert current_campaign(dt.date(2027, 8, 20)) == c2027
        assert current_campaign(dt.date(2028, 1, 1)) == c2027
        assert period(c2023) == (None, dt.date(2023, 9, 30))
        assert period(c2027) == (dt.date(2023, 10, 1), None)
        c2027.closed_at = dt.datetime(2027, 8, 20, tzinfo=dt.timezone.utc)
        assert c2027.state(dt.date(2027, 8, 25)) == "over"


def test_an_offer_takes_the_year_of_its_campaign(app, client):
    at(app, "2026-12-04T06:00:00+00:00")
    with app.app_context():
        offer = make_offer("KZ-71")
        db.session.commit()
        assert offer.reference.startswith("MZ-2023-") and offer.campaign.year == 2023 if hasattr(offer, "campaign") \
            else offer.reference.startswith("MZ-2023-")
        open_year(2027)
        later = make_offer("KZ-71")
        db.session.commit()
        assert later.reference.startswith("MZ-2027-") and later.year == 2027
        assert later.campaign_id == db.session.scalar(sa.select(Campaign.id).where(Campaign.year == 2027))


def test_response_figures_follow_the_campaign_not_its_window(app, client):
    """Appeals and offers sent after the 2023 window still show (the old page said "no appeals yet")."""
    at(app, "2026-12-04T06:00:00+00:00")
    with app.app_context():
        for _ in range(12):
            make_appeal("KZ-71", created_on=dt.date(2026, 11, 20))
        for _ in range(11):
            make_offer("KZ-71")
        db.session.commit()
    html = client.get("/en/needs/response").get_data(as_text=True)
    assert "No appeals or offers yet" not in html
    assert ">12<" in html and ">11<" in html


# --- staff ---------------------------------------------------------------------------------------


def test_admin_opens_edits_and_closes_a_year_audited(app, staff_client):
    from portal.audit.models import AuditEntry

    at(app, "2026-12-04T06:00:00+00:00")
    admin = staff_client("admin")
    with app.app_context():
        from portal.regions.models import RegionPlan

        make_need("KZ-61", quantity_total=100, quantity_needed=40)
        c2023 = db.session.scalar(sa.select(Campaign).where(Campaign.year == 2023))
        db.session.add(RegionPlan(region_code="KZ-47", campaign_id=c2023.id, approved_on=dt.date(2023, 7, 1),
                                  summary_kk="Жоспар", summary_ru="План"))
        db.session.commit()
    page = admin.get("/staff/campaigns/new")
    assert page.status_code == 200 and 'value="2027"' in page.get_data(as_text=True)
    response = admin.post("/staff/campaigns/new", data={
        "year": "2027", "starts_on": "2027-08-01", "ends_on": "30.09.2027",
        "slogan_kk": "Жақсылықты жаса", "message_kk": "Биыл да бірге!", "copy_needs": "y", "copy_plans": "y",
    })
    assert response.status_code == 302
    with app.app_context():
        c2027 = db.session.scalar(sa.select(Campaign).where(Campaign.year == 2027))
        assert c2027.message_kk == "Биыл да бірге!" and c2027.slogan_ru == "Делай добро"  # last year's slogan kept
        from portal.needs.models import Need

        copied = db.session.scalars(sa.select(Need).where(Need.campaign_id == c2027.id)).all()
        assert [(n.region_code, n.quantity_needed) for n in copied] == [("KZ-61", 40)]
        plans = db.session.scalars(sa.select(RegionPlan).where(RegionPlan.campaign_id == c2027.id)).all()
        assert [(p.region_code, p.summary_ru, p.approved_on) for p in plans] == [("KZ-47", "План", None)]
        campaign_id = c2027.id
    # Refusals, in the visitor's language, never a 500.
    again = admin.post("/staff/campaigns/new", data={"year": "2027", "starts_on": "2027-08-01", "ends_on": "2027-09-30"})
    assert again.status_code == 422 and "already open" in again.get_data(as_text=True)
    crossed = admin.post(f"/staff/campaigns/{campaign_id}/edit",
                         data={"year": "2027", "starts_on": "2027-09-30", "ends_on": "2027-08-01"})
    assert crossed.status_code == 422
    for bad in ({"year": "99999999999999999999", "starts_on": "x", "ends_on": "2027-13-45"},
                {"year": "2030", "starts_on": "2029-08-01", "ends_on": "2030-09-30"}, {}):
        assert admin.post("/staff/campaigns/new", data=bad).status_code == 422
    assert admin.post(f"/staff/campaigns/{campaign_id}/edit", data={
        "year": "2027", "starts_on": "2027-08-05", "ends_on": "2027-09-25", "message_ru": "Вместе!",
    }).status_code == 302
    assert admin.post(f"/staff/campaigns/{campaign_id}/close").status_code == 302
    with app.app_context():
        c2027 = db.session.get(Campaign, campaign_id)
        assert c2027.starts_on == dt.date(2027, 8, 5) and c2027.is_closed
        actions = [a for (a,) in db.session.execute(
            sa.select(AuditEntry.action).where(AuditEntry.object_type == "campaign").order_by(AuditEntry.id))]
        assert actions == ["open", "copy_needs", "copy_plans", "update", "close"]


def test_coordinator_sees_years_but_cannot_open_one(app, staff_client):
    coordinator = staff_client("coordinator", "KZ-71")
    assert coordinator.get("/staff/campaigns/").status_code == 200
    assert coordinator.get("/staff/campaigns/new").status_code == 403
    assert coordinator.post("/staff/campaigns/new", data={"year": "2027"}).status_code == 403


def test_a_fair_for_2027_is_accepted_once_2027_is_open(app, staff_client):
    at(app, "2026-12-04T06:00:00+00:00")
    admin = staff_client("admin")
    form = {"region_code": "KZ-71", "kind": "school", "starts_at": "2027-08-20T10:00", "ends_at": "2027-08-20T16:00",
            "title_kk": "Мектеп жәрмеңкесі", "venue": "Алаң", "status": "scheduled"}
    refused = admin.post("/staff/fairs/new", data=form)
    assert refused.status_code == 422 and "no campaign for 2027" in refused.get_data(as_text=True)
    with app.app_context():
        open_year(2027)
    assert admin.post("/staff/fairs/new", data=form).status_code == 302


def test_flask_campaign_commands(app, runner):
    at(app, "2026-12-04T06:00:00+00:00")
    result = runner.invoke(args=["campaign", "open", "2027", "--starts", "2027-08-01", "--ends", "2027-09-30",
                                 "--slogan-en", "Do good together"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["campaign", "open", "2027"]).exit_code != 0  # already open: a clear refusal
    assert runner.invoke(args=["campaign", "open", "2028", "--starts", "2028-09-30", "--ends", "2028-08-01"]).exit_code != 0
    assert runner.invoke(args=["campaign", "edit", "2027", "--message-kk", "Сәлем"]).exit_code == 0
    listed = runner.invoke(args=["campaign", "list"]).output
    assert "2023" in listed and "2027" in listed and "upcoming" in listed
    assert runner.invoke(args=["campaign", "close", "2027"]).exit_code == 0
    with app.app_context():
        c2027 = db.session.scalar(sa.select(Campaign).where(Campaign.year == 2027))
        assert c2027.slogan_en == "Do good together" and c2027.message_kk == "Сәлем" and c2027.is_closed


# --- what the public pages say on any date ------------------------------------------------------

# (frozen moment, years opened besides 2023, what the home page must say in English)
MOMENTS = [
    ("2023-07-20T06:00:00+00:00", (), "The campaign starts in 12 days."),
    ("2023-08-15T06:00:00+00:00", (), "46 days left until the end of the campaign."),
    ("2023-09-30T06:00:00+00:00", (), "Today is the last day of the campaign."),
    ("2024-01-01T06:00:00+00:00", (), "The 2023 campaign is over."),
    ("2026-12-04T06:00:00+00:00", (), "The 2023 campaign is over."),  # a year with no campaign opened yet
    ("2026-12-04T06:00:00+00:00", (2027,), "The campaign starts in 240 days."),
    ("2027-01-01T06:00:00+00:00", (2026, 2027), "The campaign starts in 212 days."),
]


@pytest.mark.parametrize("when, years, says", MOMENTS)
def test_home_says_something_true_on_any_date(app, client, when, years, says):
    at(app, when)
    with app.app_context():
        for year in years:
            open_year(year)
    html = client.get("/en/").get_data(as_text=True)
    assert says in html
    if "starts in" in says:
        assert "What you can do before the campaign starts" in html
        assert 'href="/en/campaigns/%s"' % max(years or (2023,)) in html
    if "over" in says:
        assert "Results of the 2023 campaign" in html and 'href="/en/campaigns/"' in html
    for lang in ("kk", "ru"):
        assert client.get(f"/{lang}/").status_code == 200


def test_home_with_no_campaign_at_all(app, client):
    with app.app_context():
        db.session.execute(sa.delete(Campaign))
        db.session.commit()
    for lang, text in (("en", "has not been announced yet"), ("ru", "ещё не объявлена"), ("kk", "әлі жарияланған жоқ")):
        html = client.get(f"/{lang}/").get_data(as_text=True)
        assert text in html
        assert client.get(f"/{lang}/campaigns/").status_code == 200


def test_archive_and_year_pages_in_three_languages(app, client):
    at(app, "2027-10-15T06:00:00+00:00")
    with app.app_context():
        open_year(2027, message_kk="Қазақша хабар", message_ru="Русский текст")
        make_fair("KZ-71", starts_at=dt.datetime(2027, 8, 20, 4, tzinfo=dt.timezone.utc), title_en="A 2027 fair")
        db.session.commit()
    for lang in LANGS:
        index = client.get(f"/{lang}/campaigns/")
        assert index.status_code == 200
        html = index.get_data(as_text=True)
        assert f"/{lang}/campaigns/2023" in html and f"/{lang}/campaigns/2027" in html
        year = client.get(f"/{lang}/campaigns/2027")
        assert year.status_code == 200
    en = client.get("/en/campaigns/2027").get_data(as_text=True)
    assert "A 2027 fair" in en and 'lang="kk">Қазақша хабар' in en  # no English message: Kazakh, marked
    assert client.get("/en/campaigns/2023").status_code == 200
    for missing in ("2024", "1", "0", "99999999999999999999", "abc"):
        assert client.get(f"/en/campaigns/{missing}").status_code == 404


def test_year_over_year_once_two_years_have_figures(app, client):
    at(app, "2024-10-15T06:00:00+00:00")
    with app.app_context():
        open_year(2024)
        for day in (dt.date(2023, 8, 10), dt.date(2024, 8, 10)):
            for _ in range(11):
                make_appeal("KZ-71", created_on=day)
        db.session.commit()
    html = client.get("/en/campaigns/").get_data(as_text=True)
    assert "Year over year" in html
    table = html[html.index('id="series-caption"'):]
    assert table.index(">2023<") < table.index(">2024<")


def test_demo_shows_a_live_campaign_and_a_past_year(app, client, runner):
    """``flask seed demo`` on 4 December 2026: 2027 upcoming with fairs and needs, 2026 and 2025 in the archive."""
    at(app, "2026-12-04T06:00:00+00:00")
    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    with app.app_context():
        years = {c.year: c for c in db.session.scalars(sa.select(Campaign))}
        assert {2025, 2026, 2027} <= set(years) and years[2027].is_demo
        assert current_campaign().year == 2027
    home = client.get("/en/").get_data(as_text=True)
    assert "The campaign starts in" in home and "Demo data" in home
    assert "No fairs" not in client.get("/en/fairs/").get_data(as_text=True)
    needs = client.get("/en/needs/").get_data(as_text=True)
    assert "Demo data" in needs
    archive = client.get("/en/campaigns/2026").get_data(as_text=True)
    assert "demo-mektepke-zhol-2026" in archive
    assert "Year over year" in client.get("/en/campaigns/").get_data(as_text=True)


def test_self_check_answers_out_of_season_are_counted(app, client):
    """A visitor thanked for adding their answers in December sees them in the figures (they showed 0)."""
    from portal.ready.services import public_figures, record_tallies

    at(app, "2026-12-04T06:00:00+00:00")
    with app.app_context():
        for _ in range(12):
            record_tallies("KZ-71", {"uniform": "no"}, day=dt.date(2026, 12, 4))
        db.session.commit()
        assert public_figures(current_campaign())["answers_counted"] == 12
        open_year(2027)
        assert public_figures(current_campaign())["answers_counted"] == 12  # now counted in 2027, the next year


def test_migration_keeps_2023_in_2023(tmp_path):
    """Upgrading a database of the 2023-only portal gives every offer a campaign; nothing moves or is lost."""
    import flask_migrate

    from portal import create_app
    from tests.conftest import make_config, throwaway_database

    with throwaway_database(tmp_path, "campaign_migration") as url:
        app = create_app(make_config(url))
        with app.app_context():
            flask_migrate.upgrade(revision="0100")
            engine = db.engine
            with engine.begin() as conn:
                conn.execute(sa.text(
                    "INSERT INTO campaign (year, starts_on, ends_on, slogan_kk, slogan_ru, slogan_en) "
                    "VALUES (2023, '2023-08-01', '2023-09-30', '', '', '')"))
                conn.execute(sa.text("INSERT INTO region (code, name_kk, name_ru, name_en, centre_en, kind, tz) "
                                     "VALUES ('KZ-71', 'Астана', 'Астана', 'Astana', 'Astana', 'city', 'Asia/Almaty')"))
                offer = sa.Table("offer", sa.MetaData(), autoload_with=conn)
                for n, (year, created) in enumerate(((2023, dt.datetime(2023, 8, 10, 6, tzinfo=dt.timezone.utc)),
                                                     (2026, dt.datetime(2026, 11, 20, 6, tzinfo=dt.timezone.utc))), 1):
                    row = {c.name: _filler(c) for c in offer.columns if not c.nullable and not c.primary_key}
                    row.update(reference="MZ-%d-%06d" % (year, n), year=year, number=n, form_token="t%d" % n,
                               created_at=created)
                    conn.execute(offer.insert().values(**row))
            flask_migrate.upgrade(revision="heads")
            with engine.connect() as conn:
                campaign_id = conn.execute(sa.text("SELECT id FROM campaign WHERE year = 2023")).scalar_one()
                rows = conn.execute(sa.text("SELECT reference, campaign_id FROM offer ORDER BY id")).all()
                assert [(r, c) for r, c in rows] == [("MZ-2023-000001", campaign_id), ("MZ-2026-000002", campaign_id)]
                assert conn.execute(sa.text("SELECT year, message_kk, closed_at FROM campaign")).all() == [(2023, "", None)]
            db.engine.dispose()


def _filler(column):
    """A value for a NOT NULL column of the old schema."""
    try:
        kind = column.type.python_type
    except NotImplementedError:
        kind = str
    if kind is bool:
        return False
    if kind is int:
        return 0
    if kind is dt.datetime:
        return dt.datetime(2023, 8, 10, 6, tzinfo=dt.timezone.utc)
    if kind is dt.date:
        return dt.date(2023, 8, 10)
    return "x"
