"""The fair filter (region, kind, month, remote settlements only, upcoming/past) and the queries it drives.

One GET form serves the list, the month grid, the calendar feed and the embed, so a
filtered view is always a short, shareable URL (calendar apps reject long ones).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel.dates import format_date as babel_format_date
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField

from .. import clock
from ..extensions import db
from .models import KINDS, Fair

UTC = dt.timezone.utc
PER_PAGE = 20
WHEN = {"upcoming": _l("Upcoming"), "past": _l("Past")}


def month_key(day: dt.date) -> str:
    return "%04d-%02d" % (day.year, day.month)


def parse_month(key: str) -> dt.date:
    """``"2023-08"`` → 1 August 2023."""
    year, month = key.split("-")
    return dt.date(int(year), int(month), 1)


def next_month(first: dt.date) -> dt.date:
    return dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)


def campaign_months(campaign) -> list[dt.date]:
    """First days of the months a campaign spans (August and September for 2023)."""
    if campaign is None:
        return []
    months, day = [], campaign.starts_on.replace(day=1)
    while day <= campaign.ends_on:
        months.append(day)
        day = next_month(day)
    return months


def month_label(first: dt.date) -> str:
    """«Тамыз 2023», «Август 2023», "August 2023" (stand-alone month name, capitalised)."""
    label = babel_format_date(first, "LLLL y", locale=str(get_locale() or "kk"))
    return label[:1].upper() + label[1:]


class FairFilterForm(FlaskForm):
    """GET filter: no CSRF token (no cookie), every combination is a plain link."""

    class Meta:
        csrf = False

    region = SelectField(_l("Region"), default="")
    kind = SelectField(_l("Kind of event"), default="")
    month = SelectField(_l("Month"), default="")
    remote = BooleanField(_l("Remote settlements only"), false_values=(False, "", "0", "false", "off"))
    when = SelectField(_l("Dates"), choices=list(WHEN.items()), default="upcoming")

    def __init__(self, formdata, regions, campaign):
        super().__init__(formdata)
        self.regions = regions
        self.campaign = campaign
        self.months = campaign_months(campaign)
        self.region.choices = [("", _l("All regions"))] + [(r.code, r.label) for r in regions]
        self.kind.choices = [("", _l("All kinds"))] + list(KINDS.items())
        self.month.choices = [("", _l("All months"))] + [(month_key(m), month_label(m)) for m in self.months]
        if not self.validate():
            # A stale or mistyped link drops the bad part instead of showing an error page.
            for field in self:
                if field.errors:
                    field.data = field.default
                    field.errors = []

    # --- what was asked for -----------------------------------------------------

    @property
    def region_obj(self):
        return next((r for r in self.regions if r.code == self.region.data), None)

    @property
    def month_start(self) -> dt.date | None:
        return parse_month(self.month.data) if self.month.data else None

    def query_args(self, when: bool = True) -> dict:
        """The non-default filters as URL parameters (short: calendar apps reject long URLs)."""
        args = {}
        if self.region.data:
            args["region"] = self.region.data
        if self.kind.data:
            args["kind"] = self.kind.data
        if self.month.data:
            args["month"] = self.month.data
        if self.remote.data:
            args["remote"] = "1"
        if when and self.when.data != "upcoming":
            args["when"] = self.when.data
        return args

    # --- queries ---------------------------------------------------------------

    def _base(self):
        stmt = sa.select(Fair)
        if self.campaign is None:
            return stmt.where(sa.false())
        stmt = stmt.where(Fair.campaign_id == self.campaign.id)
        if self.region.data:
            stmt = stmt.where(Fair.region_code == self.region.data)
        if self.kind.data:
            stmt = stmt.where(Fair.kind == self.kind.data)
        if self.remote.data:
            stmt = stmt.where(Fair.is_remote.is_(True))
        return stmt

    def _in_month(self, first: dt.date):
        """Fairs starting in that month on their own region's wall clock (zones differ before March 2024)."""
        by_zone: dict[str, list[str]] = {}
        for region in self.regions:
            by_zone.setdefault(region.tz, []).append(region.code)
        after = next_month(first)
        clauses = []
        for tz, codes in sorted(by_zone.items()):
            zone = ZoneInfo(tz)
            start = dt.datetime.combine(first, dt.time(), zone).astimezone(UTC)
            end = dt.datetime.combine(after, dt.time(), zone).astimezone(UTC)
            clauses.append(
                sa.and_(Fair.region_code.in_(codes), Fair.starts_at >= start, Fair.starts_at < end)
            )
        return sa.or_(*clauses)

    def list_statement(self):
        """The list: upcoming (still running or later) soonest first, or past ones latest first."""
        now = clock.now()
        stmt = self._base()
        if self.month_start:
            stmt = stmt.where(self._in_month(self.month_start))
        if self.when.data == "past":
            return stmt.where(Fair.ends_at < now).order_by(Fair.starts_at.desc(), Fair.id.desc())
        return stmt.where(Fair.ends_at >= now).order_by(Fair.starts_at, Fair.id)

    def grid_month(self) -> dt.date | None:
        """The month the grid shows: the chosen one, else this month if the campaign runs in it, else its first."""
        if self.month_start:
            return self.month_start
        if not self.months:
            return None
        today = clock.today_in().replace(day=1)
        return today if today in self.months else self.months[0]

    def month_statement(self, first: dt.date, limit: int = 500):
        """Every fair of a month (past days included), for the grid."""
        return self._base().where(self._in_month(first)).order_by(Fair.starts_at, Fair.id).limit(limit)

    def calendar_statement(self, limit: int = 1000):
        """The calendar feed: every fair of the campaign matching the filters, past and cancelled ones kept."""
        stmt = self._base()
        if self.month_start:
            stmt = stmt.where(self._in_month(self.month_start))
        return stmt.order_by(Fair.starts_at, Fair.id).limit(limit)

    def upcoming_statement(self, limit: int):
        return self._base().where(Fair.ends_at >= clock.now()).order_by(Fair.starts_at, Fair.id).limit(limit)


def fairs_last_modified() -> tuple:
    """When the public fair pages last changed: an edit, or a fair ending (it leaves "upcoming")."""
    now = clock.now()
    return db.session.execute(
        sa.select(
            sa.func.max(Fair.updated_at),
            sa.func.max(sa.case((Fair.ends_at <= now, Fair.ends_at))),
        )
    ).one()
