"""“Is your child ready for school?”: nothing is stored unless asked, then only daily tallies."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.ready.models import ReadyTally
from tests.factories import make_fair

LANGS = ("kk", "ru", "en")

ANSWERS = {
    "region": "KZ-71",
    "uniform": "no",
    "shoes": "yes",
    "sportswear": "unsure",
    "backpack": "no",
    "stationery": "yes",
    "registered": "yes",
    "asp": "yes",
    "large_family": "no",
}


def table_contents() -> dict[str, list]:
    """Every row of every table, so a test can see exactly what a request changed."""
    contents = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if sa.inspect(conn).has_table(table.name):
                rows = conn.execute(sa.select(table)).all()
                contents[table.name] = sorted(map(repr, rows))
    return contents


@pytest.mark.parametrize("lang", LANGS)
def test_form_renders_in_every_language(client, lang):
    response = client.get(f"/{lang}/ready")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}"' in html
    assert html.count("<h1") == 1
    assert html.count('type="radio"') == 8 * 3
    assert 'name="count"' in html
    assert response.headers["Cache-Control"] == "no-store"


def test_not_ticked_changes_nothing_in_the_database(app, client):
    with app.app_context():
        before = table_contents()
    response = client.post("/en/ready", data=ANSWERS)
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/en/ready/result?")
    with app.app_context():
        assert table_contents() == before
    # The answer page is a GET that writes nothing either.
    html = client.get(location).get_data(as_text=True)
    assert "Help for your family in" in html
    with app.app_context():
        assert table_contents() == before


def test_ticked_adds_only_tally_counts(app, client):
    with app.app_context():
        before = table_contents()
    client.post("/en/ready", data={**ANSWERS, "count": "y"})
    app.test_client().post("/en/ready", data={**ANSWERS, "count": "y", "uniform": "yes"})  # another visitor
    with app.app_context():
        after = table_contents()
        changed = {name for name in after if after[name] != before.get(name)}
        assert changed == {"ready_tally"}
        rows = db.session.scalars(sa.select(ReadyTally)).all()
        columns = set(ReadyTally.__table__.columns.keys())
    assert columns == {"region_code", "day", "question", "answer", "count"}
    counts = {(r.question, r.answer): r.count for r in rows}
    assert counts[("uniform", "no")] == 1
    assert counts[("uniform", "yes")] == 1
    assert counts[("shoes", "yes")] == 2
    assert counts[("asp", "yes")] == 2
    assert len(counts) == 9  # 8 questions, uniform answered two ways
    assert {r.region_code for r in rows} == {"KZ-71"}
    # The day only: 15 August 2023 in Kazakhstan (frozen clock), no time of day.
    assert {r.day for r in rows} == {dt.date(2023, 8, 15)}
    assert all(type(r.day) is dt.date for r in rows)


def test_unanswered_questions_are_not_counted(app, client):
    client.post("/en/ready", data={"region": "KZ-75", "uniform": "no", "count": "y"})
    with app.app_context():
        rows = db.session.scalars(sa.select(ReadyTally)).all()
    assert [(r.region_code, r.question, r.answer, r.count) for r in rows] == [("KZ-75", "uniform", "no", 1)]


def test_region_is_required_and_nothing_is_counted_on_error(app, client):
    response = client.post("/en/ready", data={"uniform": "no", "count": "y"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Choose your region from the list." in html
    assert 'class="error-summary"' in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReadyTally)) == 0


def test_concurrent_submissions_never_lose_a_count(app):
    """Simultaneous first answers of a day race on the same rows: the upsert keeps every one."""
    threads, per_thread = 4, 5
    errors = []

    def worker():
        for _ in range(per_thread):
            client = app.test_client()  # a visitor is counted once per session
            response = client.post("/en/ready", data={"region": "KZ-71", "uniform": "no", "shoes": "yes", "count": "y"})
            if response.status_code != 303:
                errors.append(response.status_code)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(60)
    assert errors == []
    with app.app_context():
        counts = dict(db.session.execute(sa.select(ReadyTally.question, ReadyTally.count)).all())
    assert counts == {"uniform": threads * per_thread, "shoes": threads * per_thread}


def test_answer_page_shows_regional_help_lines_fair_and_anonymous_appeal(app, client):
    with app.app_context():
        from portal.regions.models import PhoneLine

        db.session.add(PhoneLine(region_code="KZ-71", kind="hotline", number="+7 (7172) 55-00-01",
                                 title_en="Education department hotline"))
        make_fair("KZ-71", title_en="Back-to-school fair in Astana",
                  starts_at=dt.datetime(2023, 8, 20, 4, 0, tzinfo=dt.timezone.utc))
        make_fair("KZ-71", title_en="Fair that already happened",
                  starts_at=dt.datetime(2023, 8, 1, 4, 0, tzinfo=dt.timezone.utc))
        make_fair("KZ-75", title_en="Fair in Almaty", starts_at=dt.datetime(2023, 8, 20, 4, 0, tzinfo=dt.timezone.utc))
        db.session.commit()
    location = client.post("/en/ready", data=ANSWERS).headers["Location"]
    html = client.get(location).get_data(as_text=True)
    assert "55-00-01" in html and 'href="tel:111"' in html
    assert "Back-to-school fair in Astana" in html
    assert "Fair that already happened" not in html and "Fair in Almaty" not in html
    assert 'href="/en/appeal"' in html
    assert "A school uniform" in html and "A backpack" in html
    assert "School shoes" not in html  # answered yes
    assert "probably entitled to help" in html  # receives ASP


def test_answer_page_without_a_valid_region_goes_back_to_the_form(client):
    response = client.get("/en/ready/result?region=XX&uniform=no")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/en/ready")


def _tally(region, question, answer, count, day=dt.date(2023, 8, 10)):
    db.session.add(ReadyTally(region_code=region, day=day, question=question, answer=answer, count=count))


def test_public_figures_hide_small_counts_like_the_reports(app, client):
    with app.app_context():
        for region in ("KZ-71", "KZ-75"):
            _tally(region, "uniform", "yes", 40)
            _tally(region, "uniform", "no", 25)
        _tally("KZ-71", "shoes", "no", 3)  # small: hidden, and something else with it
        _tally("KZ-75", "shoes", "no", 30)
        db.session.commit()
    html = client.get("/en/ready/figures").get_data(as_text=True)
    assert "<h1" in html and html.count("<h1") == 1
    assert ">3<" not in html
    assert "&lt;10" in html
    assert ">80<" in html  # national "uniform: yes"
    assert ">50<" in html  # national "uniform: no"
    # With the national "shoes: no" (33) published, Almaty's 30 would give the small cell away: it is hidden ("x").
    assert ">33<" in html and ">30<" not in html
    assert 'title="hidden to protect families">x<' in html


def test_staff_see_their_region_only(app, staff_client):
    with app.app_context():
        _tally("KZ-71", "uniform", "no", 7, day=dt.date(2023, 8, 14))
        _tally("KZ-75", "uniform", "no", 9, day=dt.date(2023, 8, 14))
        db.session.commit()
    coordinator = staff_client("coordinator", "KZ-71")
    html = coordinator.get("/staff/ready/").get_data(as_text=True)
    assert ">7<" in html and ">9<" not in html
    admin = staff_client("admin")
    html = admin.get("/staff/ready/").get_data(as_text=True)
    assert ">7<" in html and ">9<" in html


def test_staff_page_needs_sign_in(client):
    response = client.get("/staff/ready/")
    assert response.status_code in (302, 303)
