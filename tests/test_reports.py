"""Transparency reports: public pages, immutable downloads, versions, citation, home figures, staff publishing."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from portal.audit.models import AuditEntry
from portal.campaigns.models import Campaign
from portal.extensions import db
from portal.reports.models import Allocation, ImmutableError, Report, ReportFile, ReportVersion
from portal.reports.publish import default_texts, neutralise, publish
from tests.test_i18n import english_ui_strings, visible_text

LANGS = ("kk", "ru", "en")
SLUG = "mektepke-zhol-2023"
FILES = ("data.csv", "data.json", "data.xlsx", "datapackage.json")

LINES = {
    ("KZ-71", "low_income", "backpack", "sponsors"): 120,
    ("KZ-71", "large_family", "uniform", "local_budget"): 80,
    ("KZ-71", "orphan", "shoes", "sponsors"): 4,
    ("KZ-75", "low_income", "money", "local_budget"): 300,
    ("KZ-75", "without_parental_care", "stationery", "other"): 35,
    ("KZ-47", "other", "backpack", "sponsors"): 60,
}


def add_lines(lines=LINES, is_demo=False):
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.year == 2023))
    db.session.execute(sa.insert(Allocation), [
        dict(campaign_id=campaign.id, region_code=r, recipient_group=g, aid_kind=k, source=s, children=n,
             amount=n * 10_000, items=0 if k == "money" else n, batch="t", is_demo=is_demo)
        for (r, g, k, s), n in lines.items()
    ])
    return campaign


def publish_report(app, lines=LINES, note=None, is_demo=False, **texts):
    # In a request, as staff publish (the data package's addresses are absolute: the request's host).
    with app.test_request_context("/staff/reports/"):
        campaign = add_lines(lines, is_demo) if lines else db.session.scalar(sa.select(Campaign))
        all_texts = {**default_texts(campaign, is_demo, 10), **texts}
        if note:
            all_texts.update(change_note_en=note, change_note_ru="Исправление", change_note_kk="Түзету")
        version = publish(campaign, texts=all_texts, is_demo=is_demo)
        db.session.commit()
        return version.number


# --- public pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_index_without_reports_says_so(client, lang):
    response = client.get(f"/{lang}/reports/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}"' in html
    assert html.count("<h1") == 1
    assert "Set-Cookie" not in response.headers
    assert 'class="report-card"' not in html


@pytest.mark.parametrize("lang", LANGS)
def test_index_lists_published_reports(app, client, lang):
    publish_report(app)
    html = client.get(f"/{lang}/reports/").get_data(as_text=True)
    assert f'href="/{lang}/reports/{SLUG}"' in html
    assert html.count('class="report-card"') == 1
    assert "599" in html  # 120 + 80 + 4 + 300 + 35 + 60 children


@pytest.mark.parametrize("lang", LANGS)
def test_report_page_has_every_part(app, client, lang):
    publish_report(app)
    response = client.get(f"/{lang}/reports/{SLUG}")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    html = response.get_data(as_text=True)
    assert html.count("<h1") == 1
    for anchor in ("totals", "by-region", "by-group", "by-kind", "by-source", "methodology", "dictionary",
                   "downloads", "cite", "history"):
        assert f'id="{anchor}"' in html, anchor
    # Four server-rendered charts, each with a title, a description and its table beside it.
    assert html.count("<svg") == 4
    assert html.count('role="img"') == 4
    for chart in ("by-region", "by-group", "by-kind", "by-source"):
        assert f'<title id="chart-{chart}-title">' in html
        assert f'<desc id="chart-{chart}-desc">' in html
        section = html[html.index(f'id="{chart}"'):]
        section = section[: section.index("</section>")]
        assert "<svg" in section and "<table" in section
    assert "<script" not in html.split("</head>", 1)[1]  # no chart JavaScript
    for name in FILES:
        assert f'href="/reports/{SLUG}/v1/{name}"' in html
    assert "&lt;10" in html  # the small Astana cell


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_report_pages_have_no_english_ui_text(app, client, lang):
    publish_report(app)
    for path in (f"/{lang}/reports/", f"/{lang}/reports/{SLUG}"):
        text = visible_text(client.get(path).get_data(as_text=True))
        leaked = [s for s in english_ui_strings() if s in text and s not in ("JSON",)]
        assert not leaked, (path, leaked)


def test_unknown_report_version_and_file_are_404(app, client):
    publish_report(app)
    assert client.get("/en/reports/no-such-report").status_code == 404
    assert client.get(f"/en/reports/{SLUG}/v9").status_code == 404
    assert client.get(f"/reports/{SLUG}/v9/data.csv").status_code == 404
    assert client.get(f"/reports/{SLUG}/v1/secret.txt").status_code == 404
    assert client.get(f"/reports/{SLUG}/latest/../../etc/passwd").status_code == 404
    assert client.get("/de/reports/").status_code == 404


def test_citation_has_title_version_date_url_and_checksum(app, client):
    publish_report(app)
    html = client.get(f"/en/reports/{SLUG}").get_data(as_text=True)
    sha = client.get(f"/reports/{SLUG}/v1/data.csv").headers["ETag"].strip('"')
    citation = html[html.index('class="citation"'):]
    citation = citation[: citation.index("</p>")]
    assert "Aid given in the «Road to School» campaign 2023" in citation
    assert "Version 1" in citation and "August 15, 2023" in citation
    assert f"http://localhost/en/reports/{SLUG}/v1" in citation
    assert sha in citation


# --- downloads ---------------------------------------------------------------------------------


def test_downloads_are_immutable_cached_and_match_their_checksums(app, client):
    publish_report(app)
    with app.app_context():
        recorded = {f.name: f.sha256 for f in db.session.scalars(sa.select(ReportFile))}
    for name in FILES:
        first = client.get(f"/reports/{SLUG}/v1/{name}")
        second = client.get(f"/reports/{SLUG}/v1/{name}")
        assert first.status_code == 200
        assert first.data == second.data
        digest = hashlib.sha256(first.data).hexdigest()
        assert digest == recorded[name]
        assert first.headers["ETag"] == f'"{digest}"'
        assert "immutable" in first.headers["Cache-Control"] and "max-age=31536000" in first.headers["Cache-Control"]
        assert "Set-Cookie" not in first.headers
        again = client.get(f"/reports/{SLUG}/v1/{name}", headers={"If-None-Match": f'"{digest}"'})
        assert again.status_code == 304 and again.data == b""
        # A compressed copy's ETag revalidates that copy (the 304 names it); another encoding is another copy.
        br = {"Accept-Encoding": "br"}
        if client.get(f"/reports/{SLUG}/v1/{name}", headers=br).headers.get("Content-Encoding") == "br":
            again = client.get(f"/reports/{SLUG}/v1/{name}", headers={**br, "If-None-Match": f'"{digest}-br"'})
            assert again.status_code == 304 and again.headers["ETag"] == f'"{digest}-br"'
            assert client.get(f"/reports/{SLUG}/v1/{name}", headers={"If-None-Match": f'"{digest}-br"'}).status_code == 200


def test_csv_is_utf8_with_bom_and_json_matches_it(app, client):
    publish_report(app)
    data = client.get(f"/reports/{SLUG}/v1/data.csv")
    assert data.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert data.data.startswith(b"\xef\xbb\xbfregion_code,")
    rows = list(csv.DictReader(io.StringIO(data.data.decode("utf-8-sig"))))
    national = rows[0]
    assert national["region_code"] == "" and national["children"] == str(sum(LINES.values()))
    astana = next(r for r in rows if r["region_code"] == "KZ-71" and not r["recipient_group"])
    assert astana["region_name_kk"] == "Астана" and astana["region_name_ru"] == "Астана"
    document = client.get(f"/reports/{SLUG}/v1/data.json").get_json()
    assert document["version"] == 1 and document["campaign_year"] == 2023 and document["demo"] is False
    assert len(document["rows"]) == len(rows)
    assert document["totals"]["children"] == sum(LINES.values())
    assert document["codes"]["aid_kind"]["backpack"] == {"kk": "Рюкзак", "ru": "Рюкзак", "en": "Backpack"}


def test_xlsx_has_data_and_a_data_dictionary_sheet(app, client):
    publish_report(app)
    data = client.get(f"/reports/{SLUG}/v1/data.xlsx").data
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    assert workbook.sheetnames == ["data", "dictionary", "codes", "about"]
    header = next(workbook["data"].iter_rows(values_only=True))
    assert header[:2] == ("region_code", "region_name_kk")
    dictionary = list(workbook["dictionary"].iter_rows(values_only=True))
    names = [row[0] for row in dictionary if row]
    assert "children" in names and "amount_kzt" in names and "<10" in names and "x" in names
    workbook.close()


def test_datapackage_describes_the_resources_and_their_checksums(app, client):
    publish_report(app)
    package = client.get(f"/reports/{SLUG}/v1/datapackage.json").get_json()
    assert package["profile"] == "data-package"
    assert package["name"] == f"{SLUG}-v1"
    assert package["id"] == f"http://localhost/en/reports/{SLUG}/v1"
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    resources = {r["path"].rsplit("/", 1)[-1]: r for r in package["resources"]}
    assert set(resources) == {"data.csv", "data.json", "data.xlsx"}
    for path, resource in resources.items():
        assert resource["path"] == f"http://localhost/reports/{SLUG}/v1/{path}"
        assert resource.get("encoding", "utf-8") == "utf-8"
        body = client.get(f"/reports/{SLUG}/v1/{path}").data
        assert resource["hash"] == "sha256:" + hashlib.sha256(body).hexdigest()
        assert resource["bytes"] == len(body)
    schema = resources["data.csv"]["schema"]
    assert [f["name"] for f in schema["fields"]][-3:] == ["children", "amount_kzt", "items"]
    assert "<10" in schema["missingValues"] and "x" in schema["missingValues"]


def test_latest_redirects_to_the_newest_version(app, client):
    publish_report(app)
    publish_report(app, lines={("KZ-10", "other", "shoes", "sponsors"): 40}, note="Abai added")
    response = client.get(f"/reports/{SLUG}/latest/data.csv")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/reports/{SLUG}/v2/data.csv"
    assert client.get(f"/reports/{SLUG}/latest/nope.csv").status_code == 404


# --- versions ----------------------------------------------------------------------------------


def test_republishing_makes_a_new_version_and_leaves_old_files_alone(app, client):
    publish_report(app)
    before = {name: client.get(f"/reports/{SLUG}/v1/{name}").data for name in FILES}
    publish_report(app, lines={("KZ-10", "other", "shoes", "sponsors"): 40}, note="Late figures of Abai Region added")
    for name in FILES:
        assert client.get(f"/reports/{SLUG}/v1/{name}").data == before[name]
    v2 = client.get(f"/reports/{SLUG}/v2/data.json").get_json()
    assert v2["version"] == 2 and v2["totals"]["children"] == sum(LINES.values()) + 40
    html = client.get(f"/en/reports/{SLUG}").get_data(as_text=True)
    history = html[html.index('id="history"'):]
    assert "Late figures of Abai Region added" in history
    assert "Version 2" in history and "Version 1" in history and "First publication." in history
    total = sum(LINES.values())
    assert f"{total:,} → {total + 40:,}" in history
    # The old version's page stays online and says it is not the latest.
    old = client.get(f"/en/reports/{SLUG}/v1").get_data(as_text=True)
    assert "This is an earlier version" in old and f'href="/reports/{SLUG}/v1/data.csv"' in old


def test_published_versions_and_files_cannot_be_changed(app):
    publish_report(app)
    with app.app_context():
        version = db.session.scalar(sa.select(ReportVersion))
        version.title_en = "Something else"
        with pytest.raises(ImmutableError):
            db.session.flush()
        db.session.rollback()
        file = db.session.scalar(sa.select(ReportFile))
        db.session.delete(file)
        with pytest.raises(ImmutableError):
            db.session.flush()
        db.session.rollback()


def test_formulas_in_staff_text_are_neutralised_in_csv_and_xlsx(app, client):
    hostile = '=HYPERLINK("http://evil.example","Click")'
    publish_report(app, title_en=hostile, methodology_en="+cmd|' /C calc'!A0")
    workbook = load_workbook(io.BytesIO(client.get(f"/reports/{SLUG}/v1/data.xlsx").data), read_only=True)
    about = {row[0]: row for row in workbook["about"].iter_rows(values_only=True)}
    assert about["title"][3] == "'" + hostile
    assert about["methodology"][3].startswith("'+cmd")
    workbook.close()
    assert neutralise("=1+1") == "'=1+1" and neutralise("@SUM(A1)") == "'@SUM(A1)" and neutralise("-3") == "'-3"
    assert neutralise(5) == 5 and neutralise("Астана") == "Астана"


def test_get_requests_on_report_pages_do_not_write(app, client):
    publish_report(app)
    with app.app_context():
        writes = []
        sa.event.listen(db.engine, "before_cursor_execute",
                        lambda c, cur, stmt, *a: writes.append(stmt) if stmt.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) else None)
    for path in ("/en/reports/", f"/kk/reports/{SLUG}", f"/reports/{SLUG}/v1/data.csv", "/ru/"):
        client.get(path)
    assert writes == []


def test_report_page_query_count_is_small(app, client, count_queries):
    publish_report(app)
    publish_report(app, lines={("KZ-10", "other", "shoes", "sponsors"): 40}, note="v2")
    with count_queries() as q:
        assert client.get(f"/en/reports/{SLUG}").status_code == 200
    assert q.count <= 10, q.statements


# --- home and sitemap ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_home_shows_key_figures_of_the_latest_report(app, client, lang):
    publish_report(app)
    html = client.get(f"/{lang}/").get_data(as_text=True)
    section = html[html.index('class="key-figures"'):]
    section = section[: section.index("</section>")]
    assert f'href="/{lang}/reports/{SLUG}"' in section
    total = f"{sum(LINES.values()):,}".replace(",", "," if lang == "en" else "\xa0")
    assert total in section


def test_home_prefers_a_real_report_and_labels_a_demo_one(app, client, runner):
    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    html = client.get("/en/").get_data(as_text=True)
    section = html[html.index('class="key-figures"'):]
    section = section[: section.index("</section>")]
    assert "demo-mektepke-zhol-2022" in section and "Demo data" in section
    publish_report(app)
    html = client.get("/en/").get_data(as_text=True)
    section = html[html.index('class="key-figures"'):]
    section = section[: section.index("</section>")]
    assert f"/en/reports/{SLUG}" in section and "Demo data" not in section


def test_demo_report_is_labelled_everywhere(app, client, runner):
    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    slug = "demo-mektepke-zhol-2022"
    for path in ("/en/reports/", f"/en/reports/{slug}", f"/en/reports/{slug}/v1"):
        html = client.get(path).get_data(as_text=True)
        assert "Demo data" in html, path
    page = client.get(f"/ru/reports/{slug}").get_data(as_text=True)
    assert "Демо-данные" in page and "вымышленные" in page
    document = client.get(f"/reports/{slug}/v2/data.json").get_json()
    assert document["demo"] is True and "invented" in document["title"]["en"]
    package = client.get(f"/reports/{slug}/v2/datapackage.json").get_json()
    assert package["demo"] is True and "invented" in package["title"]
    assert "invented" in document["methodology"]["en"]


def test_sitemap_lists_reports(app, client):
    publish_report(app)
    xml = client.get("/sitemap.xml").get_data(as_text=True)
    assert f"/kk/reports/{SLUG}</loc>" in xml and "/en/reports/</loc>" in xml


# --- staff ----------------------------------------------------------------------------------------


def test_coordinator_records_only_their_region(app, staff_client):
    coordinator = staff_client("coordinator", "KZ-71")
    page = coordinator.get("/staff/reports/allocations/new").get_data(as_text=True)
    assert 'value="KZ-71"' in page and 'value="KZ-75"' not in page
    data = dict(year=2023, region_code="KZ-71", recipient_group="orphan", aid_kind="shoes", source="sponsors",
                children="12", amount="132 000", items="12")
    response = coordinator.post("/staff/reports/allocations/new", data=data)
    assert response.status_code == 302
    response = coordinator.post("/staff/reports/allocations/new", data={**data, "region_code": "KZ-75"})
    assert response.status_code == 422
    with app.app_context():
        lines = db.session.scalars(sa.select(Allocation)).all()
        assert [(line.region_code, line.children, line.amount) for line in lines] == [("KZ-71", 12, 132000)]
        assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.object_type == "report_allocation"))


def test_allocation_form_errors_are_translated(app, staff_client):
    coordinator = staff_client("coordinator", "KZ-71")
    with app.app_context():
        from portal.staff.models import StaffUser

        db.session.get(StaffUser, coordinator.user.id).language = "ru"
        db.session.commit()
    response = coordinator.post("/staff/reports/allocations/new", data=dict(
        year=2023, region_code="KZ-71", recipient_group="orphan", aid_kind="shoes", source="sponsors",
        children="twelve", amount="", items=""))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Введите целое число." in html and 'class="error-summary"' in html


def test_coordinator_deletes_only_their_lines(app, staff_client):
    from tests.factories import make_report_allocation

    with app.app_context():
        own = make_report_allocation("KZ-71").id
        other = make_report_allocation("KZ-47").id
        db.session.commit()
    coordinator = staff_client("coordinator", "KZ-71")
    assert coordinator.post(f"/staff/reports/allocations/{other}/delete", data={"confirm": "yes"}).status_code == 404
    assert coordinator.post(f"/staff/reports/allocations/{own}/delete", data={"confirm": "yes"}).status_code == 302
    with app.app_context():
        assert [a.id for a in db.session.scalars(sa.select(Allocation))] == [other]


def test_staff_list_is_scoped_to_the_region(app, staff_client):
    from tests.factories import make_report_allocation

    with app.app_context():
        make_report_allocation("KZ-71", children=111)
        make_report_allocation("KZ-47", children=222)
        db.session.commit()
    html = staff_client("coordinator", "KZ-71").get("/staff/reports/?year=2023").get_data(as_text=True)
    assert "111" in html and "222" not in html
    html = staff_client("admin").get("/staff/reports/").get_data(as_text=True)
    assert "111" in html and "222" in html


def test_only_admins_preview_and_publish(app, staff_client):
    coordinator = staff_client("coordinator", "KZ-71")
    assert coordinator.get("/staff/reports/preview").status_code == 403
    assert coordinator.get("/staff/reports/publish").status_code == 403
    assert coordinator.post("/staff/reports/publish?year=2023", data={}).status_code == 403


def test_admin_previews_then_publishes_versions(app, client, staff_client):
    with app.app_context():
        add_lines()
        db.session.commit()
    admin = staff_client("admin")
    preview = admin.get("/staff/reports/preview?year=2023")
    assert preview.status_code == 200
    assert "&lt;10" in preview.get_data(as_text=True)
    form = admin.get("/staff/reports/publish?year=2023").get_data(as_text=True)
    assert "Aid given in the «Road to School» campaign 2023" in form and "&lt;10" in form  # methodology prefilled
    with app.app_context(), app.test_request_context("/en/"):
        texts = default_texts(db.session.scalar(sa.select(Campaign)), False, 10)
    data = {**texts, "change_note_kk": "", "change_note_ru": "", "change_note_en": ""}
    assert admin.post("/staff/reports/publish?year=2023", data=data).status_code == 422  # not confirmed
    response = admin.post("/staff/reports/publish?year=2023", data={**data, "confirm": "y"})
    assert response.status_code == 302 and response.headers["Location"] == f"/en/reports/{SLUG}"
    # A second version needs a note saying what changed.
    assert admin.post("/staff/reports/publish?year=2023", data={**data, "confirm": "y"}).status_code == 422
    response = admin.post("/staff/reports/publish?year=2023",
                          data={**data, "confirm": "y", "change_note_en": "Checked again"})
    assert response.status_code == 302
    with app.app_context():
        versions = db.session.scalars(sa.select(ReportVersion).order_by(ReportVersion.number)).all()
        assert [v.number for v in versions] == [1, 2]
        assert versions[1].change_note_en == "Checked again"
        entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "publish")).all()
        assert len(entries) == 2 and entries[0].changes["sha256"]["data.csv"] == versions[0].file("data.csv").sha256
    assert client.get(f"/reports/{SLUG}/v2/data.csv").status_code == 200


def test_publishing_without_allocations_is_refused(app, staff_client):
    admin = staff_client("admin")
    with app.app_context(), app.test_request_context("/en/"):
        texts = default_texts(db.session.scalar(sa.select(Campaign)), False, 10)
    response = admin.post("/staff/reports/publish?year=2023", data={**texts, "confirm": "y"})
    assert response.status_code == 422
    assert "nothing to publish" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 0


def test_template_downloads(app, staff_client):
    coordinator = staff_client("coordinator", "KZ-47")
    response = coordinator.get("/staff/reports/template.csv")
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig")
    assert text.splitlines()[0] == "region,recipient_group,aid_kind,source,children,amount_kzt,items"
    assert "KZ-47" in text
    workbook = load_workbook(io.BytesIO(coordinator.get("/staff/reports/template.xlsx").data), read_only=True)
    assert workbook.sheetnames == ["allocations", "codes"]
    workbook.close()
    page = coordinator.get("/staff/reports/upload").get_data(as_text=True)
    assert "/staff/reports/template.csv" in page and "without_parental_care" in page
