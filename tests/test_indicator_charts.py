"""The indicators' charts on a report page (issue 16): server-rendered SVG with a title and a description, each
beside a table of the same figures; hidden and missing figures written out, never drawn; no script; kk, ru, en."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.reports.models import Allocation, IndicatorSignoff
from tests.test_reports import SLUG, add_lines, publish_report

SVG = "{http://www.w3.org/2000/svg}"
LANGS = ("kk", "ru", "en")
# Children helped (amount: 10 000 ₸ a child): KZ-47's 5 children are hidden, and a complement with them.
LINES = {
    ("KZ-71", "low_income", "backpack", "sponsors"): 120,
    ("KZ-71", "large_family", "uniform", "local_budget"): 80,
    ("KZ-15", "low_income", "backpack", "other"): 60,
    ("KZ-75", "orphan", "shoes", "local_budget"): 90,
    ("KZ-47", "other", "backpack", "sponsors"): 5,
}
# Region: (planned budget, children identified); KZ-15 gave no plan.
SIGNED = {"KZ-71": (5_000_000, 250), "KZ-15": (None, 100), "KZ-75": (600_000, 90), "KZ-47": (1_000_000, 40)}


def publish_with_indicators(app, deliveries=(("urban", 30, 300_000), ("rural", 15, 300_000))) -> None:
    """Version 1 of the 2023 report with indicators for four checked regions, deliveries to a town and a village."""
    from portal.offers.models import Delivery
    from tests.factories import make_offer

    with app.app_context():
        campaign = add_lines(LINES)
        for code, (plan, identified) in SIGNED.items():
            db.session.add(IndicatorSignoff(campaign_id=campaign.id, region_code=code, status="checked",
                                            planned_budget=plan, children_identified=identified))
        offer = make_offer("KZ-71", status="delivered")
        for locality, children, value in deliveries:
            db.session.add(Delivery(offer=offer, kind="backpacks", quantity=children, value_tenge=value, children=children,
                                    delivered_on=dt.date(2023, 8, 14), region_code="KZ-71", place="x", locality=locality))
        db.session.commit()
    publish_report(app, lines=None)


def section(html: str, ident: str) -> str:
    start = html.index('id="%s"' % ident)
    return html[start:html.index("</section>", start)]


def svgs(html: str) -> list[ET.Element]:
    """Every chart in the HTML, parsed as XML (it must be well-formed)."""
    return [ET.fromstring(s) for s in re.findall(r"<svg\b.*?</svg>", html, re.S)]


def chart_rows(svg: ET.Element) -> list[dict]:
    """Each row: its label, its bars (rect widths) and its figure (the last text)."""
    rows = []
    for g in svg.iter(SVG + "g"):
        texts = ["".join(t.itertext()) for t in g.iter(SVG + "text")]
        bars = [float(r.get("width")) for r in g.iter(SVG + "rect") if r.get("fill") != "none"]
        outline = [float(r.get("width")) for r in g.iter(SVG + "rect") if r.get("fill") == "none"]
        rows.append({"label": texts[0], "figure": texts[-1], "bars": bars, "outline": outline})
    return rows


def table_rows(html: str) -> dict[str, list[str]]:
    """``{row header: [cells]}`` of the first table in the HTML."""
    body = html[html.index("<tbody"):html.index("</tbody>")]
    rows = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        header = re.search(r"<th[^>]*>(.*?)</th>", tr, re.S).group(1)
        rows[_text(header)] = [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
    return rows


def _text(fragment: str) -> str:
    return re.sub(r"<[^>]+>", "", fragment).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


@pytest.mark.parametrize("lang", LANGS)
def test_indicator_charts_are_accessible_svg_without_script(app, client, lang):
    publish_with_indicators(app)
    html = client.get(f"/{lang}/reports/{SLUG}").get_data(as_text=True)
    indicators = html[html.index('id="indicators"'):html.index('id="methodology"')]
    charts = svgs(indicators)
    assert len(charts) == 4  # coverage, budget, towns and villages (children, value)
    ids = set()
    for svg in charts:
        assert svg.get("role") == "img" and svg.get("focusable") == "false"
        title, desc = svg.find(SVG + "title"), svg.find(SVG + "desc")
        assert title is not None and title.text.strip() and desc is not None and len(desc.text) > 40
        assert svg.get("aria-labelledby") == "%s %s" % (title.get("id"), desc.get("id"))
        ids.update(e.get("id") for e in svg.iter() if e.get("id"))
        assert not list(svg.iter(SVG + "script")) and not any(k.startswith("on") for e in svg.iter() for k in e.attrib)
    assert len(ids) == len([i for svg in charts for i in (e.get("id") for e in svg.iter()) if i])  # unique ids
    assert "<script" not in indicators
    assert 'id="indicator-coverage"' in indicators and 'id="indicator-budget"' in indicators
    # Each chart has a table beside it, in the same pair.
    for ident in ("indicator-coverage", "indicator-budget", "indicator-places"):
        pair = section(html, ident)
        assert pair.index("<svg") < pair.index("<table") and "report-pair" in pair


@pytest.mark.parametrize("lang", LANGS)
def test_coverage_chart_matches_its_table_and_draws_no_hidden_figure(app, client, lang):
    publish_with_indicators(app)
    html = section(client.get(f"/{lang}/reports/{SLUG}").get_data(as_text=True), "indicator-coverage")
    rows = chart_rows(svgs(html)[0])
    table = table_rows(html)
    assert [r["label"] for r in rows] == list(table)  # the same rows, in the same order
    for row in rows:
        assert row["figure"] == table[row["label"]][-1]  # the figure after the bar is the table's coverage
    by_figure = {r["figure"]: r for r in rows}
    hidden = [r for r in rows if any("<" in c or c == "x" for c in table[r["label"]][:2])]
    assert hidden, table  # KZ-47 (5 children) and its complement are hidden
    for row in hidden:
        assert row["bars"] == [] and row["figure"] == {"kk": "жасырылған", "ru": "скрыто", "en": "hidden"}[lang]
    # KZ-71: 200 of 250 = 80 %; bars are in proportion (the scale reaches 100 %).
    eighty = next(r for f, r in by_figure.items() if f.startswith("80"))
    shown = [r for r in rows if r["bars"]]
    for row in shown:
        number = int(re.match(r"\d+", row["figure"]).group())
        assert row["bars"][0] == pytest.approx(eighty["bars"][0] * number / 80, abs=1.5)


def test_budget_chart_shows_spending_against_the_plan(app, client):
    publish_with_indicators(app)
    html = section(client.get(f"/en/reports/{SLUG}").get_data(as_text=True), "indicator-budget")
    rows = {r["label"]: r for r in chart_rows(svgs(html)[0])}
    table = table_rows(html)
    # Astana (KZ-71): 800 000 ₸ local budget + 1 200 000 ₸ sponsors of a 5 000 000 ₸ plan = 40 %.
    astana = rows["Astana (city)"]
    assert astana["figure"] == "40%" == table["Astana (city)"][-1]
    assert table["Astana (city)"][:3] == ["5,000,000\xa0₸", "800,000\xa0₸", "1,200,000\xa0₸"]
    assert len(astana["bars"]) == 2 and astana["bars"][1] == pytest.approx(astana["bars"][0] * 1.5, abs=1.5)
    assert astana["bars"][0] + astana["bars"][1] == pytest.approx(astana["outline"][0] * 0.4, abs=2)
    # A region without a plan: written out, no bar; the whole country likewise (not every region gave one).
    no_plan = [label for label, row in rows.items() if row["figure"] == "no plan"]
    assert len(no_plan) == 1 and rows[no_plan[0]]["bars"] == [] and table[no_plan[0]][0] == "—"
    assert rows["Whole country"]["figure"] == "not every region gave a plan" and not rows["Whole country"]["bars"]
    # Parts are told apart by a pattern, not by colour alone, and the legend names them and the plan.
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert "<pattern" in svg and "url(#chart-budget-p1)" in svg
    for name in ("Local budget", "Sponsors", "Other sources", "Plan"):
        assert ">%s</text>" % name in svg


def test_towns_and_villages_chart(app, client):
    publish_with_indicators(app)
    html = section(client.get(f"/en/reports/{SLUG}").get_data(as_text=True), "indicator-places")
    children, value = (chart_rows(s) for s in svgs(html))
    table = table_rows(html)
    assert [r["label"] for r in children] == list(table) == ["Whole country", "Astana (city)"]
    astana = next(r for r in children if r["label"] == "Astana (city)")
    assert astana["figure"] == "45"  # 30 in towns + 15 in villages
    assert astana["bars"][0] == pytest.approx(2 * astana["bars"][1], abs=1.5)
    assert table["Astana (city)"] == ["30", "15", "300,000\xa0₸", "300,000\xa0₸"]
    worth = next(r for r in value if r["label"] == "Astana (city)")
    assert worth["figure"] == "600,000\xa0₸" and worth["bars"][0] == pytest.approx(worth["bars"][1], abs=1.5)
    assert "Whole country: 33% in villages." in html


def test_few_children_in_villages_are_hidden_in_the_chart(app, client):
    publish_with_indicators(app, deliveries=(("urban", 40, 400_000), ("rural", 3, 30_000)))
    html = section(client.get(f"/ru/reports/{SLUG}").get_data(as_text=True), "indicator-places")
    children, value = (chart_rows(s) for s in svgs(html))
    for rows in (children, value):
        astana = next(r for r in rows if r["label"].startswith("Астана"))
        assert astana["bars"] == [] and astana["figure"] == "скрыто"
    assert "30\xa0000" not in html  # the value beside a hidden count is hidden too


def test_no_chart_for_figures_nobody_gave(app, client):
    with app.app_context():
        campaign = add_lines({("KZ-71", "low_income", "backpack", "sponsors"): 120})
        db.session.add(IndicatorSignoff(campaign_id=campaign.id, region_code="KZ-71", status="checked"))
        db.session.commit()
    publish_report(app, lines=None)
    html = client.get(f"/en/reports/{SLUG}").get_data(as_text=True)
    assert 'id="indicators"' in html
    for ident in ("indicator-coverage", "indicator-budget", "indicator-places"):
        assert 'id="%s"' % ident not in html


def test_year_over_year_charts_beside_the_series_table(app, client):
    from portal.reports.publish import default_texts, publish
    from tests.factories import make_campaign

    publish_with_indicators(app)
    with app.test_request_context("/staff/reports/"):
        later = make_campaign(year=2024)
        db.session.add(Allocation(campaign_id=later.id, region_code="KZ-71", recipient_group="low_income",
                                  aid_kind="backpack", source="sponsors", children=150, amount=1_500_000, items=150))
        db.session.add(IndicatorSignoff(campaign_id=later.id, region_code="KZ-71", status="checked",
                                        children_identified=180, planned_budget=2_000_000))
        db.session.flush()
        publish(later, texts=default_texts(later, False, 10))
        db.session.commit()
    html = client.get("/kk/reports/mektepke-zhol-2024").get_data(as_text=True)
    series = html[html.index('id="indicator-series-title"'):html.index('id="methodology"')]
    helped, coverage = (chart_rows(s) for s in svgs(series))
    assert [r["label"] for r in helped] == ["2023", "2024"] == [r["label"] for r in coverage]
    table = {}  # the series' tables (budget, children, ...), row by row
    for part in series.split("<tbody")[1:]:
        for label, cells in table_rows("<tbody" + part).items():
            table.setdefault(label, []).extend(cells)
    assert helped[1]["figure"] == "150" and "150" in table["2024"]
    assert coverage[1]["figure"].startswith("83") and "83" in table["2024"]
    assert series.index("<svg") < series.index("<table")


def test_a_page_without_indicators_has_no_indicator_chart(app, client):
    publish_report(app)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(IndicatorSignoff)) == 0
    html = client.get(f"/en/reports/{SLUG}").get_data(as_text=True)
    assert 'id="indicators"' not in html and "chart-coverage" not in html


def test_report_page_with_every_indicator_chart_is_valid_html(app, client, tmp_path):
    """The Nu HTML checker (as in tests/test_html_validity.py, whose demo report has no towns-and-villages chart)."""
    import shutil

    from tests.test_html_validity import VNU, run_vnu

    if not VNU.exists() or not shutil.which("java"):
        pytest.fail("vnu.jar or Java missing: `make test` installs both (npm ci, apt-get install default-jre-headless)")
    publish_with_indicators(app)
    files = []
    for lang in LANGS:
        html = client.get(f"/{lang}/reports/{SLUG}").get_data(as_text=True)
        assert html.count("<svg") == 8  # the report's four breakdowns and the indicators' four charts
        files.append(tmp_path / f"{lang}.html")
        files[-1].write_text(html, encoding="utf-8")
    errors = run_vnu(files)
    assert errors == [], [(e.get("url", "").rsplit("/", 1)[-1], e.get("message"), e.get("extract")) for e in errors]


def _contrast(colour: str) -> float:
    """WCAG contrast of a #rrggbb colour against white."""
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


def test_chart_text_and_bars_have_enough_contrast(app, client):
    publish_with_indicators(app)
    html = client.get(f"/en/reports/{SLUG}").get_data(as_text=True)
    indicators = html[html.index('id="indicators"'):html.index('id="methodology"')]
    checked = 0
    for svg in svgs(indicators):
        for element in svg.iter():
            tag = element.tag.replace(SVG, "")
            for colour in (element.get("fill"), element.get("stroke")):
                if not colour or colour in ("none", "#fff") or colour.startswith("url("):
                    continue
                assert _contrast(colour) >= (4.5 if tag == "text" else 3), (tag, colour)
                checked += 1
    assert checked > 50
