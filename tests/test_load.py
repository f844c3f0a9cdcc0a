"""Load without loss, against real gunicorn with 4 workers on 127.0.0.1 (issue 8).

1,000 submissions, 50 at a time, to the submission forms that exist (appeals ``/kk/appeal``, offers
``/kk/offer``; each is detected from the URL map and skipped with a reason when absent): every
acknowledged one is in the database exactly once and nothing answers 5xx. Then the same while a
worker is killed with ``kill -9`` every ~2 s: nothing acknowledged is lost, SQLite's
``integrity_check`` is ok. On PostgreSQL when ``TEST_DATABASE_URL`` is set (the suite's database).
A rate-limited route hit from 4 workers sees its limit once, globally, through Redis.

Bounded: a fixed count of requests and a hard deadline per phase; only 127.0.0.1 is contacted.
Argon2 for appeal receipts runs at its cheapest here (its production cost is for attackers).
"""

from __future__ import annotations

import gzip
import http.client
import os
import re
import secrets
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.extensions import db
from tests.conftest import FROZEN_NOW, make_config
from tests.servers import CHEAP_HASHING, Server, redis_up

pytestmark = pytest.mark.slow

SUBMISSIONS = int(os.environ.get("LOAD_SUBMISSIONS", 1000))
STORM_SUBMISSIONS = int(os.environ.get("LOAD_STORM_SUBMISSIONS", SUBMISSIONS))
CONCURRENCY = 50
PHASE_DEADLINE = 150  # seconds, per phase
KILL_EVERY = 2.0


def _hidden(html: str, name: str) -> str | None:
    match = re.search(r'<input[^>]*name="%s"[^>]*>' % re.escape(name), html)
    if not match:
        return None
    value = re.search(r'value="([^"]*)"', match.group(0))
    return unescape(value.group(1)) if value else ""


@dataclass
class Recipe:
    """How to fill one submission form validly, and where its submissions land."""

    endpoint: str
    path: str
    table: str
    column: str
    build: callable
    hidden: tuple = ("csrf_token",)


def _appeal(html: str, marker: str) -> dict:
    return {
        "nonce": _hidden(html, "nonce") or "",
        "category": "forced_fees",
        "region": "KZ-71",
        "settlement": "School No. 12",
        "message": f"The school asks every family for 15 000 tenge for curtains. {marker}",
        "callback_phone": "",
        "submit": "1",
    }


def _offer(html: str, marker: str) -> list:
    return [
        ("form_token", _hidden(html, "form_token") or ""),
        ("donor_type", "company"),
        ("org_name", "ТОО «Мектеп Сауда»"),
        ("tax_id", "230840001231"),
        ("contact_name", "Айгерім Сапарова"),
        ("phone", "8 701 123 45 67"),
        ("email", "sponsor@example.kz"),
        ("kinds", "backpacks"),
        ("kinds", "stationery"),
        ("quantity", "120"),
        ("value_tenge", "1 200 000"),
        ("description", f"Рюкзаки с канцтоварами. {marker}"),
        ("regions", "KZ-71"),
        ("consent_data", "y"),
    ]


RECIPES = [
    Recipe("appeals.new", "/kk/appeal", "appeal", "message", _appeal),
    Recipe("offers.new", "/kk/offer", "offer", "description", _offer),
]


def start_server(gunicorn, rate_limits: bool) -> Server:
    """The portal on 4 workers and a database of its own; rate limits through Redis when it runs."""
    env = {
        "FLASK_FROZEN_NOW": FROZEN_NOW,
        "FLASK_RATELIMIT_ENABLED": "true" if rate_limits else "false",
        **CHEAP_HASHING,
    }
    return gunicorn(f"load-{'limited' if rate_limits else 'open'}", workers=4, env=env,
                    store="redis" if rate_limits or redis_up() else None, args=("--graceful-timeout", "3"))


def request(base, method, path, body: bytes | None = None, headers: dict | None = None, timeout=20):
    conn = http.client.HTTPConnection(*base, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


@dataclass
class Outcome:
    acknowledged: list = field(default_factory=list)
    statuses: dict = field(default_factory=dict)
    errors: int = 0
    server_headers: set = field(default_factory=set)
    seconds: float = 0.0

    def add(self, status):
        self.statuses[status] = self.statuses.get(status, 0) + 1


def submit_one(base, recipe: Recipe, marker: str, outcome: Outcome, lock: threading.Lock):
    """GET the form (cookie, CSRF token, per-form token), POST it; count what the server says."""
    try:
        # As a browser asks: the form page comes as one gzip member pieced together per visitor.
        status, headers, body = request(base, "GET", recipe.path, headers={"Accept-Encoding": "gzip"})
        if status != 200:
            with lock:
                outcome.add(("GET", status))
            return
        html = (gzip.decompress(body) if headers.get("Content-Encoding") == "gzip" else body).decode()
        cookie = "; ".join(c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or [])
        data = recipe.build(html, marker)
        pairs = list(data.items()) if isinstance(data, dict) else list(data)
        for name in recipe.hidden:
            value = _hidden(html, name)
            if value is not None:
                pairs.append((name, value))
        status, headers, _body = request(
            base,
            "POST",
            recipe.path,
            urlencode(pairs).encode(),
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
        )
        with lock:
            outcome.add(status)
            outcome.server_headers.add(headers.get("Server"))
            if status in (200, 302, 303):
                outcome.acknowledged.append(marker)
    except (OSError, http.client.HTTPException):
        with lock:
            outcome.errors += 1  # connection reset by a killed worker: not acknowledged


def run_phase(server: Server, recipes, run_id: str, kill: bool, count: int = SUBMISSIONS) -> Outcome:
    outcome = Outcome()
    lock = threading.Lock()
    stop = threading.Event()
    kills = []

    def killer():
        while not stop.wait(KILL_EVERY):
            workers = server.workers()
            if workers:
                victim = workers[len(kills) % len(workers)]
                try:
                    os.kill(victim, signal.SIGKILL)
                    kills.append(victim)
                except ProcessLookupError:
                    pass

    thread = threading.Thread(target=killer, daemon=True) if kill else None
    if thread:
        thread.start()
    deadline = time.monotonic() + PHASE_DEADLINE
    pool = ThreadPoolExecutor(CONCURRENCY)
    started = time.monotonic()
    try:
        futures = []
        for n in range(count):
            recipe = recipes[n % len(recipes)]
            marker = f"LT{run_id}N{n:05d}X"
            futures.append(pool.submit(submit_one, server.base, recipe, marker, outcome, lock))
        for future in futures:
            future.result(timeout=max(0.1, deadline - time.monotonic()))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # in-flight requests end within their 20 s timeout
        stop.set()
        if thread:
            thread.join(10)
    outcome.seconds = time.monotonic() - started
    if kill:
        assert len(kills) >= 2, "the killer thread did not kill workers"
    return outcome


def check_database(database_url: str, recipes, outcome: Outcome):
    """Every acknowledged marker in exactly one row; SQLite's integrity_check ok."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
            found: dict[str, int] = {}
            for recipe in recipes:
                column = sa.column(recipe.column)
                stmt = sa.select(column).select_from(sa.table(recipe.table)).where(column.like("%LT%"))
                for (text,) in conn.execute(stmt):
                    for marker in re.findall(r"LT\w+?X", text or ""):
                        found[marker] = found.get(marker, 0) + 1
    finally:
        engine.dispose()
    missing = [m for m in outcome.acknowledged if m not in found]
    doubled = [m for m, c in found.items() if c > 1]
    assert not missing, f"{len(missing)} acknowledged submissions not in the database, e.g. {missing[:5]}"
    assert not doubled, f"submissions stored twice: {doubled[:5]}"


def _recipes():
    app = create_app(make_config("sqlite://"))
    with app.app_context():
        db.engine.dispose()
    present = [r for r in RECIPES if r.endpoint in app.view_functions]
    if not present:
        pytest.skip("no submission form (appeals.new, offers.new) in the URL map yet")
    return present


def test_no_acknowledged_submission_is_lost_even_when_workers_are_killed(gunicorn):
    recipes = _recipes()
    with start_server(gunicorn, rate_limits=False) as server:
        url = server.database_url
        calm = run_phase(server, recipes, secrets.token_hex(3), kill=False)
        assert not [s for s in calm.statuses if isinstance(s, int) and s >= 500], calm.statuses
        assert calm.errors == 0, calm.statuses
        assert len(calm.acknowledged) == SUBMISSIONS, calm.statuses
        check_database(url, recipes, calm)
        # gunicorn names itself without a version (gunicorn.conf.py), the app sends no Server header.
        for value in calm.server_headers:
            assert value is None or ("gunicorn" not in value.lower() and not re.search(r"\d", value)), value

        stormy = run_phase(server, recipes, secrets.token_hex(3), kill=True, count=STORM_SUBMISSIONS)
        assert not [s for s in stormy.statuses if isinstance(s, int) and s >= 500], stormy.statuses
        assert len(stormy.acknowledged) >= STORM_SUBMISSIONS // 2, (stormy.statuses, stormy.errors)
        check_database(url, recipes, stormy)
        assert server.alive, server.output()
    print(f"\ncalm: {calm.statuses} in {calm.seconds:.1f} s; with kill -9: {stormy.statuses}, "
          f"{stormy.errors} connections cut, in {stormy.seconds:.1f} s")


def test_rate_limit_holds_across_four_workers(gunicorn):
    """The staff sign-in allows 10 POSTs a minute per client: 30 POSTs spread over 4 workers, 10 pass."""
    with start_server(gunicorn, rate_limits=True) as server:
        statuses = []
        lock = threading.Lock()

        def attempt(_):
            status, headers, body = request(server.base, "GET", "/staff/login")
            cookie = "; ".join(c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or [])
            token = _hidden(body.decode(), "csrf_token") or ""
            form = urlencode({"email": "nobody@example.kz", "password": "wrong", "csrf_token": token}).encode()
            status, _h, _b = request(server.base, "POST", "/staff/login", form,
                                     {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
            with lock:
                statuses.append(status)

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(attempt, range(30)))
        workers = server.workers()
    assert len(workers) == 4
    # Wrong passwords answer 422 until the limit; the limit counts across all workers, once.
    assert statuses.count(429) == 30 - 10, statuses
    assert statuses.count(422) == 10, statuses
