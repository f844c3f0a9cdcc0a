"""Every CSV the portal writes follows one convention (portal/spreadsheet.py): BOM, CRLF, empty for unknown, and a
text cell a spreadsheet would run as a formula made inert — in the exports staff open, too."""

from __future__ import annotations

import csv
import io

import pytest

from portal.extensions import db
from portal.spreadsheet import csv_bytes
from tests.factories import make_appeal, make_staff


@pytest.mark.parametrize("cell", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", "\nx", "＝1+1", "＋1", "－1", "＠x"])
def test_a_formula_cell_is_kept_as_text(cell):
    body = csv_bytes([[cell, 5, None, -7]], ["text", "number", "unknown", "negative"])
    assert body.startswith("\ufeff".encode()) and b"\r\n" in body
    header, row = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert header == ["text", "number", "unknown", "negative"]
    assert row == ["'" + cell, "5", "", "-7"]  # numbers stay numbers; only text is prefixed


def test_plain_text_and_markers_are_unchanged():
    body = csv_bytes([["Алматы", "<10", "x", "2023-08-15", "Қостанай облысы"]])
    assert list(csv.reader(io.StringIO(body.decode("utf-8-sig")))) == [
        ["Алматы", "<10", "x", "2023-08-15", "Қостанай облысы"]]


def test_the_appeals_export_keeps_a_staff_name_that_looks_like_a_formula_as_text(app, staff_client):
    """Staff names are typed by people: a name starting with "=" opens as text, not as a formula."""
    client = staff_client("admin")
    with app.app_context():
        helper = make_staff(role="coordinator", region_code="KZ-71")
        helper.name = '=HYPERLINK("http://evil.example","x")'
        ids = [make_appeal(assignee_id=helper.id).id for _ in range(2)]
        db.session.commit()
    response = client.post("/staff/appeals/bulk", data={"ids": ids, "action": "export"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert all(row[7] == "'" + helper_name for row in rows[1:] for helper_name in ['=HYPERLINK("http://evil.example","x")'])
