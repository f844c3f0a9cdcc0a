"""The appeal rate limits hold across gunicorn workers, with the default store and with Redis.

Per-process memory multiplied a limit by the number of workers (the pentest's appeals were
refused only at the 7th try of 5). The default store is a SQLite file in instance/ shared by
the workers of one machine; ``RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379`` shares it between
machines. Four real workers, limits of 5 per minute: exactly 5 requests of each kind get
through, and the access log shows that several workers answered.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

pytestmark = pytest.mark.slow

LIMIT = 5
REQUESTS = 14


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


def _limits_hold_across_four_workers(gunicorn, store: str | None):
    from portal.appeals.receipts import has_valid_check_digit

    assert has_valid_check_digit(UNKNOWN_CODE.decode().split("=")[1])
    env = {
        "FLASK_APPEAL_CHECK_RATE_LIMIT": f"{LIMIT} per minute",
        "FLASK_APPEAL_RATE_LIMIT": f"{LIMIT} per minute",
        # Production hashing cost and no CSRF: each allowed check does the slow hash, so
        # concurrent requests overlap and several workers take them.
        "FLASK_WTF_CSRF_ENABLED": "false",
    }
    # gunicorn's plain logger, which (unlike the shipped one) logs the appeal path: to see which worker answered.
    args = ("--access-logformat", "%(p)s %(s)s %(U)s", "--logger-class", "gunicorn.glogging.Logger")
    with gunicorn(f"appeal-workers-{store or 'default'}", workers=4, store=store, env=env, access_log=True,
                  args=args) as server:
        base = server.url
        # Concurrent requests keep several sync workers busy at once, so more than one answers.
        with ThreadPoolExecutor(max_workers=4) as pool:
            checks = list(pool.map(lambda _i: _post(base + "/en/appeal/check"), range(REQUESTS)))
            # Real appeals (only a taken report counts toward the limit): 5 receipts, then 429.
            bodies = [_appeal_body(base) for _ in range(REQUESTS)]
            sends = list(pool.map(lambda body: _post_form(base + "/en/appeal", body), bodies))
        assert checks.count(429) == REQUESTS - LIMIT, checks
        assert all(s in (400, 422, 429) for s in checks), checks
        assert sends.count(200) == LIMIT and sends.count(429) == REQUESTS - LIMIT, sends
    log = server.access_log.read_text()
    lines = [line.split() for line in log.splitlines() if "/en/appeal" in line]
    workers = {pid for pid, _status, _path in lines}
    assert len(workers) >= 2, f"all requests went to one worker: {lines}"
    # The access log names no client: the format is the one gunicorn.conf.py is overridden with here.
    assert not any(re.search(r"\b127\.0\.0\.1\b", line) for line in log.splitlines())


def test_limits_hold_across_four_workers_with_the_default_store(gunicorn):
    """No Redis, no setting: the shipped default (a SQLite file in instance/) counts once for all workers."""
    _limits_hold_across_four_workers(gunicorn, None)


def test_limits_hold_across_four_workers_with_redis(gunicorn):
    _limits_hold_across_four_workers(gunicorn, "redis")
