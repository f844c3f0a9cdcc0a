"""Benchmark: import, publish and download a campaign of ``n_rows`` allocation lines.

    from portal.reports.bench import bench_report
    print(bench_report(100_000))

Runs on a throwaway SQLite database (or ``database_url``), measures wall time and the
Python peak memory (``tracemalloc``) of each phase, and returns them as a dict. Peak
memory should stay flat as ``n_rows`` grows: the upload is streamed and inserted in
batches, publication sums in SQL, and downloads serve stored bytes.
"""

from __future__ import annotations

import tempfile
import time
import tracemalloc
from pathlib import Path

HEADER = "region,recipient_group,aid_kind,source,children,amount_kzt,items"


def write_csv(path: Path, n_rows: int) -> None:
    """A valid upload of ``n_rows`` lines spread over every region, group, kind and source."""
    from .models import GROUPS, KINDS, SOURCES
    from ..regions.reference import DATA_FILE

    regions = [line.split(",", 1)[0] for line in DATA_FILE.read_text(encoding="utf-8").splitlines()[1:] if line]
    groups, kinds, sources = list(GROUPS), list(KINDS), list(SOURCES)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER + "\r\n")
        for i in range(n_rows):
            children = 1 + (i * 7) % 60
            kind = kinds[i % len(kinds)]
            fh.write("%s,%s,%s,%s,%d,%d,%d\r\n" % (
                regions[i % len(regions)], groups[(i // 3) % len(groups)], kind, sources[(i // 7) % len(sources)],
                children, children * 9000, 0 if kind == "money" else children,
            ))


def _measure(func):
    tracemalloc.start()
    started = time.perf_counter()
    value = func()
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return value, round(seconds, 3), peak


def bench_report(n_rows: int = 100_000, database_url: str | None = None) -> dict:
    """Seconds and peak bytes for import, publish and download of ``n_rows`` lines."""
    import flask_migrate
    import sqlalchemy as sa

    from .. import create_app
    from ..extensions import db

    workdir = Path(tempfile.mkdtemp(prefix="bench-report-"))
    url = database_url or "sqlite:///" + str(workdir / "bench.sqlite3")
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "RATELIMIT_STORAGE_URI": "memory://", "REPORT_UPLOAD_MAX_ROWS": max(n_rows, 200_000)})
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        runner = app.test_cli_runner()
        runner.invoke(args=["seed", "reference"])
    source = workdir / "allocations.csv"
    write_csv(source, n_rows)
    results: dict = {"rows": n_rows, "file_bytes": source.stat().st_size}

    from ..campaigns.models import Campaign
    from .publish import default_texts, publish
    from .uploads import import_allocations

    with app.app_context():
        campaign = db.session.scalar(sa.select(Campaign).where(Campaign.year == 2023))

        def do_import():
            with open(source, "rb") as fh:
                result = import_allocations(fh, source.name, campaign)
            if not result.ok:
                raise RuntimeError("benchmark file rejected: %s" % result.errors[:3])
            db.session.commit()
            return result.rows

        imported, seconds, peak = _measure(do_import)
        results["import"] = {"seconds": seconds, "peak_bytes": peak, "rows": imported}

        def do_publish():
            version = publish(campaign, texts=default_texts(campaign, False, 10))
            db.session.commit()
            return version.report.slug, version.number, {f.name: f.size for f in version.files}

        (slug, number, sizes), seconds, peak = _measure(do_publish)
        results["publish"] = {"seconds": seconds, "peak_bytes": peak, "file_sizes": sizes}

    client = app.test_client()

    def do_download():
        total = 0
        for name in sizes:
            response = client.get("/reports/%s/v%d/%s" % (slug, number, name))
            total += len(response.data)
        return total

    downloaded, seconds, peak = _measure(do_download)
    results["download"] = {"seconds": seconds, "peak_bytes": peak, "bytes": downloaded}
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return results


if __name__ == "__main__":  # pragma: no cover
    import json
    import sys

    print(json.dumps(bench_report(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000), indent=1))
