"""A generous per-address limit on the page views the app renders (issue 22: cache-busting).

Pages served from the page cache cost what a "hello world" does and are not counted; every GET
the app itself answers is (a new query string, a visitor with a session, a form page): at most
``PAGE_VIEW_RATE_LIMIT`` per address (default 600 a minute — a school behind one address does not
reach it; eight connections asking for made-up URLs do). Counted in the portal's limiter store under
the address key of ``portal/ratelimit.py`` (its own scope, ``page-views``); over the limit, ``429``.
Empty ``PAGE_VIEW_RATE_LIMIT`` (or ``RATELIMIT_ENABLED = False``) turns it off.
"""

from __future__ import annotations

from flask import abort, current_app, request
from limits import parse

from ..extensions import limiter
from ..ratelimit import client_token


def count_page_view():
    """before_request: one page view of this address; ``429`` past the limit."""
    if request.method not in ("GET", "HEAD") or request.endpoint == "static":
        return None
    setting = current_app.config.get("PAGE_VIEW_RATE_LIMIT")
    strategy = getattr(limiter, "limiter", None)
    if not setting or strategy is None or not limiter.enabled:
        return None
    item = parse(setting)
    if not strategy.hit(item, "page-views", client_token("page-views")):
        abort(429)
    return None


def init_app(app) -> None:
    app.before_request(count_page_view)
