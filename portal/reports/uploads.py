"""Uploading allocations from CSV or XLSX: all rows, or none.

Reading, the per-row checks every upload shares and the all-or-nothing import are those of
``portal/uploads.py``; here are the allocation columns, their rules and the downloadable templates.
With ``replace``, a file's rows take the place of the earlier uploaded rows of its regions.
"""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..audit import record
from ..extensions import db
from ..regions.models import regions_ordered
from ..spreadsheet import csv_bytes
from ..uploads import ImportResult, RowChecker, import_rows, parse_whole
from .models import GROUPS, KINDS, SOURCES, Allocation

COLUMNS = ("region", "recipient_group", "aid_kind", "source", "children", "amount_kzt", "items")
CHOICES = {"recipient_group": GROUPS, "aid_kind": KINDS, "source": SOURCES}
LIMITS = {"children": 1_000_000, "amount_kzt": 10**12, "items": 10_000_000}


def max_bytes() -> int:
    """Bytes in one allocations upload (``REPORT_UPLOAD_MAX_BYTES``; other forms stop at ``MAX_CONTENT_LENGTH``)."""
    return int(current_app.config["REPORT_UPLOAD_MAX_BYTES"])


class AllocationRowChecker(RowChecker):
    """Aid allocation lines: region, recipient group, aid kind, source, children, amount, items."""

    COLUMNS = COLUMNS
    CHOICES = CHOICES

    def own_region_only(self, region: str) -> str:
        return _("You can record allocations only for your region (%(region)s).", region=region)

    def cell(self, number: int, name: str, value, text: str, row: dict) -> None:
        if text == "" and name == "items":
            row[name] = 0
        elif text == "":
            self.result.add(number, name, _("This cell is empty."))
        else:
            number_value, error = parse_whole(value, minimum=1 if name == "children" else 0, limit=LIMITS[name])
            if error:
                self.result.add(number, name, error)
            else:
                row[name] = number_value


def import_allocations(stream, filename: str, campaign, *, staff=None, replace: bool = False) -> ImportResult:
    """Validate and insert every row, or none: the caller commits when ``result.ok``, else rolls back."""
    staff_id = getattr(staff, "id", None)

    def values_of(row, batch, now):
        return dict(
            campaign_id=campaign.id, region_code=row["region_code"], recipient_group=row["recipient_group"],
            aid_kind=row["aid_kind"], source=row["source"], children=row["children"],
            amount=row["amount_kzt"], items=row["items"], batch=batch, is_demo=False,
            created_by_id=staff_id, created_at=now,
        )

    result = import_rows(stream, filename, Allocation, AllocationRowChecker, values_of,
                         regions={region.code for region in regions_ordered()}, staff=staff)
    if result.error_count:
        return result
    if replace:
        deleted = db.session.execute(
            sa.delete(Allocation).where(
                Allocation.campaign_id == campaign.id,
                Allocation.is_demo.is_(False),
                Allocation.region_code.in_(sorted(result.regions)),
                Allocation.batch != result.batch,
            )
        )
        result.replaced = deleted.rowcount or 0
    record(
        "import", object_type="report_allocation", object_id=result.batch, actor=staff,
        region_code=next(iter(result.regions)) if len(result.regions) == 1 else None,
        changes={"file": (filename or "")[:200], "rows": result.rows, "campaign": campaign.year,
                 "regions": sorted(result.regions), "replaced": result.replaced},
    )
    return result


def template_rows(region_code: str = "KZ-71") -> list[list]:
    """The documented template: the header and two example lines."""
    return [
        list(COLUMNS),
        [region_code, "low_income", "backpack", "sponsors", 120, 960000, 120],
        [region_code, "large_family", "money", "local_budget", 45, 2080260, 0],
    ]


def template_csv(region_code: str = "KZ-71") -> bytes:
    header, *rows = template_rows(region_code)
    return csv_bytes(rows, header)


def template_xlsx(region_code: str = "KZ-71") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("allocations")
    for row in template_rows(region_code):
        sheet.append(row)
    codes = workbook.create_sheet("codes")
    codes.append(["column", "code", "meaning"])
    for column, choices in CHOICES.items():
        for code, label in choices.items():
            codes.append([column, code, str(label)])
    for region in regions_ordered():
        codes.append(["region", region.code, region.label])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
