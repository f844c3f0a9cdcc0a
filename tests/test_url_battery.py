"""Hostile path and query parameters on every route of the URL map (issue 17).

For **every** rule (public ones anonymously, staff ones signed in as the coordinator of KZ-71, or
as an admin where only admins may enter):

* each path parameter (``lang`` too) gets hostile values — huge, negative and zero integers,
  non-numbers, overlong strings, Unicode, NUL and control characters, traversal sequences — and
  the answer is a 404 (or 400): a record that cannot exist is not found, never a 500;
* each query parameter the view reads gets hostile values (numbers, the ends of ``date``, empty,
  overlong, Unicode, control characters, traversal, bytes that are not UTF-8), and repeated; the
  answer is never a 5xx. All keys go at once, each with a different value per request; an answer
  that refuses the combination (4xx) is retried key by key, so a refused value hides no 500;
* for a POST route, each field of its form that carries a number, a choice, a day or an id (and any
  field the view reads but the page does not show, such as a hidden ``need_id``) gets hostile numbers
  and dates while the others hold plausible values; free text is test_hostile_input.py's.

Which parameters a view reads is recorded, not listed: a test-only request class wraps
``request.args`` and ``request.form`` in a MultiDict that notes every key looked up (``get``,
``[]``, ``getlist``, ``in``; WTForms forms read their fields that way), and for ``args`` which
code of the app looked it up, during a plain request of the route (and a POST with the form filled
in as its page shows it). Keys that shared code reads on every page (a before-request hook, the
layout) are recorded on reference pages and fuzzed there once. ``DECLARED_QUERY`` adds keys a view
reads only on a path the plain request does not take. Path values come from the factories of
``tests/factories.py`` (see ``tests/battery.py``); a route without one **fails**, so a new route is
covered the day it is added.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from urllib.parse import quote, quote_from_bytes

import pytest
from werkzeug.datastructures import ImmutableMultiDict

from portal import create_app
from portal.extensions import db
from tests import battery
from tests.conftest import ROOT, make_config, reset_database
from tests.test_hostile_input import Target
from tests.test_security_headers import _route_app

# Staff routes are probed as a regional coordinator (a bad id must never show another region's record);
# routes only admins may use, as an admin, so the hostile values reach the code behind the refusal.
ROLE, REGION = "coordinator", "KZ-71"


def staff_role(route) -> tuple[str, str | None]:
    return ("admin", None) if route.access.get("admin_only") else (ROLE, REGION)

# Keys a view reads only on a path the plain request may not take (after a valid form, say).
DECLARED_QUERY = {"staff.language": ("next",)}
# Path values for rules no record names.
DECLARED_PATH = {"static": {"filename": "css/site.css"}}

# Hostile values, one of each kind (the battery runs in CI on two databases: about 15 per parameter).
# A path segment (percent-encoded when sent):
PATH_VALUES = [
    "0", "-1", "2147483648", "9" * 25, "²", "abc", "Жәрмеңке 😀", "x" * 300, "\x00\r\n", "../../etc/passwd",
]
# (key, reader) pairs read on the reference pages of each side: the same code on every route.
SHARED_READS: dict[str, set] = {}
# ``<lang:…>`` is one converter on every public rule: a few values each.
LANG_VALUES = ["xx", "KK", "\x00\r\n", "..", "қз"]
# A number anywhere: zero, negative, beyond PostgreSQL's integer and beyond 64 bits, not plain digits.
NUMBERS = ["0", "-1", "2147483648", "9" * 25, "1e308", "NaN", "²"]
# A day: the ends of ``datetime.date`` (a day more or a time-zone shift overflows).
DATES = ["0001-01-01", "9999-12-31", "9999-12-31T23:59", "0001-01-01T00:00"]
# Anything else: empty, overlong, Unicode, control characters (a header injection in a redirect),
# traversal, bytes that are not UTF-8.
STRINGS = ["", "x" * 5000, "Жәрмеңке 😀", "/staff/\r\nX-Injected: 1\x00\x7f", "../../etc/passwd", b"\xff\xfe"]
QUERY_VALUES = NUMBERS + DATES[:2] + STRINGS
FORM_VALUES = NUMBERS + ["a\x00\x01\r\nb"]
DATE_KINDS = {"date", "datetime-local"}
FREE_TEXT = {"text", "textarea", "email", "tel", "url", "search", "password"}
REPEATED = 40

# Pages that read no parameter of their own: what is read there is read by shared code (a
# before-request hook, the layout's canonical link) and is fuzzed once, on these pages.
REFERENCE_PAGES = {
    "public": ("/kk/no-such-page-url-battery", "/kk/privacy"),
    "staff": ("/staff/no-such-page-url-battery", "/staff/login"),
    "signed-in": ("/staff/no-such-page-url-battery", "/staff/"),
}

ANY_ANSWER = {200, 204, 301, 302, 303, 304, 307, 308, 400, 403, 404, 405, 413, 422, 429}
NOT_FOUND = {400, 404}


# --- which parameters a view reads ------------------------------------------------------------

class Recorder:
    """The keys looked up in ``request.args`` (each with who read it) and ``request.form`` since ``reset()``."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.args: set[tuple[str, str]] = set()  # (key, "portal/module.py:function" or template)
        self.form: set[str] = set()

    def arg_keys(self, shared: set = frozenset()) -> set[str]:
        """Keys some reader other than the ``shared`` (key, reader) pairs looked up."""
        return {key for key, reader in self.args - set(shared)}


_APP_DIRS = (str(ROOT / "portal"), str(ROOT / "templates"))


def _reader() -> str:
    """The innermost frame of the app's own code (or template) that is looking a key up."""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if name.startswith(_APP_DIRS):
            return "%s:%s" % (os.path.relpath(name, ROOT), frame.f_code.co_name)
        frame = frame.f_back
    return "?"


def _recording_multidict(note):
    class Recording(ImmutableMultiDict):
        def __getitem__(self, key):
            note(key)
            return super().__getitem__(key)

        def get(self, key, default=None, type=None):
            note(key)
            return super().get(key, default, type)

        def getlist(self, key, type=None):
            note(key)
            return super().getlist(key, type)

        def __contains__(self, key):
            note(key)
            return super().__contains__(key)

    return Recording


def install_recorder(app) -> Recorder:
    """A test-only request class whose ``args`` and ``form`` note every key a view looks up."""
    recorder = Recorder()
    base = app.request_class

    class RecordingRequest(base):
        @property
        def args(self):
            # Wrapped on every access: a before-request hook may replace the parsed args (portal/params.py).
            return _recording_multidict(lambda key: recorder.args.add((key, _reader())))(base.args.__get__(self))

        @property
        def form(self):
            wrapped = self.__dict__.get("_recorded_form")
            if wrapped is None:
                wrapped = _recording_multidict(recorder.form.add)(base.form.__get__(self))
                self.__dict__["_recorded_form"] = wrapped
            return wrapped

    app.request_class = RecordingRequest
    return recorder


# --- requests -----------------------------------------------------------------------------------

def _encode(value) -> str:
    return quote_from_bytes(value) if isinstance(value, bytes) else quote(value, safe="")


def query_string(pairs) -> str:
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in pairs)


_ARG = re.compile(r"<(?:[^<>:]+:)?([a-zA-Z_][a-zA-Z0-9_]*)>")


def fill(rule: str, values: dict) -> str:
    """The rule's path with ``values`` put in as they are (percent-encoded), no converter asked."""
    return _ARG.sub(lambda m: _encode(str(values[m.group(1)])), rule)


def all_routes(app) -> list[battery.Route]:
    """Every rule answering GET or POST, the static files' too."""
    found = [
        battery.Route(rule.rule, rule.endpoint, set(rule.methods) - battery.SKIP_METHODS, set(rule.arguments),
                      app.view_functions[rule.endpoint])
        for rule in app.url_map.iter_rules()
        if rule.methods & {"GET", "POST"}
    ]
    return sorted(found, key=lambda r: (r.rule, r.endpoint))


ROUTES = all_routes(_route_app())


class Prober:
    """One route: its client (a coordinator's for staff routes), path values, plausible form data."""

    def __init__(self, app, route):
        self.app = app
        self.route = route
        self.method = "GET" if "GET" in route.methods else "POST"
        if route.endpoint in DECLARED_PATH:
            values = dict(DECLARED_PATH[route.endpoint])
        else:
            values = battery.url_values(app, route)
        if values is None:
            pytest.fail(
                f"{route.rule}: no factory in tests/factories.py builds its {sorted(route.arguments - {'lang'})} "
                "(add make_<model>, or a DECLARED_PATH entry)"
            )
        self.form_data, self.form_kinds = {}, {}
        if "POST" in route.methods:
            # The form as the route's page shows it, filled in plausibly, so a hostile value meets the
            # code behind a valid form (a hidden id reaches its query only when the rest validates).
            target = Target(app, route, *staff_role(route))
            self.client, values = target.client, target.values
            self.form_data = target.baseline()
            # Fields that carry a number, a choice, a day or an id; free text gets the naughty strings of
            # test_hostile_input.py. A field the view reads but the page does not show has kind None.
            self.form_kinds = {
                name: spec["kind"] for name, spec in target.fields.items()
                if spec["kind"] not in FREE_TEXT or spec.get("inputmode") in ("numeric", "decimal")
            }
        else:
            self.client = app.test_client()
            if route.needs_sign_in:
                self.sign_in()
        self.values = {**values, **({"lang": "kk"} if "lang" in route.arguments else {})}
        self.form_data["csrf_token"] = battery.csrf_token(app, self.client)
        self.failures: list[str] = []
        self.requests = 0

    def sign_in(self):
        role, region = staff_role(self.route)
        battery.sign_in_staff(self.app, self.client, role=role, region_code=region)
        if hasattr(self, "form_data"):
            self.form_data["csrf_token"] = battery.csrf_token(self.app, self.client)

    def send(self, path: str, query: str = "", data=None, method=None):
        url = path + ("?" + query if query else "")
        method = method or self.method
        if method == "GET":
            response = self.client.get(url)
        else:
            body = data if data is not None else self.form_data
            response = self.client.post(url, data=query_string(body.items()),
                                        content_type="application/x-www-form-urlencoded")
        response.close()  # a file answer (send_file) holds its file open until closed
        self.requests += 1
        location = response.headers.get("Location", "")
        if self.route.needs_sign_in and response.status_code in (302, 303) and "/staff/login" in location:
            self.sign_in()  # a route that ended the session (sign-out, password change)
        return response

    def check(self, response, allowed: set, what: str, method=None):
        if response.status_code not in allowed:
            cause = self.app.exceptions[-1] if response.status_code >= 500 and self.app.exceptions else ""
            self.failures.append(f"{method or self.method} {what}: {response.status_code} {cause}")

    @property
    def path(self) -> str:
        return fill(self.route.rule, self.values)


@pytest.fixture(scope="module")
def prober_app(database_url):
    """One app for the whole battery (an app and a fresh database per route cost more than the probing):
    every route makes its own records with the factories, and only the status of each answer counts."""
    app = create_app(make_config(database_url))
    with app.app_context():
        reset_database()
    app.config["WTF_CSRF_ENABLED"] = True  # as in production; every POST carries a valid token
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a 500 is an answer to count, not an error ending the test
    app.recorder = install_recorder(app)
    app.exceptions = []

    class Note(logging.Handler):
        def emit(self, record):
            if record.exc_info:
                error = record.exc_info[1]
                app.exceptions.append(f"{type(error).__name__}: {str(error).splitlines()[0][:100]}")

    handler = Note(logging.ERROR)
    app.logger.addHandler(handler)
    try:
        with battery.rate_limits_off():
            yield app
    finally:
        app.logger.removeHandler(handler)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_battery_sees_every_route():
    endpoints = {r.endpoint for r in ROUTES}
    assert len(ROUTES) > 60
    assert "static" in endpoints and any(r.is_staff for r in ROUTES) and any(not r.is_staff for r in ROUTES)


def _param(route):
    return pytest.param(route, id=f"{route.rule} {route.endpoint}")


@pytest.mark.parametrize("route", [_param(r) for r in ROUTES])
def test_hostile_parameters(prober_app, route):
    app, recorder = prober_app, prober_app.recorder
    started = time.perf_counter()
    probe = Prober(app, route)

    # What shared code reads (on a page that reads nothing itself) is fuzzed once, in
    # test_parameters_read_on_every_request; a key this view reads itself is fuzzed here.
    side = side_of(route)
    if side not in SHARED_READS:
        for page in REFERENCE_PAGES[side]:
            recorder.reset()
            probe.send(page, method="GET")
            SHARED_READS.setdefault(side, set()).update(recorder.args)
    shared = SHARED_READS[side]

    # A plain request, recording what the view reads.
    recorder.reset()
    probe.check(probe.send(probe.path), ANY_ANSWER, f"{probe.path} (plain)")
    query_keys = sorted(recorder.arg_keys(shared) | set(DECLARED_QUERY.get(route.endpoint, ())))

    # Path parameters: a record that cannot exist is not found.
    for name in sorted(route.arguments):
        for value in LANG_VALUES if name == "lang" else PATH_VALUES:
            path = fill(route.rule, {**probe.values, name: value})
            probe.check(probe.send(path), NOT_FOUND, f"{path[:120]} ({name}={value[:20]!r})")

    # Query parameters: every key gets every value, all keys at once (key i the value i places further
    # on, so each meets different neighbours); an answer refusing the combination (4xx) is retried key by
    # key, so one refused value never hides another key's 500. Then each key repeated.
    n = len(QUERY_VALUES)
    for row in range(n if query_keys else 0):
        pairs = [(key, QUERY_VALUES[(row + i) % n]) for i, key in enumerate(query_keys)]
        query = query_string(pairs)
        response = probe.send(probe.path, query)
        if 400 <= response.status_code < 500 and len(pairs) > 1:
            for pair in pairs:
                one = query_string([pair])
                probe.check(probe.send(probe.path, one), ANY_ANSWER, f"{probe.path}?{one[:80]}")
        else:
            probe.check(response, ANY_ANSWER, f"{probe.path}?{query[:120]}")
    for key in query_keys:
        query = query_string([(key, "1"), (key, "-1"), (key, "x" * 300)] + [(key, "9" * 30)] * REPEATED)
        probe.check(probe.send(probe.path, query), ANY_ANSWER, f"{probe.path}?{key}= repeated")

    # Form fields of a POST route (those it shows and those it reads): hostile numbers and dates,
    # one field at a time while the others hold plausible values.
    form_keys = []
    if "POST" in route.methods:
        recorder.reset()
        probe.check(probe.send(probe.path, method="POST"), ANY_ANSWER, f"{probe.path} (plain form)", "POST")
        shown = set(probe.form_data)
        form_keys = sorted(((recorder.form - shown) | set(probe.form_kinds)) - {"csrf_token"})
        for key in form_keys:
            kind = probe.form_kinds.get(key)
            days = {"date": DATES[:2], "datetime-local": DATES[2:], None: DATES}.get(kind, [])
            for value in FORM_VALUES + days:
                response = probe.send(probe.path, data={**probe.form_data, key: value}, method="POST")
                probe.check(response, ANY_ANSWER, f"{probe.path} form {key}={value[:20]!r}", "POST")

    assert not probe.failures, f"{route.rule}: {len(probe.failures)} bad answers:\n" + "\n".join(probe.failures[:40])
    elapsed = time.perf_counter() - started
    print(f"{route.rule}: {probe.requests} requests, {elapsed:.2f}s, query {query_keys}, form {form_keys}")


def side_of(route) -> str:
    return "signed-in" if route.needs_sign_in else "staff" if route.is_staff else "public"


@pytest.mark.parametrize("side", list(REFERENCE_PAGES))
def test_parameters_read_on_every_request(prober_app, side):
    """What shared code reads (``?lang=`` on the staff side before sign-in), on the reference pages."""
    app, recorder = prober_app, prober_app.recorder
    client = app.test_client()
    if side == "signed-in":
        battery.sign_in_staff(app, client, role=ROLE, region_code=REGION)
    pages = REFERENCE_PAGES[side]
    recorder.reset()
    for page in pages:
        client.get(page).close()
    keys = sorted(recorder.arg_keys())
    if side == "staff":
        assert "lang" in keys, f"the staff side reads ?lang= before sign-in; the recorder saw {keys}"
    failures = []
    for page in pages:
        for key in keys:
            for value in QUERY_VALUES:
                response = client.get(page + "?" + query_string([(key, value)]))
                response.close()
                if response.status_code >= 500:
                    failures.append(f"GET {page}?{key}={value[:20]!r}: {response.status_code}")
    assert not failures, "\n".join(failures)


# --- the pieces the battery relies on ------------------------------------------------------------

def test_int_converter_is_bounded(app):
    """``<int:…>`` matches ids a PostgreSQL integer holds, ASCII digits only; url_for still builds them."""
    from flask import url_for

    from portal.params import MAX_ID

    adapter = app.url_map.bind("localhost")
    assert adapter.match(f"/kk/fairs/{MAX_ID}")[1]["id"] == MAX_ID
    for segment in (str(MAX_ID + 1), "9" * 25, "²", "١٢", "-1", "1.5"):
        with pytest.raises(Exception) as caught:
            adapter.match(f"/kk/fairs/{quote(segment)}")
        assert getattr(caught.value, "code", None) == 404, segment
    with app.test_request_context():
        assert url_for("fairs.detail", lang="en", id=7) == "/en/fairs/7"


@pytest.mark.parametrize(
    "raw, expected",
    [("7", 7), (" 7 ", 7), ("0", 0), ("-1", None), ("2147483647", 2147483647), ("2147483648", None),
     ("9" * 25, None), ("9" * 5000, None), ("1e3", None), ("0x10", None), ("1_000", None), ("²", None),
     ("١٢", None), ("NaN", None), ("", None), (None, None), (True, None), (12, 12)],
)
def test_to_int(raw, expected):
    from portal.params import to_int

    assert to_int(raw) == expected


@pytest.mark.parametrize(
    "query, page, strict_page",
    [("", 1, 1), ("page=3", 3, 3), ("page=abc", 1, 1), ("page=1.5", 1, 1), ("page=0", 1, 404),
     ("page=-3", 1, 404), ("page=10000", 10000, 10000), ("page=10001", 10000, 404),
     ("page=" + "9" * 40, 10000, 404), ("page=-" + "9" * 40, 1, 404)],
)
def test_page_arg(app, query, page, strict_page):
    from werkzeug.exceptions import NotFound

    from portal.params import page_arg

    with app.test_request_context("/?" + query):
        assert page_arg() == page
        try:
            assert page_arg(strict=True) == strict_page
        except NotFound:
            assert strict_page == 404


def test_sign_in_next_with_a_control_character_goes_to_the_dashboard(app, client):
    """``?next=`` survives sign-in in the session; a control character in it would be a 500 in Location."""
    from portal.extensions import db
    from tests.factories import make_staff

    with app.app_context():
        user = make_staff()
        db.session.commit()
        email = user.email
    response = client.post("/staff/login?next=" + quote("/staff/\r\nX-Injected: 1"),
                           data={"email": email, "password": "correct horse battery"})
    assert response.status_code == 302
    with client.session_transaction() as sess:
        assert sess["next"] == "/staff/"
