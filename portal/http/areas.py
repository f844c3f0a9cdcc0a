"""What a cached response depends on, declared where it is made; commits that change it, watched.

**A view** says which data areas it shows, on itself::

    from ..http import cacheable

    @bp.get("/calendar.ics")
    @cacheable("fairs", "regions", "campaigns", ttl=900, params=FAIR_FILTERS, cookies=False)
    def calendar_feed(): ...

``areas``: the areas whose changes invalidate it (``"*"``: every area). ``ttl``: seconds it may be
kept (default ``PAGE_CACHE_TTL``), for pages that do not change with the clock. ``params``: the
query parameters it reads — the only ones it is given (others are dropped from the URL before the
app sees it), so made-up parameters never make a new cache entry. ``cookies=False``: the response
is the same whatever cookies are sent (files, feeds): no ``Vary: Cookie``, and visitors with a
session are served from the cache too. A view whose content changes by itself at a known time calls
``valid_until(when)`` while rendering.

**A model** says which area it belongs to, on itself: ``__cache_area__ = "fairs"`` (``None`` for
rows no public page shows). Every commit that adds, changes or deletes rows of an area's models
(ORM unit of work and ORM-enabled ``insert``/``update``/``delete``) bumps that area's generation
after the commit. ``check(app)`` refuses to start when a model declares nothing or a view names an
area no model declares (it could never be invalidated).

**A form page** (``formpage.py``) registers the areas it shows with ``declare_form_page``, so the
start-up check and the page cache's watched areas see them without importing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode

import sqlalchemy as sa
from flask import current_app, has_app_context, request

ANY = "*"
MISSING = object()

form_pages: list[tuple[str, tuple[str, ...]]] = []  # (template, areas) of every form page


@dataclass(frozen=True)
class Cacheable:
    areas: tuple[str, ...]
    ttl: float | None = None
    params: tuple[str, ...] = ()
    cookies: bool = True


def cacheable(*areas: str, ttl: float | None = None, params: tuple[str, ...] = (), cookies: bool = True):
    """Mark a view as the same for every anonymous visitor (see the module docstring)."""

    def mark(view):
        view.cacheable = Cacheable(tuple(areas), ttl, tuple(params), cookies)
        return view

    return mark


def declared(endpoint: str | None) -> Cacheable | None:
    """The ``@cacheable`` declaration of an endpoint's view, if any."""
    if not endpoint:
        return None
    return getattr(current_app.view_functions.get(endpoint), "cacheable", None)


@lru_cache(maxsize=4096)
def reduced_query(query: str, params: tuple[str, ...]) -> str:
    """``query`` with only the parameters in ``params``, in their order (values in theirs)."""
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(name, value) for param in params for name, value in pairs if name == param])


def declare_form_page(template: str, areas: tuple[str, ...]) -> None:
    """A form page's areas, for ``check`` and ``watched_areas``."""
    form_pages.append((template, tuple(areas)))


def watched_areas(app) -> set[str]:
    """Every area some cacheable view or form page depends on (``ANY`` among them: every area)."""
    areas = {
        area for view in app.view_functions.values() for area in getattr(getattr(view, "cacheable", None), "areas", ())
    }
    return areas.union(*(page_areas for _template, page_areas in form_pages))


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
    """The area a model declares (``__cache_area__``)."""
    return getattr(model, "__cache_area__", None)


def model_areas() -> dict[str, str | None]:
    """Every mapped model's declared area (``MISSING`` when it declares none)."""
    from ..extensions import db

    return {
        mapper.class_.__name__: mapper.class_.__dict__.get("__cache_area__", MISSING)
        for mapper in db.Model.registry.mappers
    }


def check(app) -> None:
    """At start-up: every model declares its area; every area a view or form page names is some model's."""
    declared_by_models = model_areas()
    undeclared = sorted(name for name, area in declared_by_models.items() if area is MISSING)
    if undeclared:
        raise RuntimeError(
            "Models without a cache area: %s. Declare `__cache_area__ = \"<area>\"` on each "
            "(None for rows no public page shows); see portal/http/areas.py." % ", ".join(undeclared)
        )
    known = {area for area in declared_by_models.values() if area} | {ANY}
    named = [
        (endpoint, area)
        for endpoint, view in app.view_functions.items()
        for area in getattr(getattr(view, "cacheable", None), "areas", ())
    ]
    named += [(template, area) for template, areas in form_pages for area in areas]
    unknown = sorted("%s: %r" % pair for pair in named if pair[1] not in known)
    if unknown:
        raise RuntimeError(
            "Cache areas no model declares (nothing would ever invalidate them): %s. Known areas: %s."
            % ("; ".join(unknown), ", ".join(sorted(known - {ANY})))
        )


# --- commits that change an area ------------------------------------------------------------


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


def watch_commits() -> None:
    """Listen (once per process) for commits that change an area."""
    global _listening
    if _listening:
        return
    sa.event.listen(sa.orm.Session, "after_flush", _after_flush)
    sa.event.listen(sa.orm.Session, "do_orm_execute", _do_orm_execute)
    sa.event.listen(sa.orm.Session, "after_commit", _after_commit)
    sa.event.listen(sa.orm.Session, "after_rollback", _after_rollback)
    _listening = True
