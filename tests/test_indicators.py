"""Campaign indicators per region (issue 16): regional inputs and sign-off (submitted → checked → included in
version N), frozen in the published version with the report's disclosure rule, CSV, methodology in kk/ru/en."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.reports.models import Allocation, IndicatorSignoff, ReportVersion
from tests.factories import make_need
from tests.test_reports import SLUG, add_lines, publish_report

INPUTS = {"planned_budget": "5 000 000", "children_identified": "300", "out_of_school": "12", "back_to_school": "9"}


def _submit(client, region, **overrides):
    data = {f"{region}-{k}": v for k, v in {**INPUTS, **overrides}.items()}
    return client.post("/staff/reports/indicators/submit?year=2023", data={**data, "region": region})


def _check(client, region):
    return client.post("/staff/reports/indicators/check?year=2023", data={"confirm": "yes", "region": region})


def test_region_submits_admin_checks_and_the_page_lists_missing_regions(app, staff_client):
    coordinator = staff_client("coordinator", "KZ-71")
    page = coordinator.get("/staff/reports/indicators?year=2023").get_data(as_text=True)
    assert "Regions still missing" in page
    assert _submit(coordinator, "KZ-47").status_code == 303  # another region: nothing saved
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(IndicatorSignoff)) == 0
    bad = _submit(coordinator, "KZ-71", back_to_school="20")
    assert bad.status_code == 422 and "Cannot be more than the appeals about children out of school." in bad.get_data(as_text=True)
    assert _submit(coordinator, "KZ-71", planned_budget="abc").status_code == 422
    assert _submit(coordinator, "KZ-71").status_code == 303
    assert _check(coordinator, "KZ-71").status_code == 403  # coordinators do not check their own figures
    admin = staff_client("admin")
    assert "Mark as checked" in admin.get("/staff/reports/indicators?year=2023").get_data(as_text=True)
    assert _check(admin, "KZ-71").status_code == 303
    with app.app_context():
        signoff = db.session.scalar(sa.select(IndicatorSignoff))
        assert signoff.status == "checked" and signoff.planned_budget == 5_000_000 and signoff.back_to_school == 9
        actions = db.session.scalars(sa.select(AuditEntry.action).where(
            AuditEntry.object_type == "report_indicator_signoff").order_by(AuditEntry.id)).all()
        assert actions == ["submit", "check"]
    missing = admin.get("/staff/reports/indicators?year=2023").get_data(as_text=True).split("Regions still missing")[1]
    listed = missing.split("</p>")[0]
    assert "Astana" not in listed and "Mangystau" in listed  # KZ-71 is checked, KZ-47 is not


def _regions_with_helped(app, counts):
    with app.app_context():
        add_lines({(code, "low_income", "backpack", "sponsors"): n for code, n in counts.items()})
        campaign_id = db.session.scalar(sa.select(Allocation.campaign_id))
        for code in counts:
            db.session.add(IndicatorSignoff(campaign_id=campaign_id, region_code=code, status="checked",
                                            planned_budget=1_000_000, children_identified=200,
                                            out_of_school=30, back_to_school=25))
        db.session.commit()


def test_published_version_freezes_checked_regions_with_disclosure_control(app, client):
    _regions_with_helped(app, {"KZ-71": 120, "KZ-47": 5, "KZ-15": 60})
    with app.app_context():
        campaign_id = db.session.scalar(sa.select(Allocation.campaign_id))
        db.session.add(IndicatorSignoff(campaign_id=campaign_id, region_code="KZ-75", status="submitted",
                                        children_identified=999))
        make_need("KZ-71", quantity_total=10, quantity_needed=0, covered=True)
        make_need("KZ-71", quantity_total=10, quantity_needed=5)
        db.session.commit()
    publish_report(app, lines=None)
    with app.app_context():
        version = db.session.scalar(sa.select(ReportVersion))
        table = version.summary["indicators"]
        assert set(table["regions"]) == {"KZ-71", "KZ-47", "KZ-15"}  # submitted, not checked: left out
        assert table["regions"]["KZ-47"]["children_helped"] == "<10"
        # Subtraction: the national total minus the shown regions must not give the hidden one.
        hidden = [c for c, row in table["regions"].items() if isinstance(row["children_helped"], str)]
        assert len(hidden) >= 2
        assert table["national"]["children_helped"] == 185
        assert table["regions"]["KZ-71"]["needs_published"] == 2 and table["regions"]["KZ-71"]["needs_met"] == 1
        assert table["regions"]["KZ-71"]["spent_sponsors"] == 1_200_000
        assert table["regions"]["KZ-47"]["coverage"] is None  # derived from a hidden count
        statuses = dict(db.session.execute(sa.select(IndicatorSignoff.region_code, IndicatorSignoff.status)).all())
        assert statuses["KZ-71"] == "included" and statuses["KZ-75"] == "submitted"
        assert db.session.scalar(sa.select(IndicatorSignoff.included_in_version).where(
            IndicatorSignoff.region_code == "KZ-71")) == 1
    html = client.get(f"/en/reports/{SLUG}").get_data(as_text=True)
    assert 'id="indicators"' in html and "How each indicator is counted" in html and "&lt;10" in html
    response = client.get(f"/reports/{SLUG}/v1/indicators.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0][:4] == ["region_code", "region_name_kk", "region_name_ru", "region_name_en"]
    col = rows[0].index("children_helped")
    by_region = {r[0]: r for r in rows[1:]}
    assert by_region["KZ-47"][col] == "<10" and by_region["KZ"][col] == "185"
    assert client.get(f"/reports/{SLUG}/v9/indicators.csv").status_code == 404
    data = client.get(f"/reports/{SLUG}/v1/indicators.json").get_json()
    assert data["regions"]["KZ-47"]["children_helped"] == "<10" and data["national"]["children_helped"] == 185
    coverage = data["indicators"]["coverage"]
    assert coverage["unit"] == "percent" and coverage["name_kk"] == "Қамту, %" and coverage["name_ru"] == "Охват, %"
    assert coverage["methodology_kk"] and coverage["methodology_ru"] != coverage["methodology_en"]


def test_hidden_indicator_cells_stay_hidden_in_later_versions(app):
    _regions_with_helped(app, {"KZ-71": 120, "KZ-47": 5, "KZ-15": 60})
    publish_report(app, lines=None)
    with app.app_context():
        # KZ-47 grows past the threshold, KZ-71 changes too: what was hidden stays hidden.
        db.session.execute(sa.update(Allocation).where(Allocation.region_code == "KZ-47").values(children=40))
        db.session.execute(sa.update(IndicatorSignoff).values(status="checked"))
        db.session.commit()
    publish_report(app, lines=None, note="Corrected")
    with app.app_context():
        first, second = db.session.scalars(sa.select(ReportVersion).order_by(ReportVersion.number)).all()
        hidden_before = {tuple(k) for k in first.summary["indicators"]["hidden"]}
        hidden_after = {tuple(k) for k in second.summary["indicators"]["hidden"]}
        assert hidden_before <= hidden_after
        assert second.summary["indicators"]["regions"]["KZ-47"]["children_helped"] in ("<10", "x")


def test_urban_and_rural_split_comes_from_deliveries(app):
    from portal.reports.indicators import compute
    from tests.factories import make_offer
    from portal.offers.models import Delivery
    import datetime as dt

    with app.app_context():
        offer = make_offer("KZ-71", status="delivered")
        for locality, children, value in (("urban", 30, 300_000), ("rural", 12, 240_000), ("rural", 3, 60_000)):
            db.session.add(Delivery(offer=offer, kind="backpacks", quantity=children, value_tenge=value, children=children,
                                    delivered_on=dt.date(2023, 8, 14), region_code="KZ-71", place="x", locality=locality))
        db.session.commit()
        row = compute(offer.campaign_id)["KZ-71"]
        assert (row["urban_children"], row["rural_children"], row["urban_value"], row["rural_value"]) == (30, 15, 300_000, 300_000)


@pytest.mark.parametrize("lang, word", [("kk", "Көрсеткіштер"), ("ru", "Показатели"), ("en", "Indicators")])
def test_indicators_and_methodology_in_each_language(app, client, lang, word):
    _regions_with_helped(app, {"KZ-71": 120, "KZ-15": 60})
    publish_report(app, lines=None)
    html = client.get(f"/{lang}/reports/{SLUG}").get_data(as_text=True)
    assert f">{word}</h2>" in html


# --- disclosure: the report's attacks run on the indicators too -----------------------------------


def _attack_rows(table: dict, group: tuple) -> list[dict]:
    """One group of child counts as published rows: region cells, the national figure of each column, and the
    group's national total (the reader adds the columns up). Region totals of a group are not published."""
    rows = []
    for code, row in table["regions"].items():
        for name in group:
            value = row.get(name)
            if value in (None, 0):
                continue
            rows.append({"region_code": code, "recipient_group": "all", "aid_kind": name, "source": "all",
                         "children": str(value)})
    for name in group:
        if table["national"].get(name):
            rows.append({"region_code": "", "recipient_group": "", "aid_kind": name, "source": "",
                         "children": str(table["national"][name])})
    national = [table["national"].get(name) or 0 for name in group]
    total = sum(national) if all(isinstance(v, int) for v in national) else 0
    rows.append({"region_code": "", "recipient_group": "", "aid_kind": "", "source": "",
                 "children": str(total) if all(isinstance(v, int) for v in national) else "x"})  # the reader's sum
    return rows


def _national_hidden(table, group) -> bool:
    """A hidden national figure leaves no published sum to attack: then some region cell of it is hidden too
    (it is hidden only where small hidden cells would otherwise be pinned by their bounds)."""
    hidden = [name for name in group if isinstance(table["national"].get(name), str)]
    for name in hidden:
        assert any(isinstance(row.get(name), str) for row in table["regions"].values())
    return bool(hidden)


TABLES = {
    "one small region": {"KZ-71": {"children_helped": 120}, "KZ-47": {"children_helped": 4}, "KZ-15": {"children_helped": 60}},
    "two small regions": {"KZ-71": {"children_helped": 3}, "KZ-47": {"children_helped": 4}, "KZ-15": {"children_helped": 60}},
    "two regions only": {"KZ-71": {"children_helped": 300}, "KZ-47": {"children_helped": 1}},
    "ones everywhere": {code: {"back_to_school": 1} for code in ("KZ-71", "KZ-47", "KZ-15", "KZ-75")},
    "small ones beside a large one": {"KZ-71": {"out_of_school": 1}, "KZ-47": {"out_of_school": 1}, "KZ-15": {"out_of_school": 40}},
    "urban and rural": {
        "KZ-71": {"urban_children": 200, "rural_children": 2, "urban_value": 1, "rural_value": 2},
        "KZ-47": {"urban_children": 40, "rural_children": 35},
        "KZ-15": {"urban_children": 5, "rural_children": 90},
    },
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_indicator_tables_reveal_nothing(name):
    from portal.reports.indicators import CHILD_GROUPS, publishable
    from tests.test_report_suppression import interval_attack, linear_attack, read_view, subtraction_attack

    table = publishable(TABLES[name], 10)
    for group in CHILD_GROUPS:
        if _national_hidden(table, group):
            continue
        known, hidden = read_view(_attack_rows(table, group))
        assert subtraction_attack(known, hidden) == set(), (name, group)
        assert linear_attack(known, hidden) == set(), (name, group)
        assert interval_attack(known, hidden) == set(), (name, group)
    # Values published beside a hidden count are hidden with it.
    for row in table["regions"].values():
        for value, count in (("urban_value", "urban_children"), ("rural_value", "rural_children")):
            if isinstance(row.get(count), str):
                assert isinstance(row.get(value), str)


def test_random_indicator_tables_reveal_nothing():
    import random

    from portal.reports.indicators import CHILD_GROUPS, publishable
    from tests.test_report_suppression import interval_attack, linear_attack, read_view, subtraction_attack

    rng = random.Random(16)
    codes = ("KZ-71", "KZ-47", "KZ-15", "KZ-75", "KZ-11")
    for _ in range(40):
        values = {
            code: {name: rng.choice((0, 1, 2, 5, 9, 10, 11, 40, 300)) for group in CHILD_GROUPS for name in group}
            for code in rng.sample(codes, rng.randint(1, len(codes)))
        }
        table = publishable(values, 10)
        for group in CHILD_GROUPS:
            if _national_hidden(table, group):
                continue
            known, hidden = read_view(_attack_rows(table, group))
            assert not subtraction_attack(known, hidden) and not linear_attack(known, hidden), (values, group)
            assert not interval_attack(known, hidden), (values, group)


def test_year_over_year_series_once_two_campaigns_have_indicators(app, client):
    from portal.campaigns.models import Campaign
    from portal.reports.publish import default_texts, publish
    from tests.factories import make_campaign

    _regions_with_helped(app, {"KZ-71": 120, "KZ-15": 60})
    publish_report(app, lines=None)
    html = client.get(f"/en/reports/{SLUG}").get_data(as_text=True)
    assert "Year over year, whole country" not in html  # one year only
    with app.test_request_context("/staff/reports/"):
        later = make_campaign(year=2024)
        db.session.add(Allocation(campaign_id=later.id, region_code="KZ-71", recipient_group="low_income",
                                  aid_kind="backpack", source="sponsors", children=150, amount=1_500_000, items=150))
        db.session.add(IndicatorSignoff(campaign_id=later.id, region_code="KZ-71", status="checked",
                                        children_identified=180, planned_budget=2_000_000))
        db.session.flush()
        publish(later, texts=default_texts(later, False, 10))
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Campaign)) >= 2
    for path in (f"/en/reports/{SLUG}", "/en/reports/mektepke-zhol-2024"):
        html = client.get(path).get_data(as_text=True)
        series = html.split("Year over year, whole country")[1].split("</table>")[0]
        assert ">2023</th>" in series and ">2024</th>" in series and "83" in series  # 2024 coverage 150/180


def test_appeals_about_children_out_of_school_are_counted_when_staff_close_them(app, staff_client):
    from portal.appeals.models import Appeal
    from portal.reports.indicators import compute
    from tests.factories import make_appeal

    with app.app_context():
        ids = [make_appeal("KZ-71", category="not_attending").id for _ in range(3)]
        make_appeal("KZ-71", category="forced_fees")
        campaign_id = db.session.scalar(sa.select(Allocation.campaign_id)) or __import__(
            "portal.campaigns.models", fromlist=["Campaign"]).current_campaign().id
        db.session.commit()
    coordinator = staff_client("coordinator", "KZ-71")
    page = coordinator.get(f"/staff/appeals/{ids[0]}").get_data(as_text=True)
    assert "Closing: the child is back at school" in page
    assert coordinator.post(f"/staff/appeals/{ids[0]}/status", data={"status": "closed", "back_to_school": "y"}).status_code in (302, 303)
    assert coordinator.post(f"/staff/appeals/{ids[1]}/status", data={"status": "closed"}).status_code in (302, 303)
    with app.app_context():
        assert db.session.get(Appeal, ids[0]).back_to_school is True
        assert db.session.get(Appeal, ids[1]).back_to_school is False
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.object_id == str(ids[0]), AuditEntry.action == "appeal_status"))
        assert entry.changes["back_to_school"] == [None, True] and "message" not in entry.changes
        row = compute(campaign_id)["KZ-71"]
        assert (row["out_of_school"], row["back_to_school"]) == (3, 1)
        # The region adds those it took outside the portal in its sign-off.
        db.session.add(IndicatorSignoff(campaign_id=campaign_id, region_code="KZ-71", status="submitted",
                                        out_of_school=2, back_to_school=2))
        db.session.commit()
        row = compute(campaign_id)["KZ-71"]
        assert (row["out_of_school"], row["back_to_school"]) == (5, 3)


def test_the_country_coverage_needs_every_region_s_count_of_children_identified(app):
    """A region that helped children but counted none as identified would raise the country's coverage: then the
    country's coverage is not published (and the chart says why), while each region's own coverage still is."""
    from portal.reports.indicators import publishable

    complete = {"KZ-71": {"children_helped": 150, "children_identified": 200},
                "KZ-75": {"children_helped": 90, "children_identified": 100}}
    assert publishable(complete, 10)["national"]["coverage"] == 80  # 240 of 300
    partial = {**complete, "KZ-47": {"children_helped": 60}}  # no count of children identified
    table = publishable(partial, 10)
    assert table["national"]["coverage"] is None
    assert table["regions"]["KZ-71"]["coverage"] == 75 and table["regions"]["KZ-47"]["coverage"] is None
    with app.test_request_context("/en/"):
        from portal.reports.indicator_charts import indicator_charts
        from portal.reports.indicators import INDICATORS

        coverage = indicator_charts(table, INDICATORS, {})[0]
        assert "not every region gave both figures" in str(coverage["svgs"][0][1])
