"""Back-office timings on the bench dataset (issue 15): the staff lists, the dashboard and a bulk action over
500 items, with the number of SQL statements each sends.

Staff pages sit behind a password and a two-factor code, so they are timed in-process through Flask's test
client with a signed-in session (no wrk): the median of a few rounds, per request, one at a time.
"""

from __future__ import annotations

import secrets
import statistics
import time


def measure(url: str, now: str, rounds: int = 5) -> list[dict]:
    import pyotp
    import sqlalchemy as sa

    from portal import create_app
    from portal.appeals.models import Appeal
    from portal.extensions import db
    from portal.staff.models import StaffUser
    from portal.staff.passwords import hash_password

    app = create_app({
        "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "FROZEN_NOW": now, "TESTING": True,
        "WTF_CSRF_ENABLED": False, "RATELIMIT_STORAGE_URI": "memory://", "PAGE_VIEW_RATE_LIMIT": "",
    })
    password = "bench password " + secrets.token_hex(4)
    accounts = {}
    with app.app_context():
        for role, region in (("admin", None), ("coordinator", "KZ-71")):
            secret = pyotp.random_base32()
            user = StaffUser(email=f"bench-{role}-{secrets.token_hex(4)}@example.kz", role=role, region_code=region,
                             password_hash=hash_password(password), totp_secret=secret, totp_enabled=True,
                             language="ru")
            db.session.add(user)
            db.session.commit()
            accounts[role] = (user.email, secret)
        bulk_ids = [str(i) for i in db.session.scalars(
            sa.select(Appeal.id).where(Appeal.region_code == "KZ-71").order_by(Appeal.id).limit(500))]
        engine = db.engine

    clients = {}
    for role, (email, secret) in accounts.items():
        client = app.test_client()
        client.post("/staff/login", data={"email": email, "password": password})
        client.post("/staff/login/code", data={"code": pyotp.TOTP(secret).now()})
        clients[role] = client

    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(engine, "after_cursor_execute", count)
    rows = []

    def run(label, role, method, path, data=None, times=rounds):
        client = clients[role]
        durations, counts, status = [], [], None
        for _ in range(times):
            statements.clear()
            started = time.perf_counter()
            response = client.get(path) if method == "GET" else client.post(path, data=data)
            durations.append((time.perf_counter() - started) * 1000)
            counts.append(len(statements))
            status = response.status_code
        rows.append({"label": label, "role": role, "path": path, "status": status,
                     "median_ms": round(statistics.median(durations), 1), "max_ms": round(max(durations), 1),
                     "queries": max(counts)})

    try:
        run("dashboard (admin, 20 regions)", "admin", "GET", "/staff/")
        run("dashboard (coordinator)", "coordinator", "GET", "/staff/")
        run("appeals queue (admin)", "admin", "GET", "/staff/appeals/")
        run("appeals queue, overdue", "admin", "GET", "/staff/appeals/?state=overdue")
        run("appeals queue (coordinator)", "coordinator", "GET", "/staff/appeals/")
        run("appeals, page 200", "admin", "GET", "/staff/appeals/?page=200")
        run("offers queue (admin)", "admin", "GET", "/staff/offers/")
        run("offers queue, unassigned", "coordinator", "GET", "/staff/offers/?assignee=none")
        run("bulk: 500 appeals in progress", "coordinator", "POST", "/staff/appeals/bulk",
            {"ids": bulk_ids, "action": "status:in_progress"}, times=1)
        run("bulk: 500 appeals back to new", "coordinator", "POST", "/staff/appeals/bulk",
            {"ids": bulk_ids, "action": "status:new"}, times=1)
        run("bulk: export 500 appeals", "coordinator", "POST", "/staff/appeals/bulk",
            {"ids": bulk_ids, "action": "export"}, times=1)
    finally:
        sa.event.remove(engine, "after_cursor_execute", count)
        with app.app_context():
            db.engine.dispose()
    return rows


def print_rows(rows: list[dict]) -> None:
    print("\nback office (in-process, median of rounds):")
    for row in rows:
        print("  %-34s %4s %8.1f ms  %3d queries" % (row["label"], row["status"], row["median_ms"], row["queries"]))
