"""Uploading allocations: all or nothing, every error with row/column/reason, hostile files, flat memory."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from portal.audit.models import AuditEntry
from portal.campaigns.models import Campaign
from portal.extensions import db
from portal.reports.models import Allocation
from portal.reports.uploads import import_allocations

HEADER = "region,recipient_group,aid_kind,source,children,amount_kzt,items"
GOOD = [
    "KZ-71,low_income,backpack,sponsors,120,960000,120",
    "KZ-71,large_family,money,local_budget,45,2080260,0",
    "KZ-71,orphan,shoes,other,7,77000,7",
]


def csv_bytes(lines, header=HEADER, sep=",", bom=True, encoding="utf-8"):
    text = "\r\n".join([header.replace(",", sep)] + [line.replace(",", sep) for line in lines]) + "\r\n"
    return (("\ufeff" if bom else "") + text).encode(encoding)


def xlsx_bytes(rows):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("allocations")
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, data: bytes, name="allocations.csv", replace=False):
    form = {"year": "2023", "file": (io.BytesIO(data), name)}
    if replace:
        form["replace"] = "y"
    return client.post("/staff/reports/upload", data=form, content_type="multipart/form-data")


def count_lines(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Allocation))


def errors_of(response) -> list[tuple[str, str, str]]:
    """``(row, column, message)`` triples from the error table of the upload page."""
    import re

    html = response.get_data(as_text=True)
    table = html[html.index('id="upload-errors"'):]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", table)
    return [(r, re.sub(r"</?code>", "", c), m) for r, c, m in rows]


@pytest.fixture
def coordinator(staff_client):
    return staff_client("coordinator", "KZ-71")


# --- the happy paths ------------------------------------------------------------------------------


@pytest.mark.parametrize("sep, bom", [(",", True), (";", True), (";", False), ("\t", False)])
def test_csv_upload_imports_every_row(app, coordinator, sep, bom):
    response = upload(coordinator, csv_bytes(GOOD, sep=sep, bom=bom))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        lines = db.session.scalars(sa.select(Allocation).order_by(Allocation.id)).all()
        assert [(a.region_code, a.recipient_group, a.children, a.amount, a.items) for a in lines] == [
            ("KZ-71", "low_income", 120, 960000, 120),
            ("KZ-71", "large_family", 45, 2080260, 0),
            ("KZ-71", "orphan", 7, 77000, 7),
        ]
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "import"))
        assert entry.changes["rows"] == 3 and entry.region_code == "KZ-71"


def test_xlsx_upload_imports_every_row(app, coordinator):
    rows = [HEADER.split(","), ["KZ-71", "low_income", "backpack", "sponsors", 120, 960000, 120],
            ["kz-71", " Orphan ", "SHOES", "other", 7.0, "77 000", None], [None] * 7]
    response = upload(coordinator, xlsx_bytes(rows), "file.xlsx")
    assert response.status_code == 302
    with app.app_context():
        lines = db.session.scalars(sa.select(Allocation).order_by(Allocation.id)).all()
        assert [(a.recipient_group, a.aid_kind, a.children, a.amount, a.items) for a in lines] == [
            ("low_income", "backpack", 120, 960000, 120), ("orphan", "shoes", 7, 77000, 0)]


def test_replace_swaps_a_regions_lines(app, coordinator):
    assert upload(coordinator, csv_bytes(GOOD)).status_code == 302
    response = upload(coordinator, csv_bytes(GOOD[:1]), replace=True)
    assert response.status_code == 302
    assert count_lines(app) == 1
    page = coordinator.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 line was imported." in page and "3 earlier lines were replaced." in page


# --- all or nothing -------------------------------------------------------------------------------


def test_one_bad_row_imports_nothing_and_every_error_is_listed(app, coordinator):
    lines = GOOD + [
        "KZ-99,low_income,backpack,sponsors,5,1000,5",      # row 5: unknown region
        "KZ-71,rich,backpack,sponsors,5,1000,5",            # row 6: unknown group
        "KZ-71,orphan,shoes,sponsors,0,1000,5",             # row 7: no children
        "KZ-71,orphan,shoes,sponsors,2.5,-3,x",             # row 8: three errors
        "KZ-47,orphan,shoes,sponsors,3,1000,3",             # row 9: another region
        ",,,,,,",                                           # row 10: empty, skipped
        "KZ-71,orphan,,sponsors,3,,3",                      # row 11: empty cells
    ]
    response = upload(coordinator, csv_bytes(lines))
    assert response.status_code == 422
    assert count_lines(app) == 0
    errors = errors_of(response)
    assert ("5", "region", "Unknown region code “KZ-99”. Use codes such as KZ-71 (see the template).") in errors
    assert ("6", "recipient_group",
            "Unknown value “rich”. Allowed: low_income, large_family, orphan, without_parental_care, other.") in errors
    assert ("7", "children", "Must be at least 1.") in errors
    assert ("8", "children", "Must be a whole number.") in errors
    assert ("8", "amount_kzt", "Must not be negative.") in errors
    assert ("8", "items", "Must be a whole number.") in errors
    assert ("9", "region", "You can record allocations only for your region (KZ-71).") in errors
    assert ("11", "aid_kind", "This cell is empty.") in errors
    assert ("11", "amount_kzt", "This cell is empty.") in errors
    assert len(errors) == 9
    assert "Nothing was imported: the file has 9 errors." in response.get_data(as_text=True)


def test_errors_are_in_the_staff_members_language(app, coordinator):
    with app.app_context():
        from portal.staff.models import StaffUser

        db.session.get(StaffUser, coordinator.user.id).language = "kk"
        db.session.commit()
    response = upload(coordinator, csv_bytes(["KZ-71,orphan,shoes,sponsors,many,1000,5"]))
    assert response.status_code == 422
    assert ("2", "children", "Бүтін сан болуы керек.") in errors_of(response)
    html = response.get_data(as_text=True)
    assert 'lang="kk"' in html and "Ештеңе жүктелмеді" in html


def test_admin_may_upload_any_region(app, staff_client):
    admin = staff_client("admin")
    response = upload(admin, csv_bytes(["KZ-47,orphan,shoes,sponsors,3,1000,3", "KZ-75,other,money,other,30,900000,0"]))
    assert response.status_code == 302
    assert count_lines(app) == 2


# --- hostile files --------------------------------------------------------------------------------


def only_error(response) -> str:
    assert response.status_code in (413, 422), response.status_code
    errors = errors_of(response)
    assert len(errors) == 1, errors
    return errors[0][2]


def test_wrong_encoding(app, coordinator):
    data = csv_bytes(["KZ-71,orphan,shoes,sponsors,3,1000,3"], header=HEADER + ",примечание", bom=False,
                     encoding="cp1251")
    message = only_error(upload(coordinator, data))
    assert "not in UTF-8" in message and "CSV UTF-8" in message
    assert count_lines(app) == 0


def test_wrong_delimiter(app, coordinator):
    message = only_error(upload(coordinator, csv_bytes(GOOD, sep="|")))
    assert message.startswith("Missing columns: region, recipient_group")
    assert "commas or semicolons" in message


def test_missing_columns(app, coordinator):
    message = only_error(upload(coordinator, csv_bytes(["KZ-71,orphan,shoes,3"], header="region,recipient_group,aid_kind,children")))
    assert message.startswith("Missing columns: source, amount_kzt, items.")


def test_formulas_are_refused_in_csv_and_xlsx(app, coordinator):
    response = upload(coordinator, csv_bytes(['"=HYPERLINK(""http://evil.example"",""x"")",orphan,shoes,sponsors,3,1000,3',
                                              "KZ-71,orphan,shoes,sponsors,@SUM(A1),1000,3"]))
    errors = errors_of(response)
    assert ("2", "region", "Formulas are not allowed. Enter the value itself.") in errors
    assert ("3", "children", "Formulas are not allowed. Enter the value itself.") in errors
    rows = [HEADER.split(","), ["KZ-71", "orphan", "shoes", "sponsors", "=2+1", 1000, 3]]
    errors = errors_of(upload(coordinator, xlsx_bytes(rows), "f.xlsx"))
    assert errors == [("2", "children", "Formulas are not allowed. Enter the value itself.")]
    assert count_lines(app) == 0


def test_huge_file_gets_a_clear_error(app, coordinator):
    app.config["REPORT_UPLOAD_MAX_BYTES"] = 2000
    response = upload(coordinator, csv_bytes(GOOD * 50))
    assert response.status_code == 413
    assert "The file is too large: at most 2 KB." in response.get_data(as_text=True)
    assert count_lines(app) == 0


def test_too_many_rows(app, coordinator):
    app.config["REPORT_UPLOAD_MAX_ROWS"] = 5
    message = only_error(upload(coordinator, csv_bytes(GOOD * 3)))
    assert message == "Too many rows: at most 5 in one file."
    assert count_lines(app) == 0


@pytest.mark.parametrize(
    "data, name, expected",
    [
        (b"", "a.csv", "The file is empty."),
        (HEADER.encode(), "a.csv", "The file has no data rows."),
        (b"not a zip at all", "a.xlsx", "This is not a valid .xlsx file."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "a.csv", "Old Excel files (.xls) are not supported."),
        (b"MZ\x90\x00", "setup.exe", "Upload a .csv or .xlsx file."),
        (b"PK\x03\x04garbage", "a.csv", "This looks like an Excel workbook"),
        (b"region,recipient_group\x00,aid_kind\r\n\x00\x00", "a.csv", None),
        (b"\"unterminated," * 20000, "a.csv", None),
    ],
)
def test_hostile_files_never_500(app, coordinator, data, name, expected):
    response = upload(coordinator, data, name)
    assert response.status_code == 422
    message = only_error(response) if expected else errors_of(response)[0][2]
    if expected:
        assert message.startswith(expected)
    assert count_lines(app) == 0


def test_zip_that_is_not_a_workbook_and_zip_bomb(app, coordinator):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("hello.txt", "not a workbook")
    assert only_error(upload(coordinator, buffer.getvalue(), "a.xlsx")).startswith("This is not a valid .xlsx file.")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (401 * 1024 * 1024))
    assert len(bomb.getvalue()) < 2 * 1024 * 1024
    assert only_error(upload(coordinator, bomb.getvalue(), "a.xlsx")).startswith("The workbook is too large when unpacked.")


# --- memory ------------------------------------------------------------------------------------------


def write_file(path, rows: int):
    regions = ["KZ-10", "KZ-11", "KZ-15", "KZ-71", "KZ-75"]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER + "\r\n")
        for i in range(rows):
            fh.write(f"{regions[i % 5]},low_income,backpack,sponsors,{10 + i % 50},{(10 + i % 50) * 8000},{10 + i % 50}\r\n")


def peak_import(app, path) -> int:
    with app.app_context():
        campaign = db.session.scalar(sa.select(Campaign).where(Campaign.year == 2023))
        with open(path, "rb") as fh:
            tracemalloc.start()
            result = import_allocations(fh, "big.csv", campaign)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        assert result.ok, result.errors[:3]
        db.session.rollback()
    return peak


def test_import_memory_does_not_grow_with_the_row_count(app, tmp_path):
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    write_file(small, 2_000)
    write_file(large, 20_000)
    peak_import(app, small)  # warm caches (compiled statements, translations)
    small_peak = peak_import(app, small)
    large_peak = peak_import(app, large)
    # Ten times the rows: the peak stays within a small factor (a list of rows would be ~10×).
    assert large_peak < 2.5 * small_peak, (small_peak, large_peak)


def test_errors_kept_are_capped(app, tmp_path):
    path = tmp_path / "bad.csv"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(HEADER + "\n")
        for _ in range(3000):
            fh.write("KZ-71,orphan,shoes,sponsors,x,1,1\n")
    with app.app_context():
        campaign = db.session.scalar(sa.select(Campaign).where(Campaign.year == 2023))
        with open(path, "rb") as fh:
            result = import_allocations(fh, "bad.csv", campaign)
        assert result.error_count == 3000 and len(result.errors) == 500 and not result.ok
        db.session.rollback()


def test_uploads_above_the_site_wide_limit_are_accepted_up_to_the_upload_limit(app, coordinator):
    """The site refuses bodies over 2 MB; the upload route alone accepts up to REPORT_UPLOAD_MAX_BYTES."""
    note = "x" * 100_000
    lines = [line + "," + note for line in GOOD * 10]
    data = csv_bytes(lines, header=HEADER + ",note")
    assert len(data) > app.config["MAX_CONTENT_LENGTH"]
    # Encoded in memory: the test client would spool a body this big to a temporary file it never closes.
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    boundary, body = encode_multipart({"year": "2023", "file": FileStorage(io.BytesIO(data), "big.csv")})
    response = coordinator.post("/staff/reports/upload", data=body,
                                content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 302
    assert count_lines(app) == 30
    # Other routes keep the site-wide limit.
    big = coordinator.post("/staff/reports/allocations/new", data={"children": "1" * (3 * 1024 * 1024)})
    assert big.status_code == 413
