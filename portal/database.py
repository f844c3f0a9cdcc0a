"""Engine set-up: SQLite pragmas and write transactions that take the lock up front.

On SQLite a deferred transaction that reads and then writes fails at once with
"database is locked" when another writer got in between, so every transaction of
an unsafe request (POST, PUT, PATCH, DELETE) and of CLI commands starts with
``BEGIN IMMEDIATE``; page views (GET/HEAD) use plain ``BEGIN`` and never take the
write lock.
"""

import sqlalchemy as sa
from flask import has_request_context, request

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def normalise_url(url: str) -> str:
    """Accept Heroku-style ``postgres://`` URLs and pick the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _wants_write_lock() -> bool:
    if has_request_context():
        return request.method not in SAFE_METHODS
    return True


def _on_connect(dbapi_connection, _record):
    # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own handling is deferred-only).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _on_begin(connection):
    connection.exec_driver_sql("BEGIN IMMEDIATE" if _wants_write_lock() else "BEGIN")


def configure_engine(engine: sa.Engine) -> None:
    """Install the SQLite hooks on our engine; PostgreSQL needs none."""
    if engine.dialect.name != "sqlite":
        return
    sa.event.listen(engine, "connect", _on_connect)
    sa.event.listen(engine, "begin", _on_begin)
