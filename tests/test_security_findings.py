"""The penetration test's findings (issue 22), one test (or a few) per finding.

Each test failed on the code the pentest saw; the module named in each section holds the fix.
"""

from __future__ import annotations

import re

import pytest

from portal.appeals.models import Appeal
from portal.extensions import db
from tests.test_appeals import hidden, receipt_code, submit


@pytest.fixture
def csrf_app(app):
    app.config.update(
        WTF_CSRF_ENABLED=True, APPEAL_PEPPER="test-pepper", APPEAL_HASH_TIME_COST=1, APPEAL_HASH_MEMORY_KIB=64,
    )
    return app


def _digits(response) -> str:
    return re.sub(r"\D", "", response.get_data(as_text=True))


# --- a receipt is shown once (portal/appeals/routes.py: confirm) ------------------------------


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_a_replayed_confirm_never_shows_the_receipt_again(csrf_app, token):
    client = csrf_app.test_client()
    response, _data = submit(client)
    html = response.get_data(as_text=True)
    code = receipt_code(html)
    nonce = hidden(html, "nonce")
    confirmed = client.post("/en/appeal/confirm", data={
        "csrf_token": hidden(html, "csrf_token"), "nonce": nonce, "last_digits": code[-5:]})
    assert confirmed.status_code == 302
    replay = {"nonce": nonce, "last_digits": "00000"}
    if token:
        replay["csrf_token"] = token
    for attacker in (client, csrf_app.test_client()):  # the same device, and another one
        again = attacker.post("/en/appeal/confirm", data=replay)
        assert again.status_code == 400
        assert 'class="receipt-code"' not in again.get_data(as_text=True)
        assert code not in _digits(again)
    # With a valid token too (the reporter's own session): the done page, no code.
    valid = client.post("/en/appeal/confirm", data={
        "csrf_token": hidden(html, "csrf_token"), "nonce": nonce, "last_digits": code[-5:]})
    assert valid.status_code == 302 and code not in _digits(valid)


def test_a_confirm_without_a_valid_token_shows_the_form_but_not_the_code(csrf_app):
    client = csrf_app.test_client()
    response, _data = submit(client)
    html = response.get_data(as_text=True)
    code = receipt_code(html)
    stranger = csrf_app.test_client().post("/en/appeal/confirm", data={"nonce": hidden(html, "nonce"), "last_digits": "1"})
    assert stranger.status_code == 400
    page = stranger.get_data(as_text=True)
    assert 'class="receipt-code"' not in page and code not in _digits(stranger)
    assert 'name="last_digits"' in page and "expired" in page
    # The reporter can still confirm with a valid token.
    with csrf_app.app_context():
        assert not db.session.scalar(db.select(Appeal.receipt_confirmed))


# --- limits that hold: no header skips a limit on a write (portal/forms.py: is_inline_validation) ---


def test_htmx_validation_headers_do_not_skip_the_offer_limit_on_a_real_submission(app, client):
    from tests.test_offers import count, form_token, offer_data

    app.config["OFFER_RATE_LIMIT"] = "3 per minute"
    headers = {"HX-Request": "true", "X-Validate-Field": "not-a-field"}
    statuses = [client.post("/en/offer", data=offer_data(form_token(client)), headers=headers).status_code
                for _ in range(5)]
    assert statuses == [303, 303, 303, 429, 429]
    assert count(app) == 3
    # A real inline check (a field of the form) is still not counted, and saves nothing.
    check = client.post("/en/offer", data=offer_data(form_token(client)), headers={**headers, "X-Validate-Field": "email"})
    assert check.status_code == 200 and count(app) == 3


# --- limiter keys: per form, forgotten every hour (portal/ratelimit.py) ---------------------------


def _key_for(app, path, address="203.0.113.7"):
    from portal import ratelimit

    with app.test_request_context(path, method="POST", environ_base={"REMOTE_ADDR": address}):
        return ratelimit.client_token()


def test_limiter_keys_are_per_form_and_not_the_address(app):
    import hashlib
    import hmac
    import ipaddress

    appeal, offer, sign_in = (_key_for(app, p) for p in ("/en/appeal", "/en/offer", "/staff/login"))
    assert len({appeal, offer, sign_in}) == 3  # the store cannot link an appeal to an offer or a sign-in
    assert appeal == _key_for(app, "/kk/appeal/check")  # one form family, one key: the shared check limit holds
    assert appeal != _key_for(app, "/en/appeal", "203.0.113.8")
    secret_key = app.config["SECRET_KEY"].encode()
    # Nothing derived from the configuration finds the address behind a key (the pentest's /16 search).
    for host in ipaddress.ip_network("203.0.113.0/24"):
        for key in (secret_key, hashlib.sha256(secret_key).digest()):
            for form in (b"", b"appeals", b"address\x00appeals\x00"):
                guess = hmac.new(key, form + str(host).encode(), hashlib.sha256).hexdigest()[:32]
                assert guess != appeal
        assert str(host) not in appeal


def test_the_hour_secret_is_shared_by_workers_and_forgotten_after_its_hour(tmp_path):
    import os
    import stat

    from portal import ratelimit

    uri = ratelimit.default_storage_uri(str(tmp_path))
    worker_a, worker_b = ratelimit.SQLiteStorage(uri), ratelimit.SQLiteStorage(uri)
    hour = ratelimit._hour()
    old = worker_a.shared_secret("portal-ratelimit-secret:%d" % (hour - 1), -1)  # an hour that has ended
    ratelimit._secrets.clear()
    current = ratelimit.hour_secret(worker_a, hour)
    ratelimit._secrets.clear()
    assert ratelimit.hour_secret(worker_b, hour) == current != old
    files = [tmp_path / name for name in os.listdir(tmp_path)]
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in files if path.suffix == ".sqlite3")
    assert not any(old in path.read_bytes() for path in files)  # deleted, overwritten, out of the log
    assert any(current in path.read_bytes() for path in files)
    # Counters are shared by every worker: 4 hits through two connections count 4.
    for storage in (worker_a, worker_b, worker_a, worker_b):
        storage.incr("k", 60)
    assert worker_a.get("k") == worker_b.get("k") == 4


def test_sign_in_has_a_per_account_limit_on_top_of_the_per_address_one(app):
    from tests.factories import make_staff

    app.config.update(STAFF_SIGN_IN_RATE_LIMIT="100 per minute", STAFF_ACCOUNT_RATE_LIMIT="3 per minute")
    with app.app_context():
        user = make_staff(role="admin")
        db.session.commit()
        email = user.email
    client = app.test_client()
    statuses = [
        client.post("/staff/login", data={"email": email, "password": "wrong"},
                    environ_base={"REMOTE_ADDR": "198.51.100.%d" % i}).status_code
        for i in range(5)
    ]
    assert statuses == [422, 422, 422, 429, 429]  # a new address does not buy new guesses
    other = client.post("/staff/login", data={"email": "someone.else@example.kz", "password": "wrong"},
                        environ_base={"REMOTE_ADDR": "198.51.100.1"})
    assert other.status_code == 422


def test_the_two_factor_step_has_a_per_account_limit(app):
    from tests.factories import make_staff

    app.config.update(STAFF_SIGN_IN_RATE_LIMIT="100 per minute", STAFF_ACCOUNT_RATE_LIMIT="3 per minute")
    with app.app_context():
        user = make_staff(role="admin")
        db.session.commit()
        email = user.email
    client = app.test_client()
    login = client.post("/staff/login", data={"email": email, "password": "correct horse battery"})
    assert login.status_code == 302
    statuses = [  # a new address for each guess at the code
        client.post("/staff/login/code", data={"code": "000000"},
                    environ_base={"REMOTE_ADDR": "198.51.100.%d" % (50 + i)}).status_code
        for i in range(5)
    ]
    assert statuses == [422, 422, 422, 429, 429]


# --- nothing on the appeal path lines up with time (gunicorn.conf.py, portal/appeals) ---------------


def _load_gunicorn_conf():
    import importlib.util

    from tests.conftest import ROOT

    spec = importlib.util.spec_from_file_location("portal_gunicorn_conf", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_the_shipped_access_log_has_no_line_for_the_appeal_path(gunicorn):
    import urllib.error
    import urllib.request

    from tests.servers import CHEAP_HASHING

    def fetch(path, data=None):
        try:
            with urllib.request.urlopen(urllib.request.Request(server.url + path, data=data), timeout=10) as r:  # noqa: S310
                return r.status
        except urllib.error.HTTPError as error:
            return error.code

    env = {"FLASK_WTF_CSRF_ENABLED": "false", **CHEAP_HASHING}
    with gunicorn("access-log", workers=1, store="memory://", access_log=True, env=env) as server:
        statuses = [fetch("/kk/appeal"), fetch("/kk/appeal/check"), fetch("/ru/appeal/check", b"code=1"),
                    fetch("/en/appeal", b"message=short"), fetch("/kk/appeal/done"), fetch("/kk/")]
        assert statuses[0] == 200 and statuses[-1] == 200, statuses
    lines = server.access_log.read_text().splitlines()
    assert any('"GET /kk/"' in line for line in lines), lines  # other pages are still logged
    assert not [line for line in lines if "/appeal" in line]


def test_log_records_about_the_appeal_path_keep_the_day_only(app, caplog):
    import logging
    import time

    with app.test_request_context("/kk/appeal", method="POST"):
        app.logger.error("Exception on /kk/appeal [POST]")
    with app.test_request_context("/kk/", method="GET"):
        app.logger.error("Exception on /kk/ [GET]")
    appeal, other = caplog.records[-2:]
    assert time.localtime(appeal.created)[3:6] == (0, 0, 0) and appeal.msecs == 0
    assert time.time() - other.created < 60
    # gunicorn's own error log ("Error handling request /kk/appeal/check"): the same.
    conf = _load_gunicorn_conf()
    record = logging.LogRecord("gunicorn.error", logging.ERROR, __file__, 1, "Error handling request %s",
                               ("/ru/appeal/check",), None)
    assert conf._AppealTimeToTheDay().filter(record)
    assert time.localtime(record.created)[3:6] == (0, 0, 0)


def test_appeal_ids_say_nothing_about_order(app, client):
    from tests.test_appeals import submit_ok

    for _ in range(5):
        submit_ok(client)
    with app.app_context():
        ids = list(db.session.scalars(db.select(Appeal.id)))
    assert len(ids) == 5
    assert max(ids) - min(ids) > 1000 and set(ids) != set(range(1, 6))


# --- write locks held only while writing (portal/database.py: reads_first, write_transaction) -------


def _sqlite_file(app):
    from portal.backup import sqlite_path

    path = sqlite_path(app.config["SQLALCHEMY_DATABASE_URI"])
    if path is None:
        pytest.skip("SQLite's write lock: PostgreSQL locks rows, not the database")
    return path


def test_an_export_holds_no_write_lock_while_it_builds(app, staff_client, monkeypatch):
    import sqlite3

    from portal.offers import staff as offers_staff
    from tests.factories import make_offer

    path = _sqlite_file(app)
    with app.app_context():
        make_offer("KZ-71")
        db.session.commit()
    probes = []
    build = offers_staff._csv_rows

    def probing(offers, regions):
        other = sqlite3.connect(path, timeout=0, isolation_level=None)  # another worker, not willing to wait
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            probes.append("free")
        except sqlite3.OperationalError as error:
            probes.append(str(error))
        finally:
            other.close()
        yield from build(offers, regions)

    monkeypatch.setattr(offers_staff, "_csv_rows", probing)
    response = staff_client("admin").post("/staff/offers/export.csv")
    assert response.status_code == 200 and probes == ["free"]
    with app.app_context():
        from portal.audit.models import AuditEntry

        assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "export")) is not None


@pytest.mark.slow
def test_exports_and_writes_run_together_without_database_is_locked(app, staff_client, caplog):
    import threading
    import urllib.error
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    from tests.conftest import LiveServer
    from tests.factories import make_offer

    _sqlite_file(app)
    with app.app_context():
        for i in range(300):
            make_offer(["KZ-71", "KZ-15"], description="Рюкзаки " * 40)
        db.session.commit()
    clients = [staff_client("admin") for _ in range(2)]
    cookies = ["session=" + c.get_cookie("session").value for c in clients]
    server = LiveServer(app)
    server.start()
    errors, lock = [], threading.Lock()

    def post(path, data, cookie):
        request = urllib.request.Request(server.url + path, data=data, headers={"Cookie": cookie})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (loopback)
                response.read()
                return response.status
        except urllib.error.HTTPError as error:
            with lock:
                errors.append(error.read()[:300])
            return error.code

    jobs = [("/staff/offers/export.csv", b"", cookies[0])] * 8
    jobs += [("/staff/language", b"language=" + (b"ru" if i % 2 else b"kk"), cookies[1]) for i in range(40)]
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(lambda job: post(*job), jobs))
    finally:
        server.stop()
    assert statuses == [200] * len(jobs), (statuses, errors)
    assert "database is locked" not in caplog.text


# --- disclosure control on every published figure (portal/disclosure.py) ---------------------------


def _self_check_rows(data, threshold=10):
    """The self-check page as rows a reader can attack (the reports' key shape): national answers, regions."""
    from portal.ready.forms import ANSWERS, QUESTIONS
    from portal.ready.services import SOURCE

    rows = []

    def row(key, cell):
        shown = cell["mark"] if cell["mark"] else str(cell["value"])
        rows.append({**dict(zip(("region_code", "recipient_group", "aid_kind", "source"), (v or "" for v in key))),
                     "children": shown, "amount_kzt": "0", "items": "0"})

    row((None, None, None, None), {"mark": None, "value": data["answers_counted"]})
    for q in QUESTIONS:
        for a in ANSWERS:
            row((None, "%s:%s" % (q, a), None, None), data["national"][q][a])
    for region, questions in data["by_region"].items():
        for q in QUESTIONS:
            for a in ANSWERS:
                row((region, "%s:%s" % (q, a), q, SOURCE), questions[q][a])
    return rows


def _interval_attack_zero_floor(known, hidden, threshold=10):
    """The reports' interval attack where a hidden figure may be 0 ("<10": 0…9; "x": 0 or more)."""
    from tests.test_report_suppression import recovered_by_intervals

    box = {k: [0, threshold - 1] if mark.startswith("<") else [0, float("inf")] for k, mark in hidden.items()}
    return recovered_by_intervals(known, box)


def _assert_no_family_singled_out(rows):
    from tests.test_report_suppression import linear_attack, read_view, subtraction_attack

    known, hidden = read_view(rows)
    assert subtraction_attack(known, hidden) == set()
    assert linear_attack(known, hidden) == set()
    assert _interval_attack_zero_floor(known, hidden) == set()
    # No "<10" beside a true zero of the same region and question (unless nobody anywhere gave that answer).
    for key, mark in hidden.items():
        if mark.startswith("<") and None not in key:
            for other, value in known.items():
                if (other[0], other[2]) == (key[0], key[2]) and other != key and None not in other and value == 0:
                    assert known.get((None, other[1], None, None)) == 0, (key, other)


def _self_check_data(app, tallies):
    import datetime as dt

    from portal.campaigns.models import current_campaign
    from portal.ready.models import ReadyTally
    from portal.ready.services import public_figures

    with app.app_context():
        for (region, question, answer), count in tallies.items():
            db.session.add(ReadyTally(region_code=region, day=dt.date(2023, 8, 10), question=question,
                                      answer=answer, count=count))
        db.session.commit()
        return public_figures(current_campaign())


def test_a_self_check_figure_with_one_answer_singles_out_no_family(app, client):
    data = _self_check_data(app, {
        ("KZ-71", "uniform", "yes"): 1,  # one family in Astana answered one question
        ("KZ-75", "uniform", "yes"): 40, ("KZ-75", "uniform", "no"): 25, ("KZ-75", "uniform", "unsure"): 12,
        ("KZ-15", "uniform", "yes"): 30, ("KZ-15", "uniform", "no"): 20, ("KZ-15", "uniform", "unsure"): 11,
    })
    astana = data["by_region"]["KZ-71"]["uniform"]
    assert [cell["value"] for cell in astana.values()] == [None, None, None]  # "<10, 0, 0" is gone
    _assert_no_family_singled_out(_self_check_rows(data))
    html = client.get("/en/ready/figures").get_data(as_text=True)
    assert "&lt;10" in html


@pytest.mark.parametrize("seed", range(12))
def test_self_check_figures_resist_the_reports_attacks(app, seed):
    import random

    from portal.ready.forms import ANSWERS, QUESTIONS

    rng = random.Random(seed)
    regions = rng.sample(["KZ-10", "KZ-11", "KZ-15", "KZ-71", "KZ-75", "KZ-47"], rng.randint(2, 5))
    questions = rng.sample(list(QUESTIONS), 2)
    tallies = {}
    for region in regions:
        for q in questions:
            for a in ANSWERS:
                n = rng.choice([0, 0, 1, 2, 5, 9, 10, 14, 30, 60])
                if n:
                    tallies[(region, q, a)] = n
    if not tallies:
        tallies[(regions[0], questions[0], "yes")] = 1
    _assert_no_family_singled_out(_self_check_rows(_self_check_data(app, tallies)))


def test_the_self_check_is_counted_once_per_visitor_session(app, client):
    import sqlalchemy as sa

    from portal.ready.models import ReadyTally

    answers = {"region": "KZ-71", "uniform": "no", "shoes": "yes", "count": "y"}
    for _ in range(5):
        assert client.post("/en/ready", data=answers).status_code == 303
    page = client.get(client.post("/ru/ready", data=answers).headers["Location"]).get_data(as_text=True)
    assert "уже учтены" in page
    with app.app_context():
        assert dict(db.session.execute(sa.select(ReadyTally.question, ReadyTally.count)).all()) == {"uniform": 1, "shoes": 1}


def test_response_figures_resist_the_reports_attacks(app):
    import datetime as dt

    from portal.campaigns.models import current_campaign
    from portal.needs.response import response_figures
    from tests.factories import make_appeal

    with app.app_context():
        for region, n in (("KZ-71", 1), ("KZ-75", 20), ("KZ-15", 14), ("KZ-47", 3)):
            for _ in range(n):
                make_appeal(region, created_on=dt.date(2023, 8, 5))
        db.session.commit()
        data = response_figures(current_campaign())
    # One relation: the national count is the sum of the regions' (the reports' attacks, on this one table).
    known = {r: row["appeals"] for r, row in data["rows"].items() if isinstance(row["appeals"], int)}
    hidden = {r: row["appeals"] for r, row in data["rows"].items() if not isinstance(row["appeals"], int)}
    assert set(hidden) >= {"KZ-71", "KZ-47"} and len(hidden) != 1  # subtraction (and linear algebra) find nothing
    rest = data["national"]["appeals"] - sum(known.values())
    box = {r: (1, 9) if mark == "<10" else (10, float("inf")) for r, mark in hidden.items()}
    for region, (lo, hi) in box.items():
        others = [b for r, b in box.items() if r != region]
        low, high = max(lo, rest - sum(b[1] for b in others)), min(hi, rest - sum(b[0] for b in others))
        assert low < high, (region, low, high)  # interval reasoning pins no hidden count


# --- database files owner-only (portal/database.py: owner_only; portal/backup.py) ---------------


def test_database_files_and_backups_are_created_owner_only(tmp_path):
    import os
    import stat

    from portal import create_app
    from tests.conftest import make_config, migrate_and_seed

    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("file modes of SQLite files")
    old_umask = os.umask(0o022)
    try:
        existing = tmp_path / "old.sqlite3"
        existing.write_bytes(b"")
        existing.chmod(0o644)  # an installation from before the fix
        for path in (tmp_path / "new.sqlite3", existing):
            app = create_app(make_config("sqlite:///" + str(path)))
            migrate_and_seed(app)
            with app.app_context():
                db.session.execute(db.text("CREATE TABLE IF NOT EXISTS t (x)"))
                db.session.execute(db.text("INSERT INTO t VALUES (1)"))
                db.session.commit()
                files = [p for p in tmp_path.iterdir() if p.name.startswith(path.name)]
                assert {p.name for p in files} >= {path.name, path.name + "-wal", path.name + "-shm"}
                for file in files:
                    assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
                db.engine.dispose()
        result = app.test_cli_runner().invoke(args=["backup", "--output", str(tmp_path / "backups" / "b.sqlite3")])
        assert result.exit_code == 0, result.output
        assert stat.S_IMODE((tmp_path / "backups" / "b.sqlite3").stat().st_mode) == 0o600
        assert stat.S_IMODE((tmp_path / "backups").stat().st_mode) == 0o700
    finally:
        os.umask(old_umask)


# --- the TOTP enrolment secret is not in the session cookie (portal/staff/routes.py: enrol) ------------


def test_the_enrolment_secret_never_rides_in_the_session_cookie(app, client):
    import base64
    import zlib

    import pyotp
    import sqlalchemy as sa

    from portal.staff.models import StaffUser
    from tests.factories import make_staff

    with app.app_context():
        user = make_staff(totp=False)
        db.session.commit()
        email = user.email
    client.post("/staff/login", data={"email": email, "password": "correct horse battery"})
    html = client.get("/staff/login/enrol").get_data(as_text=True)
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', html).group(1)
    assert client.get("/staff/login/enrol").get_data(as_text=True).count(secret) >= 1  # the same one again
    cookie = client.get_cookie("session").value
    payload = cookie.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    if cookie.startswith("."):
        raw = zlib.decompress(raw)
    assert secret.encode() not in raw and b"enrol" not in raw
    assert client.post("/staff/login/enrol", data={"code": pyotp.TOTP(secret).now()}).status_code == 302
    with app.app_context():
        stored = db.session.scalar(sa.select(StaffUser).where(StaffUser.email == email))
        assert stored.totp_enabled and stored.totp_secret == secret


# --- one text policy (portal/text.py): Unicode kept as typed, refused characters refused ------------

FAMILY = "\U0001F468\u200d\U0001F469\u200d\U0001F467"  # 👨‍👩‍👧: three people held together by two ZWJs
PERSIAN = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # می‌خواهم: "I want", with a ZWNJ


def test_the_text_policy_keeps_joiners_and_drops_only_what_it_refuses():
    from portal import text

    typed = f"  {FAMILY} {PERSIAN} \U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F \u200fא\r\n"
    assert text.clean_text(typed) == typed.strip().replace("\r\n", "\n")
    assert text.clean_line("a \n\t b") == "a b"
    for refused in ("\x00", "\x1b", "\x7f", "\x85", "\u202e", "\u2066", "\ufffe", "\ud800"):
        assert text.has_refused_characters("x" + refused)
        assert text.clean_text("x" + refused + "y") == "xy"
    assert not text.has_refused_characters(f"{FAMILY}{PERSIAN}\t\n")
    assert text.clean_text("e\u0301") == "\u00e9"  # NFC: the same letter typed two ways is stored alike


def test_unicode_round_trips_through_staff_and_public_forms(app, staff_client):
    import sqlalchemy as sa

    from portal.news.models import News
    from portal.offers.models import Offer
    from tests.test_offers import form_token, offer_data

    client = staff_client("admin")
    response = client.post("/staff/news/new", data={
        "region_code": "KZ-71", "status": "published", "published_at": "2023-08-14T09:00",
        "title_ru": f"Семья {FAMILY}", "summary_ru": PERSIAN, "body_ru": f"{FAMILY} {PERSIAN}\u202e"})
    assert response.status_code == 302
    public = app.test_client()
    sent = public.post("/en/offer", data=offer_data(form_token(public), description=f"Для {FAMILY} — {PERSIAN}"))
    assert sent.status_code == 303
    with app.app_context():
        news = db.session.scalar(sa.select(News))
        assert news.title_ru == f"Семья {FAMILY}" and news.summary_ru == PERSIAN
        assert news.body_ru == f"{FAMILY} {PERSIAN}"  # the override dropped, the joiners kept
        assert db.session.scalar(sa.select(Offer.description)) == f"Для {FAMILY} — {PERSIAN}"


# --- invalid UTF-8 refused (portal/security.py: refuse_invalid_utf8) ---------------------------------


@pytest.mark.parametrize("lang, words", [("en", "not valid UTF-8"), ("ru", "UTF-8"), ("kk", "UTF-8")])
def test_invalid_utf8_in_a_form_is_refused_with_a_message_and_never_stored(app, client, lang, words):
    import sqlalchemy as sa

    from portal.offers.models import Offer
    from tests.test_offers import form_token, offer_data

    from urllib.parse import urlencode

    body = urlencode(offer_data(form_token(client, lang)), doseq=True) + "&description=%ED%A0%80broken%FF"
    response = client.post(f"/{lang}/offer", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert words in html and f'<html lang="{lang}"' in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Offer)) == 0
    # The same form in valid UTF-8 goes through: the raw body stays readable for the form parser.
    fine = urlencode(offer_data(form_token(client, lang), description="Дұрыс мәтін 👨‍👩‍👧"), doseq=True)
    assert client.post(f"/{lang}/offer", data=fine, content_type="application/x-www-form-urlencoded").status_code == 303


# --- the Host header checked against the configured names (portal/security.py: trusted_hosts) --------


def test_a_forged_host_is_refused_where_names_are_configured(database_url):
    from portal import create_app
    from tests.conftest import make_config

    for extra in ({"TRUSTED_HOSTS": ["mektepke-zhol.kz"]}, {"PUBLIC_URL": "https://mektepke-zhol.kz"}):
        app = create_app(make_config(database_url, **extra))
        client = app.test_client()
        forged = client.get("/", headers={"Host": "evil.example"})
        assert forged.status_code == 400 and "evil.example" not in forged.get_data(as_text=True)
        assert "evil.example" not in forged.headers.get("Location", "")
        for host in ("mektepke-zhol.kz", "127.0.0.1:5000", "localhost"):  # the site, and health checks on the machine
            assert client.get("/healthz", headers={"Host": host}).status_code == 200, host
        with app.app_context():
            db.engine.dispose()
    # Without configured names (development, tests, make run) nothing is checked.
    open_app = create_app(make_config(database_url))
    assert open_app.test_client().get("/healthz", headers={"Host": "anything.example"}).status_code == 200
    with open_app.app_context():
        db.engine.dispose()
