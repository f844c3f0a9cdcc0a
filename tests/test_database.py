"""Schema, engine settings, reference data and the demo-data command."""

import datetime as dt

import pytest
import sqlalchemy as sa

from portal.campaigns.models import Campaign, current_campaign
from portal.extensions import db
from portal.regions.models import PhoneLine, Region, tel_uri


def test_migrations_match_the_models(app):
    """Alembic's autogenerate finds nothing to add: every model change has a migration."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with app.app_context(), db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


def test_sqlite_pragmas(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000


def test_writes_begin_immediate_and_reads_do_not(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        seen = []
        sa.event.listen(db.engine, "before_cursor_execute", lambda c, cur, stmt, *a: seen.append(stmt))
    with app.test_request_context("/kk/", method="GET"):
        db.session.scalar(sa.select(Region).limit(1))
        db.session.rollback()
    with app.test_request_context("/kk/offer", method="POST"):
        db.session.scalar(sa.select(Region).limit(1))
        db.session.rollback()
    with app.app_context():  # CLI commands write
        db.session.scalar(sa.select(Region).limit(1))
        db.session.rollback()
    begins = [s for s in seen if s.startswith("BEGIN")]
    assert begins == ["BEGIN", "BEGIN IMMEDIATE", "BEGIN IMMEDIATE"]


def test_get_requests_do_not_write(app, client):
    with app.app_context():
        writes = []

        def spy(conn, cursor, statement, *args):
            if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
                writes.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", spy)
    for page in ("/kk/", "/ru/about", "/en/help", "/kk/privacy", "/healthz", "/sitemap.xml"):
        client.get(page)
    assert writes == []


def test_foreign_keys_are_enforced(app):
    with app.app_context():
        db.session.add(PhoneLine(region_code="KZ-99", kind="hotline", number="1"))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_reference_data(app):
    with app.app_context():
        regions = db.session.scalars(sa.select(Region).order_by(Region.code)).all()
        assert len(regions) == 20
        assert sum(r.kind == "city" for r in regions) == 3
        aktau = db.session.get(Region, "KZ-47")
        assert (aktau.name_kk, aktau.name_ru, aktau.tz) == ("Маңғыстау облысы", "Мангистауская область", "Asia/Aqtau")
        assert db.session.get(Region, "KZ-33").name_ru == "Область Жетісу"
        campaign = db.session.scalar(sa.select(Campaign))
        assert (campaign.starts_on, campaign.ends_on) == (dt.date(2023, 8, 1), dt.date(2023, 9, 30))


def test_seed_commands_are_idempotent(app, runner):
    for _ in range(2):
        assert runner.invoke(args=["seed", "reference"]).exit_code == 0
        result = runner.invoke(args=["seed", "demo"])
        assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Region)) == 20
        # The 2023 reference year (the frozen clock's season) and two past demo years, once each.
        years = dict(db.session.execute(sa.select(Campaign.year, Campaign.is_demo)).all())
        assert years == {2023: False, 2022: True, 2021: True}
        demo = db.session.scalar(sa.select(sa.func.count()).select_from(PhoneLine).where(PhoneLine.is_demo))
        national = db.session.scalar(
            sa.select(sa.func.count()).select_from(PhoneLine).where(PhoneLine.region_code.is_(None))
        )
        assert demo > 0 and national == 3
        # Demo data is marked as such, and real national lines are not.
        assert not db.session.scalar(sa.select(PhoneLine).where(PhoneLine.region_code.is_(None), PhoneLine.is_demo))


def test_current_campaign_is_chosen_by_date(app):
    with app.app_context():
        db.session.add(Campaign(year=2024, starts_on=dt.date(2024, 8, 1), ends_on=dt.date(2024, 9, 30)))
        db.session.commit()
        assert current_campaign(dt.date(2023, 9, 30)).year == 2023  # under way
        assert current_campaign(dt.date(2023, 12, 1)).year == 2024  # the next one is open: it comes next
        assert current_campaign(dt.date(2024, 3, 1)).year == 2024  # this year's, though not started
        assert current_campaign(dt.date(2025, 9, 1)).year == 2024  # the last one, over: its results
        assert current_campaign(dt.date(2022, 1, 1)).year == 2023  # only future ones: the next


@pytest.mark.parametrize(
    "number, uri",
    [
        ("111", "tel:111"),
        ("150", "tel:150"),
        ("+7 (7172) 74-25-28", "tel:+77172742528"),
        ("8 701 123 45 67", "tel:+77011234567"),
        ("7011234567", "tel:+77011234567"),
    ],
)
def test_tel_uri(number, uri):
    assert tel_uri(number) == uri


def test_database_url_normalisation():
    from portal.database import normalise_url

    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_time_zone_data_knows_the_2024_change():
    from zoneinfo import ZoneInfo

    astana = ZoneInfo("Asia/Almaty")
    assert dt.datetime(2023, 8, 15, 10, tzinfo=astana).utcoffset() == dt.timedelta(hours=6)
    assert dt.datetime(2024, 8, 15, 10, tzinfo=astana).utcoffset() == dt.timedelta(hours=5)
    assert dt.datetime(2023, 8, 15, 10, tzinfo=ZoneInfo("Asia/Aqtau")).utcoffset() == dt.timedelta(hours=5)


def test_every_moment_is_stored_and_read_as_aware_utc(app):
    """One datetime convention: every timestamp column is ``UTCDateTime`` (aware UTC on SQLite and PostgreSQL,
    naive values refused), so no code has to guess whether a moment read back carries its zone."""
    from portal.types import UTCDateTime

    plain = [f"{table.name}.{column.name}" for table in db.metadata.sorted_tables for column in table.columns
             if isinstance(column.type, sa.DateTime) and not isinstance(column.type, UTCDateTime)]
    assert plain == []
    with app.app_context():
        from portal.reports.models import ReportVersion

        column = ReportVersion.__table__.c.published_at
        assert isinstance(column.type, UTCDateTime)
