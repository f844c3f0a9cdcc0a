"""The page cache: finished anonymous responses kept in memory and served (or revalidated) before Flask runs.

A national TV appeal sends everyone to the same few pages at once. Rendering a Jinja page with a
query runs at about a quarter of what gunicorn can serve; sending bytes rendered a moment ago runs
at about the speed of a "hello world". So each worker keeps the final bytes and headers (encoded,
with their ETag) of ``@cacheable`` views (``areas.py``) and answers repeat GETs from memory in a
WSGI layer in front of Flask — conditional ones too: ``If-None-Match`` / ``If-Modified-Since`` are
compared with the kept headers (``conditional.not_modified``) and answered ``304`` with the kept
ETag, ``Vary`` and ``Cache-Control``, no query and no render.

**Key.** Scheme, Host (pages carry absolute links), path, the query string reduced to the
parameters the view declares (``params``; the app is given that reduced query too, so
``?cb=<random>`` is the same page and the same entry), the negotiated encoding, the htmx headers that
decide page vs fragment, ``Accept-Language`` for paths without a language prefix, the ``Cookie``
header (unless the view declares ``cookies=False``) and ``FROZEN_NOW``. Which view a path belongs
to is learnt from its first response.

**Not stored:** a status other than 200, ``Set-Cookie``, a streamed body, ``Cache-Control:
no-store``/``private``, a ``Vary`` on anything but ``Accept-Encoding``, ``HX-Request`` and ``Cookie``,
a body over ``PAGE_CACHE_MAX_BODY``. **Bypassed:** non-GET requests, ``Authorization`` and ``Range``
headers, and visitors with the session or remember-me cookie (unless the view declares ``cookies=False``).

**Expiry.** An entry is served while the generations of its areas are those it was rendered under
(``generations.py``), and for ``PAGE_CACHE_TTL`` seconds (or the view's ``ttl``, or until its
``valid_until``). At most ``PAGE_CACHE_MAX_ENTRIES`` entries and ``PAGE_CACHE_MAX_BYTES`` bytes of
bodies per worker, the oldest dropped first. ``PAGE_CACHE_ENABLED = False`` turns it off (the unit tests do).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from flask import request

from .. import clock
from .areas import ANY, declared, reduced_query, watched_areas
from .conditional import not_modified, not_modified_headers, validators
from .encoding import negotiate
from .generations import MemoryGenerations, generation_store

LANG_PREFIXES = ("/kk/", "/ru/", "/en/")
ALLOWED_VARY = {"accept-encoding", "hx-request", "cookie"}
CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")
MAX_ROUTES = 50_000


@dataclass
class Entry:
    status: str
    headers: list
    body: bytes
    generations: dict
    expires: float
    headers_304: list
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True)
class Route:
    """What the page cache knows of a path's view before calling it."""

    params: tuple[str, ...]
    cookies: bool


class PageCache:
    """WSGI layer in front of Flask (see the module docstring)."""

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        config = app.config
        self.enabled = bool(config["PAGE_CACHE_ENABLED"])
        self.ttl = float(config["PAGE_CACHE_TTL"])
        self.max_entries = int(config["PAGE_CACHE_MAX_ENTRIES"])
        self.max_bytes = int(config["PAGE_CACHE_MAX_BYTES"])
        self.max_body = int(config["PAGE_CACHE_MAX_BODY"])
        self.bytes = 0
        self.bypass_cookies = tuple(
            name + "="
            for name in (config["SESSION_COOKIE_NAME"], config["REMEMBER_COOKIE_NAME"])
        )
        self.store = generation_store(app) if self.enabled else MemoryGenerations()
        self.entries: OrderedDict = OrderedDict()
        self.routes: dict[tuple, Route] = {}
        self.lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.revalidated = 0
        self._watched = None

    # generations

    @property
    def watched(self) -> set | None:
        """Areas some cacheable view or form page depends on (``None``: every area)."""
        if self._watched is None:
            self._watched = watched_areas(self.app)
        return None if ANY in self._watched else self._watched

    def generations(self, areas) -> tuple | None:
        """The current generations of ``areas`` (``None`` when the store cannot be read)."""
        try:
            current = self.store.current()
        except Exception:  # Redis down: serve uncached rather than stale
            self.app.logger.warning("page cache: generations unavailable", exc_info=True)
            return None
        return tuple(current.get(area, 0) for area in areas)

    def bump(self, areas: set) -> None:
        watched = self.watched
        if watched is not None:
            areas = areas & watched
        if areas:
            try:
                self.store.bump(areas)
            except Exception:  # never fail a committed write; this worker at least forgets its pages
                self.app.logger.exception("page cache: could not bump %s", sorted(areas))
                with self.lock:
                    self.entries.clear()
                    self.bytes = 0

    # WSGI

    def _has_session(self, environ) -> bool:
        cookies = environ.get("HTTP_COOKIE")
        return bool(cookies) and any(name in cookies for name in self.bypass_cookies)

    def _key(self, environ, route: Route | None) -> tuple:
        path = environ.get("PATH_INFO", "")
        return (
            environ.get("wsgi.url_scheme"),
            environ.get("HTTP_HOST"),  # a forged Host must not leave its links in everyone's copy
            environ.get("SCRIPT_NAME", ""),
            path,
            environ.get("QUERY_STRING", ""),
            negotiate(environ.get("HTTP_ACCEPT_ENCODING", "")),
            environ.get("HTTP_HX_REQUEST"),
            environ.get("HTTP_HX_BOOSTED"),
            environ.get("HTTP_HX_HISTORY_RESTORE_REQUEST"),
            None if path.startswith(LANG_PREFIXES) else environ.get("HTTP_ACCEPT_LANGUAGE"),
            environ.get("HTTP_COOKIE") if route is None or route.cookies else None,
            self.app.config.get("FROZEN_NOW"),
        )

    def __call__(self, environ, start_response):
        if (
            not self.enabled
            or environ.get("REQUEST_METHOD") != "GET"
            or environ.get("HTTP_AUTHORIZATION")
            or environ.get("HTTP_RANGE")
        ):
            return self.wsgi_app(environ, start_response)
        route = self.routes.get((environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", "")))
        if (route is None or route.cookies) and self._has_session(environ):
            return self.wsgi_app(environ, start_response)
        if route is not None:
            # The view is given the parameters it reads and no others (its page is the same for any others).
            environ["QUERY_STRING"] = reduced_query(environ.get("QUERY_STRING", ""), route.params)
        key = self._key(environ, route)
        try:
            generations = self.store.current()
        except Exception:  # generations unreadable (Redis down): serve uncached rather than stale
            self.app.logger.warning("page cache: generations unavailable", exc_info=True)
            return self.wsgi_app(environ, start_response)
        entry = self.entries.get(key)
        if entry is not None:
            if entry.expires > time.monotonic() and all(
                generations.get(area, 0) == value for area, value in entry.generations.items()
            ):
                if not_modified(environ, entry.etag, entry.last_modified):
                    self.revalidated += 1
                    start_response("304 Not Modified", list(entry.headers_304))
                    return []
                self.hits += 1
                start_response(entry.status, list(entry.headers))
                return [entry.body]
            self._drop(key)
        return self._render(environ, start_response, generations, route)

    def _render(self, environ, start_response, generations, route):
        """Call the app for the full response (conditional headers held back), keep it if allowed, answer."""
        self.misses += 1
        held = {name: environ.pop(name) for name in CONDITIONAL_HEADERS if name in environ}
        environ["portal.page_cache"] = True
        captured = {}

        def capture(status, headers, exc_info=None):
            captured.update(status=status, headers=headers, exc_info=exc_info)
            return lambda data: None  # the app only returns its body (Flask never writes)

        result = self.wsgi_app(environ, capture)
        environ.update(held)
        declaration = environ.get("portal.page_cache.declaration")
        status, headers = captured["status"], captured["headers"]
        if declaration is None and not held:
            start_response(status, headers, captured["exc_info"])
            return result
        if declaration is not None and status.startswith("200"):
            path = (environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""))
            if route is None:
                if len(self.routes) >= MAX_ROUTES:
                    self.routes.clear()
                route = self.routes[path] = Route(declaration.params, declaration.cookies)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        # Kept only when rendered from the query everyone else's key stands for.
        same_query = route is not None and reduced_query(environ.get("QUERY_STRING", ""), route.params) == environ.get(
            "QUERY_STRING", ""
        )
        if declaration is not None and same_query and self._storable(status, headers, body):
            self._keep(self._key(environ, route), status, headers, body, generations, declaration, environ)
        if held and status.startswith("200") and not_modified(environ, *validators(headers)):
            self.revalidated += 1
            start_response("304 Not Modified", not_modified_headers(headers))
            return []
        start_response(status, headers, captured["exc_info"])
        return [body]

    def _keep(self, key, status, headers, body, generations, declaration, environ) -> None:
        if ANY in declaration.areas:
            snapshot = dict(generations)
        else:
            snapshot = {area: generations.get(area, 0) for area in declaration.areas}
        ttl = declaration.ttl or self.ttl
        until = environ.get("portal.page_cache.until")
        if until is not None:
            with self.app.app_context():
                ttl = min(ttl, (until - clock.now()).total_seconds())
        entry = Entry(
            status, list(headers), body, snapshot, time.monotonic() + ttl, not_modified_headers(headers), *validators(headers)
        )
        with self.lock:
            old = self.entries.pop(key, None)
            self.bytes += len(body) - (len(old.body) if old else 0)
            self.entries[key] = entry
            while self.entries and (len(self.entries) > self.max_entries or self.bytes > self.max_bytes):
                _key, oldest = self.entries.popitem(last=False)
                self.bytes -= len(oldest.body)

    def _drop(self, key) -> None:
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.bytes -= len(old.body)

    def _storable(self, status: str, headers, body: bytes) -> bool:
        if not status.startswith("200") or len(body) > min(self.max_body, self.max_bytes):
            return False
        for name, value in headers:
            lname = name.lower()
            if lname == "set-cookie":
                return False
            if lname == "cache-control" and ("no-store" in value or "private" in value):
                return False
            if lname == "vary" and {v.strip().lower() for v in value.split(",")} - ALLOWED_VARY:
                return False
        return True


def mark(response):
    """after_request: tell the WSGI layer this response's view and what it declares."""
    if request.environ.get("portal.page_cache"):
        declaration = declared(request.endpoint)
        if declaration is not None and not response.is_streamed and not response.direct_passthrough:
            request.environ["portal.page_cache.declaration"] = declaration
    return response


def init_app(app) -> None:
    """Put the cache in front of the app."""
    cache = PageCache(app, app.wsgi_app)
    app.extensions["page_cache"] = cache
    app.wsgi_app = cache
