"""``flask backup``: a consistent copy of the SQLite database, taken while the site runs.

SQLite's online backup API (``sqlite3.Connection.backup``) copies the database in one
step from a read snapshot: in WAL mode writers are not blocked, and the copy is the
database as of one instant (every committed transaction before it, none after).
The copy is checked with ``PRAGMA integrity_check`` and written atomically, readable
by its owner only. PostgreSQL has its own tool for this: ``pg_dump``.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from .extensions import db


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL, ``None`` for other databases or an in-memory one."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def backup_sqlite(source: Path, target: Path) -> str:
    """Copy ``source`` to ``target`` with the online backup API; returns the copy's integrity_check."""
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=30)
    try:
        src.execute("PRAGMA busy_timeout=30000")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # personal data: owner only
        os.close(fd)
        dst = sqlite3.connect(partial)
        try:
            # pages=-1: one step from one read snapshot, so concurrent commits never restart the copy.
            src.backup(dst, pages=-1)
            # The copy stands alone: no -wal file beside it is needed to read it.
            dst.execute("PRAGMA journal_mode=DELETE")
            result = dst.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dst.close()
    finally:
        src.close()
    if result != "ok":
        partial.unlink(missing_ok=True)
        return result
    os.replace(partial, target)
    return result


def default_target() -> Path:
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
    return Path(current_app.instance_path) / "backups" / f"portal-{stamp}.sqlite3"


@click.command("backup")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the copy (default: instance/backups/portal-<UTC time>.sqlite3).",
)
@with_appcontext
def backup(output: Path | None):
    """Write a consistent copy of the SQLite database while the site runs (PostgreSQL: use pg_dump)."""
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    source = sqlite_path(url)
    if source is None:
        backend = sa.make_url(url).get_backend_name()
        if backend == "postgresql":
            raise click.ClickException(
                "The database is PostgreSQL: back it up with its own tool, e.g. "
                "`pg_dump --format=custom --file=portal.dump \"$DATABASE_URL\"` "
                "(restore with `pg_restore --clean --dbname=…`). `flask backup` copies SQLite databases only."
            )
        raise click.ClickException("`flask backup` copies SQLite database files only (this is %s)." % backend)
    if not source.is_file():
        raise click.ClickException("No database file at %s." % source)
    db.session.remove()  # hold no transaction of our own while copying
    target = output or default_target()
    result = backup_sqlite(source, target)
    if result != "ok":
        raise click.ClickException("The copy failed its integrity check: %s" % result)
    click.echo("backup written: %s (%d bytes, integrity_check ok)" % (target, target.stat().st_size))
