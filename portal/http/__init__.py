"""The HTTP layer: how a response is encoded, validated, revalidated and kept. One job per module:

| module | job |
|---|---|
| ``encoding.py`` | which encoding a request gets (br, gzip, none), compressing, the ETag of an encoded body |
| ``conditional.py`` | validators (ETag, Last-Modified, Cache-Control) and ``304``, one rule for the app and the cache |
| ``areas.py`` | the declarations: ``@cacheable(areas, ttl=, params=, cookies=)`` on views, form pages' areas, ``__cache_area__`` on models, the start-up check, commits that invalidate |
| ``generations.py`` | where the areas' generations live (memory, a file, Redis) |
| ``pagecache.py`` | the WSGI page cache in front of Flask (200 and 304 without a query) |
| ``formpage.py`` | form pages rendered once and filled in per visitor |
| ``assets.py`` | fingerprinted static files, pre-compressed, immutable for a year |
| ``limits.py`` | the per-address limit on page views the app renders |

Imports run one way: ``pagecache`` and ``formpage`` use ``areas`` (and ``formpage`` uses ``limits``);
neither of those knows them.

Its two request hooks, registered with the app's others in ``portal.register_hooks``:
``limit_page_views`` (before the view) and ``finish``, the last word on every response the app makes:
validators for ``@cacheable`` views, encoding (``Vary: Accept-Encoding``, ETag suffix), what the page
cache may keep, and ``304``.
``Vary: Cookie`` (added by Flask when the session was looked at) is dropped for views declared
``cookies=False``.
"""

from __future__ import annotations

from flask import request
from flask.sessions import SecureCookieSessionInterface

from . import assets, pagecache
from .areas import cacheable, check, declared, invalidate, valid_until, watch_commits
from .assets import asset_url
from .conditional import answer, as_utc, conditional, latest, validate
from .encoding import encode
from .formpage import FormPage
from .limits import limit_page_views

__all__ = [
    "FormPage", "as_utc", "asset_url", "cacheable", "conditional", "finish", "invalidate", "latest",
    "limit_page_views", "valid_until",
]


def finish(response):
    """after_request, the last to run: see the module docstring."""
    declaration = declared(request.endpoint)
    if declaration is not None:
        validate(response)
    encode(response)
    pagecache.mark(response)
    return answer(response)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, without ``Vary: Cookie`` on responses declared ``cookies=False``."""

    def save_session(self, app, session, response):
        super().save_session(app, session, response)
        declaration = declared(request.endpoint)
        if declaration is not None and not declaration.cookies and "Cookie" in response.vary:
            response.vary.discard("cookie")  # lower case: HeaderSet.remove compares it to the lowered names
            if not response.vary:
                del response.headers["Vary"]


def init_app(app) -> None:
    """Static files, the session interface and the page cache (the hooks: ``portal.register_hooks``)."""
    app.session_interface = SessionInterface()
    assets.init_app(app)
    pagecache.init_app(app)
    watch_commits()
