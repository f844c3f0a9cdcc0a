"""Posters and leaflets: every language and size, the facts a family needs, and a QR code to the right page."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from portal.extensions import db
from portal.posters.qr import qr_matrix, qr_paths, qr_svg
from portal.regions.models import PhoneLine
from tests.factories import make_fair

LANGS = ("kk", "ru", "en")
UTC = dt.timezone.utc


def payload_of(html: str) -> str:
    found = re.findall(r'data-qr-payload="([^"]+)"', html)
    assert len(found) == 1
    return found[0]


def svg_of(html: str) -> str:
    match = re.search(r"<svg role=\"img\".*?</svg>", html, re.S)
    assert match
    return match.group(0)


def matrix_from_svg(svg: str) -> list[list[int]]:
    """Read the dark modules back from segno's path (``M x y.5 h n m dx dy``…): a decoder for our own SVG."""
    width = int(re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).group(1))
    d = re.search(r'stroke="#000" d="([^"]+)"', svg).group(1)
    grid = [[0] * width for _ in range(width)]
    x = y = 0.0
    for op, a, b in re.findall(r"([Mmhv])(-?[\d.]+)(?: (-?[\d.]+))?", d):
        a = float(a)
        if op == "M":
            x, y = a, float(b)
        elif op == "m":
            x, y = x + a, y + float(b)
        elif op == "h":
            for i in range(int(a)):
                grid[int(y)][int(x) + i] = 1
            x += a
        else:
            raise AssertionError("unexpected path command " + op)
    return grid


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", ("a4", "a6"))
def test_campaign_poster_in_every_language_and_size(client, lang, size):
    response = client.get(f"/{lang}/print/campaign?size={size}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}"' in html
    assert html.count("<h1") == 1
    assert f"poster-{size}" in html
    slogan = {"kk": "Жақсылықты жаса", "ru": "Делай добро", "en": "Do good"}[lang]
    assert slogan in html
    assert {"kk": "2023 ж. 1 тамыз – 30 қыркүйек", "ru": "1 августа – 30 сентября 2023 г.",
            "en": "August 1 – September 30, 2023"}[lang] in html
    assert ">111<" in html
    assert payload_of(html) == f"http://localhost/{lang}/help"
    assert "Set-Cookie" not in response.headers


def test_unknown_size_falls_back_to_a4(client):
    assert "poster-a4" in client.get("/en/print/campaign?size=a0").get_data(as_text=True)


def test_campaign_poster_for_a_region_lists_its_lines(app, client):
    with app.app_context():
        db.session.add(PhoneLine(region_code="KZ-71", kind="hotline", number="+7 (7172) 55-00-01", title_en="Hotline"))
        db.session.commit()
    html = client.get("/en/print/campaign?region=KZ-71").get_data(as_text=True)
    assert "+7 (7172) 55-00-01" in html
    assert "region=KZ-71" in html  # the size links keep the region


@pytest.mark.parametrize("lang", LANGS)
def test_fair_poster_and_leaflet(app, client, lang):
    with app.app_context():
        db.session.add(PhoneLine(region_code="KZ-61", kind="hotline", number="+7 (72533) 7-00-01", title_en="Hotline"))
        fair = make_fair("KZ-61", title_kk="Ауылдағы жәрмеңке", title_ru="Ярмарка в селе", title_en="Village fair",
                         venue="School No. 3", address="Abai St 12", settlement="Sholakkorgan",
                         starts_at=dt.datetime(2023, 8, 20, 4, 0, tzinfo=UTC))
        db.session.commit()
        fair_id = fair.id
    for size in ("a4", "a6"):
        html = client.get(f"/{lang}/print/fair/{fair_id}?size={size}").get_data(as_text=True)
        assert {"kk": "Ауылдағы жәрмеңке", "ru": "Ярмарка в селе", "en": "Village fair"}[lang] in html
        assert "School No. 3" in html and "Abai St 12" in html and "Sholakkorgan" in html
        assert "10:00" in html  # local time (UTC+6 in 2023)
        assert "+7 (72533) 7-00-01" in html and ">111<" in html
        assert "poster-fair" in html and f"poster-{size}" in html
        assert payload_of(html) == f"http://localhost/{lang}/fairs/{fair_id}"


def test_a_fair_title_in_another_language_is_marked_as_such(app, client):
    """A fair written only in Russian, on the Kazakh poster: screen readers read it as Russian."""
    with app.app_context():
        fair = make_fair("KZ-61", title_kk="", title_ru="Ярмарка в селе", title_en="")
        db.session.commit()
        fair_id = fair.id
    poster = client.get(f"/kk/print/fair/{fair_id}").get_data(as_text=True)
    assert '<span lang="ru">Ярмарка в селе</span>' in poster
    campaign = client.get("/kk/print/campaign").get_data(as_text=True)
    assert '<span lang="ru">Ярмарка в селе</span>' in campaign
    russian = client.get(f"/ru/print/fair/{fair_id}").get_data(as_text=True)
    assert "Ярмарка в селе" in russian and '<span lang="ru">' not in russian


def test_missing_fair_is_404(client):
    assert client.get("/en/print/fair/999999").status_code == 404


def test_qr_code_decodes_to_the_page_url(app, client):
    with app.app_context():
        fair = make_fair("KZ-71")
        db.session.commit()
        fair_id = fair.id
    html = client.get(f"/ru/print/fair/{fair_id}?size=a6").get_data(as_text=True)
    expected = f"http://localhost/ru/fairs/{fair_id}"
    svg = svg_of(html)
    # Read the modules back from the SVG and compare with a fresh code for the expected URL (quiet zone: 4).
    grid = matrix_from_svg(svg)
    decoded = tuple(tuple(row[4:-4]) for row in grid[4:-4])
    assert decoded == qr_matrix(expected)
    assert decoded != qr_matrix(f"http://localhost/ru/fairs/{fair_id + 1}")
    # And segno, given the payload, draws exactly these modules.
    viewbox, _light, dark = qr_paths(expected)
    assert f'viewBox="{viewbox}"' in svg and f'stroke="#000" d="{dark}"' in svg


def test_qr_svg_is_labelled_and_escapes_its_payload(app):
    with app.test_request_context():
        svg = qr_svg('http://localhost/en/fairs/1?a=1&b="2"', "QR code")
    assert 'role="img"' in svg and 'aria-label="QR code"' in svg
    assert "&amp;b=&#34;2&#34;" in svg
