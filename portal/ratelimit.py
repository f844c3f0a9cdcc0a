"""Rate-limit keys that tell one client from another for an hour and can never be turned back into an address.

This is the only place in the portal that reads the client address.

Keys
----
A limiter key is ``HMAC-SHA256(hour secret, form ∥ address)``, cut to 128 bits:

* **per form**: the form family (the blueprint: ``appeals``, ``offers``, ``staff``, ``ready`` …)
  is part of the message, so the key an address gets on the appeal form and the key it gets
  on the offer form or at staff sign-in are unrelated. The limiter store cannot link an
  anonymous appeal to an identified offer sent from the same address.
* **forgotten every hour**: the hour secret is 32 random bytes (``secrets``), not derived from
  anything. It is created by whichever worker needs it first and kept *only* in the shared
  limiter store, with an expiry at the end of its hour (plus a minute); workers cache it in
  memory for that hour. It is never written to the configuration, a log or the database.
  Once the hour is over nobody — not the operator, not someone holding ``SECRET_KEY`` or a
  copy of the store made later — can recompute a past key, so trying all 2³² IPv4 addresses
  against old keys is impossible. (During the hour whoever reads the store can try addresses
  against the current keys: the limiter must recognise a client, and an hour is the window.)

Per-account limits (``account_token``) use the same secret with the account name in place of
the address, so an account's counter cannot be linked to an address either.

Store
-----
``RATELIMIT_STORAGE_URI``; by default ``sqlite:///<instance>/ratelimit.sqlite3``: a small SQLite
file shared by every gunicorn worker of one machine, so a limit of 5 is 5 whatever the number of
workers (per-process ``memory://`` multiplied it). Counters and hour secrets expire and are
deleted with ``PRAGMA secure_delete`` (the freed bytes are overwritten); nothing in it needs a
backup. With several machines use ``redis://…`` (the secret is ``SET NX EX`` there). ``memory://``
is for tests and single-process tools only.

Behind a reverse proxy every request comes from the proxy's address, so one visitor's limit
would be everybody's: with ``PROXY_HOPS = n`` (``FLASK_PROXY_HOPS``; 1 behind one nginx)
Werkzeug's ProxyFix takes the address the n-th proxy from the end saw, and nothing earlier in
a header a client could write. Leave it 0 when gunicorn faces the network itself.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sqlite3
import threading
import time

from flask import current_app, request
from flask_limiter import Limiter
from limits.storage import Storage
from werkzeug.middleware.proxy_fix import ProxyFix

HOUR = 3600
SECRET_GRACE = 60  # a request that began in the last second of an hour still finds its secret

_secrets: dict[int, tuple[int, bytes]] = {}  # id(storage) -> (hour, secret): memory of this process only
_secrets_lock = threading.Lock()


def _hour() -> int:
    return int(time.time() // HOUR)


def _storage():
    return limiter.storage


def hour_secret(storage=None, hour: int | None = None) -> bytes:
    """This hour's random secret, the same in every worker that shares ``storage``."""
    storage = storage if storage is not None else _storage()
    hour = _hour() if hour is None else hour
    cached = _secrets.get(id(storage))
    if cached and cached[0] == hour:
        return cached[1]
    expires_in = (hour + 1) * HOUR + SECRET_GRACE - time.time()
    name = "portal-ratelimit-secret:%d" % hour
    if isinstance(storage, SQLiteStorage):
        secret = storage.shared_secret(name, expires_in)
    elif "redis" in type(storage).__module__:  # redis://, redis+sentinel://, redis+cluster://
        client = storage.storage
        key = (current_app.config.get("RATELIMIT_KEY_PREFIX") or "") + name
        client.set(key, secrets.token_hex(32), nx=True, ex=max(1, int(expires_in)))
        value = client.get(key)
        secret = bytes.fromhex(value.decode() if isinstance(value, bytes) else value)
    else:  # memory:// — one process, so a secret of its own is shared by everything that counts here
        secret = secrets.token_bytes(32)
    with _secrets_lock:
        if len(_secrets) > 32:
            _secrets.clear()
        _secrets[id(storage)] = (hour, secret)
    return secret


def _token(kind: bytes, scope: str, subject: str, secret: bytes | None = None) -> str:
    secret = secret if secret is not None else hour_secret()
    message = kind + b"\x00" + scope.encode() + b"\x00" + subject.encode("utf-8", "surrogatepass")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def form_scope() -> str:
    """The form family a request belongs to: its blueprint (``appeals``, ``offers``, ``staff`` …)."""
    return request.blueprint or "site"


def client_token(scope: str | None = None) -> str:
    """Opaque key for the requesting client on one form family for this hour (the limiter's key function)."""
    address = request.remote_addr or "unknown"  # behind proxies: as set by ProxyFix (init_app)
    return _token(b"address", scope or form_scope(), address)


def account_token(scope: str, account: str) -> str:
    """Opaque key for one account on one step (sign-in, two-factor), for per-account limits."""
    return _token(b"account", scope, account.strip().lower())


def refund() -> None:
    """Give back what this request took from its limits (a refused form that took nothing costs no attempt).

    Counting up front and refunding holds a limit under concurrency; counting only afterwards
    (Flask-Limiter's ``deduct_when``) let every request that overlapped in time pass the check
    before any was counted: 8 appeals passed a limit of 5 on 4 workers.
    """
    for taken in limiter.current_limits:
        if not taken.breached:
            limiter.storage.incr(taken.key, taken.limit.get_expiry(), amount=-1)


class SQLiteStorage(Storage):
    """A fixed-window counter store in one SQLite file, shared by the workers of one machine.

    ``sqlite:///absolute/path.sqlite3``. Each operation is one short ``BEGIN IMMEDIATE`` transaction;
    counters do not need to survive a power cut, so ``synchronous=OFF``. Created 0600.
    """

    STORAGE_SCHEME = ["sqlite"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = uri.split("://", 1)[1]
        if self.path.startswith("/") and self.path[1:2] == "/":
            self.path = self.path[1:]  # sqlite:////abs/path
        self._local = threading.local()
        self._calls = 0

    @property
    def base_exceptions(self):
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid == os.getpid():
            return conn
        directory = os.path.dirname(self.path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if not os.path.exists(self.path):
            try:
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except FileExistsError:
                pass
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout=10000")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA secure_delete=ON")
        conn.execute("CREATE TABLE IF NOT EXISTS counter (key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires REAL NOT NULL)")
        conn.execute("CREATE TABLE IF NOT EXISTS secret (name TEXT PRIMARY KEY, value BLOB NOT NULL, expires REAL NOT NULL)")
        self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def _write(self, work):
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = work(conn, time.time())
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return result

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        def work(conn, now):
            self._calls += 1
            if self._calls % 500 == 0:
                self._purge(conn, now)
            conn.execute("DELETE FROM counter WHERE key = ? AND expires <= ?", (key, now))
            row = conn.execute(
                "INSERT INTO counter (key, count, expires) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET count = count + excluded.count RETURNING count",
                (key, amount, now + expiry),
            ).fetchone()
            return int(row[0])

        return self._write(work)

    def get(self, key: str) -> int:
        row = self._connection().execute(
            "SELECT count FROM counter WHERE key = ? AND expires > ?", (key, time.time())
        ).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._connection().execute("SELECT expires FROM counter WHERE key = ?", (key,)).fetchone()
        return float(row[0]) if row else time.time()

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._write(lambda conn, _now: conn.execute("DELETE FROM counter").rowcount)

    def clear(self, key: str) -> None:
        self._write(lambda conn, _now: conn.execute("DELETE FROM counter WHERE key = ?", (key,)))

    def shared_secret(self, name: str, expires_in: float) -> bytes:
        """The value stored under ``name`` (created at random if absent) until it expires; then deleted."""

        def work(conn, now):
            gone = self._purge(conn, now)
            conn.execute(
                "INSERT OR IGNORE INTO secret (name, value, expires) VALUES (?, ?, ?)",
                (name, secrets.token_bytes(32), now + expires_in),
            )
            return bytes(conn.execute("SELECT value FROM secret WHERE name = ?", (name,)).fetchone()[0]), gone

        value, gone = self._write(work)
        if gone:
            self._checkpoint()
        return value

    @staticmethod
    def _purge(conn, now: float) -> int:
        gone = conn.execute("DELETE FROM secret WHERE expires <= ?", (now,)).rowcount
        conn.execute("DELETE FROM counter WHERE expires <= ?", (now,))
        return gone

    def _checkpoint(self) -> None:
        """Copy the log into the file and empty it, so a deleted secret's old page is not left in the -wal file."""
        self._connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def forget_expired(self) -> None:
        """Delete expired secrets and counters now (also done whenever a new hour's secret is made)."""
        self._write(self._purge)
        self._checkpoint()


def default_storage_uri(instance_path: str) -> str:
    return "sqlite:///" + os.path.join(instance_path, "ratelimit.sqlite3")


def init_app(app) -> None:
    """Trust ``PROXY_HOPS`` reverse proxies for the client address the limiter keys on."""
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=0, x_host=0, x_port=0, x_prefix=0)


# Storage from RATELIMIT_STORAGE_URI: the SQLite store above, in instance/, shared by the workers of one
# machine by default; redis://… with several machines. Keys from client_token(), never the address.
limiter = Limiter(key_func=client_token, default_limits=[], headers_enabled=False)


@limiter.request_filter
def _reads_are_not_limited() -> bool:
    """Every limit in the portal is on a write (``methods=["POST"]``): a page view skips the limiter."""
    return request.method in ("GET", "HEAD", "OPTIONS")
