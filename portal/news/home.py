"""Home page section: the latest news."""

from __future__ import annotations

from ..extensions import db
from ..pages.home import home_section
from .models import published_news

HOME_SIZE = 3


@home_section("news")
def latest_news(campaign):
    """The three newest articles, or nothing (the home page then hides the section)."""
    items = db.session.scalars(published_news().limit(HOME_SIZE)).all()
    return {"items": items} if items else None
