"""The README's newcomer path, end to end (issue 14): what `make run` does, then a click through everything.

The portal is started the way `make run` starts it (migrations, reference data, `flask seed demo`, gunicorn
with the production settings and demo sign-in allowed), on the real clock. A demo admin signs in with the
code `flask staff demo-code` prints, then every internal link reachable from the home page (in all three
languages) and from the back office is followed, and every form's page is fetched: no 5xx, no broken
internal link, and no page saying "nothing yet" about something the demo database holds.
"""

from __future__ import annotations

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from html.parser import HTMLParser

import pytest

pytestmark = pytest.mark.slow

ADMIN = "admin@demo.mektepke-zhol.kz"
COORDINATOR = "astana@demo.mektepke-zhol.kz"
MAX_PAGES = 3000
# Pages and the "nothing yet" texts they must not show once the demo is loaded.
NOT_EMPTY = {
    "/en/fairs/": ("No fairs match", "No fairs yet"),
    "/en/news/": ("No news yet",),
    "/en/needs/": ("No needs",),
    "/en/needs/response": ("No appeals or offers yet",),
    "/en/reports/": ("No reports",),
    "/en/campaigns/": ("No campaign year has been announced yet",),
    "/staff/offers/": ("No offers",),
    "/staff/appeals/": ("No appeals",),
    "/staff/needs/": ("No needs have been published yet",),
    "/staff/campaigns/": ("No campaign year has been opened yet",),
}


class Links(HTMLParser):
    """``href``/``src`` of a page, and the actions of its forms (with their method)."""

    def __init__(self):
        super().__init__()
        self.links, self.forms, self.hidden = [], [], {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "src"):
            if attrs.get(name) and tag in ("a", "link", "script", "img", "iframe"):
                if tag == "link" and attrs.get("rel") in ("alternate", "canonical") and attrs.get("hreflang"):
                    continue  # absolute language alternates of this same page
                self.links.append(attrs[name])
        if tag == "form":
            self.forms.append(((attrs.get("method") or "get").lower(), attrs.get("action") or ""))
        if tag == "input" and attrs.get("type") == "hidden" and attrs.get("name"):
            self.hidden[attrs["name"]] = attrs.get("value") or ""


def parse(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def newcomer(gunicorn):
    """A portal as `make run` leaves it: migrated, seeded with demo data, served by gunicorn."""
    env = {
        "FLASK_ALLOW_DEMO_LOGIN": "1",
        # One client follows every link of the site: the per-address page-view limit is not under test here.
        "FLASK_PAGE_VIEW_RATE_LIMIT": "100000 per minute",
    }
    with gunicorn("newcomer", workers=2, setup="cli", demo=True, env=env) as server:

        def demo_code(email: str = ADMIN) -> str:
            done = server.flask("staff", "demo-code", "--email", email, timeout=60)
            assert done.returncode == 0, done.stderr  # crashed with the old 80-bit demo secret
            return done.stdout.strip()

        yield server.url, demo_code


class Browser:
    """A cookie-keeping client that never raises on an HTTP status."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect())

    def open(self, path: str, data: dict | None = None, follow: bool = True):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers={"Accept-Language": "kk"})
        try:
            response = self.opener.open(request, timeout=30)
            status, headers, content = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, headers, content = error.code, error.headers, error.read()
        if follow and status in (301, 302, 303) and headers.get("Location"):
            location = urllib.parse.urlsplit(urllib.parse.urljoin(self.base + path, headers["Location"]))
            return self.open(location.path + ("?" + location.query if location.query else ""))
        return status, headers, content


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in(browser: Browser, demo_code, email: str = ADMIN) -> None:
    """Password, then the code `flask staff demo-code` prints, as the README says."""
    status, _h, page = browser.open("/staff/login")
    assert status == 200
    token = parse(page.decode()).hidden["csrf_token"]
    status, _h, page = browser.open("/staff/login", {"csrf_token": token, "email": email, "password": "demo-password-2023"})
    assert status == 200 and b'name="code"' in page, page[:2000]
    token = parse(page.decode()).hidden["csrf_token"]
    status, _h, page = browser.open("/staff/login/code", {"csrf_token": token, "code": demo_code(email)})
    assert status == 200 and b"/staff/logout" in page, (status, page[:2000])


def crawl(browser: Browser, starts: list[str], inside) -> dict[str, int]:
    """Follow every internal link from ``starts`` whose path ``inside`` accepts: ``{path: status}``."""
    seen: dict[str, int] = {}
    broken: list[str] = []
    queue = deque((start, "start") for start in starts)
    queued = set(starts)
    while queue and len(seen) < MAX_PAGES:
        path, found_on = queue.popleft()
        status, headers, content = browser.open(path)
        seen[path] = status
        assert status < 500, f"{path} (linked from {found_on}) answered {status}"
        if status == 404:
            broken.append(f"{path} (linked from {found_on})")
        if "text/html" not in (headers.get("Content-Type") or ""):
            continue
        links = parse(content.decode("utf-8", "replace"))
        targets = list(links.links) + [action or path for method, action in links.forms if method == "get"]
        for target in targets:
            url = urllib.parse.urlsplit(urllib.parse.urljoin(browser.base + path, target))
            if url.netloc != urllib.parse.urlsplit(browser.base).netloc or url.scheme not in ("http", "https"):
                continue
            next_path = url.path + ("?" + url.query if url.query else "")
            if next_path not in queued and inside(url.path):
                queued.add(next_path)
                queue.append((next_path, path))
    assert not broken, "broken internal links:\n" + "\n".join(broken)
    return seen


def test_make_run_then_click_through_everything(newcomer):
    base, demo_code = newcomer
    visitor = Browser(base)
    public = crawl(visitor, ["/", "/kk/", "/ru/", "/en/"],
                   inside=lambda p: not p.startswith("/staff") and "logout" not in p)
    assert len(public) > 150, len(public)
    for lang in ("kk", "ru", "en"):
        assert f"/{lang}/campaigns/" in public, sorted(public)[:50]

    staff = Browser(base)
    sign_in(staff, demo_code)
    back_office = crawl(staff, ["/staff/"], inside=lambda p: p.startswith("/staff") and "logout" not in p)
    assert "/staff/campaigns/" in back_office and len(back_office) > 20, sorted(back_office)

    # A regional coordinator walks the back office too: everything they can reach works (their region only).
    coordinator = Browser(base)
    sign_in(coordinator, demo_code, COORDINATOR)
    regional = crawl(coordinator, ["/staff/"], inside=lambda p: p.startswith("/staff") and "logout" not in p)
    assert len(regional) > 10, sorted(regional)

    for path, phrases in NOT_EMPTY.items():
        status, _h, content = (staff if path.startswith("/staff") else visitor).open(path)
        text = content.decode()
        assert status == 200, path
        for phrase in phrases:
            assert phrase not in text, f"{path} says {phrase!r} but the demo holds data for it"
