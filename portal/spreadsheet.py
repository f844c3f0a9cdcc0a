"""Files that people open in a spreadsheet: one CSV convention, and text cells made inert.

Every CSV the portal writes (open data, exports, upload templates) is UTF-8 with a byte-order mark
(Excel then reads Cyrillic correctly), CRLF line ends, the header first, empty cells for unknown values,
and every text cell that a spreadsheet would run as a formula prefixed with an apostrophe (OWASP
"CSV injection"; the full-width signs too, which some spreadsheets read as their ASCII twins).
"""

from __future__ import annotations

import csv
import io
from typing import Iterable

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def neutralise(value):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_bytes(rows: Iterable[Iterable], header: Iterable | None = None) -> bytes:
    """The rows (and the header, when given) as a CSV file: BOM, CRLF, ``None`` empty, text cells neutralised."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header is not None:
        writer.writerow([neutralise(str(h)) for h in header])
    for row in rows:
        writer.writerow(["" if value is None else neutralise(value) for value in row])
    return buffer.getvalue().encode("utf-8")
