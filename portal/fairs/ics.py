"""iCalendar (RFC 5545) for fairs: one event, or a subscribable feed that honours the page's filters.

Times are written in the fair's own zone (``TZID`` plus a ``VTIMEZONE`` built from
zoneinfo, so a 2023 fair in Astana is +06 and one in Aktau +05). The UID never
changes; ``SEQUENCE`` is bumped by staff edits; a cancelled fair stays in the feed
with ``STATUS:CANCELLED`` and a "Cancelled:" summary, so calendars that keep it show it.
"""

from __future__ import annotations

import datetime as dt

import icalendar
from flask import url_for
from flask_babel import gettext as _

from .. import clock
from ..http import as_utc
from ..i18n import localised
from .models import KINDS, Fair

PRODID = "-//Mektepke zhol//Fairs//EN"
REFRESH = dt.timedelta(hours=6)


def page_url(fair: Fair, lang: str) -> str:
    return url_for("fairs.detail", id=fair.id, lang=lang, _external=True)


def summary(fair: Fair, lang: str) -> str:
    title = localised(fair, "title", lang)[0]
    return _("Cancelled: %(title)s", title=title) if fair.is_cancelled else title


def description(fair: Fair, lang: str) -> str:
    """Plain text: what, on offer, who, and the page link last (many clients ignore ``URL``)."""
    parts = []
    if fair.is_cancelled:
        parts.append(_("This event has been cancelled."))
    text = localised(fair, "description", lang)[0]
    if text:
        parts.append(text)
    offer = localised(fair, "offer", lang)[0]
    if offer:
        parts.append("%s\n%s" % (_("On offer and discounts:"), offer))
    if fair.organiser:
        parts.append(_("Organiser: %(name)s", name=fair.organiser))
    parts.append(page_url(fair, lang))
    return "\n\n".join(parts)


def location(fair: Fair) -> str:
    return ", ".join(part for part in (fair.venue, fair.address, fair.settlement, fair.region.label) if part)


def event(fair: Fair, lang: str) -> icalendar.Event:
    ev = icalendar.Event()
    ev.add("uid", fair.uid)
    ev.add("dtstamp", as_utc(fair.updated_at))
    ev.add("created", as_utc(fair.created_at))
    ev.add("last-modified", as_utc(fair.updated_at))
    ev.add("sequence", fair.sequence)
    ev.add("dtstart", fair.local_start)
    ev.add("dtend", fair.local_end)
    ev.add("summary", summary(fair, lang))
    ev.add("description", description(fair, lang))
    ev.add("location", location(fair))
    ev.add("url", page_url(fair, lang))
    ev.add("categories", [str(KINDS.get(fair.kind, fair.kind))])
    ev.add("status", "CANCELLED" if fair.is_cancelled else "CONFIRMED")
    ev.add("class", "PUBLIC")
    ev.add("transp", "TRANSPARENT")
    return ev


def calendar(fairs: list[Fair], lang: str, name: str, feed: bool) -> bytes:
    """A VCALENDAR with each fair and the VTIMEZONEs they use."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    if feed:
        cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", icalendar.vDuration(REFRESH))
    for fair in fairs:
        cal.add_component(event(fair, lang))
    if fairs:
        first = min(f.local_start.date() for f in fairs) - dt.timedelta(days=366)
        last = max(f.local_end.date() for f in fairs) + dt.timedelta(days=366)
        cal.add_missing_timezones(first_date=first, last_date=last)
    else:
        # RFC 5545 wants at least one component: an empty feed carries the main zone, around today.
        today = clock.today_in()
        cal.add_component(icalendar.Timezone.from_tzid(
            "Asia/Almaty", first_date=today - dt.timedelta(days=366), last_date=today + dt.timedelta(days=366)))
    return cal.to_ical()
