"""Public fair views: list and month grid with filters, one fair, .ics files, the embed, the region picker."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt

from babel.dates import format_date as babel_format_date
from babel.dates import get_day_names
from flask import current_app, g, make_response, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from ..campaigns.models import current_campaign
from ..http import as_utc, cacheable, conditional, latest
from ..http.assets import asset_url
from ..extensions import db
from ..params import page_arg
from ..htmx import is_htmx, render
from ..i18n import LANGUAGES, format_date, format_time, localised, request_language
from ..regions.models import Region, regions_ordered
from ..security import embeddable
from ..site.routes import sitemap_exclude, sitemap_provider
from . import bp, ics, ics_bp
from .filters import PER_PAGE, FairFilterForm, fairs_last_modified, month_key, month_label, next_month
from .home import region_cookie
from .models import KINDS, Fair


EMBED_SIZE = 10
FEED_MAX_AGE = 900
FEED_CACHE = "public, max-age=%d" % FEED_MAX_AGE
AREAS = ("fairs", "regions", "campaigns")
FAIR_FILTERS = ("region", "kind", "month", "remote", "when")  # FairFilterForm


def filter_form() -> FairFilterForm:
    return FairFilterForm(request.args, regions_ordered(), current_campaign())


def page_number() -> int:
    return page_arg(strict=True)


def _page(view: str, form: FairFilterForm, **context):
    """Full page or (htmx) the results fragment; htmx gets the clean filter URL to push."""
    endpoint = "fairs.index" if view == "list" else "fairs.month"
    other_when = form.query_args(when=False)
    if form.when.data != "past":
        other_when["when"] = "past"
    response = render(
        "fairs/index.html", "fairs/_results.html",
        view=view, form=form, filters=form.query_args(), calendar_filters=form.query_args(when=False),
        when_switch_url=url_for("fairs.index", **other_when), **context,
    )
    if is_htmx():
        response.headers["HX-Push-Url"] = url_for(endpoint, **form.query_args(when=view == "list"))
    return conditional(response, latest(*fairs_last_modified()))


@bp.get("/")
@cacheable(*AREAS, params=(*FAIR_FILTERS, "page"))
def index():
    """Upcoming (or past) fairs of the current campaign, filtered by region, kind, month and remoteness."""
    form = filter_form()
    pagination = db.paginate(form.list_statement(), page=page_number(), per_page=PER_PAGE, error_out=True)
    return _page("list", form, pagination=pagination)


@bp.get("/month")
@cacheable(*AREAS, params=FAIR_FILTERS)
def month():
    """The same filters as a month grid (days of one campaign month, past days included)."""
    form = filter_form()
    first = form.grid_month()
    grid = month_grid(first, db.session.scalars(form.month_statement(first)).all()) if first else None
    return _page("month", form, grid=grid, first=first, nav=month_nav(form, first))


@bp.get("/<int:id>")
@cacheable(*AREAS)
def detail(id):
    """One fair: where, when (local time), what is on offer, organiser, calendar links, schema.org Event."""
    fair = db.get_or_404(Fair, id)
    response = make_response(render_template("fairs/detail.html", fair=fair, json_ld=json_ld(fair)))
    return conditional(response, latest(fair.updated_at))


@bp.get("/calendar.ics")
# Past fairs stay in the feed, so it does not change with the clock: kept until a fair changes
# (rendering a campaign's thousand events takes the better part of a second).
@cacheable(*AREAS, ttl=FEED_MAX_AGE, params=FAIR_FILTERS, cookies=False)
def calendar_feed():
    """Subscribable iCalendar feed of the campaign's fairs, honouring the page's filters."""
    form = filter_form()
    fairs = db.session.scalars(form.calendar_statement()).all()
    name = _("Road to School: fairs")
    if form.region_obj:
        name = _("Road to School: fairs in %(region)s", region=form.region_obj.label)
    body = ics.calendar(fairs, g.lang, name, feed=True)
    response = current_app.response_class(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="fairs.ics"'
    return conditional(response, latest(*fairs_last_modified()), cache_control=FEED_CACHE)


@ics_bp.get("/fairs/<int:id>.ics")
@cacheable(*AREAS, params=("lang",), cookies=False)
def event_ics(id):
    """One fair as an .ics file; ``?lang=`` picks the language, else the browser's."""
    fair = db.get_or_404(Fair, id)
    lang = request.args.get("lang")
    if lang not in LANGUAGES:
        lang = request_language()
    with force_locale(lang):
        body = ics.calendar([fair], lang, localised(fair, "title", lang)[0], feed=False)
    response = current_app.response_class(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'attachment; filename="fair-%d.ics"' % fair.id
    response.vary.add("Accept-Language")
    return conditional(response, latest(fair.updated_at), cache_control=FEED_CACHE)


@bp.get("/embed")
@cacheable(*AREAS, params=FAIR_FILTERS)
@embeddable
@sitemap_exclude
def embed():
    """A tiny list of upcoming fairs for akimat and school sites to frame (no JavaScript, own CSS)."""
    form = filter_form()
    fairs = db.session.scalars(form.upcoming_statement(EMBED_SIZE)).all()
    response = make_response(
        render_template("fairs/embed.html", form=form, fairs=fairs, filters=form.query_args(when=False))
    )
    return conditional(response, latest(*fairs_last_modified()))


@bp.get("/region")
@sitemap_exclude
def choose_region():
    """Remember the home page's region in a cookie (no account, nothing stored on our side)."""
    code = request.args.get("region", "")
    name, secure = region_cookie()
    response = redirect(url_for("pages.home", _anchor="next-fairs"), 303)
    attrs = dict(path="/", httponly=True, samesite="Lax", secure=secure)
    if code and db.session.get(Region, code) is not None:
        response.set_cookie(name, code, max_age=365 * 24 * 3600, **attrs)
    elif name in request.cookies:
        response.delete_cookie(name, **attrs)
    response.headers["Cache-Control"] = "no-store"
    return response


# --- presentation helpers (also used by the home page section) --------------------


@bp.app_template_global()
def fair_when(fair: Fair) -> str:
    """«15 August 2023, 10:00–14:00» or «22 August 2023, 10:00 – 23 August 2023, 18:00», local time."""
    start, end = fair.local_start, fair.local_end
    if start.date() == end.date():
        return "%s, %s–%s" % (format_date(start.date()), format_time(start), format_time(end))
    return "%s, %s – %s, %s" % (format_date(start.date()), format_time(start), format_date(end.date()), format_time(end))


@bp.app_template_global()
def fair_kind_label(kind: str) -> str:
    return str(KINDS.get(kind, kind))


@bp.app_template_global()
def webcal(url: str) -> str:
    """The ``webcal://`` form of a feed URL: phones open it in their calendar app to subscribe."""
    return "webcal://" + url.split("://", 1)[-1]


@bp.app_template_global()
def utc_offset(fair: Fair) -> str:
    """``UTC+6``: the offset the fair's local times are in (it changed on 1 March 2024)."""
    hours = fair.local_start.utcoffset().total_seconds() / 3600
    return "UTC%+d" % hours if hours == int(hours) else "UTC%+.1f" % hours


def json_ld(fair: Fair) -> dict:
    """schema.org Event for search engines (a data block: not executed, so the CSP allows it)."""
    lang = g.lang
    title, _lang = localised(fair, "title", lang)
    text = localised(fair, "description", lang)[0] or localised(fair, "offer", lang)[0]
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": title,
        "startDate": fair.local_start.isoformat(),
        "endDate": fair.local_end.isoformat(),
        "eventStatus": "https://schema.org/" + ("EventCancelled" if fair.is_cancelled else "EventScheduled"),
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": {
            "@type": "Place",
            "name": fair.venue or fair.settlement or fair.region.label,
            # Only the parts that are known: an empty property is worse than none for search engines.
            "address": {key: value for key, value in (
                ("@type", "PostalAddress"),
                ("streetAddress", fair.address),
                ("addressLocality", fair.settlement),
                ("addressRegion", fair.region.name),
                ("addressCountry", "KZ"),
            ) if value},
        },
        "url": url_for("fairs.detail", id=fair.id, _external=True),
        "image": [request.host_url.rstrip("/") + asset_url("img/share.png")],
        "inLanguage": lang,
        "isAccessibleForFree": True,
        # The organiser as staff entered it, else the region's campaign office; its URL: the region's page
        # on the portal (contacts, phone lines, receptions).
        "organizer": {
            "@type": "Organization",
            "name": fair.organiser or _("«Road to School» campaign in %(region)s", region=fair.region.label),
            "url": url_for("regions.detail", code=fair.region_code, _external=True),
        },
    }
    if text:
        data["description"] = text
    return data


def month_grid(first: dt.date, fairs: list[Fair]) -> dict:
    """Weeks (Monday first) of ``first``'s month; each day with the fairs on it (local dates, multi-day spans)."""
    locale = str(get_locale() or "kk")
    by_day: dict[dt.date, list[Fair]] = {}
    for fair in fairs:
        day, last = fair.local_start.date(), fair.local_end.date()
        while day <= last and (day - fair.local_start.date()).days < 62:
            by_day.setdefault(day, []).append(fair)
            day += dt.timedelta(days=1)
    weeks = []
    for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        weeks.append([
            {
                "date": day,
                "in_month": day.month == first.month,
                "label": babel_format_date(day, "EEEE, d MMMM", locale=locale),
                "fairs": by_day.get(day, []) if day.month == first.month else [],
            }
            for day in week
        ])
    short = get_day_names("abbreviated", locale=locale)
    wide = get_day_names("wide", locale=locale)
    return {
        "title": month_label(first),
        "weeks": weeks,
        "weekdays": [(short[i], wide[i]) for i in range(7)],
        "count": len(fairs),
    }


def month_nav(form: FairFilterForm, first: dt.date | None) -> dict:
    """Previous / next campaign month links for the grid (filters kept)."""
    if first is None:
        return {}
    args = {k: v for k, v in form.query_args(when=False).items() if k != "month"}
    keys = [month_key(m) for m in form.months]
    nav = {}
    prev_first = (first.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    if month_key(prev_first) in keys:
        nav["prev"] = (url_for("fairs.month", month=month_key(prev_first), **args), month_label(prev_first))
    after = next_month(first)
    if month_key(after) in keys:
        nav["next"] = (url_for("fairs.month", month=month_key(after), **args), month_label(after))
    return nav


@sitemap_provider
def fairs_sitemap():
    """Every fair of the current campaign (past ones too: their pages stay)."""
    campaign = current_campaign()
    if campaign is None:
        return
    rows = db.session.execute(
        db.select(Fair.id, Fair.updated_at).where(Fair.campaign_id == campaign.id).order_by(Fair.id).limit(10000)
    )
    for fair_id, updated_at in rows:
        yield "fairs.detail", {"id": fair_id}, as_utc(updated_at)
