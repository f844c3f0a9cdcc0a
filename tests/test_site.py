"""Operations and search engines; security headers; static assets; compression."""

import gzip
import re
import xml.etree.ElementTree as ET

import brotli
import pytest

from portal.extensions import db

LANGS = ("kk", "ru", "en")


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_reports_a_broken_database(app, client, monkeypatch):
    import sqlalchemy as sa

    def broken(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("down"))

    with app.app_context():
        monkeypatch.setattr(db.session, "execute", broken)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "error"


def test_robots(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    body = response.get_data(as_text=True)
    assert "Disallow: /staff/" in body
    assert re.search(r"Sitemap: http://localhost/sitemap.xml", body)


def test_sitemap_lists_every_public_page_in_every_language_with_alternates(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.data)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    locs = [u.find("s:loc", ns).text for u in root.findall("s:url", ns)]
    for lang in LANGS:
        for page in ("", "about", "help", "accessibility", "privacy"):
            assert f"http://localhost/{lang}/{page}" in locs
    for url in root.findall("s:url", ns):
        langs = {link.get("hreflang") for link in url.findall("x:link", ns)}
        assert langs == {"kk", "ru", "en", "x-default"}
    assert not any("/staff" in loc for loc in locs)


# --- headers ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/kk/", "/ru/about", "/en/help", "/healthz", "/robots.txt", "/kk/missing"])
def test_security_headers(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "object-src 'none'" in csp
    assert "base-uri 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in headers  # plain HTTP here
    assert "Server" not in headers


def test_hsts_over_https(client):
    response = client.get("/kk/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_inline_script_in_pages(client):
    for page in ("/kk/", "/kk/about", "/kk/help"):
        html = client.get(page).get_data(as_text=True)
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag
        assert not re.search(r"\son\w+=", html), "inline event handler"
        # No other host; the hreflang alternates, rel=canonical and the og: URLs name this site's own
        # origin, as search engines and link previews require.
        # The printed footer names the site's own address too (where to find it again).
        own = html.replace('xmlns="http://', "").replace("http://localhost/", "")
        assert "http://" not in own and "https://" not in own


# --- static assets ----------------------------------------------------------------


def test_assets_are_fingerprinted_and_immutable(client):
    html = client.get("/kk/").get_data(as_text=True)
    css = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', html).group(1)
    js = re.search(r'src="(/static/vendor/htmx-2\.0\.11\.min\.[0-9a-f]{12}\.js)"', html).group(1)
    for url in (css, js):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        etag = response.headers["ETag"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304


def test_unfingerprinted_asset_revalidates(client):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=3600"


def test_wrong_fingerprint_is_404(client):
    assert client.get("/static/css/site.000000000000.css").status_code == 404
    assert client.get("/static/../portal/config.py").status_code == 404


def test_assets_are_served_compressed(client):
    response = client.get("/static/vendor/htmx-2.0.11.min.js", headers={"Accept-Encoding": "br, gzip"})
    assert response.headers["Content-Encoding"] == "br"
    assert brotli.decompress(response.data).startswith(b"var htmx") or len(brotli.decompress(response.data)) > 40000
    response = client.get("/static/css/site.css", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert b":root" in gzip.decompress(response.data)
    assert "Accept-Encoding" in response.headers["Vary"]


def test_htmx_vendored_with_licence():
    from tests.conftest import ROOT

    assert (ROOT / "static/vendor/htmx-2.0.11.min.js").stat().st_size > 40000
    assert "Zero-Clause BSD" in (ROOT / "static/vendor/htmx-2.0.11.LICENSE.txt").read_text()


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_html_is_compressed(client, encoding):
    response = client.get("/ru/about", headers={"Accept-Encoding": encoding})
    assert response.headers["Content-Encoding"] == encoding
    body = brotli.decompress(response.data) if encoding == "br" else gzip.decompress(response.data)
    assert "Дорога в школу".encode() in body
    assert "Accept-Encoding" in response.headers["Vary"]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", ["", "about", "help"])
def test_page_weight_budget(client, lang, page):
    """First visit of a page: HTML ≤ 15 KB compressed, HTML+CSS+JS ≤ 50 KB on the wire."""
    response = client.get(f"/{lang}/{page}", headers={"Accept-Encoding": "br"})
    html_bytes = len(response.data)
    assert html_bytes <= 15 * 1024
    html = brotli.decompress(response.data).decode()
    total = html_bytes
    for url in re.findall(r'(?:href|src)="(/static/[^"]+)"', html):
        total += len(client.get(url, headers={"Accept-Encoding": "br"}).data)
    assert total <= 50 * 1024, total
