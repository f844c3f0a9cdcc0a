"""A generous per-address limit on the page views the app renders (issue 22: cache-busting).

Pages served from the page cache cost what a "hello world" does and are not counted, nor are form
pages filled in from their kept copy (``formpage.py`` counts the ones it renders); every other GET
the app answers is (a miss, a visitor with a session, a page that is not cached): at most
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

counting_themselves: set[str] = set()  # endpoints that count their own page views (form pages: ``counts_itself``)


def count_page_view():
    """One page view of this address; ``429`` past the limit."""
    setting = current_app.config.get("PAGE_VIEW_RATE_LIMIT")
    if not setting or not limiter.enabled:  # (limiter.limiter does not exist when it is disabled)
        return None
    if not limiter.limiter.hit(parse(setting), "page-views", client_token("page-views")):
        abort(429)
    return None


def counts_itself(endpoint: str) -> bool:
    """From now on ``endpoint`` counts its own page views; whether it did already (its first GET was counted here)."""
    if endpoint in counting_themselves:
        return True
    counting_themselves.add(endpoint)
    return False


def limit_page_views():
    """before_request: count the GETs the app renders (form pages count themselves: most of theirs are not renders)."""
    if request.method in ("GET", "HEAD") and request.endpoint != "static" and request.endpoint not in counting_themselves:
        count_page_view()
