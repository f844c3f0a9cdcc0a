"""Page cache: rendered, compressed anonymous GET responses served from memory, invalidated precisely.

A national TV appeal sends everyone to the same few pages at once. Rendering a Jinja page with a
query runs at about a quarter of what gunicorn can serve; serving the bytes it rendered a moment
ago runs at about the speed of a "hello world". So each worker keeps the final bytes (headers
included, already compressed) of anonymous public pages, and answers repeat requests from memory
in a WSGI layer in front of Flask.

**How a page becomes cacheable.** Decorate the view with the data areas it shows (an area is a
package under ``portal/``: its models' changes invalidate the page)::

    from ..cache import cacheable

    @bp.get("/")
    @cacheable("news", "regions")
    def index(): ...

``@cacheable("*")`` depends on every area. ``ttl=`` (seconds) replaces ``PAGE_CACHE_TTL`` for a view
whose content does not depend on the clock (a feed of every fair, past ones included): it is then
re-rendered only when its data changes, which matters for the pages that cost most to render. A view
whose content changes by itself at a known time (news scheduled for later) calls ``valid_until(when)``
while rendering, and its entry expires then at the latest. Only views that are the same for every anonymous
visitor qualify: no form (a CSRF token is per session), nothing from the session. The cache
refuses to store anything else anyway: a response with ``Set-Cookie``, a status other than 200,
a streamed body, ``Cache-Control: no-store``/``private``, or a ``Vary`` on anything but
``Accept-Encoding``, ``HX-Request`` and ``Cookie``.

**Key.** Scheme, Host, path, query string, the negotiated content encoding (br/gzip/none), the htmx headers
that decide page vs fragment (``HX-Request``, ``HX-Boosted``, ``HX-History-Restore-Request``), the
``Accept-Language`` header for paths without a language prefix, the ``Cookie`` header (pages
``Vary: Cookie``; e.g. the remembered region of the home page) and ``FROZEN_NOW``.
**Bypass.** Non-GET requests, requests carrying the session or remember-me cookie, an
``Authorization`` header or a conditional/range header go straight to the app.

**Invalidation.** Every commit that adds, changes or deletes rows of a watched area's models
(ORM unit of work and ORM-enabled ``insert``/``update``/``delete`` statements) bumps that area's
generation after the commit; an entry is served only while the generations it was rendered under
are current. Generations live where every worker sees them: a small file beside the SQLite
database (or in ``instance/`` for PostgreSQL on one machine), or a Redis hash when
``PAGE_CACHE_STORAGE_URI`` is ``redis://…`` (several machines). ``invalidate("news")`` bumps by
hand (for writes that bypass the ORM). Entries also expire after ``PAGE_CACHE_TTL`` seconds, for
what depends on the clock (days left in the campaign, upcoming fairs).

**Memory.** At most ``PAGE_CACHE_MAX_ENTRIES`` entries and ``PAGE_CACHE_MAX_BYTES`` bytes of bodies per
worker (the oldest go first), so query strings made up by a crawler cannot grow a worker without bound.

Off when ``TESTING`` unless ``PAGE_CACHE_ENABLED`` is set; off entirely with ``PAGE_CACHE_ENABLED=False``.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, has_app_context, request

from . import clock
from werkzeug.datastructures import Accept
from werkzeug.http import parse_accept_header

ANY = "*"
LANG_PREFIXES = ("/kk/", "/ru/", "/en/")
ALLOWED_VARY = {"accept-encoding", "hx-request", "cookie"}
# Pages of the foundation (pages blueprint), marked here so their modules stay untouched.
ENDPOINT_AREAS = {
    "pages.home": ("campaigns", "regions", "news", "fairs", "reports", "offers", "sponsors"),
    "pages.about": ("campaigns",),
    "pages.help": ("campaigns", "regions"),
    "pages.accessibility": (),
    "pages.privacy": (),
    # Public pages of the feature areas, until their owners mark them with @cacheable themselves.
    "fairs.index": ("fairs", "regions", "campaigns"),
    "fairs.month": ("fairs", "regions", "campaigns"),
    "fairs.detail": ("fairs", "regions", "campaigns"),
    "fairs.embed": ("fairs", "regions", "campaigns"),
    "fairs_ics.event_ics": ("fairs", "regions", "campaigns"),
    "reports.index": ("reports", "regions", "campaigns"),
    "reports.show": ("reports", "regions", "campaigns"),
    "reports.version": ("reports", "regions", "campaigns"),
}


def cacheable(*areas: str, ttl: float | None = None):
    """Mark a view as cacheable for anonymous visitors; ``areas``: the data it shows (``"*"``: all)."""

    def mark(view):
        view.page_cache_areas = tuple(areas)
        view.page_cache_ttl = ttl
        return view

    return mark


def valid_until(when) -> None:
    """What the current view shows changes by itself at ``when`` (aware datetime; ``None``: not by itself)."""
    if when is None:
        return
    current = request.environ.get("portal.page_cache.until")
    request.environ["portal.page_cache.until"] = when if current is None else min(current, when)


def invalidate(*areas: str) -> None:
    """Bump the generation of ``areas`` (for writes that bypass the ORM)."""
    cache = current_app.extensions.get("page_cache")
    if cache is not None and cache.enabled:
        cache.bump(set(areas))


def area_of(model) -> str | None:
    """The area of a model: ``__page_cache_area__``, else the package under ``portal/`` it lives in."""
    explicit = getattr(model, "__page_cache_area__", None)
    if explicit:
        return explicit
    parts = (getattr(model, "__module__", "") or "").split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "portal" else None


# --- generations: shared by every worker ------------------------------------------------


class MemoryGenerations:
    """One process only (tests, single worker)."""

    def __init__(self):
        self.values: dict[str, int] = {}
        self.lock = threading.Lock()

    def current(self) -> dict[str, int]:
        return self.values

    def bump(self, areas) -> None:
        with self.lock:
            values = dict(self.values)
            for area in areas:
                values[area] = values.get(area, 0) + 1
            self.values = values


class FileGenerations:
    """A JSON file, replaced atomically on each bump; readers re-read it only when its inode or mtime changed."""

    def __init__(self, path: Path):
        self.path = path
        self.lock_path = path.with_name(path.name + ".lock")
        self.signature = None
        self.values: dict[str, int] = {}
        self.lock = threading.Lock()

    def _signature(self):
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _read(self) -> dict[str, int]:
        try:
            return json.loads(self.path.read_text())
        except (FileNotFoundError, ValueError):
            return {}

    def current(self) -> dict[str, int]:
        signature = self._signature()
        if signature != self.signature:
            values = self._read()
            self.values, self.signature = values, signature
        return self.values

    def bump(self, areas) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.lock, open(self.lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            values = self._read()
            # Unique per bump across processes and restarts, so a stale copy never matches again.
            stamp = time.time_ns()
            for area in areas:
                values[area] = max(values.get(area, 0) + 1, stamp)
            tmp = self.path.with_name("%s.%d.tmp" % (self.path.name, os.getpid()))
            tmp.write_text(json.dumps(values))
            os.replace(tmp, self.path)
        self.signature = None


class RedisGenerations:
    """A Redis hash shared by every worker of every machine."""

    def __init__(self, url: str, key: str):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=1)
        self.key = key

    def current(self) -> dict[str, int]:
        return {k.decode(): int(v) for k, v in self.client.hgetall(self.key).items()}

    def bump(self, areas) -> None:
        pipe = self.client.pipeline()
        for area in areas:
            pipe.hincrby(self.key, area, 1)
        pipe.execute()


def generation_store(app):
    uri = app.config.get("PAGE_CACHE_STORAGE_URI")
    if uri == "memory://":
        return MemoryGenerations()
    if uri and uri.startswith(("redis://", "rediss://", "unix://")):
        return RedisGenerations(uri, app.config.get("PAGE_CACHE_KEY", "portal:page-cache:generations"))
    if uri:
        return FileGenerations(Path(uri))
    url = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return FileGenerations(Path(url.database + ".page-cache"))
    if url.get_backend_name() == "sqlite":
        return MemoryGenerations()
    # One file per machine: databases sharing it only cost each other extra invalidations, never stale pages.
    return FileGenerations(Path(app.instance_path) / "page-cache-generations.json")


# --- the cache ------------------------------------------------------------------------------


@dataclass
class Entry:
    status: str
    headers: list
    body: bytes
    generations: dict
    expires: float


@lru_cache(maxsize=256)
def negotiated_encoding(header: str) -> str:
    """The encoding portal/compress.py would choose for this ``Accept-Encoding``."""
    accepted = parse_accept_header(header, Accept)
    if accepted["br"]:
        return "br"
    if accepted["gzip"]:
        return "gzip"
    return ""


class PageCache:
    """WSGI layer in front of Flask: answers repeat anonymous GETs from memory."""

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        config = app.config
        self.enabled = config.get("PAGE_CACHE_ENABLED", not app.testing)
        self.ttl = float(config.get("PAGE_CACHE_TTL", 60))
        self.max_entries = int(config.get("PAGE_CACHE_MAX_ENTRIES", 2000))
        self.max_bytes = int(config.get("PAGE_CACHE_MAX_BYTES", 64 * 1024 * 1024))
        self.bytes = 0
        self.max_body = int(config.get("PAGE_CACHE_MAX_BODY", 1024 * 1024))
        self.bypass_cookies = tuple(
            name + "="
            for name in (config.get("SESSION_COOKIE_NAME", "session"), config.get("REMEMBER_COOKIE_NAME", "remember_token"))
        )
        self.store = generation_store(app) if self.enabled else MemoryGenerations()
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self._watched = None

    # which views, which areas

    def areas_of(self, endpoint: str | None):
        if not endpoint:
            return None
        view = self.app.view_functions.get(endpoint)
        areas = getattr(view, "page_cache_areas", None)
        if areas is None:
            areas = ENDPOINT_AREAS.get(endpoint)
        return areas

    @property
    def watched(self) -> set | None:
        """Areas some cacheable view depends on (``None``: every area)."""
        if self._watched is None:
            watched = set()
            for endpoint in self.app.view_functions:
                areas = self.areas_of(endpoint) or ()
                if ANY in areas:
                    watched = {ANY}
                    break
                watched.update(areas)
            self._watched = watched
        return None if ANY in self._watched else self._watched

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

    def _bypass(self, environ) -> bool:
        if environ.get("REQUEST_METHOD") != "GET":
            return True
        if environ.get("HTTP_AUTHORIZATION") or environ.get("HTTP_RANGE"):
            return True
        if environ.get("HTTP_IF_NONE_MATCH") or environ.get("HTTP_IF_MODIFIED_SINCE"):
            return True
        cookies = environ.get("HTTP_COOKIE")
        return bool(cookies) and any(name in cookies for name in self.bypass_cookies)

    def _key(self, environ) -> tuple:
        path = environ.get("PATH_INFO", "")
        return (
            # Pages carry absolute links built from the request (hreflang, canonical, feeds): a forged
            # Host must not leave its links in the copy everyone else gets.
            environ.get("wsgi.url_scheme"),
            environ.get("HTTP_HOST"),
            environ.get("SCRIPT_NAME", ""),
            path,
            environ.get("QUERY_STRING", ""),
            negotiated_encoding(environ.get("HTTP_ACCEPT_ENCODING", "")),
            environ.get("HTTP_HX_REQUEST"),
            environ.get("HTTP_HX_BOOSTED"),
            environ.get("HTTP_HX_HISTORY_RESTORE_REQUEST"),
            None if path.startswith(LANG_PREFIXES) else environ.get("HTTP_ACCEPT_LANGUAGE"),
            # Pages vary on cookies (Vary: Cookie), e.g. the home page's remembered region: other
            # cookies than the session's are part of the key, so each combination is its own entry.
            environ.get("HTTP_COOKIE"),
            self.app.config.get("FROZEN_NOW"),
        )

    def __call__(self, environ, start_response):
        if not self.enabled or self._bypass(environ):
            return self.wsgi_app(environ, start_response)
        key = self._key(environ)
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
                self.hits += 1
                start_response(entry.status, list(entry.headers))
                return [entry.body]
            self._drop(key)
        self.misses += 1
        environ["portal.page_cache"] = True
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        result = self.wsgi_app(environ, capture)
        areas = environ.get("portal.page_cache.areas")
        if areas is None:
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        if self._storable(captured, body):
            if ANY in areas:
                snapshot = dict(generations)
            else:
                snapshot = {area: generations.get(area, 0) for area in areas}
            ttl = environ.get("portal.page_cache.ttl") or self.ttl
            until = environ.get("portal.page_cache.until")
            if until is not None:
                with self.app.app_context():
                    ttl = min(ttl, (until - clock.now()).total_seconds())
            entry = Entry(captured["status"], list(captured["headers"]), body, snapshot, time.monotonic() + ttl)
            with self.lock:
                old = self.entries.pop(key, None)
                self.bytes += len(body) - (len(old.body) if old else 0)
                self.entries[key] = entry
                while self.entries and (len(self.entries) > self.max_entries or self.bytes > self.max_bytes):
                    _key, oldest = self.entries.popitem(last=False)
                    self.bytes -= len(oldest.body)
        return [body]

    def _drop(self, key) -> None:
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.bytes -= len(old.body)

    def _storable(self, captured, body: bytes) -> bool:
        if not captured.get("status", "").startswith("200") or len(body) > min(self.max_body, self.max_bytes):
            return False
        for name, value in captured["headers"]:
            lname = name.lower()
            if lname == "set-cookie":
                return False
            if lname == "cache-control" and ("no-store" in value or "private" in value):
                return False
            if lname == "vary" and {v.strip().lower() for v in value.split(",")} - ALLOWED_VARY:
                return False
        return True


# --- Flask side -------------------------------------------------------------------------------


def flag_cacheable(response):
    """after_request: tell the WSGI layer this response may be kept (it checks the final headers)."""
    if not request.environ.get("portal.page_cache"):
        return response
    cache = current_app.extensions["page_cache"]
    areas = cache.areas_of(request.endpoint)
    if (
        areas is not None
        and response.status_code == 200
        and not response.is_streamed
        and not response.direct_passthrough
    ):
        request.environ["portal.page_cache.areas"] = areas
        view = current_app.view_functions.get(request.endpoint)
        request.environ["portal.page_cache.ttl"] = getattr(view, "page_cache_ttl", None)
    return response


def _session_areas(session) -> set:
    return session.info.setdefault("page_cache_areas", set())


def _after_flush(session, _context):
    areas = _session_areas(session)
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        area = area_of(type(obj))
        if area:
            areas.add(area)


def _do_orm_execute(state):
    if state.is_insert or state.is_update or state.is_delete:
        mapper = state.bind_mapper
        if mapper is not None:
            area = area_of(mapper.class_)
            if area:
                _session_areas(state.session).add(area)


def _after_commit(session):
    areas = session.info.pop("page_cache_areas", None)
    if areas and has_app_context():
        cache = current_app.extensions.get("page_cache")
        if cache is not None and cache.enabled:
            cache.bump(areas)


def _after_rollback(session):
    session.info.pop("page_cache_areas", None)


_listening = False


def _listen_once() -> None:
    global _listening
    if _listening:
        return
    sa.event.listen(sa.orm.Session, "after_flush", _after_flush)
    sa.event.listen(sa.orm.Session, "do_orm_execute", _do_orm_execute)
    sa.event.listen(sa.orm.Session, "after_commit", _after_commit)
    sa.event.listen(sa.orm.Session, "after_rollback", _after_rollback)
    _listening = True


def init_app(app) -> None:
    """Put the cache in front of the app and watch commits for changes of cached areas."""
    cache = PageCache(app, app.wsgi_app)
    app.extensions["page_cache"] = cache
    app.wsgi_app = cache
    app.after_request(flag_cacheable)
    _listen_once()
