"""The Nu HTML Checker (vnu, the W3C's validator) on every public page type in kk, ru and en.

Pages are fetched from the session's live server (demo data), forms also after a failed submission
and error pages too; everything is saved into one folder and checked by ONE vnu run (the JVM takes
seconds to start). Zero errors allowed; warnings are not counted.
"""

from __future__ import annotations

import json
import re
import secrets
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
        (folder / (name + ".url")).write_text(response.url)  # after redirects
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
    collect_staff(base, keep)
    return saved


STAFF_SKIP = ("/staff/login", "/staff/password", "template.")
STAFF_LINKED = (
    ("/staff/fairs/", r'href="(/staff/fairs/\d+/edit)"'),
    ("/staff/news/", r'href="(/staff/news/\d+/edit)"'),
    ("/staff/appeals/", r'href="(/staff/appeals/\d+)"'),
    ("/staff/offers/", r'href="(/staff/offers/\d+)"'),
    ("/staff/needs/", r'href="(/staff/needs/\d+/edit)"'),
    ("/staff/prices/", r'href="(/staff/prices/\d+/edit)"'),
    ("/staff/campaigns/", r'href="(/staff/campaigns/\d+/edit)"'),
    ("/staff/regions/", r'href="(/staff/regions/\w+/\d+/edit)"'),
)
STAFF_FAILED_POSTS = ("/staff/fairs/new", "/staff/news/new", "/staff/needs/new", "/staff/prices/new",
                      "/staff/reports/allocations/new", "/staff/campaigns/new")


def collect_staff(base: str, keep) -> None:
    """Every staff page without an id, the first of each kind with one, and forms after a failed POST,
    as an administrator working in each language (staff pages are in the staff member's language)."""
    import pyotp

    from portal.extensions import db
    from tests.factories import make_staff

    app = current_live_app()
    accounts = []
    with app.app_context():
        for lang in LANGS:
            user = make_staff(role="admin", region_code=None,
                              email="vnu-admin-%s-%s@example.kz" % (lang, secrets.token_hex(3)))
            user.language = lang
            accounts.append((lang, user.email, user.totp_plain))
        db.session.commit()
        db.session.remove()
        paths = sorted({
            rule.rule for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/staff") and "GET" in rule.methods and not rule.arguments
            and not any(skip in rule.rule for skip in STAFF_SKIP)
        })
    for lang, email, secret in accounts:
        staff = requests.Session()
        token = _token(staff.get(base + "/staff/login").text)
        assert staff.post(base + "/staff/login", data={"email": email, "password": "correct horse battery",
                                                       "csrf_token": token}).url.endswith("/staff/login/code")
        token = _token(staff.get(base + "/staff/login/code").text)
        signed_in = staff.post(base + "/staff/login/code",
                               data={"code": pyotp.TOTP(secret).now(), "csrf_token": token})
        assert signed_in.url.rstrip("/").endswith("/staff"), signed_in.url
        own = list(paths)
        for listing, pattern in STAFF_LINKED:
            found = re.search(pattern, staff.get(base + listing).text)
            if found:
                own.append(found.group(1))
        own += ["/staff/reports/preview?year=2023", "/staff/reports/publish?year=2023"]
        for path in own:
            response = staff.get(base + path)
            if response.headers.get("Content-Type", "").startswith("text/html"):
                keep("%s [%s]" % (path, lang), response)
        for path in STAFF_FAILED_POSTS:
            token = _token(staff.get(base + path).text)
            keep("%s (failed POST) [%s]" % (path, lang), staff.post(base + path, data={"csrf_token": token}))


_LIVE = {}


def current_live_app():
    return _LIVE["app"]


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
    _LIVE["app"] = live_server.app
    saved = collect(live_server.url, folder)
    return saved, run_vnu(sorted(folder.glob("*.html"))), folder


def test_every_page_type_is_valid_html(vnu_errors):
    saved, errors, _folder = vnu_errors
    assert len(saved) > 100
    by_page: dict[str, list[str]] = {}
    for message in errors:
        name = Path(message.get("url", "").replace("file:", "")).name
        by_page.setdefault(saved.get(name, name), []).append(
            "line %s: %s  «%s»" % (message.get("lastLine"), message.get("message"), (message.get("extract") or "").strip()[:120])
        )
    report = "\n".join("%s\n  %s" % (page, "\n  ".join(lines[:8])) for page, lines in sorted(by_page.items()))
    assert not errors, "vnu found %d errors on %d pages:\n%s" % (len(errors), len(by_page), report)



# --- metadata: rel=canonical, Open Graph, the share image, the favicon, schema.org Event -------------------


def _meta(html: str, prop: str) -> list[str]:
    return re.findall(r'<meta (?:property|name)="%s" content="([^"]*)"' % re.escape(prop), html)


def test_every_language_page_has_canonical_and_open_graph(vnu_errors, live_server):
    saved, _errors, folder = vnu_errors
    base = live_server.url
    checked = 0
    for name, label in saved.items():
        path = label.split(" ")[0]
        if not label.endswith("(200)") or "POST" in label or not re.match(r"/(kk|ru|en)/", path):
            continue
        html = (folder / name).read_text(encoding="utf-8")
        canonical = re.findall(r'<link rel="canonical" href="([^"]+)">', html)
        # The page's own language URL; a list keeps only the query that changes it (page, region...).
        expected = (folder / (name + ".url")).read_text().split("#")[0]
        assert canonical == [expected], (label, canonical)
        if '<meta name="robots" content="noindex">' in html:
            continue  # the embeddable widget: not a page to share
        for prop in ("og:title", "og:description", "og:url", "og:image", "og:locale", "og:type", "og:site_name"):
            values = _meta(html, prop)
            assert len(values) == 1 and values[0].strip(), (label, prop, values)
        assert _meta(html, "og:url") == canonical
        assert _meta(html, "og:locale")[0][:2] == expected[len(base) + 1:len(base) + 3]
        checked += 1
    assert checked > 80
    image = _meta((folder / next(iter(saved))).read_text(encoding="utf-8"), "og:image")[0]
    response = requests.get(image, timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/png"
    assert response.content[16:24] == (1200).to_bytes(4, "big") + (630).to_bytes(4, "big")  # PNG IHDR size
    assert "immutable" in response.headers["Cache-Control"]


def test_canonical_drops_irrelevant_query(live_server):
    html = requests.get(live_server.url + "/en/fairs/?utm_source=mail&region=KZ-71&sort=x", timeout=30).text
    assert re.findall(r'<link rel="canonical" href="([^"]+)">', html) == [live_server.url + "/en/fairs/?region=KZ-71"]


def test_favicon_ico(live_server):
    response = requests.get(live_server.url + "/favicon.ico", timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/vnd.microsoft.icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # ICO header, one or more images
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("lang", LANGS)
def test_fair_event_markup_is_complete(live_server, lang):
    session = requests.Session()
    listing = session.get("%s/%s/fairs/" % (live_server.url, lang), timeout=30).text
    paths = sorted(set(re.findall(r'href="(/%s/fairs/\d+)"' % lang, listing)))[:5]
    assert paths
    for path in paths:
        html = session.get(live_server.url + path, timeout=30).text
        blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        events = [e for e in map(json.loads, blocks) if e.get("@type") == "Event"]
        assert len(events) == 1, path
        event = events[0]

        def empty(value):
            if isinstance(value, dict):
                return any(empty(v) for v in value.values())
            if isinstance(value, list):
                return not value or any(empty(v) for v in value)
            return value is None or value == ""

        assert not empty(event), (path, event)
        for key in ("name", "startDate", "endDate", "location", "url", "image", "organizer", "eventStatus"):
            assert key in event, (path, key)
        assert event["organizer"]["url"].startswith(live_server.url + "/%s/regions/KZ-" % lang)
        assert event["image"][0].startswith(live_server.url + "/static/img/share.")
        assert event["location"]["address"]["addressCountry"] == "KZ"
