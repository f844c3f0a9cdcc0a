"""A generous per-address limit on the page views the app renders (issue 22: cache-busting).

Pages served from the page cache cost what a "hello world" does and are not counted; every GET
the app itself answers is (a new query string, a visitor with a session, a form page): at most
``PAGE_VIEW_RATE_LIMIT`` per address (default 600 a minute — a school behind one address does not
reach it; eight connections asking for made-up URLs do). Counted with the portal's limiter (same
store and address key as the limits on forms); over the limit, ``429`` with ``Retry-After``.
Empty ``PAGE_VIEW_RATE_LIMIT`` turns it off.
"""

from __future__ import annotations

from flask import abort, current_app, request
from limits import parse

from ..extensions import limiter


def count_page_view():
    """before_request: one page view of this address; ``429`` past the limit."""
    if request.method not in ("GET", "HEAD"):
        return None
    setting = current_app.config.get("PAGE_VIEW_RATE_LIMIT")
    strategy = getattr(limiter, "limiter", None)
    if not setting or strategy is None or not limiter.enabled:
        return None
    item = parse(setting)
    key = limiter._key_func()  # noqa: SLF001 - the portal's one address key (ratelimit.client_token)
    if not strategy.hit(item, "page-views", key):
        abort(429)
    return None


def init_app(app) -> None:
    app.before_request(count_page_view)
