"""A campaign year, and which one the site is about today."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import get_locale, lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from .. import clock
from ..extensions import db

STATES = {
    "upcoming": _l("Starts soon"),
    "running": _l("Under way"),
    "over": _l("Over"),
}


class Campaign(db.Model):
    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    starts_on: Mapped[dt.date]
    ends_on: Mapped[dt.date]
    slogan_kk: Mapped[str] = mapped_column(sa.String(200), default="")
    slogan_ru: Mapped[str] = mapped_column(sa.String(200), default="")
    slogan_en: Mapped[str] = mapped_column(sa.String(200), default="")

    @property
    def slogan(self) -> str:
        """This year's slogan in the current language."""
        return getattr(self, "slogan_%s" % (get_locale() or "kk").language, "") or self.slogan_kk

    def state(self, today: dt.date | None = None) -> str:
        """``upcoming``, ``running`` or ``over`` on the given (Kazakh) date."""
        today = today or clock.today_in()
        if today < self.starts_on:
            return "upcoming"
        if today > self.ends_on:
            return "over"
        return "running"

    def days_left(self, today: dt.date | None = None) -> int:
        today = today or clock.today_in()
        return (self.ends_on - today).days

    def days_until(self, today: dt.date | None = None) -> int:
        today = today or clock.today_in()
        return (self.starts_on - today).days

    def __repr__(self) -> str:
        return "<Campaign %s>" % self.year


def current_campaign(today: dt.date | None = None) -> Campaign | None:
    """The campaign the site is about: this year's if there is one, else the latest that started, else the next."""
    today = today or clock.today_in()
    this_year = db.session.scalar(sa.select(Campaign).where(Campaign.year == today.year))
    if this_year:
        return this_year
    started = db.session.scalar(
        sa.select(Campaign).where(Campaign.starts_on <= today).order_by(Campaign.starts_on.desc()).limit(1)
    )
    if started:
        return started
    return db.session.scalar(sa.select(Campaign).order_by(Campaign.starts_on).limit(1))


CAMPAIGN_2023 = dict(
    year=2023,
    starts_on=dt.date(2023, 8, 1),
    ends_on=dt.date(2023, 9, 30),
    slogan_kk="Жақсылықты жаса",
    slogan_ru="Делай добро",
    slogan_en="Do good",
)


def load_campaigns() -> int:
    """The 2023 campaign, the first the portal knows (its concept is the About page)."""
    if db.session.scalar(sa.select(Campaign).where(Campaign.year == 2023)) is None:
        db.session.add(Campaign(**CAMPAIGN_2023))
        return 1
    return 0
