"""The audit log: who changed what, when, with the before/after of each changed field."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..extensions import db
from ..types import UTCDateTime


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"
    __cache_area__ = None

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"), index=True)
    # Who, as text too: stays readable if the account is renamed; "cli" for operator commands.
    actor: Mapped[str] = mapped_column(sa.String(254))
    action: Mapped[str] = mapped_column(sa.String(40), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(40), index=True)
    object_id: Mapped[str] = mapped_column(sa.String(64), default="")
    region_code: Mapped[str | None] = mapped_column(sa.String(8), index=True)
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    staff = relationship("StaffUser")
