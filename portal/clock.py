"""The one place that says what time it is, so tests and demos can freeze it (``FROZEN_NOW``)."""

import datetime as dt

from flask import current_app, has_app_context

UTC = dt.timezone.utc


def now() -> dt.datetime:
    """Aware UTC now, or the configured frozen instant."""
    frozen = current_app.config.get("FROZEN_NOW") if has_app_context() else None
    if frozen:
        value = dt.datetime.fromisoformat(frozen)
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return dt.datetime.now(UTC)


def today_in(tz: str = "Asia/Almaty") -> dt.date:
    """Today's date on the wall clock of a Kazakh time zone."""
    from zoneinfo import ZoneInfo

    return now().astimezone(ZoneInfo(tz)).date()


def next_midnight(tz: str = "Asia/Almaty") -> dt.datetime:
    """When ``today_in(tz)`` next changes: the coming midnight on that wall clock, as aware UTC."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(tz)
    tomorrow = now().astimezone(zone).date() + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, dt.time(0), tzinfo=zone).astimezone(UTC)
