"""Real gunicorn servers for the tests and for ``make bench``: one home for starting, waiting and stopping them.

Some things only show with real workers: rate limits counted once across them, the shipped access
log, ``kill -9`` under load, the newcomer's ``make run``. :class:`Server` runs
``gunicorn -c gunicorn.conf.py <app>`` on a free 127.0.0.1 port in a process group of its own, waits
(a bounded number of attempts) until it answers, and fails with the tail of its log when it does not;
stopping sends SIGTERM to the group, waits, then SIGKILL. :func:`start_portal` first gives it a database
of its own (migrated and seeded; a SQLite file, or a fresh PostgreSQL database from
``TEST_DATABASE_URL`` dropped once the server has stopped). The ``gunicorn`` fixture at the bottom hands
out such servers to tests (registered in ``tests/conftest.py``).

It lives in ``tests/`` because the tests are its main users; ``bench/run.py`` and ``bench/lighthouse.py``
import it as ``tests.servers`` (they put the project root on ``sys.path`` for ``portal`` already).
Nothing here imports the test configuration at module level, so the benchmark never loads it.
Only processes this module started are signalled, never anything found by name.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/0"
# Argon2 for appeal receipts at its cheapest (its production cost is for attackers, not for test runs).
CHEAP_HASHING = {"FLASK_APPEAL_HASH_TIME_COST": "1", "FLASK_APPEAL_HASH_MEMORY_KIB": "64"}
# The calling shell's settings that would change the server under test: it gets only what it is given
# (HOST, PORT and WEB_CONCURRENCY are always set by the Server).
NOT_INHERITED = ("FLASK_", "TEST_", "RATELIMIT_", "DATABASE_URL")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def environment(env: dict) -> dict:
    """The caller's environment less :data:`NOT_INHERITED`, plus ``env``, with the project importable."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith(NOT_INHERITED)}, "PYTHONPATH": str(ROOT), **env}


def run_flask(env: dict, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """``flask <args>`` for the portal with ``env``, as an operator types it (output captured as text)."""
    return subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env={**env, "FLASK_APP": "wsgi"},
                          capture_output=True, text=True, timeout=timeout)


class ServerDidNotStart(RuntimeError):
    """gunicorn exited, or did not answer in the attempts it was given; the message ends with its log."""


class Server:
    """``gunicorn -c gunicorn.conf.py <app>`` on a free 127.0.0.1 port, running once constructed.

    ``env`` is added to the caller's environment (less :data:`NOT_INHERITED`); ``cleanup`` (an
    :class:`~contextlib.ExitStack`, e.g. the database's) is closed after the server has stopped.
    A context manager: leaving the block stops it.
    """

    def __init__(self, env: dict, *, app: str = "wsgi:app", workers: int = 2, args=(), log: Path,
                 ready_path: str = "/healthz", attempts: int = 300, cleanup: ExitStack | None = None):
        self.app = app
        self.port = free_port()
        self.base = ("127.0.0.1", self.port)
        self.url = "http://127.0.0.1:%d" % self.port
        self.env = environment({**env, "HOST": "127.0.0.1", "PORT": str(self.port), "WEB_CONCURRENCY": str(workers)})
        self.database_url = self.env.get("DATABASE_URL")
        self.log_path = Path(log)
        self.access_log: Path | None = None
        self._cleanup = cleanup or ExitStack()
        self._stopped = False
        self._log = open(self.log_path, "w+b")
        self.process = subprocess.Popen(
            # No control socket: its default path (~/.gunicorn/gunicorn.ctl) is one per user, so servers
            # running side by side (two here, others' test runs) would take it from each other.
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--no-control-socket", *args, app],
            cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            self._wait_until_ready(ready_path, attempts)
        except BaseException:
            self.stop()
            raise

    def _wait_until_ready(self, path: str, attempts: int) -> None:
        for _ in range(attempts):
            if self.process.poll() is not None:
                raise ServerDidNotStart(f"gunicorn ({self.app}) exited with {self.process.returncode}:\n"
                                        + self.output())
            try:
                conn = http.client.HTTPConnection(*self.base, timeout=2)
                try:
                    conn.request("GET", path)
                    if conn.getresponse().status == 200:
                        return
                finally:
                    conn.close()
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.2)
        raise ServerDidNotStart(f"gunicorn ({self.app}) did not answer {path} with 200 in {attempts} attempts:\n"
                                + self.output())

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def output(self, limit: int = 4000) -> str:
        """The end of gunicorn's own output (start-up, errors; the access log too unless sent elsewhere)."""
        if self._log.closed:
            return self.log_path.read_bytes().decode(errors="replace")[-limit:]
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-limit:]

    def workers(self) -> list[int]:
        """Process ids of the master's current workers (from /proc)."""
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

    def flask(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        """``flask <args>`` against this server's database and settings."""
        return run_flask(self.env, *args, timeout=timeout)

    def _signal_group(self, signum: int) -> None:
        try:
            os.killpg(self.process.pid, signum)  # the group this server's master leads (start_new_session)
        except ProcessLookupError:
            pass

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM to the server's process group, SIGKILL after ``timeout`` s; then the cleanup (database).

        Once only: a second call (the end of a ``with`` block, then the session's) does nothing.
        """
        if self._stopped:
            return
        self._stopped = True
        try:
            if self.process.poll() is None:
                self._signal_group(signal.SIGTERM)
                try:
                    self.process.wait(timeout)
                except subprocess.TimeoutExpired:
                    self._signal_group(signal.SIGKILL)
                    self.process.wait(10)
        finally:
            self._log.close()
            self._cleanup.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_portal(tmp: Path, name: str = "portal", *, workers: int = 2, env: dict | None = None, demo: bool = False,
                 setup: str = "app", store: str | None = None, access_log: bool = False, args=(),
                 attempts: int = 300) -> Server:
    """The portal on a database of its own, served by gunicorn with ``workers`` workers.

    The database is a SQLite file in ``tmp`` or, with ``TEST_DATABASE_URL``, a fresh PostgreSQL
    database dropped when the server stops. ``setup="app"`` migrates and seeds it in this process
    (reference data, and demo data with ``demo``); ``setup="cli"`` runs ``flask db upgrade heads``,
    ``flask seed reference`` (and ``seed demo``) as ``make run`` does. ``store`` is the rate limits'
    storage: ``None`` the shipped default, ``"redis"`` the local Redis, or any storage URI; each
    server counts under a key prefix of its own. ``access_log`` writes gunicorn's access log to
    ``server.access_log``. ``env`` adds to (or overrides) the settings given here.
    """
    from portal import create_app
    from tests.databases import make_config, migrate_and_seed, throwaway_database

    cleanup = ExitStack()
    try:
        url = cleanup.enter_context(throwaway_database(tmp, name))
        settings = {
            "DATABASE_URL": url,
            "FLASK_SECRET_KEY": secrets.token_hex(32),
            "FLASK_APPEAL_PEPPER": secrets.token_hex(16),
            "FLASK_RATELIMIT_KEY_PREFIX": f"{name}-{secrets.token_hex(6)}",
        }
        if store:
            settings["RATELIMIT_STORAGE_URI"] = REDIS_URL if store == "redis" else store
        settings.update(env or {})
        if setup == "cli":
            for command in [["db", "upgrade", "heads"], ["seed", "reference"]] + ([["seed", "demo"]] if demo else []):
                done = run_flask(environment(settings), *command)
                if done.returncode:
                    raise RuntimeError(f"flask {' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
        else:
            migrate_and_seed(create_app(make_config(url)), demo=demo)
        if access_log:
            args = ("--access-logfile", str(tmp / "access.log"), *args)
        server = Server(settings, workers=workers, args=args, log=tmp / "gunicorn.log", attempts=attempts,
                        cleanup=cleanup)
    except BaseException:
        cleanup.close()
        raise
    if access_log:
        server.access_log = tmp / "access.log"
    return server


@pytest.fixture(scope="session")
def gunicorn(tmp_path_factory):
    """``gunicorn(name, **settings)`` → a running portal :class:`Server` (settings: :func:`start_portal`).

    Asked again in the session with the same name and settings, it hands back the same server (one
    start-up and one database for tests that can share them); a test that uses up state, such as
    rate-limit counters, names a server of its own. ``with gunicorn(...) as server:`` stops it (and
    drops its database) at the end of the block, pass or fail; whatever is still running stops at the
    end of the session. ``store="redis"`` skips the test when Redis is not running.
    """
    servers: dict[str, Server] = {}

    def start(name: str = "portal", **settings) -> Server:
        if settings.get("store") == "redis" and not redis_up():
            pytest.skip("Redis is not running on 127.0.0.1:6379")
        key = json.dumps([name, settings], sort_keys=True, default=str)
        server = servers.get(key)
        if server is None or not server.alive:
            server = servers[key] = start_portal(tmp_path_factory.mktemp(name), name, **settings)
        return server

    yield start
    for server in servers.values():
        server.stop()
