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
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.extensions import db
from tests.conftest import FROZEN_NOW, ROOT, make_config, migrate_and_seed, throwaway_database

pytestmark = pytest.mark.slow

SUBMISSIONS = int(os.environ.get("LOAD_SUBMISSIONS", 1000))
STORM_SUBMISSIONS = int(os.environ.get("LOAD_STORM_SUBMISSIONS", SUBMISSIONS))
CONCURRENCY = 50
PHASE_DEADLINE = 150  # seconds, per phase
KILL_EVERY = 2.0
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"


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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class Server:
    """gunicorn -c gunicorn.conf.py wsgi:app on a free loopback port, 4 workers."""

    def __init__(self, database_url: str, tmp: Path, rate_limits: bool):
        self.port = _free_port()
        self.base = ("127.0.0.1", self.port)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "TEST_"))}
        env.update(
            DATABASE_URL=database_url,
            FLASK_SECRET_KEY=secrets.token_hex(32),
            HOST="127.0.0.1",
            PORT=str(self.port),
            WEB_CONCURRENCY="4",
            PYTHONPATH=str(ROOT),
            FLASK_FROZEN_NOW=FROZEN_NOW,
            FLASK_APPEAL_PEPPER=secrets.token_hex(16),
            FLASK_APPEAL_HASH_TIME_COST="1",
            FLASK_APPEAL_HASH_MEMORY_KIB="64",
            FLASK_RATELIMIT_ENABLED="true" if rate_limits else "false",
            FLASK_RATELIMIT_KEY_PREFIX="loadtest-" + secrets.token_hex(6),
        )
        if _redis_up():
            env["RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:6379/0"
        self.log = open(tmp / f"gunicorn-{self.port}.log", "w+b")
        self.process = subprocess.Popen(
            [str(GUNICORN), "-c", "gunicorn.conf.py", "--graceful-timeout", "3", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited: " + self.output())
            try:
                status, _h, _b = request(self.base, "GET", "/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer in 40 s: " + self.output())

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def workers(self) -> list[int]:
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    pids.append(int(entry))
        return pids

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self.log.close()


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


@pytest.fixture(scope="module")
def fresh_database(tmp_path_factory):
    """A migrated database of its own (SQLite file, or PostgreSQL with TEST_DATABASE_URL)."""
    tmp = tmp_path_factory.mktemp("load")
    with throwaway_database(tmp, "load") as url:
        app = create_app(make_config(url))
        migrate_and_seed(app)
        yield url, tmp


def _recipes(database_url):
    app = create_app(make_config(database_url))
    with app.app_context():
        db.engine.dispose()
    present = [r for r in RECIPES if r.endpoint in app.view_functions]
    if not present:
        pytest.skip("no submission form (appeals.new, offers.new) in the URL map yet")
    return present


def test_no_acknowledged_submission_is_lost_even_when_workers_are_killed(fresh_database):
    url, tmp = fresh_database
    recipes = _recipes(url)
    server = Server(url, tmp, rate_limits=False)
    try:
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
        assert server.process.poll() is None, server.output()
    finally:
        server.stop()
    print(f"\ncalm: {calm.statuses} in {calm.seconds:.1f} s; with kill -9: {stormy.statuses}, "
          f"{stormy.errors} connections cut, in {stormy.seconds:.1f} s")


def test_rate_limit_holds_across_four_workers(fresh_database):
    """The staff sign-in allows 10 POSTs a minute per client: 30 POSTs spread over 4 workers, 10 pass."""
    if not _redis_up():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    url, tmp = fresh_database
    server = Server(url, tmp, rate_limits=True)
    try:
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
    finally:
        server.stop()
    assert len(workers) == 4
    # Wrong passwords answer 422 until the limit; the limit counts across all workers, once.
    assert statuses.count(429) == 30 - 10, statuses
    assert statuses.count(422) == 10, statuses
