"""The Nu HTML Checker (vnu, the W3C's validator) on every public page type in kk, ru and en.

Pages are fetched from the session's live server (demo data), forms also after a failed submission
and error pages too; everything is saved into one folder and checked by ONE vnu run (the JVM takes
seconds to start). Zero errors allowed; warnings are not counted.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
LANGS = ("kk", "ru", "en")

# Fixed pages of every language. Pages with an id (a fair, a news item, a report...) are found below.
PAGES = (
    "/{lang}/", "/{lang}/about", "/{lang}/help", "/{lang}/accessibility", "/{lang}/privacy",
    "/{lang}/fairs/", "/{lang}/fairs/month", "/{lang}/fairs/region", "/{lang}/fairs/embed",
    "/{lang}/news/", "/{lang}/offer", "/{lang}/sponsors", "/{lang}/appeal", "/{lang}/appeal/check",
    "/{lang}/reports/", "/{lang}/prices", "/{lang}/prices/data", "/{lang}/ready", "/{lang}/ready/figures",
    "/{lang}/needs/", "/{lang}/needs/response", "/{lang}/print/campaign", "/{lang}/campaigns/",
    "/{lang}/regions/", "/{lang}/fairs/?page=2", "/{lang}/prices?region=KZ-71",
    "/{lang}/no-such-page",  # the 404 page
)
# The first link of each kind on a list page: one page of that type per language.
LINKED = (
    ("/{lang}/fairs/", r'href="(/{lang}/fairs/\d+)"'),
    ("/{lang}/news/", r'href="(/{lang}/news/(?!feed)[\w-]+)"'),
    ("/{lang}/reports/", r'href="(/{lang}/reports/[\w-]+)"'),
    ("/{lang}/fairs/", r'href="(/{lang}/print/fair/\d+)"'),
    ("/{lang}/campaigns/", r'href="(/{lang}/campaigns/\d+)"'),
    ("/{lang}/regions/", r'href="(/{lang}/regions/KZ-[\w-]+)"'),
)


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    return match.group(1) if match else ""


def collect(base: str, folder: Path) -> dict[str, str]:
    """Save every page as a file in ``folder``; returns ``{file name: what it is}``."""
    saved: dict[str, str] = {}
    session = requests.Session()

    def keep(label: str, response) -> None:
        assert response.headers.get("Content-Type", "").startswith("text/html"), (label, response.status_code)
        name = "%03d-%s.html" % (len(saved), re.sub(r"[^\w]+", "-", label).strip("-")[:80])
        (folder / name).write_bytes(response.content)
        saved[name] = "%s (%d)" % (label, response.status_code)

    for lang in LANGS:
        paths = [p.format(lang=lang) for p in PAGES]
        for listing, pattern in LINKED:
            html = session.get(base + listing.format(lang=lang)).text
            found = re.search(pattern.format(lang=lang), html)
            if found:
                paths.append(found.group(1))
        for path in paths:
            keep(path, session.get(base + path))
        # Forms after a failed submission (and a self-check answer that is missing).
        for path, data in (
            ("/%s/offer" % lang, {"quantity": "-3", "phone": "abc"}),
            ("/%s/appeal" % lang, {"phone": "x"}),
            ("/%s/appeal/check" % lang, {"number": "nonsense", "code": ""}),
        ):
            token = _token(session.get(base + path).text)
            keep(path + " (failed POST)", session.post(base + path, data={**data, "csrf_token": token}))
        keep("/%s/ready/result (incomplete)" % lang, session.get(base + "/%s/ready/result?region=XX" % lang))
    # Staff sign-in, its failed attempt (the staff pages behind it share base and macros with these).
    keep("/staff/login", session.get(base + "/staff/login"))
    token = _token(session.get(base + "/staff/login").text)
    keep("/staff/login (failed POST)",
         session.post(base + "/staff/login", data={"email": "nobody@example.org", "password": "x", "csrf_token": token}))
    return saved


def run_vnu(files: list[Path]) -> list[dict]:
    """One vnu run over all files: its error messages (JSON format)."""
    completed = subprocess.run(
        ["java", "-Xss1m", "-jar", str(VNU), "--errors-only", "--format", "json", "--exit-zero-always",
         *map(str, files)],
        capture_output=True, text=True, timeout=600,
    )
    # vnu writes its JSON report to stderr.
    report = json.loads(completed.stderr or completed.stdout)
    return [m for m in report["messages"] if m.get("type") == "error" or m.get("subType") == "fatal"]


@pytest.fixture(scope="module")
def vnu_errors(live_server, tmp_path_factory):
    if not VNU.exists() or not shutil.which("java"):
        pytest.fail("vnu.jar or Java missing: `make test` installs both (npm ci, apt-get install default-jre-headless)")
    folder = tmp_path_factory.mktemp("vnu")
    live_server.app.config.update(OFFER_RATE_LIMIT="1000 per minute", APPEAL_RATE_LIMIT="1000 per minute")
    saved = collect(live_server.url, folder)
    return saved, run_vnu(sorted(folder.glob("*.html")))


def test_every_page_type_is_valid_html(vnu_errors):
    saved, errors = vnu_errors
    assert len(saved) > 100
    by_page: dict[str, list[str]] = {}
    for message in errors:
        name = Path(message.get("url", "").replace("file:", "")).name
        by_page.setdefault(saved.get(name, name), []).append(
            "line %s: %s  «%s»" % (message.get("lastLine"), message.get("message"), (message.get("extract") or "").strip()[:120])
        )
    report = "\n".join("%s\n  %s" % (page, "\n  ".join(lines[:8])) for page, lines in sorted(by_page.items()))
    assert not errors, "vnu found %d errors on %d pages:\n%s" % (len(errors), len(by_page), report)

