"""News articles. Text per language in ``<field>_<lang>`` columns; the body is Markdown, rendered and sanitised on save."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..extensions import db
from ..types import UTCDateTime
from ..i18n import available_languages, localised
from ..regions.models import Region

STATUSES = {"draft": _l("Draft"), "published": lazy_pgettext("news status", "Published")}


class News(db.Model):
    __tablename__ = "news"
    __cache_area__ = "news"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    # None: national news, visible to and editable by admins only; coordinators read it.
    region_code: Mapped[str | None] = mapped_column(sa.ForeignKey("region.code"), index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="draft")
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    title_kk: Mapped[str] = mapped_column(sa.String(200), default="")
    title_ru: Mapped[str] = mapped_column(sa.String(200), default="")
    title_en: Mapped[str] = mapped_column(sa.String(200), default="")
    summary_kk: Mapped[str] = mapped_column(sa.String(500), default="")
    summary_ru: Mapped[str] = mapped_column(sa.String(500), default="")
    summary_en: Mapped[str] = mapped_column(sa.String(500), default="")
    body_kk: Mapped[str] = mapped_column(sa.Text, default="")
    body_ru: Mapped[str] = mapped_column(sa.Text, default="")
    body_en: Mapped[str] = mapped_column(sa.Text, default="")
    body_html_kk: Mapped[str] = mapped_column(sa.Text, default="")
    body_html_ru: Mapped[str] = mapped_column(sa.Text, default="")
    body_html_en: Mapped[str] = mapped_column(sa.Text, default="")

    is_demo: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime, default=clock.now, onupdate=clock.now
    )

    region: Mapped[Region | None] = relationship(lazy="joined")

    __table_args__ = (sa.Index("ix_news_status_published_at", "status", "published_at"),)

    @property
    def title(self) -> str:
        return localised(self, "title")[0]

    @property
    def summary(self) -> str:
        return localised(self, "summary")[0]

    @property
    def languages(self) -> list[str]:
        return available_languages(self, "title")

    @property
    def is_public(self) -> bool:
        return self.status == "published" and self.published_at is not None and self.published_at <= clock.now()

    def __repr__(self) -> str:
        return "<News %s>" % self.slug


def published_news():
    """Query of news a visitor may read now, newest first."""
    return (
        sa.select(News)
        .where(News.status == "published", News.published_at <= clock.now())
        .order_by(News.published_at.desc(), News.id.desc())
    )


def next_publication() -> dt.datetime | None:
    """When the next news item scheduled for later becomes public (lists and feeds change then)."""
    return db.session.scalar(
        sa.select(sa.func.min(News.published_at)).where(News.status == "published", News.published_at > clock.now())
    )
