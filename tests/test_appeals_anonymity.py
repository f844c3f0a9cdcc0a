"""Anonymity of the appeal path: nothing that identifies the reporter is stored, logged, cached or leaked.

A request carries a distinctive address (``REMOTE_ADDR`` and ``X-Forwarded-For``), user agent and
referrer through the whole path — form, receipt, confirm, check, follow-up, an error and a rate-limit
refusal — and then the database (the SQLite file with its WAL, or every row on PostgreSQL), the
instance folder, the rate limiter's store, the cookies and the captured logs are searched for them.
"""

from __future__ import annotations

import json
import logging
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.appeals import receipts
from portal.appeals.models import Appeal, AppealMessage
from portal.extensions import db, limiter
from tests.test_appeals import TEXT, cheap_hashing, check, form_data, hidden, receipt_code, submit  # noqa: F401

REMOTE = "203.0.113.77"
FORWARDED = "198.51.100.23"
AGENT = "CanaryAgent/7.3 (anonymity-probe-5521)"
REFERRER = "https://referrer-canary.example/leak-7731"
CANARIES = [REMOTE, FORWARDED, AGENT, "anonymity-probe-5521", "referrer-canary", "leak-7731"]


@pytest.fixture
def reporter(app):
    """A client whose every request carries the canaries."""
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    client.environ_base.update(
        {
            "REMOTE_ADDR": REMOTE,
            "HTTP_X_FORWARDED_FOR": FORWARDED,
            "HTTP_X_REAL_IP": FORWARDED,
            "HTTP_USER_AGENT": AGENT,
            "HTTP_REFERER": REFERRER,
        }
    )
    return client


def database_text(app) -> bytes:
    """Everything the database holds: the SQLite files byte for byte, or every row of every table."""
    with app.app_context():
        url = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
        chunks = []
        if url.get_backend_name() == "sqlite":
            db.session.remove()
            for suffix in ("", "-wal", "-shm", "-journal"):
                path = Path(url.database + suffix)
                if path.exists():
                    chunks.append(path.read_bytes())
        with db.engine.connect() as conn:
            for table in db.metadata.sorted_tables:
                for row in conn.execute(sa.select(table)):
                    chunks.append(repr(tuple(row)).encode())
                    chunks.append(json.dumps([str(v) for v in row], ensure_ascii=False).encode())
    return b"\n".join(chunks)


def instance_text(app) -> bytes:
    chunks = []
    for root, _dirs, files in os.walk(app.instance_path):
        for name in files:
            try:
                chunks.append((Path(root) / name).read_bytes())
            except OSError:
                pass
    return b"\n".join(chunks)


def limiter_text() -> str:
    storage = limiter.storage
    return repr({k: v for k, v in vars(storage).items() if isinstance(v, (dict, list, set, tuple))})


def walk_the_path(client, app):
    """Every appeal page and action, once; returns the responses."""
    responses = []
    responses.append(client.get("/kk/appeal"))
    data = form_data(client, "kk")
    responses.append(client.post("/kk/appeal", data={**data, "message": "short"}))  # 422
    response = client.post("/kk/appeal", data=data)
    responses.append(response)
    html = response.get_data(as_text=True)
    code = receipt_code(html)
    responses.append(client.post("/kk/appeal/confirm", data={
        "csrf_token": hidden(html, "csrf_token"), "nonce": hidden(html, "nonce"), "last_digits": code[-5:]}))
    responses.append(client.get("/kk/appeal/done"))
    responses.append(client.get("/kk/appeal/check"))
    result = check(client, code, "kk")
    responses.append(result)
    page = result.get_data(as_text=True)
    responses.append(client.post("/kk/appeal/check/add", data={
        "csrf_token": hidden(page, "csrf_token"), "code": hidden(page, "code"),
        "nonce": hidden(page, "nonce"), "message": "Today they asked for another 5 000 tenge."}))
    responses.append(check(client, "1" * 20 + receipts.check_digit("1" * 20), "kk"))  # unknown
    app.config["APPEAL_CHECK_RATE_LIMIT"] = "1 per hour"
    check(client, code, "kk")
    responses.append(check(client, code, "kk"))  # refused: 429
    assert responses[-1].status_code == 429
    return code, responses


def test_no_address_user_agent_or_referrer_is_stored_or_logged(app, reporter, caplog):
    caplog.set_level(logging.DEBUG)
    code, responses = walk_the_path(reporter, app)
    assert [r.status_code for r in responses][:8] == [200, 422, 200, 302, 200, 200, 200, 200]

    stored = database_text(app)
    assert stored and b"curtains" in stored  # the search does see the appeal
    folder = instance_text(app)
    logs = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    cookies = "\n".join(h for r in responses for h in r.headers.getlist("Set-Cookie"))
    pages = "\n".join(r.get_data(as_text=True) for r in responses)
    for canary in CANARIES:
        assert canary.encode() not in stored, f"{canary} in the database"
        assert canary.encode("utf-16-le") not in stored
        assert canary.encode() not in folder, f"{canary} in the instance folder"
        assert canary not in logs, f"{canary} in the logs"
        assert canary not in limiter_text(), f"{canary} in the rate limiter's store"
        assert canary not in cookies
        assert canary not in pages
    assert code not in stored.decode("utf-8", "replace")


def test_session_cookie_holds_only_the_csrf_token_and_dies_with_the_browser(app, reporter):
    _code, responses = walk_the_path(reporter, app)
    serializer = app.session_interface.get_signing_serializer(app)
    seen = 0
    for response in responses:
        for header in response.headers.getlist("Set-Cookie"):
            name, _, rest = header.partition("=")
            assert name == app.config["SESSION_COOKIE_NAME"], header
            value = rest.split(";", 1)[0]
            lowered = header.lower()
            assert "expires=" not in lowered and "max-age=" not in lowered, header
            assert "httponly" in lowered and "samesite=lax" in lowered
            assert set(serializer.loads(value)) <= {"csrf_token"}, serializer.loads(value)
            seen += 1
    assert seen >= 1


def test_every_appeal_response_is_no_store_and_same_origin_referrer(app, reporter):
    _code, responses = walk_the_path(reporter, app)
    for response in responses:
        assert response.headers["Cache-Control"] == "no-store", response.status
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "Location" not in response.headers or not re.search(r"\d{8,}", response.headers["Location"])


class _Resources(HTMLParser):
    def __init__(self):
        super().__init__()
        self.loaded, self.links, self.forms, self.alternates = [], [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for attr in ("src", "srcset", "poster", "data"):
            if a.get(attr):
                self.loaded.append(a[attr])
        if tag == "link" and a.get("href"):
            # Language alternates and the canonical address are absolute (search engines require it) and load nothing.
            (self.alternates if a.get("rel") in ("alternate", "canonical") else self.loaded).append(a["href"])
        if tag == "a" and a.get("href"):
            self.links.append((a["href"], a.get("class", "")))
        if tag == "form":
            self.forms.append(a.get("action", ""))
        if a.get("style") and "url(" in a["style"]:
            self.loaded.append(a["style"])


def test_appeal_pages_load_nothing_from_another_host(app, reporter):
    _code, responses = walk_the_path(reporter, app)
    for response in responses:
        if response.status_code == 302:
            continue
        parser = _Resources()
        parser.feed(response.get_data(as_text=True))
        for url in parser.loaded + parser.forms:
            assert url.startswith("/") and not url.startswith("//"), url
        assert all(url.startswith("http://localhost/") for url in parser.alternates), parser.alternates
        external = [(href, cls) for href, cls in parser.links if re.match(r"(?i)(https?:)?//", href)]
        # The only link off the site is the quick exit, and it sends no referrer.
        assert all(cls == "quick-exit" for _href, cls in external), external
        csp = response.headers["Content-Security-Policy"]
        assert "http" not in csp and "*" not in csp.split("frame-ancestors")[0]


def test_quick_exit_on_every_appeal_page(app, reporter):
    _code, responses = walk_the_path(reporter, app)
    for response in responses:
        if response.status_code in (302, 429):
            continue
        html = response.get_data(as_text=True)
        assert re.search(r'<a class="quick-exit" href="https://[^"]+" rel="noreferrer">Беттен тез кету</a>', html)


def test_no_plain_code_anywhere_in_the_database(app):
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    codes = []
    for _ in range(5):
        response, _data = submit(client)
        codes.append(receipt_code(response.get_data(as_text=True)))
    stored = database_text(app).decode("utf-8", "replace")
    digits_only = re.sub(r"\D", "", stored)
    for code in codes:
        assert code not in stored and receipts.format_code(code) not in stored
        assert code[:12] not in digits_only and code[-12:] not in digits_only
    with app.app_context():
        hashes = db.session.scalars(sa.select(Appeal.receipt_hash)).all()
        assert len(set(hashes)) == 5 and all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes)


def test_appeal_table_has_no_column_for_request_data():
    columns = set(Appeal.__table__.c.keys())
    assert columns == {
        "id", "receipt_hash", "category", "region_code", "settlement", "message", "callback_phone",
        "status", "created_on", "receipt_confirmed", "reporter_updated", "is_demo",
        # The work queue's: dates computed from created_on, staff's own choices, the channel staff recorded
        # (form, phone, reception) and the page's language (kk/ru/en, for the reply template) — nothing of the request.
        "due_on", "follow_up_due_on", "assignee_id", "close_reason", "channel", "language", "back_to_school",
    }
    assert set(AppealMessage.__table__.c.keys()) == {
        "id", "appeal_id", "kind", "body", "staff_id", "created_on", "nonce_hash",
    }
    for table in (Appeal.__table__, AppealMessage.__table__):
        for column in table.c:
            assert not isinstance(column.type, sa.DateTime), f"{table.name}.{column.name} keeps a clock time"


def test_pepper_is_not_in_the_database(app):
    client = app.test_client()
    app.config["APPEAL_PEPPER"] = "pepper-canary-9931"
    submit(client)
    assert b"pepper-canary-9931" not in database_text(app)
