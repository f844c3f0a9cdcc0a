"""Working days in Kazakhstan, and the portal's promise to answer within three of them.

Weekends, public holidays and the days off moved by government decree come from the maintained
``holidays`` package (pinned in requirements.txt), not from a list typed here: its Kazakhstan calendar
(``holidays.country_holidays("KZ")``) has the holidays of each year, the days off they move to when they
fall on a weekend ("… (observed)"), the days off swapped by decree ("Day off (substituted from …)") and
the Saturdays and Sundays that the same decrees turn into working days (``weekend_workdays``, honoured
by its ``is_working_day``). Raising the pin each autumn brings in the next year's decree.

Gaps, and what covers them:

* A decree published after the pinned release: until the pin is raised, the operator lists the dates in
  ``WORKDAYS_EXTRA_DAYS_OFF`` / ``WORKDAYS_EXTRA_WORKING_DAYS`` (ISO dates, comma-separated).
* Kurban ait (Eid al-Adha) is fixed each year by the Spiritual Administration of Muslims; the package
  marks a date it has not seen confirmed as "(estimated)". The same settings correct it.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from flask import current_app, has_app_context

# What the public pages promise: an answer "usually within three working days".
PROMISE_WORKING_DAYS = 3


@lru_cache(maxsize=16)
def _calendar(year: int):
    return holidays.country_holidays("KZ", years=year)


@lru_cache(maxsize=32)
def _parse_days(value: str) -> frozenset[dt.date]:
    days = set()
    for part in (value or "").replace(";", ",").split(","):
        part = part.strip()
        if part:
            days.add(dt.date.fromisoformat(part))
    return frozenset(days)


def _overrides() -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    if not has_app_context():
        return frozenset(), frozenset()
    config = current_app.config
    return (_parse_days(config.get("WORKDAYS_EXTRA_DAYS_OFF") or ""),
            _parse_days(config.get("WORKDAYS_EXTRA_WORKING_DAYS") or ""))


def is_working_day(day: dt.date) -> bool:
    """A day staff are expected at work: not a weekend (unless moved), not a holiday or a moved day off."""
    days_off, working_days = _overrides()
    if day in working_days:
        return True
    if day in days_off:
        return False
    return _calendar(day.year).is_working_day(day)


def add_working_days(start: dt.date, count: int) -> dt.date:
    """The ``count``-th working day after ``start`` (the day itself does not count)."""
    day = start
    left = count
    while left > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def due_on(arrived_on: dt.date) -> dt.date:
    """When an answer to something that arrived on ``arrived_on`` is due: three working days later."""
    return add_working_days(arrived_on, PROMISE_WORKING_DAYS)


def holiday_name(day: dt.date) -> str | None:
    """The package's (English) name of a holiday, for documentation and tests."""
    return _calendar(day.year).get(day)
