"""Languages: the ``/<lang>/`` URL prefix, locale negotiation and locale-aware formatting.

Kazakh comes first. The visitor's language is the URL prefix on public pages; for
``/`` and pages without a prefix it is negotiated from ``Accept-Language`` with
Babel's ``negotiate_locale`` (Werkzeug's ``best_match`` sends ``kk-KZ,ru`` to
Russian).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.core import negotiate_locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.numbers import format_decimal as babel_format_decimal
from flask import abort, current_app, g, request, url_for
from flask_babel import get_locale, gettext
from markupsafe import Markup
from werkzeug.routing import AnyConverter

LANGUAGES = ("kk", "ru", "en")
DEFAULT_LANGUAGE = "kk"

# Autonyms for the switcher: each name in its own language.
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}

UTC = dt.timezone.utc


def negotiate_language(header_languages) -> str:
    """Best of our languages for an ``Accept-Language`` list; Kazakh when nothing matches."""
    preferred = [tag.replace("-", "_") for tag, _q in header_languages]
    return negotiate_locale(preferred, list(LANGUAGES), sep="_") or DEFAULT_LANGUAGE


def request_language() -> str:
    """The language of this request: the URL prefix, else the first path segment, else the header."""
    lang = g.get("lang")
    if lang:
        return lang
    if request:
        first = request.path.lstrip("/").split("/", 1)[0]
        if first in LANGUAGES:
            return first
        staff_lang = g.get("staff_lang")
        if staff_lang:
            return staff_lang
        return negotiate_language(request.accept_languages)
    return DEFAULT_LANGUAGE


def select_locale() -> str:
    """Flask-Babel locale selector."""
    return request_language()


def pull_lang(endpoint, values):
    """URL value preprocessor: move ``lang`` from the URL into ``g.lang``; unknown → 404."""
    if values and "lang" in values:
        lang = values.pop("lang")
        if lang not in LANGUAGES:
            abort(404)
        g.lang = lang


def add_lang(endpoint, values):
    """URL defaults: put the current language back into URLs that need one."""
    if "lang" in values or not g.get("lang"):
        return
    if current_app.url_map.is_endpoint_expecting(endpoint, "lang"):
        values["lang"] = g.lang


def switch_language_url(code: str) -> str:
    """The current page in another language, query string kept.

    A page answering a POST (a failed form, a receipt) switches to the same URL read with GET; a URL
    that answers only POST switches to the page its view names in ``language_switch_endpoint``
    (else the home page), never to a 405.
    """
    if request.endpoint and request.url_rule and "lang" in request.url_rule.arguments:
        if "GET" not in (request.url_rule.methods or ()):
            view = current_app.view_functions.get(request.endpoint)
            target = getattr(view, "language_switch_endpoint", "pages.home")
            return url_for(target, lang=code)
        url = url_for(request.endpoint, **{**(request.view_args or {}), "lang": code})
        if request.query_string:
            url += "?" + request.query_string.decode("latin-1")
        return url
    return url_for("pages.home", lang=code)


def check_catalogues(app) -> None:
    """Fail at start-up when a configured language has no compiled catalogue (the site would fall back to English)."""
    root = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    missing = [
        lang
        for lang in app.config["LANGUAGES"]
        if not (root / lang / "LC_MESSAGES" / "messages.mo").is_file()
    ]
    if missing:
        raise RuntimeError(
            "No compiled translations for %s in %s: run `make translations`."
            % (", ".join(missing), root)
        )


# --- content written in several languages -----------------------------------------

# Which language to show when a text is missing in the visitor's: Kazakh and Russian
# readers usually read the other; English readers more often read Russian.
FALLBACK_ORDER = {"kk": ("kk", "ru", "en"), "ru": ("ru", "kk", "en"), "en": ("en", "ru", "kk")}


def localised(obj, field: str, lang: str | None = None) -> tuple[str, str | None]:
    """``(text, language it is in)`` of ``obj.<field>_<lang>``, falling back to another language."""
    lang = lang or str(get_locale() or DEFAULT_LANGUAGE)
    for code in FALLBACK_ORDER.get(lang, LANGUAGES):
        value = getattr(obj, "%s_%s" % (field, code), None)
        if value:
            return value, code
    return "", None


def available_languages(obj, field: str) -> list[str]:
    """Languages in which ``obj.<field>_<lang>`` is filled in."""
    return [code for code in LANGUAGES if getattr(obj, "%s_%s" % (field, code), None)]


# --- formatting -----------------------------------------------------------------


def _locale():
    return str(get_locale() or DEFAULT_LANGUAGE)


def format_number(value, digits: int | None = None) -> str:
    """A number with the locale's grouping (no-break space in kk and ru)."""
    if value is None:
        return ""
    if digits is not None:
        fmt = "#,##0" + ("." + "0" * digits if digits else "")
        return babel_format_decimal(value, format=fmt, locale=_locale())
    return babel_format_decimal(value, locale=_locale())


def format_filesize(size: int) -> str:
    """Bytes as kilobytes (or megabytes) with the locale's decimal sign: «1,5 МБ», "1.5 MB"."""
    if size >= 1024 * 1024:
        return gettext("%(size)s MB", size=format_number(round(size / 1024 / 1024, 1)))
    return gettext("%(size)s KB", size=format_number(max(round(size / 1024, 1), 0.1)))


def format_money(amount) -> str:
    """Whole tenge with ₸ in every language (Babel's ``ru`` would say "KZT")."""
    if amount is None:
        return ""
    whole = int(Decimal(str(amount)).quantize(Decimal("1")))
    return babel_format_decimal(whole, format="#,##0", locale=_locale()) + "\xa0₸"


def format_date(value: dt.date | None, style: str = "long") -> str:
    """A calendar date, e.g. «2023 ж. 1 тамыз», «1 августа 2023 г.», "August 1, 2023"."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return babel_format_date(value, style, locale=_locale())


# Same-year ranges read naturally in each language; CLDR's interval formats abbreviate months.
_RANGE_PATTERNS = {
    "kk": ("y 'ж'. d MMMM", "d MMMM"),
    "ru": ("d MMMM", "d MMMM y 'г'."),
    "en": ("MMMM d", "MMMM d, y"),
}


def format_date_range(start: dt.date, end: dt.date) -> str:
    """«2023 ж. 1 тамыз – 30 қыркүйек», «1 августа – 30 сентября 2023 г.», "August 1 – September 30, 2023"."""
    locale = _locale()
    if start == end:
        return format_date(start)
    if start.year != end.year or locale not in _RANGE_PATTERNS:
        return "%s – %s" % (format_date(start), format_date(end))
    first, second = _RANGE_PATTERNS[locale]
    return "%s – %s" % (
        babel_format_date(start, first, locale=locale),
        babel_format_date(end, second, locale=locale),
    )


def to_local(value: dt.datetime | None, tz: str) -> dt.datetime | None:
    """A stored UTC datetime in a region's own time zone (the 2024 zone change included)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(ZoneInfo(tz))


def from_local(value: dt.datetime, tz: str) -> dt.datetime:
    """A wall-clock time typed for a region → aware UTC (2023 Astana 10:00 → 04:00 UTC; Aktau → 05:00 UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz))
    return value.astimezone(UTC)


def format_time(value: dt.datetime | dt.time) -> str:
    """24-hour clock time in every language (``10:30``)."""
    return babel_format_time(value, "HH:mm", locale=_locale())


def format_datetime_local(value: dt.datetime | None, tz: str) -> str:
    """Date and clock time in the region's local time."""
    local = to_local(value, tz)
    if local is None:
        return ""
    return "%s, %s" % (format_date(local.date()), format_time(local))


def tel_link(number: str, label: str | None = None) -> Markup:
    """A ``tel:`` link for a hotline (short numbers like 111 included)."""
    from .phones import tel_uri

    return Markup('<a href="%s" class="tel">%s</a>') % (tel_uri(number), label or number)


class LanguageConverter(AnyConverter):
    """``<lang:lang>``: only our languages match, so ``/de/…`` is a plain 404, not a redirect."""

    def __init__(self, url_map):
        super().__init__(url_map, *LANGUAGES)


def init_app(app) -> None:
    """Register the ``lang`` converter, URL processors and template helpers."""
    app.url_map.converters["lang"] = LanguageConverter
    app.url_value_preprocessor(pull_lang)
    app.url_defaults(add_lang)
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        switch_language_url=switch_language_url,
        request_language=request_language,
        tel_link=tel_link,
    )
    app.jinja_env.filters.update(
        money=format_money,
        number=format_number,
        filesize=format_filesize,
        date=format_date,
        datetime_local=format_datetime_local,
        time=format_time,
    )
    app.jinja_env.globals["format_date_range"] = format_date_range

