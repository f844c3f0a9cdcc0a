"""``flask backup`` (issue 8): a consistent online copy of SQLite while another thread writes, and its restore."""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.audit.models import AuditEntry
from portal.backup import sqlite_path
from portal.extensions import db
from portal.regions.models import Region
from tests.conftest import make_config

WRITES = 400


def _is_sqlite(app) -> bool:
    return sqlite_path(app.config["SQLALCHEMY_DATABASE_URI"]) is not None


def _count(conn: sqlite3.Connection, table: str) -> int:
    return conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # table names from our schema


def test_backup_while_another_thread_writes(app, runner, tmp_path):
    if not _is_sqlite(app):
        pytest.skip("SQLite only: PostgreSQL is backed up with pg_dump")
    committed = []
    started = threading.Event()
    stop = threading.Event()

    def writer():
        with app.app_context():
            for n in range(WRITES):
                db.session.add(AuditEntry(actor="writer", action="test", object_type="backup", object_id=str(n)))
                db.session.commit()
                committed.append(n)
                if n == 20:
                    started.set()
                if stop.is_set():
                    break
            db.session.remove()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert started.wait(30)
        before = len(committed)
        target = tmp_path / "copy.sqlite3"
        result = runner.invoke(args=["backup", "--output", str(target)])
        after = len(committed)
    finally:
        stop.set()
        thread.join(60)
    assert result.exit_code == 0, result.output
    assert "integrity_check ok" in result.output
    assert oct(target.stat().st_mode & 0o777) == "0o600"

    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = _count(copy, "audit_entry")
        # A snapshot: every write committed before the copy began, nothing beyond what was committed after.
        assert before <= rows <= after
        ids = [int(r[0]) for r in copy.execute("SELECT object_id FROM audit_entry ORDER BY id")]
        assert ids == list(range(rows)), "the copy is not a prefix of the committed writes"
        assert _count(copy, "region") == 20
    finally:
        copy.close()
    assert not os.path.exists(str(target) + "-wal") or os.path.getsize(str(target) + "-wal") == 0


def test_restore_from_a_backup(app, runner, tmp_path):
    """The README's restore: stop the site, put the copy in place of the database file, start again."""
    if not _is_sqlite(app):
        pytest.skip("SQLite only: PostgreSQL is backed up with pg_dump")
    with app.app_context():
        for n in range(7):
            db.session.add(AuditEntry(actor="restore", action="test", object_type="backup", object_id=str(n)))
        db.session.commit()
    backup = tmp_path / "backups" / "portal.sqlite3"
    assert runner.invoke(args=["backup", "-o", str(backup)]).exit_code == 0

    with app.app_context():  # damage after the backup: lost on restore, as expected
        db.session.execute(sa.delete(AuditEntry))
        db.session.commit()

    live = tmp_path / "instance" / "portal.sqlite3"
    live.parent.mkdir()
    for suffix in ("", "-wal", "-shm"):
        (live.parent / (live.name + suffix)).unlink(missing_ok=True)
    shutil.copy2(backup, live)

    restored = create_app(make_config("sqlite:///" + str(live)))
    with restored.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 7
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Region)) == 20
        assert db.session.execute(sa.text("PRAGMA integrity_check")).scalar_one() == "ok"
        assert restored.test_client().get("/kk/").status_code == 200
        db.session.remove()
        db.engine.dispose()


def test_backup_on_postgresql_points_to_pg_dump(database_url, tmp_path):
    app = create_app(make_config("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    result = app.test_cli_runner().invoke(args=["backup", "-o", str(tmp_path / "x")])
    assert result.exit_code != 0
    assert "pg_dump" in result.output
    assert not (tmp_path / "x").exists()
