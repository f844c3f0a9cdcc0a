"""The news filter (region) and the queries behind the news list and feed."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField

from .. import clock
from ..extensions import db
from .models import News, published_news

PER_PAGE = 10


class NewsFilterForm(FlaskForm):
    """GET filter: no CSRF token, so the page sets no cookie and every view is a shareable link."""

    class Meta:
        csrf = False

    region = SelectField(_l("Region"), choices=[], default="")

    def __init__(self, formdata, regions):
        super().__init__(formdata)
        self.region.choices = [("", _l("All regions"))] + [(r.code, r.label) for r in regions]
        if not self.validate():
            # A stale or mistyped link shows everything rather than an error page.
            self.region.data = ""

    @property
    def region_code(self) -> str | None:
        return self.region.data or None

    def query_args(self) -> dict:
        return {"region": self.region_code} if self.region_code else {}


def news_statement(region_code: str | None):
    """Published news, newest first; a region's list includes national news (it concerns everyone)."""
    stmt = published_news()
    if region_code:
        stmt = stmt.where(sa.or_(News.region_code == region_code, News.region_code.is_(None)))
    return stmt


def news_last_modified():
    """When the public news last changed: an edit, or a scheduled article going live."""
    now = clock.now()
    row = db.session.execute(
        sa.select(
            sa.func.max(News.updated_at),
            sa.func.max(sa.case((News.published_at <= now, News.published_at))),
        )
    ).one()
    return row
