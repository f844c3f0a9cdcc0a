"""Column types shared by the models."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

UTC = dt.timezone.utc


class UTCDateTime(sa.TypeDecorator):
    """An aware UTC datetime on every database.

    PostgreSQL keeps the offset (``timestamptz``); SQLite has no time zones and
    would hand back naive values, so they are stored as UTC and made aware again
    on the way out. Naive values are refused: a wall-clock time without its zone
    is a bug (see ``portal.i18n.from_local``).
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime %r: convert local times with portal.i18n.from_local" % value)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
