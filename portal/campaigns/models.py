"""Campaign years, and the one rule saying which campaign a page, an item or a day belongs to.

The campaign runs every year; staff open each year themselves (``flask campaign open`` or
/staff/campaigns/). Nothing else in the portal names a year: it asks this module.

* ``current_campaign()`` — what the site is about today: the campaign under way, else the
  next one opened, else the last one (its results).
* ``campaign_for(day)`` — where something that happens on ``day`` is counted: the campaign
  under way or the next one to come; after the last campaign ended, that last one (until
  staff open the next). A visitor's action out of season is never dropped from the figures.
* ``period(campaign)`` — the days ``campaign_for`` gives to a campaign, for figures kept by
  day (appeals, self-check tallies): from the day after the previous campaign ended to the
  end of this one; the latest campaign's period stays open until the next one is opened.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import get_locale, lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from .. import clock
from ..extensions import db
from ..types import UTCDateTime

STATES = {
    "upcoming": _l("Starts soon"),
    "running": _l("Under way"),
    "over": _l("Over"),
}
LANGS = ("kk", "ru", "en")
# The campaign's usual window (the 2023 concept): 1 August – 30 September.
USUAL_START = (8, 1)
USUAL_END = (9, 30)


class Campaign(db.Model):
    __tablename__ = "campaign"
    __cache_area__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    starts_on: Mapped[dt.date]
    ends_on: Mapped[dt.date]
    slogan_kk: Mapped[str] = mapped_column(sa.String(200), default="")
    slogan_ru: Mapped[str] = mapped_column(sa.String(200), default="")
    slogan_en: Mapped[str] = mapped_column(sa.String(200), default="")
    # A short message for the home page and the year's page ("what this year is about").
    message_kk: Mapped[str] = mapped_column(sa.String(600), default="", server_default="")
    message_ru: Mapped[str] = mapped_column(sa.String(600), default="", server_default="")
    message_en: Mapped[str] = mapped_column(sa.String(600), default="", server_default="")
    # Closed by staff: the year's work is finished; the public pages show it as over, with its results.
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    is_demo: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    @property
    def slogan(self) -> str:
        """This year's slogan in the current language."""
        return getattr(self, "slogan_%s" % (get_locale() or "kk").language, "") or self.slogan_kk

    @property
    def message(self) -> str:
        """This year's message in the current language (Kazakh, then Russian, when missing)."""
        lang = (get_locale() or "kk").language
        return getattr(self, "message_%s" % lang, "") or self.message_kk or self.message_ru

    @property
    def message_lang(self) -> str | None:
        """The language the shown message is written in, when it is not the page's (for ``lang=``)."""
        lang = (get_locale() or "kk").language
        if getattr(self, "message_%s" % lang, ""):
            return None
        return "kk" if self.message_kk else ("ru" if self.message_ru else None)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def state(self, today: dt.date | None = None) -> str:
        """``upcoming``, ``running`` or ``over`` on the given (Kazakh) date; a closed campaign is over."""
        today = today or clock.today_in()
        if self.closed_at is not None or today > self.ends_on:
            return "over"
        if today < self.starts_on:
            return "upcoming"
        return "running"

    def days_left(self, today: dt.date | None = None) -> int:
        today = today or clock.today_in()
        return (self.ends_on - today).days

    def days_until(self, today: dt.date | None = None) -> int:
        today = today or clock.today_in()
        return (self.starts_on - today).days

    def __repr__(self) -> str:
        return "<Campaign %s>" % self.year


def campaigns_ordered(newest_first: bool = False) -> list[Campaign]:
    order = Campaign.starts_on.desc() if newest_first else Campaign.starts_on
    return list(db.session.scalars(sa.select(Campaign).order_by(order)))


def campaign_of_year(year: int) -> Campaign | None:
    return db.session.scalar(sa.select(Campaign).where(Campaign.year == year))


def current_campaign(today: dt.date | None = None) -> Campaign | None:
    """The campaign the site is about: the one under way, else the next one opened, else the last one."""
    today = today or clock.today_in()
    open_ = sa.and_(Campaign.closed_at.is_(None), Campaign.ends_on >= today)
    coming = db.session.scalar(sa.select(Campaign).where(open_).order_by(Campaign.starts_on).limit(1))
    if coming is not None:
        return coming
    return db.session.scalar(sa.select(Campaign).order_by(Campaign.starts_on.desc()).limit(1))


def campaign_for(day: dt.date | None = None) -> Campaign | None:
    """Where something happening on ``day`` is counted: the campaign under way or next, else the last one."""
    return current_campaign(day)


def campaign_for_event(day: dt.date) -> Campaign | None:
    """The campaign a fair or event on ``day`` belongs to: that year's, else the one ``campaign_for`` gives."""
    same_year = campaign_of_year(day.year)
    if same_year is not None:
        return same_year
    found = campaign_for(day)
    return found if found is not None and found.ends_on >= day else None


def period(campaign: Campaign) -> tuple[dt.date | None, dt.date | None]:
    """``(first day, last day)`` counted in ``campaign``; ``None`` means unbounded on that side."""
    before = db.session.scalar(
        sa.select(sa.func.max(Campaign.ends_on)).where(Campaign.starts_on < campaign.starts_on)
    )
    later = db.session.scalar(
        sa.select(sa.func.count()).select_from(Campaign).where(Campaign.starts_on > campaign.starts_on)
    )
    first = before + dt.timedelta(days=1) if before is not None else None
    last = campaign.ends_on if later else None
    return first, last


def in_period(column, campaign: Campaign):
    """A SQL condition: ``column`` (a date) falls in ``period(campaign)``."""
    first, last = period(campaign)
    conditions = []
    if first is not None:
        conditions.append(column >= first)
    if last is not None:
        conditions.append(column <= last)
    return sa.and_(sa.true(), *conditions)


def season_year(today: dt.date | None = None) -> int:
    """The year whose campaign comes next or is under way: this year's until 30 September, then next year's."""
    today = today or clock.today_in()
    return today.year if today <= usual_dates(today.year)[1] else today.year + 1


def usual_dates(year: int) -> tuple[dt.date, dt.date]:
    """1 August – 30 September of ``year``: the dates a new campaign is offered by default."""
    return dt.date(year, *USUAL_START), dt.date(year, *USUAL_END)


CAMPAIGN_2023 = dict(
    year=2023,
    starts_on=dt.date(2023, 8, 1),
    ends_on=dt.date(2023, 9, 30),
    slogan_kk="Жақсылықты жаса",
    slogan_ru="Делай добро",
    slogan_en="Do good",
)


def load_campaigns() -> int:
    """The 2023 campaign, the first the portal knows (its concept is the About page); later years are opened by staff."""
    if campaign_of_year(2023) is None:
        db.session.add(Campaign(**CAMPAIGN_2023))
        return 1
    return 0
