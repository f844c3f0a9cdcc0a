"""Engine set-up: SQLite pragmas and write transactions that take the lock up front.

On SQLite a deferred transaction that reads and then writes fails at once with
"database is locked" when another writer got in between, so every transaction of
an unsafe request (POST, PUT, PATCH, DELETE) and of CLI commands starts with
``BEGIN IMMEDIATE``; page views (GET/HEAD) use plain ``BEGIN`` and never take the
write lock.

A POST that mostly *reads and builds* (an export) would hold that lock — one writer at a
time for the whole database — while it builds its answer, and every other write waits
behind it. Such a view is marked ``@reads_first``: its reads run in a plain transaction,
and it writes explicitly in ``with write_transaction():``, which ends the read transaction
and takes the lock only for the write itself.
"""

from contextlib import contextmanager

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def reads_first(view):
    """This unsafe-method view reads before it writes: no write lock until ``write_transaction()``."""
    view.reads_first = True
    return view


@contextmanager
def write_transaction():
    """End the current (read) transaction, then run the block in a ``BEGIN IMMEDIATE`` one and commit it.

    Only for ``@reads_first`` views and commands that have written nothing yet: what the session
    holds is committed first (nothing, in a view that only read).
    """
    from .extensions import db

    db.session.commit()
    g.portal_write_transaction = True
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        g.portal_write_transaction = False


def normalise_url(url: str) -> str:
    """Accept Heroku-style ``postgres://`` URLs and pick the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _wants_write_lock() -> bool:
    if has_request_context():
        if g.get("portal_write_transaction"):
            return True
        if request.method in SAFE_METHODS:
            return False
        view = current_app.view_functions.get(request.endpoint or "")
        return not getattr(view, "reads_first", False)
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


def owner_only(path) -> None:
    """Create the SQLite file readable by its owner only (0600), or make an existing one (and -wal, -shm) so.

    It holds sponsors' personal data and appeal texts. SQLite gives the -wal and -shm files (and a
    rollback journal) the mode of the database file, so they follow.
    """
    import os

    path = str(path)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError:
        return  # e.g. a missing directory: SQLite reports it on connect
    for name in (path, path + "-wal", path + "-shm", path + "-journal"):
        try:
            if os.stat(name).st_mode & 0o077:
                os.chmod(name, 0o600)
        except OSError:
            pass  # absent, or not ours to change


def configure_engine(engine: sa.Engine) -> None:
    """Install the SQLite hooks on our engine; PostgreSQL needs none."""
    if engine.dialect.name != "sqlite":
        return
    database = engine.url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        owner_only(database)
    sa.event.listen(engine, "connect", _on_connect)
    sa.event.listen(engine, "begin", _on_begin)
