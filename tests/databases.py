"""The test databases and the test app's settings: used by the fixtures (tests/conftest.py) and by the
gunicorn harness (tests/servers.py), which both import it; it imports neither of them.

SQLite by default, in the session's temporary folder; with ``TEST_DATABASE_URL``, a PostgreSQL database of
its own per use, dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from portal.database import normalise_url
from portal.extensions import db

# Mid-campaign: Tuesday 15 August 2023, 12:00 in Astana (UTC+6 then).
FROZEN_NOW = "2023-08-15T06:00:00+00:00"


@contextmanager
def throwaway_database(tmp_dir: Path, name: str):
    """A database URL that exists for the duration of the block."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield "sqlite:///" + str(tmp_dir / f"{name}.sqlite3")
        return
    url = sa.make_url(normalise_url(base))
    dbname = f"portal_{name}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{dbname}"')
    try:
        yield url.set(database=dbname).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        admin.dispose()
        Path(_generations_file(url.set(database=dbname).render_as_string())).unlink(missing_ok=True)


def _generations_file(database_url: str) -> str | None:
    """On PostgreSQL, the page cache's generations in a file of this test database's own (the default, one file in
    instance/ per machine, would let another suite running at the same time invalidate this one's pages)."""
    url = sa.make_url(normalise_url(database_url))
    if url.get_backend_name() == "sqlite":
        return None  # beside the database file, or in memory
    import tempfile

    return str(Path(tempfile.gettempdir()) / f"{url.database}.page-cache")


def make_config(database_url: str, **extra) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "FROZEN_NOW": FROZEN_NOW,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Batteries render thousands of pages from one address; tests/test_http_caching.py turns it on.
        "PAGE_VIEW_RATE_LIMIT": "",
        # Off for unit tests of behaviour; tests/test_csrf.py and the browser tests run with it on.
        "WTF_CSRF_ENABLED": False,
        # Cheap receipt hashing, and a pepper that never lands in the real instance folder.
        "APPEAL_PEPPER": "test-pepper-not-for-production",
        "APPEAL_HASH_TIME_COST": 1,
        "APPEAL_HASH_MEMORY_KIB": 64,
        # Cheap staff password hashing; the page cache off (tests that need it turn it on).
        "PASSWORD_HASH_TIME_COST": 1,
        "PASSWORD_HASH_MEMORY_KIB": 1024,
        "PASSWORD_HASH_PARALLELISM": 1,
        "PAGE_CACHE_ENABLED": False,
        "PAGE_CACHE_STORAGE_URI": _generations_file(database_url),
        "SERVER_NAME": None,
        **extra,
    }


def migrate_and_seed(app, demo: bool = False) -> None:
    """Apply the Alembic migrations and load reference (and optionally demo) data, as `make setup` does."""
    import flask_migrate

    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        runner = app.test_cli_runner()
        result = runner.invoke(args=["seed", "reference"])
        assert result.exit_code == 0, result.output
        if demo:
            result = runner.invoke(args=["seed", "demo"])
            assert result.exit_code == 0, result.output
        db.session.remove()
        db.engine.dispose()
