"""Uploading price observations from CSV or XLSX: all rows, or none.

Reading (streamed, encoding and format checks), the per-row checks every upload shares, the
result with its per-row errors and whole-number parsing are those of ``portal/uploads.py``; here
are the price columns, their rules (a price, a date) and the template.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _

from ..audit import record
from ..regions.models import regions_ordered
from ..uploads import ImportResult, RowChecker, cell_text, import_rows, parse_whole
from .models import ITEMS, MAX_PRICE, OUTLETS, PriceObservation
from .services import observed_on_ok

COLUMNS = ("region", "item", "outlet", "price_kzt", "observed_on")
CHOICES = {"item": ITEMS, "outlet": OUTLETS}
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")


def parse_date(value):
    """``(date, error message)`` for ``2023-08-14``, ``14.08.2023`` or a spreadsheet date."""
    if isinstance(value, dt.datetime):
        found = value.date()
    elif isinstance(value, dt.date):
        found = value
    else:
        text = cell_text(value)
        found = None
        for fmt in DATE_FORMATS:
            try:
                found = dt.datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
        if found is None:
            return None, _("Not a date: write it as 2023-08-14 or 14.08.2023.")
    if not observed_on_ok(found):
        return None, _("The date must be between 2000 and today.")
    return found, None


class PriceRowChecker(RowChecker):
    """Price lines: region, item, outlet, price, date (region, item and outlet checked as in every upload)."""

    COLUMNS = COLUMNS
    CHOICES = CHOICES
    SEPARATOR_HINT = False

    def own_region_only(self, region: str) -> str:
        return _("You can record prices only for your region (%(region)s).", region=region)

    def cell(self, number: int, name: str, value, text: str, row: dict) -> None:
        if text == "":
            self.result.add(number, name, _("This cell is empty."))
            return
        if name == "price_kzt":
            parsed, error = parse_whole(value, minimum=1, limit=MAX_PRICE)
            key = "price"
        else:
            parsed, error = parse_date(value)
            key = "observed_on"
        if error:
            self.result.add(number, name, error)
        else:
            row[key] = parsed


def import_observations(stream, filename: str, *, staff=None) -> ImportResult:
    """Validate and insert every row, or none: the caller commits when ``result.ok``, else rolls back."""
    staff_id = getattr(staff, "id", None)

    def values_of(row, batch, now):
        return dict(
            year=row["observed_on"].year, region_code=row["region_code"], item=row["item"], outlet=row["outlet"],
            price=row["price"], observed_on=row["observed_on"], batch=batch, is_demo=False,
            created_by_id=staff_id, created_at=now,
        )

    result = import_rows(stream, filename, PriceObservation, PriceRowChecker, values_of,
                         regions={region.code for region in regions_ordered()}, staff=staff)
    if result.error_count:
        return result
    record(
        "import", object_type="price_observation", object_id=result.batch, actor=staff,
        region_code=next(iter(result.regions)) if len(result.regions) == 1 else None,
        changes={"file": (filename or "")[:200], "rows": result.rows, "regions": sorted(result.regions)},
    )
    return result


def template_csv(region_code: str = "KZ-71") -> bytes:
    from ..spreadsheet import csv_bytes

    return csv_bytes([
        [region_code, "uniform_set", "market", 18500, "2023-08-14"],
        [region_code, "notebook_48", "shop", 350, "2023-08-14"],
    ], COLUMNS)
