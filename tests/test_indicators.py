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
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][0] == "region" and "children_helped" in rows[0]
    col = rows[0].index("children_helped")
    by_region = {r[0]: r for r in rows[1:]}
    assert by_region["KZ-47"][col] == "<10" and by_region["KZ"][col] == "185"
    assert client.get(f"/reports/{SLUG}/v9/indicators.csv").status_code == 404


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
