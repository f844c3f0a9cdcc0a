"""Demo campaign years around today's date, so a fresh ``make run`` shows the real thing.

The demo's current year is the campaign under way or about to start (this year's until
30 September, then next year's); two past years hold published demo reports and some
fairs and news for the archive. Every year the demo opens is marked ``is_demo``; a year
that already exists (the 2023 reference year, or one staff opened) is used as it is.
"""

from __future__ import annotations

import datetime as dt

from ..extensions import db
from ..seeding import demo_loader
from .models import Campaign, campaign_of_year, season_year, usual_dates

PAST_YEARS = 2
DEMO_TEXTS = {
    "slogan_kk": "Жақсылықты жаса", "slogan_ru": "Делай добро", "slogan_en": "Do good",
    "message_kk": "Демо: биылғы акция сайттың барлық мүмкіндігін көрсетеді — жәрмеңкелер, қажеттіліктер, жаңалықтар.",
    "message_ru": "Демо: акция этого года показывает все возможности сайта — ярмарки, потребности, новости.",
    "message_en": "Demo: this year's campaign shows everything the site does: fairs, needs and news.",
}


def current_year(today: dt.date | None = None) -> int:
    """The demo's current campaign year: this year's until its usual last day (30 September), then next year's."""
    return season_year(today)


def demo_campaign(years_back: int = 0) -> Campaign:
    """The demo's current campaign (``years_back=0``) or a past one, opened if missing (idempotent)."""
    year = current_year() - years_back
    campaign = campaign_of_year(year)
    if campaign is None:
        starts_on, ends_on = usual_dates(year)
        campaign = Campaign(year=year, starts_on=starts_on, ends_on=ends_on, is_demo=True, **DEMO_TEXTS)
        db.session.add(campaign)
        db.session.flush()
    return campaign


def on_campaign_day(campaign: Campaign, month: int, day: int) -> dt.date:
    """A demo's month and day in ``campaign``'s year."""
    return dt.date(campaign.year, month, day)


@demo_loader
def load_demo_campaigns() -> int:
    """The current demo year and the past ones (their content comes from each area's loader)."""
    before = {c for c in range(current_year() - PAST_YEARS, current_year() + 1) if campaign_of_year(c)}
    for back in range(PAST_YEARS + 1):
        demo_campaign(back)
    return PAST_YEARS + 1 - len(before)
