"""Reply templates: answers staff pick, edit and send, kept per language (kk, ru, en)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .. import clock
from ..extensions import db
from ..types import UTCDateTime


class ReplyTemplate(db.Model):
    """A reply text in one language; templates sharing a ``key`` are the same answer in several languages."""

    __tablename__ = "reply_template"
    __cache_area__ = None
    __table_args__ = (sa.UniqueConstraint("key", "language", name="uq_reply_template_key_language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(40))
    language: Mapped[str] = mapped_column(sa.String(2))
    title: Mapped[str] = mapped_column(sa.String(120))
    body: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)
