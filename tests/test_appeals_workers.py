"""The appeal rate limits hold across gunicorn workers, with the default store and with Redis.

Per-process memory multiplied a limit by the number of workers (the pentest's appeals were
refused only at the 7th try of 5). The default store is a SQLite file in instance/ shared by
the workers of one machine; ``RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379`` shares it between
machines. Four real workers, limits of 5 per minute: exactly 5 requests of each kind get
through, and the access log shows that several workers answered.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from portal import create_app
from tests.conftest import ROOT, make_config, migrate_and_seed

pytestmark = pytest.mark.slow

LIMIT = 5
REQUESTS = 14


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


UNKNOWN_CODE = b"code=100000000000000000001"  # well formed (Damm check digit 1), matches nothing


def _post(url: str) -> int:
    request = urllib.request.Request(url, data=UNKNOWN_CODE, method="POST", headers={"Connection": "close"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (our own loopback server)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _post_form(url: str, body: bytes) -> int:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Connection": "close"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (our own loopback server)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _appeal_body(base: str) -> bytes:
    from urllib.parse import urlencode

    with urllib.request.urlopen(base + "/en/appeal", timeout=10) as response:  # noqa: S310 (loopback)
        html = response.read().decode()
    nonce = re.search(r'name="nonce" type="hidden" value="([^"]*)"', html).group(1)
    return urlencode({
        "nonce": nonce, "category": "forced_fees", "region": "KZ-71", "settlement": "School No. 12",
        "message": "The school asks every family for 15 000 tenge for new curtains, or the child cannot start.",
        "submit": "1",
    }).encode()


def _limits_hold_across_four_workers(tmp_path, storage_uri: str | None):
    from portal.appeals.receipts import has_valid_check_digit

    assert has_valid_check_digit(UNKNOWN_CODE.decode().split("=")[1])
    url = "sqlite:///" + str(tmp_path / "workers.sqlite3")
    migrate_and_seed(create_app(make_config(url)))
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items()
           if not k.startswith(("FLASK_", "TEST_DATABASE", "RATELIMIT_"))},
        "DATABASE_URL": url,
        "FLASK_SECRET_KEY": secrets.token_hex(16),
        "FLASK_RATELIMIT_KEY_PREFIX": "appeal-workers-test-" + secrets.token_hex(4),
        "FLASK_APPEAL_CHECK_RATE_LIMIT": f"{LIMIT} per minute",
        "FLASK_APPEAL_RATE_LIMIT": f"{LIMIT} per minute",
        "FLASK_APPEAL_PEPPER": "workers-test-pepper",
        # Production hashing cost and no CSRF: each allowed check does the slow hash, so
        # concurrent requests overlap and several workers take them.
        "FLASK_WTF_CSRF_ENABLED": "false",
        "WEB_CONCURRENCY": "4",
        "PORT": str(port),
    }
    if storage_uri:
        env["RATELIMIT_STORAGE_URI"] = storage_uri
    log = tmp_path / "access.log"
    server = subprocess.Popen(
        # gunicorn's plain logger, which (unlike the shipped one) logs the appeal path: to see which worker answered.
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile", str(log),
         "--access-logformat", "%(p)s %(s)s %(U)s", "--logger-class", "gunicorn.glogging.Logger", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):  # up to ~20 s for four workers to boot
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")
        # Concurrent requests keep several sync workers busy at once, so more than one answers.
        with ThreadPoolExecutor(max_workers=4) as pool:
            checks = list(pool.map(lambda _i: _post(base + "/en/appeal/check"), range(REQUESTS)))
            # Real appeals (only a taken report counts toward the limit): 5 receipts, then 429.
            bodies = [_appeal_body(base) for _ in range(REQUESTS)]
            sends = list(pool.map(lambda body: _post_form(base + "/en/appeal", body), bodies))
        assert checks.count(429) == REQUESTS - LIMIT, checks
        assert all(s in (400, 422, 429) for s in checks), checks
        assert sends.count(200) == LIMIT and sends.count(429) == REQUESTS - LIMIT, sends
    finally:
        server.terminate()
        server.wait(timeout=30)
    lines = [line.split() for line in log.read_text().splitlines() if "/en/appeal" in line]
    workers = {pid for pid, _status, _path in lines}
    assert len(workers) >= 2, f"all requests went to one worker: {lines}"
    # The access log names no client: the format is the one gunicorn.conf.py is overridden with here.
    assert not any(re.search(r"\b127\.0\.0\.1\b", line) for line in log.read_text().splitlines())


def test_limits_hold_across_four_workers_with_the_default_store(tmp_path):
    """No Redis, no setting: the shipped default (a SQLite file in instance/) counts once for all workers."""
    _limits_hold_across_four_workers(tmp_path, None)


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_limits_hold_across_four_workers_with_redis(tmp_path):
    _limits_hold_across_four_workers(tmp_path, "redis://127.0.0.1:6379")
