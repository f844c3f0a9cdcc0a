"""Helpers of the security battery (issue 8): routes and forms found from the URL map.

Every test of the battery asks the URL map, not a list, so a new area's pages and
forms join the battery the moment its blueprint is registered. Routes with an id or
slug are built from a factory in ``tests/factories.py`` when one matches
(``make_<model>`` for the staff ``access_rule(model=...)``, else ``make_<view>``, ``make_<area>`` /
``make_<area minus s>``), and skipped otherwise.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser

import sqlalchemy as sa

LANGS = ("kk", "ru", "en")
SKIP_METHODS = {"HEAD", "OPTIONS"}


@dataclass
class Route:
    rule: str
    endpoint: str
    methods: set
    arguments: set
    view: object

    @property
    def is_staff(self) -> bool:
        return self.rule.startswith("/staff")

    @property
    def access(self) -> dict:
        return getattr(self.view, "access", None) or {}

    @property
    def needs_sign_in(self) -> bool:
        return self.is_staff and not self.access.get("public", False)


def routes(app, method: str) -> list[Route]:
    """Every rule answering ``method``, sorted by rule; the static route excluded."""
    found = []
    for rule in app.url_map.iter_rules():
        if method not in rule.methods or rule.endpoint == "static":
            continue
        found.append(
            Route(rule.rule, rule.endpoint, set(rule.methods) - SKIP_METHODS, set(rule.arguments),
                  app.view_functions[rule.endpoint])
        )
    return sorted(found, key=lambda r: (r.rule, r.endpoint))


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def factory_for(route: Route):
    """A ``make_*`` factory from tests/factories.py for the record a route's id or slug names, or ``None``."""
    from tests import factories

    names = []
    model = route.access.get("model")
    if model is not None:
        names.append("make_" + _snake(model.__name__))
    area, _dot, view = route.endpoint.partition(".")
    names.append("make_" + view)  # a factory named after the view first (offers.track: make_track)
    for name in (area.removesuffix("_staff"), area.split("_", 1)[0], view):  # fairs_ics.event_ics, posters.fair
        names += ["make_" + name, "make_" + name.removesuffix("s"), "make_" + name.removesuffix("es")]
    for name in names:
        func = getattr(factories, name, None)
        if callable(func):
            return func
    return None


def url_values(app, route: Route) -> dict | None:
    """Values for every argument but ``lang``, made with a factory; ``None`` when it cannot be built."""
    from portal.extensions import db

    others = route.arguments - {"lang"}
    if not others:
        return {}
    factory = factory_for(route)
    if factory is None:
        return None
    with app.app_context():
        try:
            obj = factory()
            db.session.commit()
        except Exception:  # a factory with required arguments we cannot guess
            db.session.rollback()
            return None
        values = {}
        for name in others:
            value = getattr(obj, name, None)
            if value is None and name.endswith("_id"):
                value = getattr(obj, "id", None)
            if value is None:
                return None
            values[name] = value
        return values


def build(app, route: Route, lang: str | None = None, values: dict | None = None) -> str | None:
    """The path of ``route`` in ``lang`` (when it has one), or ``None`` when it needs unknown values."""
    values = dict(values if values is not None else (url_values(app, route) or {}))
    if route.arguments - {"lang"} - set(values):
        return None
    if "lang" in route.arguments:
        values["lang"] = lang or "kk"
    with app.test_request_context():
        from flask import url_for

        return url_for(route.endpoint, **values)


def table_counts(app) -> dict[str, int]:
    """Rows per table of the whole schema."""
    from portal.extensions import db

    with app.app_context():
        with db.engine.connect() as conn:
            return {
                table.name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                for table in db.metadata.sorted_tables
            }


def sign_in_staff(app, client, role: str = "admin", region_code: str | None = None):
    """Sign ``client`` in as a two-factor-verified staff member."""
    from portal.extensions import db
    from tests import factories

    with app.app_context():
        user = factories.make_staff(role=role, region_code=region_code if role != "admin" else None)
        db.session.commit()
        user_id = user.get_id()
    # What portal.staff.routes._complete_sign_in leaves in the session after password and TOTP.
    with client.session_transaction() as sess:
        sess["_user_id"] = user_id
        sess["_fresh"] = True
        sess["mfa"] = True
        sess["seen"] = int(time.time())
    return user_id


def csrf_token(app, client) -> str:
    """A valid CSRF token for ``client``'s session: ``csrf_token()`` made in a request context, raw half stored in the session."""
    from flask import session
    from flask_wtf.csrf import generate_csrf

    field_name = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    with client.session_transaction() as sess:
        raw = sess.get(field_name)
    with app.test_request_context():
        if raw:
            session[field_name] = raw
        token = generate_csrf()
        raw = session[field_name]
    with client.session_transaction() as sess:
        sess[field_name] = raw
    return token


@dataclass
class Form:
    action: str
    method: str
    fields: dict = field(default_factory=dict)  # name → {"kind": ..., "options": [...], "value": ...}


class _FormParser(HTMLParser):
    def __init__(self, page_path: str):
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = (a.get("action") or self.page_path).split("#", 1)[0]
            self.current = Form(action, (a.get("method") or "get").lower())
            self.forms.append(self.current)
        if self.current is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            entry = self.current.fields.setdefault(
                name, {"kind": kind, "options": [], "value": a.get("value"), "inputmode": a.get("inputmode")}
            )
            if kind in ("radio", "checkbox") and a.get("value") is not None:
                entry["options"].append(a["value"])
        elif tag == "textarea" and name:
            self.current.fields.setdefault(name, {"kind": "textarea", "options": [], "value": None})
        elif tag == "select" and name:
            self.select = name
            self.current.fields.setdefault(name, {"kind": "select", "options": [], "value": None})
        elif tag == "option" and self.select:
            value = a.get("value")
            if value:
                self.current.fields[self.select]["options"].append(value)

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        if tag == "form":
            self.current = None


def parse_forms(html: str, page_path: str) -> list[Form]:
    parser = _FormParser(page_path)
    parser.feed(html)
    return parser.forms


class rate_limits_off:
    """Switch the (global) limiter off for a block: its ``enabled`` flag is read on every request.

    Never via ``RATELIMIT_ENABLED`` in a test config: Flask-Limiter's ``init_app`` keeps that
    value as the default for every app created after it.
    """

    def __enter__(self):
        from portal.extensions import limiter

        self.previous = limiter.enabled
        limiter.enabled = False
        return self

    def __exit__(self, *exc):
        from portal.extensions import limiter

        limiter.enabled = self.previous
        return False


def fast_table_counts(app) -> tuple:
    """Row counts of every table in one statement (cheap enough to run after every request)."""
    from portal.extensions import db

    with app.app_context():
        tables = db.metadata.sorted_tables
        stmt = sa.select(*[sa.select(sa.func.count()).select_from(t).scalar_subquery() for t in tables])
        with db.engine.connect() as conn:
            return tuple(zip([t.name for t in tables], conn.execute(stmt).one()))
