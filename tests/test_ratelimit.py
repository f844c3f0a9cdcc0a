"""Rate limits per visitor behind a reverse proxy (portal/ratelimit.py, issue 8).

Behind nginx every request arrives from the proxy's address: without ``PROXY_HOPS`` one visitor
using up the staff sign-in limit would lock out everyone. With it, the limiter keys on the address
the proxy saw, and a client cannot dodge its limit by writing its own X-Forwarded-For.
"""

from __future__ import annotations

import pytest

from portal import create_app
from portal.extensions import db
from tests.conftest import make_config

LIMIT = 3


@pytest.fixture
def limited(database_url, app):
    def make(hops):
        made = create_app(make_config(
            database_url, RATELIMIT_ENABLED=True, STAFF_SIGN_IN_RATE_LIMIT=f"{LIMIT} per minute",
            PROXY_HOPS=hops, RATELIMIT_KEY_PREFIX=f"proxy-test-{hops}",
        ))
        made_apps.append(made)
        return made

    made_apps = []
    yield make
    for made in made_apps:
        with made.app_context():
            db.engine.dispose()


def sign_in_attempts(app, forwarded_for: str, count: int) -> list[int]:
    client = app.test_client()
    return [
        client.post("/staff/login", data={"email": "nobody@example.kz", "password": "wrong"},
                    headers={"X-Forwarded-For": forwarded_for}).status_code
        for _ in range(count)
    ]


def test_behind_a_proxy_each_visitor_has_their_own_limit(limited):
    app = limited(1)
    first = sign_in_attempts(app, "203.0.113.7", LIMIT + 1)
    assert first[-1] == 429 and 429 not in first[:-1]
    assert 429 not in sign_in_attempts(app, "203.0.113.8", LIMIT)


def test_a_client_cannot_dodge_its_limit_with_its_own_header(limited):
    app = limited(1)
    sign_in_attempts(app, "203.0.113.7", LIMIT)
    # The proxy appends the address it saw; what the client wrote in front is ignored.
    assert sign_in_attempts(app, "198.51.100.1, 203.0.113.7", 1) == [429]


def test_without_proxy_hops_the_header_is_ignored(limited):
    app = limited(0)
    sign_in_attempts(app, "203.0.113.7", LIMIT)
    assert sign_in_attempts(app, "203.0.113.8", 1) == [429]
