"""Campaign news: written by staff in one or more languages, national or for one region."""

from flask import Blueprint

from ..http import as_utc
from ..i18n import format_date, localised, to_local

bp = Blueprint("news", __name__, url_prefix="/<lang:lang>/news")


def local_date(value, tz: str = "Asia/Almaty") -> str:
    """The calendar date of a stored UTC moment on the wall clock of ``tz``."""
    return format_date(to_local(value, tz))


def utc_iso(value) -> str:
    """``2023-08-10T06:00:00Z``: machine-readable moments (``<time datetime>``, Open Graph, JSON-LD)."""
    return as_utc(value).replace(microsecond=0).isoformat().replace("+00:00", "Z") if value else ""


bp.add_app_template_global(localised, "localised")
bp.add_app_template_filter(utc_iso, "utc_iso")
bp.add_app_template_filter(local_date, "local_date")

from . import feeds, home, routes  # noqa: E402,F401
