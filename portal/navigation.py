"""The main menu. An entry shows once its area's endpoint exists, so the menu grows with the site."""

from flask import current_app, request, url_for
from flask_babel import lazy_gettext as _l

from .i18n import request_language

MENU = [
    ("pages.about", _l("About")),
    ("news.index", _l("News")),
    ("fairs.index", _l("Fairs")),
    ("pages.help", _l("Get help")),
    ("ready.check", _l("Ready for school?")),
    ("needs.index", _l("Needs")),
    ("offers.new", _l("Offer help")),
    ("sponsors.index", _l("Sponsors")),
    ("appeals.new", _l("Report anonymously")),
    ("reports.index", _l("Reports")),
    ("prices.index", _l("Prices")),
]


STAFF_MENU = [
    ("staff.dashboard", _l("Overview"), False),
    ("campaigns_staff.list_campaigns", _l("Campaign years"), False),
    ("news_staff.list_news", _l("News"), False),
    ("fairs_staff.list_fairs", _l("Fairs"), False),
    ("offers_staff.list_offers", _l("Offers"), False),
    ("appeals_staff.list_appeals", _l("Appeals"), False),
    ("reports_staff.index", _l("Reports"), False),
    ("ready_staff.list_tallies", _l("Self-check counts"), False),
    ("needs_staff.list_needs", _l("Needs"), False),
    ("regions_staff.index", _l("Regional directory"), False),
    ("prices_staff.list_observations", _l("Prices"), False),
    ("queue_staff.list_templates", _l("Reply templates"), True),
    ("staff.list_accounts", _l("Staff accounts"), True),
    ("audit.list_entries", _l("Audit log"), True),
]


def staff_nav_items():
    """Back-office menu: areas that exist, audit log for admins only."""
    from flask_login import current_user

    current = request.endpoint or ""
    items = []
    for endpoint, label, admin_only in STAFF_MENU:
        if endpoint not in current_app.view_functions:
            continue
        if admin_only and not (current_user.is_authenticated and current_user.is_admin):
            continue
        if (current_user.is_authenticated and current_user.is_analyst
                and not current_app.view_functions[endpoint].access.get("analyst")):
            continue  # analysts see only the pages they may open
        area = endpoint.split(".", 1)[0]
        is_current = current == endpoint or (area != "staff" and current.startswith(area + "."))
        items.append({"url": url_for(endpoint), "label": label, "current": is_current})
    return items


def nav_items():
    lang = request_language()
    current = request.endpoint or ""
    items = []
    for endpoint, label in MENU:
        if endpoint in current_app.view_functions:
            area = endpoint.split(".", 1)[0]
            items.append(
                {
                    "url": url_for(endpoint, lang=lang),
                    "label": label,
                    "current": current == endpoint or (area not in ("pages",) and current.startswith(area + ".")),
                }
            )
    return items


def url_or(endpoint: str, fallback: str, anchor: str | None = None, **values) -> str:
    """URL of ``endpoint`` if that area exists yet, else ``fallback``'s at ``anchor`` (calls to action)."""
    if endpoint in current_app.view_functions:
        return url_for(endpoint, **values)
    return url_for(fallback, _anchor=anchor, **values)


def init_app(app) -> None:
    app.jinja_env.globals.update(nav_items=nav_items, staff_nav_items=staff_nav_items, url_or=url_or)
