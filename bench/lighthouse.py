"""``make lighthouse``: Lighthouse scores of the main kk pages, mobile profile, on Debian's Chromium.

1. Builds a demo database in ``bench-results/lighthouse/`` (migrations, ``seed reference``,
   ``seed demo``) and serves it with gunicorn in the production configuration on a free
   127.0.0.1 port (``tests/servers.py``, the tests' gunicorn harness).
2. Runs the Lighthouse CLI (``bench/lighthouse/``, pinned to 12.8.2: 13 needs Node 22) three times per
   URL (``--runs``) with Lighthouse's defaults: mobile form factor, simulated throttling; the run with
   the median performance score is the one reported (a busy 2-core machine moves single runs a lot).
   ``--url PATH`` (repeatable) measures those pages instead: ``make lighthouse LIGHTHOUSE_ARGS="--url /ru/prices"``.
3. Prints URL × (performance, accessibility, best practices, SEO) and, for every score under its
   target, the audits that failed; writes ``bench-results/lighthouse.json`` (full reports beside it
   in ``bench-results/lighthouse/``).

The targets are reported, not asserted: Lighthouse's performance score moves with the machine's load.
Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

from run import NOW, RESULTS, ROOT, get

from tests.servers import Server

OUT = RESULTS / "lighthouse"
LIGHTHOUSE = ROOT / "bench" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update "
    "--disable-sync --no-first-run"
)
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
PAGES = [("home", "/kk/"), ("fairs", "/kk/fairs/"), ("offer", "/kk/offer"), ("appeal", "/kk/appeal")]


def build_database(url: str) -> None:
    """A fresh SQLite database with reference and demo data, as `make run` has."""
    import flask_migrate

    from portal import create_app
    from portal.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "lighthouse", "FROZEN_NOW": NOW})
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        runner = app.test_cli_runner()
        for command in (["seed", "reference"], ["seed", "demo"]):
            result = runner.invoke(args=command)
            if result.exit_code != 0:
                raise RuntimeError("flask %s failed:\n%s" % (" ".join(command), result.output))
        db.session.remove()
        db.engine.dispose()


def report_path(port: int) -> str | None:
    """The first published report's page, from the kk reports list."""
    status, _h, body = get(port, "/kk/reports/")
    if status != 200:
        return None
    match = re.search(rb'href="(/kk/reports/[\w-]+)"', body)
    return match.group(1).decode() if match else None


def url_label(path: str) -> str:
    """A file-name-safe label for a --url path: /ru/fairs/?month=2024-08 -> ru-fairs-month-2024-08."""
    if not path.startswith("/") or path.startswith("//"):
        raise SystemExit("--url takes a path on the local demo server, starting with /: %r" % path)
    return re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "root"


def failing_audits(report: dict, category: str) -> list[dict]:
    """Audits of ``category`` that did not pass, heaviest first (weight, then score)."""
    audits = report["audits"]
    failed = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = audits.get(ref["id"], {})
        score = audit.get("score")
        if score is None or audit.get("scoreDisplayMode") in ("manual", "notApplicable", "informative"):
            continue
        # Performance lists every opportunity with a fractional score; keep the ones that cost points.
        if score < (0.9 if category == "performance" else 1):
            failed.append({"id": ref["id"], "title": audit.get("title", ""), "score": score,
                           "weight": ref.get("weight", 0), "display": audit.get("displayValue", "")})
    return sorted(failed, key=lambda a: (-a["weight"], a["score"]))


def run_lighthouse(url: str, label: str) -> dict:
    output = OUT / f"{label}.report.json"
    args = [
        str(LIGHTHOUSE), url, "--output=json", f"--output-path={output}", "--quiet",
        f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}",
    ]
    env = {**os.environ, "CHROME_PATH": CHROME}
    for attempt in range(3):
        output.unlink(missing_ok=True)
        completed = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
        if completed.returncode == 0 and output.exists():
            report = json.loads(output.read_text())
            if not report.get("runtimeError"):
                return report
            message = report["runtimeError"].get("message", "")
        else:
            message = (completed.stdout[-2000:] + completed.stderr[-4000:]).strip()
        # Lighthouse sometimes loses the trace on a busy machine (NO_NAVSTART, NO_FCP): try again.
        print(f"  lighthouse failed on {url} (attempt {attempt + 1} of 3): {message.splitlines()[-1] if message else '?'}")
    raise RuntimeError("lighthouse failed three times on %s:\n%s" % (url, message))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3,
                        help="runs per URL (default 3); the run with the median performance score is reported")
    parser.add_argument("--only", action="append", metavar="LABEL",
                        help="only these pages (home, fairs, offer, appeal, report); may be repeated")
    parser.add_argument("--url", action="append", metavar="PATH",
                        help="a page of the demo site to measure instead of the default list, e.g. /ru/prices "
                             "(a path on the local server); may be repeated: "
                             "make lighthouse LIGHTHOUSE_ARGS='--url /kk/ --url /en/reports/'")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        print("Lighthouse is not installed: `make lighthouse` installs it (npm ci in bench/lighthouse)")
        return 2
    if not Path(CHROME).exists():
        print(f"Chromium not found at {CHROME}: `make lighthouse` installs it (apt-get install chromium)")
        return 2

    OUT.mkdir(parents=True, exist_ok=True)
    database = OUT / "portal.sqlite3"
    for path in OUT.glob("portal.sqlite3*"):
        path.unlink()
    url = "sqlite:///" + str(database)
    build_database(url)

    env = {
        "DATABASE_URL": url, "FLASK_SECRET_KEY": secrets.token_hex(32), "FLASK_FROZEN_NOW": NOW,
        "FLASK_APPEAL_PEPPER": secrets.token_hex(16),
    }
    server = Server(env, workers=2, log=OUT / "portal.log")
    rows = []
    try:
        pages = list(PAGES)
        report = report_path(server.port)
        if report:
            pages.append(("report", report))
        else:
            print("  skipped report page: no published report in the demo data")
        if args.url:
            pages = [(url_label(path), path) for path in args.url]
        if args.only:
            pages = [page for page in pages if page[0] in args.only]
        base = f"http://127.0.0.1:{server.port}"
        for label, path in pages:
            for _ in range(2):  # both workers' page caches warm, as a steady state would be
                get(server.port, path)
            runs = []
            for n in range(args.runs):
                runs.append(run_lighthouse(base + path, label if args.runs == 1 else f"{label}-{n + 1}"))
            runs.sort(key=lambda r: r["categories"]["performance"]["score"] or 0)
            result = runs[len(runs) // 2]
            scores = {c: round((result["categories"][c]["score"] or 0) * 100) for c in CATEGORIES}
            row = {"label": label, "path": path, "scores": scores, "failing": {}}
            if args.runs > 1:
                row["performance_runs"] = [round((r["categories"]["performance"]["score"] or 0) * 100) for r in runs]
            for category in CATEGORIES:
                if scores[category] < TARGETS[category]:
                    row["failing"][category] = failing_audits(result, category)
            metrics = result["audits"]
            row["metrics"] = {
                key: metrics[key].get("displayValue", "") for key in (
                    "first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
                    "cumulative-layout-shift", "speed-index") if key in metrics
            }
            rows.append(row)
            print("  %-8s %s" % (label, " ".join(f"{c}={scores[c]}" for c in CATEGORIES)), flush=True)
    finally:
        server.stop()

    print_table(rows)
    summary = {
        "when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "lighthouse": subprocess.run([str(LIGHTHOUSE), "--version"], capture_output=True, text=True).stdout.strip(),
        "chromium": CHROME,
        "profile": "mobile, simulated throttling (Lighthouse defaults)",
        "targets": TARGETS,
        "urls": rows,
    }
    (RESULTS / "lighthouse.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    print(f"\nwritten: {RESULTS / 'lighthouse.json'}")
    return 0


def print_table(rows: list[dict]) -> None:
    print()
    print("%-36s %12s %14s %15s %5s" % ("url", "performance", "accessibility", "best-practices", "seo"))
    for row in rows:
        cells = []
        for category, width in zip(CATEGORIES, (12, 14, 15, 5)):
            score = row["scores"][category]
            mark = "" if score >= TARGETS[category] else "!"
            cells.append(("%d%s" % (score, mark)).rjust(width))
        print("%-36s %s" % (row["path"], " ".join(cells)))
    print("targets: " + ", ".join(f"{c} ≥ {t}" for c, t in TARGETS.items()) + " (! = under target)")
    for row in rows:
        for category, audits in row["failing"].items():
            print(f"\n{row['path']} {category} {row['scores'][category]} < {TARGETS[category]}:")
            for audit in audits or [{"id": "-", "title": "no single audit failed (score from the metrics)",
                                     "display": ""}]:
                extra = f" ({audit['display']})" if audit.get("display") else ""
                print(f"  {audit['id']}: {audit['title']}{extra}")


if __name__ == "__main__":
    sys.exit(main())
