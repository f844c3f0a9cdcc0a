"""The gunicorn harness of the tests and the benchmark (tests/servers.py) as its users meet it.

A server that cannot start fails at once with its own log; a server whose test fails leaves no
process and no PostgreSQL database behind.
"""

from __future__ import annotations

import os
import time
import urllib.request

import pytest
import sqlalchemy as sa

from portal.database import normalise_url
from tests.servers import Server, ServerDidNotStart, start_portal

pytestmark = pytest.mark.slow


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"  # a zombie has exited
    except FileNotFoundError:
        return True


def test_a_server_that_cannot_start_fails_at_once_with_its_log(tmp_path):
    started = time.monotonic()
    with pytest.raises(ServerDidNotStart) as failure:
        Server({}, app="no_such_module:app", workers=1, log=tmp_path / "gunicorn.log")
    assert time.monotonic() - started < 60  # the master exits; nobody waits out the attempts
    assert "no_such_module" in str(failure.value)  # gunicorn's own words, from its log


def test_a_failing_test_leaves_no_process_and_no_database_behind(tmp_path):
    with pytest.raises(AssertionError, match="the test failed"):
        with start_portal(tmp_path, "harness", workers=2) as server:
            with urllib.request.urlopen(server.url + "/healthz", timeout=10) as response:  # noqa: S310 (loopback)
                assert response.status == 200
            processes = [server.process.pid, *server.workers()]
            assert len(processes) == 3
            raise AssertionError("the test failed")
    for _ in range(50):  # the workers are children of the master: reaped by it, or by init once it is gone
        if all(_gone(pid) for pid in processes):
            break
        time.sleep(0.1)
    assert all(_gone(pid) for pid in processes)
    url = sa.make_url(server.database_url)
    if url.get_backend_name() == "postgresql":
        admin = sa.create_engine(normalise_url(os.environ["TEST_DATABASE_URL"]))
        try:
            with admin.connect() as conn:
                names = set(conn.exec_driver_sql("SELECT datname FROM pg_database").scalars())
        finally:
            admin.dispose()
        assert url.database not in names
