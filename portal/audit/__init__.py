"""The audit log of every staff write: ``record()`` it in the same transaction as the change.

    before = snapshot(fair)
    form.populate_obj(fair)
    record("update", fair, before=before)
    db.session.commit()
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum

import sqlalchemy as sa
from flask import has_request_context
from flask_login import current_user

from ..extensions import db

# Never copied into the log.
SECRET_FIELDS = {"password_hash", "totp_secret", "totp_last_step", "session_version"}


def _plain(value):
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (set, tuple)):
        return list(value)
    return value


def snapshot(obj) -> dict:
    """Column values of ``obj`` as JSON-friendly data."""
    mapper = sa.inspect(obj).mapper
    return {
        col.key: _plain(getattr(obj, col.key))
        for col in mapper.column_attrs
        if col.key not in SECRET_FIELDS
    }


def diff(before: dict, after: dict) -> dict:
    """``{field: [before, after]}`` for fields that changed."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key) and key not in SECRET_FIELDS
    }


def record(action: str, obj=None, before: dict | None = None, *, object_type: str | None = None,
           object_id=None, region_code=None, note: str | None = None, actor=None, changes: dict | None = None):
    """Add an audit entry to the session (committed with the change it describes)."""
    from .models import AuditEntry

    if obj is not None:
        db.session.flush()  # ids of new objects
        after = snapshot(obj)
        if changes is None:
            changes = diff(before or {}, after) if before is not None else {k: [None, v] for k, v in after.items()}
        object_type = object_type or obj.__tablename__
        object_id = object_id if object_id is not None else sa.inspect(obj).identity[0]
        if region_code is None:
            region_code = getattr(obj, "region_code", None)
    changes = dict(changes or {})
    if note:
        changes["note"] = note
    if actor is None and has_request_context() and current_user and current_user.is_authenticated:
        actor = current_user
    entry = AuditEntry(
        staff_id=getattr(actor, "id", None),
        actor=getattr(actor, "email", None) or (actor if isinstance(actor, str) else "cli"),
        action=action,
        object_type=object_type or "",
        object_id=str(object_id or ""),
        region_code=region_code,
        changes=changes,
    )
    db.session.add(entry)
    return entry


def record_many(rows: list[dict], actor=None) -> int:
    """Many entries in one INSERT, for bulk actions: each row has ``action``, ``object_type``, ``object_id``,
    ``region_code`` and ``changes``. (The ORM would send one INSERT per entry to fetch its id.)"""
    from .. import clock
    from .models import AuditEntry

    if not rows:
        return 0
    if actor is None and has_request_context() and current_user and current_user.is_authenticated:
        actor = current_user
    at = clock.now()
    db.session.execute(sa.insert(AuditEntry), [{
        "at": at, "staff_id": getattr(actor, "id", None),
        "actor": getattr(actor, "email", None) or (actor if isinstance(actor, str) else "cli"),
        "action": row["action"], "object_type": row["object_type"], "object_id": str(row["object_id"]),
        "region_code": row.get("region_code"), "changes": row.get("changes") or {},
    } for row in rows])
    return len(rows)
