"""Fixtures: an app on a fresh database per test (SQLite by default, PostgreSQL with TEST_DATABASE_URL).

The schema is built once per session by the real Alembic migrations; each test
starts from the reference data (regions, national lines, the 2023 campaign) and
leaves nothing behind.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal import create_app  # noqa: E402
from portal.extensions import db  # noqa: E402
from tests.databases import FROZEN_NOW, make_config, migrate_and_seed, throwaway_database  # noqa: E402, F401
from tests.servers import gunicorn  # noqa: E402, F401  (the fixture: real gunicorn servers, tests/servers.py)


def compile_catalogues() -> None:
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "compile", "-d", str(ROOT / "translations")],
        check=True,
    )


compile_catalogues()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with throwaway_database(tmp_path_factory.mktemp("db"), "unit") as url:
        app = create_app(make_config(url))
        migrate_and_seed(app)
        yield url


def reset_database() -> None:
    """Empty every table, then load the reference data again (cheaper than a new schema per test)."""
    from portal.campaigns.models import load_campaigns
    from portal.regions.reference import load_national_lines, load_regions

    db.session.remove()
    with db.engine.begin() as conn:
        # Tables the migrations created (a model without a migration fails test_migrations_match_the_models).
        present = set(sa.inspect(conn).get_table_names())
        tables = [t for t in db.metadata.sorted_tables if t.name in present]
        if conn.dialect.name == "postgresql":
            names = ", ".join('"%s"' % t.name for t in tables)
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            for table in reversed(tables):
                conn.execute(table.delete())
    load_regions()
    load_national_lines()
    load_campaigns()
    db.session.commit()


@pytest.fixture
def app(database_url):
    app = create_app(make_config(database_url))
    with app.app_context():
        reset_database()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as q: ...; q.count`` — SQL statements sent to the database."""

    @contextmanager
    def counting():
        counter = QueryCounter()
        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "after_cursor_execute", counter)
        try:
            yield counter
        finally:
            sa.event.remove(engine, "after_cursor_execute", counter)

    return counting


# --- one live server per session (browser tests, outside tools that fetch over HTTP) -----------------


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = "http://127.0.0.1:%d" % self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    with throwaway_database(tmp_path_factory.mktemp("live"), "live") as url:
        # Many staff sign-ins from one address in one run: the limit itself is tested in test_staff_auth.
        app = create_app(make_config(
            url, WTF_CSRF_ENABLED=True, STAFF_SIGN_IN_RATE_LIMIT="1000 per minute",
            STAFF_ACCOUNT_RATE_LIMIT="1000 per minute",
        ))
        migrate_and_seed(app, demo=True)
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app):
    server = LiveServer(live_app)
    server.start()
    yield server
    server.stop()


LANGS = ("kk", "ru", "en")


# --- staff ---------------------------------------------------------------------------


def sign_in(client, user, password="correct horse battery"):
    """Sign in through the real form: password, then the current TOTP code (the next one if this step was used)."""
    import time

    import pyotp

    response = client.post("/staff/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    totp = pyotp.TOTP(user.totp_plain)
    step = int(time.time() // 30)
    with client.application.app_context():
        from portal.staff.models import StaffUser

        last = db.session.get(StaffUser, user.id).totp_last_step
    at = (step + 1) * 30 if last >= step else time.time()
    response = client.post("/staff/login/code", data={"code": totp.at(at)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def staff_client(app):
    """``staff_client(role, region_code)`` → a test client signed in as a new staff member (``.user`` on it)."""
    from tests.factories import make_staff

    def make(role="coordinator", region_code="KZ-71"):
        with app.app_context():
            user = make_staff(role=role, region_code=region_code if role == "coordinator" else None)
            db.session.commit()
            user_id, email, secret = user.id, user.email, user.totp_plain
        client = app.test_client()
        user.id, user.email, user.totp_plain = user_id, email, secret
        sign_in(client, user)
        client.user = user
        return client

    return make
