"""``make bench``: the portal's public pages under gunicorn against a Flask hello-world, measured with wrk.

1. Generates the large dataset in ``bench-results/data/`` (20 regions; 5,000 fairs; 5,000 news;
   100,000 aid allocations in a published report; 50,000 appeals; 10,000 offers), skipping with a
   note what the models of this tree do not support. ``--reuse`` keeps an existing dataset.
2. Starts the portal (``gunicorn -c gunicorn.conf.py wsgi:app``, production configuration: page cache
   on, not TESTING) and ``bench/hello.py`` under the same settings, each on a free 127.0.0.1 port.
3. For each main public URL, interleaved with hello-world rounds: ``wrk`` req/s, p50, p99 at 32
   connections, bytes per response on the wire, the ratio to the hello-world round beside it,
   one-connection p50; then peak RSS per worker and page weight of a first and a repeat visit.
4. Prints the table and the budgets of issue 8, and writes ``bench-results/bench.json``.

``--quick`` only proves the harness runs (``make bench BENCH_ARGS=--quick``): a dataset a hundredth the
size in a file of its own, 1-second rounds, 2 workers, results in ``bench-results/bench-quick.json``;
its figures say nothing about the budgets.

Only 127.0.0.1 is contacted; every wrk run is bounded by ``--duration``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import http.client
import json
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import Server  # noqa: E402  (the one gunicorn harness of the tests and the benchmarks)

RESULTS = ROOT / "bench-results"
DATA = RESULTS / "data"
UTC = dt.timezone.utc
NOW = "2023-08-15T06:00:00+00:00"  # mid-campaign, as in the tests

SIZES = {"fairs": 5000, "news": 5000, "allocations": 100_000, "appeals": 50_000, "offers": 10_000}
BUDGET_PAGE = 1.0
BUDGET_REVALIDATE = 1.0
BUDGET_FORM = 0.35
BUDGET_P99 = 1.5
BUDGET_FIRST_VISIT = 50 * 1024
BUDGET_HTML = 15 * 1024


# --- dataset ---------------------------------------------------------------------------------


def generate(url: str) -> list[str]:
    """Fill a fresh database; returns notes on what was generated or skipped."""
    import flask_migrate
    import sqlalchemy as sa

    from portal import create_app
    from portal.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "FROZEN_NOW": NOW, "TESTING": False})
    notes = []
    rng = random.Random(8)
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        runner = app.test_cli_runner()
        result = runner.invoke(args=["seed", "reference"])
        assert result.exit_code == 0, result.output
        from portal.campaigns.models import Campaign
        from portal.regions.models import Region

        regions = [c for (c,) in db.session.execute(sa.select(Region.code).order_by(Region.code))]
        campaign = db.session.scalar(sa.select(Campaign).where(Campaign.year == 2023))
        notes.append(f"regions: {len(regions)}")
        base = dt.datetime(2023, 8, 1, 4, 0, tzinfo=UTC)

        def bulk(model, rows, label):
            for start in range(0, len(rows), 5000):
                db.session.execute(sa.insert(model), rows[start : start + 5000])
            db.session.commit()
            notes.append(f"{label}: {len(rows)}")

        def attempt(label, func):
            try:
                func()
            except Exception as exc:  # a model this tree does not have, or one that changed shape
                db.session.rollback()
                notes.append(f"{label}: skipped ({type(exc).__name__}: {str(exc)[:120]})")

        def fairs():
            from portal.fairs.models import Fair

            rows = []
            for n in range(SIZES["fairs"]):
                start = base + dt.timedelta(hours=rng.randint(0, 24 * 60))
                rows.append(dict(
                    campaign_id=campaign.id, region_code=rng.choice(regions), kind="school",
                    is_remote=rng.random() < 0.2, venue=f"School No. {n}", address=f"{n} Abai avenue",
                    starts_at=start, ends_at=start + dt.timedelta(hours=4),
                    title_kk=f"Мектеп жәрмеңкесі №{n}", title_ru=f"Школьная ярмарка №{n}", title_en=f"School fair {n}",
                ))
            bulk(Fair, rows, "fairs")

        def news():
            from portal.news.models import News

            rows = []
            for n in range(SIZES["news"]):
                rows.append(dict(
                    slug=f"bench-news-{n}", region_code=rng.choice(regions + [None]), status="published",
                    published_at=base - dt.timedelta(hours=n),
                    title_kk=f"Жаңалық {n}", title_ru=f"Новость {n}", title_en=f"News item {n}",
                    summary_kk="Қысқаша.", summary_ru="Кратко.", summary_en="In short.",
                    body_kk="Мәтін. " * 40, body_ru="Текст. " * 40, body_en="Text. " * 40,
                    body_html_kk="<p>" + "Мәтін. " * 40 + "</p>", body_html_ru="<p>" + "Текст. " * 40 + "</p>",
                    body_html_en="<p>" + "Text. " * 40 + "</p>",
                ))
            bulk(News, rows, "news")

        def appeals():
            from portal.appeals.models import Appeal

            ids = rng.sample(range(1, 2**31 - 1), SIZES["appeals"])  # appeal ids are random (portal/appeals/models.py)
            rows = [dict(
                id=ids[n], receipt_hash=secrets.token_hex(32), category="forced_fees", region_code=rng.choice(regions),
                settlement="School", message="Generated appeal %d." % n, created_on=dt.date(2023, 8, 1 + n % 14),
            ) for n in range(SIZES["appeals"])]
            bulk(Appeal, rows, "appeals")

        def offers():
            from portal.offers.models import Offer

            rows = [dict(
                reference="MZ-2023-%06d" % (n + 1), year=2023, number=n + 1,
                form_token=secrets.token_hex(16), donor_type="company",
                org_name=f"Sponsor {n}", contact_name="Contact", consent_data_at=base,
                consent_public=n % 3 == 0, public_name=f"Sponsor {n}", wall_approved=n % 3 == 0,
                status="accepted" if n % 3 == 0 else "new", description="Backpacks.",
            ) for n in range(SIZES["offers"])]
            bulk(Offer, rows, "offers")

        def allocations():
            from portal.reports.models import GROUPS, KINDS, SOURCES, Allocation
            from portal.reports.publish import publish

            groups, kinds, sources = list(GROUPS), list(KINDS), list(SOURCES)
            rows = [dict(
                campaign_id=campaign.id, region_code=rng.choice(regions), recipient_group=rng.choice(groups),
                aid_kind=rng.choice(kinds), source=rng.choice(sources), children=rng.randint(1, 40),
                amount=rng.randint(5, 50) * 1000, items=rng.randint(1, 40), batch="bench",
            ) for _ in range(SIZES["allocations"])]
            bulk(Allocation, rows, "aid allocations")
            publish(campaign, texts={"title_kk": "Есеп", "title_ru": "Отчёт", "title_en": "Report"})
            db.session.commit()
            notes.append("report: published version 1")

        for label, func in (("fairs", fairs), ("news", news), ("appeals", appeals), ("offers", offers),
                            ("allocations", allocations)):
            attempt(label, func)
        db.session.remove()
        db.engine.dispose()
    return notes


# --- servers ---------------------------------------------------------------------------------


def get(port: int, path: str, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def peak_rss_kib(server: Server) -> list[int]:
    """Each worker's peak resident memory so far (VmHWM)."""
    peaks = []
    for pid in server.workers():
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        if match:
            peaks.append(int(match.group(1)))
    return peaks


# --- wrk -------------------------------------------------------------------------------------


def _seconds(value: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s|m)$", value)
    if match is None:
        raise ValueError("wrk latency %r" % value)
    number, unit = float(match.group(1)), match.group(2)
    return number * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def wrk(port: int, path: str, connections: int, duration: float, headers: dict) -> dict:
    args = ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{max(1, round(duration))}s", "--latency",
            "--timeout", "10s"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run(args + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                         timeout=duration + 30).stdout
    if "Requests/sec" not in out or "Latency Distribution" not in out:
        raise RuntimeError("wrk failed on %s:\n%s" % (path, out))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    read = re.search(r"requests in [\d.]+\w+, ([\d.]+)([KMG]?B) read", out)
    factor = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}[read.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50_ms": _seconds(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)) * 1000,
        "p99_ms": _seconds(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)) * 1000,
        "bytes_per_response": round(float(read.group(1)) * factor / max(1, requests)),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


# --- page weight -----------------------------------------------------------------------------

ASSET_RE = re.compile(r'<(?:link[^>]+href|script[^>]+src|img[^>]+src)="([^"]+)"')


def page_weight(port: int, path: str) -> dict:
    """Compressed bytes of a first visit (HTML + CSS + JS + images) and of a repeat visit."""
    headers = {"Accept-Encoding": "br, gzip"}
    status, response_headers, body = get(port, path, headers)
    html = body
    if response_headers.get("Content-Encoding") == "br":
        import brotli

        html = brotli.decompress(body)
    elif response_headers.get("Content-Encoding") == "gzip":
        html = gzip.decompress(body)
    first = repeat = len(body)
    assets = sorted(set(ASSET_RE.findall(html.decode("utf-8", "replace"))))
    for href in assets:
        target = urlsplit(urljoin(path, href))
        if target.netloc or not target.path.startswith("/static/"):
            continue
        _s, asset_headers, asset_body = get(port, target.path, headers)
        first += len(asset_body)
        if "immutable" not in asset_headers.get("Cache-Control", "") and "max-age" not in asset_headers.get(
            "Cache-Control", ""
        ):
            repeat += len(asset_body)
    return {"html_bytes": len(body), "first_visit_bytes": first, "repeat_visit_bytes": repeat, "status": status}


# --- the run ---------------------------------------------------------------------------------


def discover_urls(port: int) -> list[tuple[str, str, dict, str]]:
    """(label, path, extra headers, kind) for the main public URLs that answer 200 in this tree."""
    fair = news = report = None
    _s, _h, body = get(port, "/en/fairs/")
    match = re.search(rb'href="(/en/fairs/\d+)"', body)
    fair = match.group(1).decode() if match else None
    _s, _h, body = get(port, "/en/news/")
    match = re.search(rb'href="(/en/news/(?!feed)[\w-]+)"', body)
    news = match.group(1).decode() if match else None
    _s, _h, body = get(port, "/en/reports/")
    match = re.search(rb'href="(/en/reports/[\w-]+)"', body)
    report = match.group(1).decode() if match else None
    htmx = {"HX-Request": "true"}
    candidates = [
        ("home", "/kk/", {}, "page"),
        ("about", "/kk/about", {}, "page"),
        ("help", "/kk/help", {}, "page"),
        ("fairs list", "/kk/fairs/", {}, "page"),
        ("fairs filtered", "/kk/fairs/?region=KZ-71", {}, "page"),
        ("fairs list (htmx)", "/kk/fairs/?region=KZ-71", htmx, "page"),
        ("fair detail", fair.replace("/en/", "/kk/") if fair else None, {}, "page"),
        ("calendar.ics", "/kk/fairs/calendar.ics", {}, "feed"),
        # Cache-busting (issue 22): wrk repeats one URL, so this is the made-up parameter's entry, not a
        # new one per request; tests/test_cache.py bursts random ones.
        ("calendar.ics?cb=", "/kk/fairs/calendar.ics?cb=%s" % secrets.token_hex(4), {}, "feed"),
        ("news list", "/kk/news/", {}, "page"),
        ("news list (htmx)", "/kk/news/", htmx, "page"),
        ("news article", news.replace("/en/", "/kk/") if news else None, {}, "page"),
        ("feed.xml", "/kk/news/feed.xml", {}, "feed"),
        ("report page", report.replace("/en/", "/kk/") if report else None, {}, "page"),
        ("sponsors", "/kk/sponsors", {}, "page"),
        ("offer form", "/kk/offer", {}, "form"),
        ("appeal form", "/kk/appeal", {}, "form"),
        ("appeal check form", "/kk/appeal/check", {}, "form"),
        ("self-check form", "/kk/ready", {}, "form"),
    ]
    if report:
        slug = report.rsplit("/", 1)[1]
        candidates.append(("data.csv", f"/reports/{slug}/v1/data.csv", {}, "download"))
    urls = []
    for label, path, headers, kind in candidates:
        if not path:
            print(f"  skipped {label}: not found in this tree")
            continue
        status = get(port, path, headers)[0]
        if status != 200:
            print(f"  skipped {label} ({path}): {status}")
            continue
        urls.append((label, path, headers, kind))
    # A returning visitor's browser revalidates (pages say Cache-Control: no-cache): If-None-Match → 304.
    for label, path in (("fairs list (304)", "/kk/fairs/"), ("home (304)", "/kk/"), ("feed.xml (304)", "/kk/news/feed.xml"),
                        ("calendar.ics (304)", "/kk/fairs/calendar.ics")):
        status, response_headers, _body = get(port, path, {"Accept-Encoding": "br, gzip"})
        etag = response_headers.get("ETag")
        if status != 200 or not etag:
            print(f"  skipped {label}: no ETag")
            continue
        revalidate = {"If-None-Match": etag}
        status = get(port, path, {"Accept-Encoding": "br, gzip", **revalidate})[0]
        if status != 304:
            print(f"  skipped {label} ({path}): {status} to If-None-Match")
            continue
        urls.append((label, path, revalidate, "revalidate"))
    return urls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=4, help="seconds per wrk round (default 4)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--reuse", action="store_true", help="keep an existing generated dataset")
    parser.add_argument("--only", default="", help="measure only URLs whose label contains this text")
    parser.add_argument("--page-view-limit", default="100000000 per minute",
                        help='PAGE_VIEW_RATE_LIMIT for the run ("" turns the count off)')
    parser.add_argument("--quick", action="store_true",
                        help="prove the harness runs: 1/100 of the dataset, 1-second rounds, bench-quick.json")
    args = parser.parse_args()
    name = "bench-quick" if args.quick else "bench"
    if args.quick:
        SIZES.update({key: max(20, size // 100) for key, size in SIZES.items()})
        args.duration = 1
    if not shutil.which("wrk"):
        print("wrk is not installed: `make bench` installs it (apt-get install wrk)")
        return 2

    RESULTS.mkdir(exist_ok=True)
    DATA.mkdir(exist_ok=True)
    database = DATA / ("quick.sqlite3" if args.quick else "portal.sqlite3")
    url = "sqlite:///" + str(database)
    notes = []
    if not (args.reuse and database.exists()):
        for path in DATA.glob(database.name + "*"):
            path.unlink()
        started = time.monotonic()
        notes = generate(url)
        print("dataset (%.0f s): %s" % (time.monotonic() - started, "; ".join(notes)))

    workers = int(os.environ.get("WEB_CONCURRENCY", "2" if args.quick else "4"))
    env = {
        "DATABASE_URL": url, "FLASK_SECRET_KEY": secrets.token_hex(32), "FLASK_FROZEN_NOW": NOW,
        "FLASK_APPEAL_PEPPER": secrets.token_hex(16),
        # wrk is one address asking thousands of times a second: the page-view limit is counted (its cost
        # is measured) but set out of reach.
        "FLASK_PAGE_VIEW_RATE_LIMIT": args.page_view_limit,
    }
    portal = Server(env, workers=workers, log=RESULTS / "portal.log")
    try:
        hello = Server({}, app="hello:app", workers=workers, args=("--pythonpath", str(ROOT / "bench")),
                       log=RESULTS / "hello.log", ready_path="/")
    except BaseException:
        portal.stop()
        raise
    headers = {"Accept-Encoding": "br, gzip"}
    rows = []
    try:
        urls = [u for u in discover_urls(portal.port) if args.only in u[0]]
        for label, path, extra, kind in urls:
            # Warm every worker (its page cache and its connections), as a steady state would be.
            wrk(portal.port, path, 8, 1, {**headers, **extra})
        for label, path, extra, kind in urls:
            base = wrk(hello.port, "/", args.connections, args.duration, headers)
            result = wrk(portal.port, path, args.connections, args.duration, {**headers, **extra})
            one = wrk(portal.port, path, 1, min(2, args.duration), {**headers, **extra})
            hello_one = wrk(hello.port, "/", 1, min(2, args.duration), headers)
            row = {
                "label": label, "path": path, "kind": kind, "htmx": "HX-Request" in extra,
                **result,
                "hello_rps": base["rps"], "hello_p99_ms": base["p99_ms"],
                "ratio": result["rps"] / base["rps"] if base["rps"] else 0,
                "p99_ratio": result["p99_ms"] / base["p99_ms"] if base["p99_ms"] else 0,
                "one_connection_p50_ms": one["p50_ms"], "hello_one_connection_p50_ms": hello_one["p50_ms"],
            }
            if kind not in ("download", "revalidate") and not extra:
                row.update(page_weight(portal.port, path))
            rows.append(row)
            print("  %-20s %8.0f req/s  ×%.2f" % (label, row["rps"], row["ratio"]), flush=True)
        rss = {"portal_kib": peak_rss_kib(portal), "hello_kib": peak_rss_kib(hello)}
    finally:
        portal.stop()
        hello.stop()

    print_table(rows, rss)
    budgets = check_budgets(rows)
    from staff import measure as measure_staff, print_rows as print_staff  # bench/staff.py: the back office

    back_office = measure_staff(url, NOW, rounds=1 if args.quick else 5)
    print_staff(back_office)
    report = {
        "when": dt.datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "workers": workers},
        "wrk": {"connections": args.connections, "duration_s": args.duration},
        "dataset": notes or "reused",
        "urls": rows,
        "peak_rss_per_worker_kib": rss,
        "budgets": budgets,
        "back_office": back_office,
    }
    (RESULTS / f"{name}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"\nwritten: {RESULTS / name}.json")
    return 0


def print_table(rows, rss):
    print()
    print("%-20s %9s %8s %8s %9s %7s %7s %9s %9s %9s" % (
        "url", "req/s", "p50 ms", "p99 ms", "bytes", "×hello", "p99×", "1-conn ms", "1st visit", "repeat"))
    for r in rows:
        print("%-20s %9.0f %8.2f %8.2f %9d %7.2f %7.2f %9.2f %9s %9s" % (
            r["label"], r["rps"], r["p50_ms"], r["p99_ms"], r["bytes_per_response"], r["ratio"], r["p99_ratio"],
            r["one_connection_p50_ms"], r.get("first_visit_bytes", "-"), r.get("repeat_visit_bytes", "-")))
    if rows:
        print("%-20s %9.0f (hello world, mean of its rounds; 1-conn p50 %.2f ms)" % (
            "hello", sum(r["hello_rps"] for r in rows) / len(rows),
            sum(r["hello_one_connection_p50_ms"] for r in rows) / len(rows)))
    print("peak RSS per worker (KiB): portal %s, hello %s" % (rss["portal_kib"], rss["hello_kib"]))


def check_budgets(rows) -> list[dict]:
    results = []

    def budget(name, ok, figure):
        results.append({"budget": name, "met": bool(ok), "figure": figure})

    for r in rows:
        # Feeds are cached like pages (same throughput budget) but are not HTML pages a visitor opens:
        # no page-weight budget (a whole campaign's calendar is ~25 KB compressed).
        if r["kind"] in ("page", "feed"):
            budget(f"{r['label']}: ≥ {BUDGET_PAGE}× hello-world req/s", r["ratio"] >= BUDGET_PAGE, round(r["ratio"], 2))
        elif r["kind"] == "revalidate":
            budget(f"{r['label']}: ≥ {BUDGET_REVALIDATE}× hello-world req/s", r["ratio"] >= BUDGET_REVALIDATE,
                   round(r["ratio"], 2))
        elif r["kind"] == "form":
            budget(f"{r['label']}: ≥ {BUDGET_FORM}× hello-world req/s", r["ratio"] >= BUDGET_FORM, round(r["ratio"], 2))
        if r["kind"] != "download":
            budget(f"{r['label']}: p99 ≤ {BUDGET_P99}× hello-world p99", r["p99_ratio"] <= BUDGET_P99,
                   round(r["p99_ratio"], 2))
        if "first_visit_bytes" in r and r["kind"] != "feed":
            budget(f"{r['label']}: first visit ≤ 50 KB", r["first_visit_bytes"] <= BUDGET_FIRST_VISIT,
                   r["first_visit_bytes"])
            budget(f"{r['label']}: HTML ≤ 15 KB compressed", r["html_bytes"] <= BUDGET_HTML, r["html_bytes"])
            budget(f"{r['label']}: repeat visit transfers only the HTML", r["repeat_visit_bytes"] == r["html_bytes"],
                   r["repeat_visit_bytes"])
    print()
    for b in results:
        if not b["met"]:
            print("  NOT MET  %s (%s)" % (b["budget"], b["figure"]))
    print("budgets met: %d of %d" % (sum(b["met"] for b in results), len(results)))
    return results


if __name__ == "__main__":
    sys.exit(main())
