"""Staff uploads from CSV or XLSX: streamed, validated row by row, all rows or none.

What every upload shares (allocations in ``portal/reports/uploads.py``, price observations in
``portal/prices/uploads.py``): the format checked against the file's first bytes, rows read one at
a time (``csv`` over a decoding wrapper, openpyxl in read-only mode) so memory stays flat however
many rows there are, the header matched to the columns, empty rows skipped, formulas refused, the
region and fixed-choice columns checked, and good rows inserted by batches inside one transaction.
If any row is wrong nothing is kept and every error is reported with its row, column and reason in
the staff member's language (only the first ``MAX_ERRORS`` are kept; the rest are counted).

An upload names its columns and checks its own cells in a ``RowChecker`` subclass, then calls
``import_rows``. The region list comes from the caller, so this module needs no feature area.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import secrets
import warnings
import zipfile
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from . import clock
from .extensions import db

BATCH = 1000
MAX_ERRORS = 500
# A zip bomb disguised as .xlsx: refuse archives that would unpack to more than this.
MAX_UNPACKED = 400 * 1024 * 1024
DELIMITERS = (",", ";", "\t")
FORMULA = re.compile(r"^\s*[=+@]")
NUMBER = re.compile(r"^\d+(?:[.,]0+)?$")
SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")


@dataclass
class UploadError:
    row: int | None
    column: str | None
    message: str


@dataclass
class ImportResult:
    rows: int = 0
    errors: list[UploadError] = field(default_factory=list)
    error_count: int = 0
    regions: set = field(default_factory=set)
    replaced: int = 0
    batch: str = ""

    @property
    def ok(self) -> bool:
        return self.error_count == 0 and self.rows > 0

    def add(self, row, column, message) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(UploadError(row, column, message))


class FileProblem(Exception):
    """The file as a whole cannot be read (encoding, format, size)."""

    def __init__(self, message: str, row: int | None = None):
        super().__init__(message)
        self.message = message
        self.row = row


def max_rows() -> int:
    """Data rows in one upload, any kind (``REPORT_UPLOAD_MAX_ROWS``: the setting kept its first user's name)."""
    return int(current_app.config["REPORT_UPLOAD_MAX_ROWS"])


# --- reading ---------------------------------------------------------------------------


def detect_format(stream, filename: str) -> str:
    """``csv`` or ``xlsx`` from the name, checked against the first bytes."""
    name = (filename or "").lower()
    head = stream.read(4)
    stream.seek(0)
    if not head:
        raise FileProblem(_("The file is empty."))
    if name.endswith(".xlsx"):
        if head != b"PK\x03\x04":
            raise FileProblem(_("This is not a valid .xlsx file. Save it again from Excel, or upload a CSV file."))
        return "xlsx"
    if name.endswith((".csv", ".txt")):
        if head == b"PK\x03\x04":
            raise FileProblem(_("This looks like an Excel workbook: name it .xlsx, or save it as CSV."))
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise FileProblem(_("Old Excel files (.xls) are not supported. Save it as .xlsx or as CSV UTF-8."))
        return "csv"
    raise FileProblem(_("Upload a .csv or .xlsx file."))


def csv_rows(stream):
    """``(row number, [cells])`` from a UTF-8 CSV (BOM allowed) separated by commas, semicolons or tabs."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", errors="strict")
    number = 0
    try:
        first = text.readline()
        delimiter = max(DELIMITERS, key=first.count) if any(d in first for d in DELIMITERS) else ","
        reader = csv.reader(itertools.chain([first], text), delimiter=delimiter, strict=False)
        for number, cells in enumerate(reader, 1):
            yield number, cells
    except UnicodeDecodeError:
        raise FileProblem(
            _("The file is not in UTF-8 encoding. In Excel use “Save as” → “CSV UTF-8”, or upload the .xlsx file."),
            row=number + 1,
        ) from None
    except csv.Error:
        raise FileProblem(_("The file could not be read as CSV near row %(row)s.", row=number + 1)) from None
    finally:
        text.detach()


def xlsx_rows(stream):
    """``(row number, [cells])`` from the first sheet, read in openpyxl's streaming mode."""
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(stream) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
                raise FileProblem(_("The workbook is too large when unpacked. Split it or upload a CSV file."))
        stream.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(stream, read_only=True, data_only=False)
    except FileProblem:
        raise
    except Exception:  # openpyxl raises many kinds of errors on broken files
        raise FileProblem(_("This is not a valid .xlsx file. Save it again from Excel, or upload a CSV file.")) from None
    try:
        sheet = workbook.worksheets[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for number, cells in enumerate(sheet.iter_rows(values_only=True), 1):
                yield number, list(cells)
    except FileProblem:
        raise
    except Exception:
        raise FileProblem(_("This is not a valid .xlsx file. Save it again from Excel, or upload a CSV file.")) from None
    finally:
        workbook.close()


# --- validating -------------------------------------------------------------------------


def cell_text(value) -> str:
    """A cell as the text a person typed: ``None`` empty, a whole float without ``.0``, spaces trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_whole(value, *, minimum: int = 0, limit: int | None = None):
    """``(number, error message)`` for a whole-number cell: ``12 000``, ``12000,0`` or a spreadsheet number.

    ``minimum`` 0 or 1; ``limit`` the largest number allowed (``None``: no upper bound).
    """
    if isinstance(value, bool):
        return None, _("Must be a whole number.")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            return None, _("Must be a whole number.")
        number = int(value)
    else:
        text = SPACES.sub("", cell_text(value))
        if text.startswith("-") and NUMBER.match(text[1:]):
            return None, _("Must not be negative.")
        if not NUMBER.match(text):
            return None, _("Must be a whole number.")
        number = int(re.split(r"[.,]", text)[0])
    if number < minimum:
        return None, (_("Must be at least 1.") if minimum == 1 else _("Must not be negative."))
    if limit is not None and number > limit:
        return None, _("Too large: at most %(limit)s.", limit="{:,}".format(limit).replace(",", " "))
    return number, None


def check_header(header: list, columns, result: ImportResult, *, separator_hint: bool = True) -> tuple[dict, bool]:
    """``(column name → position, usable)`` from the first row of an upload; its problems are errors of row 1.

    Names are matched without case, spaces counting as ``_``; a repeated column is an error (the
    last one is read); a missing one makes the file unusable. ``separator_hint``: add a word on
    separators when the whole header is one cell with ``|``, ``:`` or ``/`` in it.
    """
    names = [cell_text(h).lower().replace(" ", "_") for h in header]
    index = {}
    for position, name in enumerate(names):
        if name in columns:
            if name in index:
                result.add(1, name, _("The column “%(column)s” appears twice.", column=name))
            index[name] = position
    missing = [c for c in columns if c not in index]
    if missing:
        message = _("Missing columns: %(columns)s. The first row must name the columns as in the template.",
                    columns=", ".join(missing))
        if separator_hint and len(names) == 1 and names[0] and any(sep in names[0] for sep in "|:/"):
            message += " " + _("Separate the columns with commas or semicolons.")
        result.add(1, None, message)
    return index, not missing


class RowChecker:
    """Rows of an upload against its header, the known region codes and the staff member's region.

    What every upload shares: the header check, empty rows skipped, formulas refused, the region
    column (a known code; a coordinator's own region only) and the columns with a fixed list of
    values (``CHOICES``). A subclass names its ``COLUMNS``, says in ``own_region_only`` why another
    region is refused, and checks its other columns in ``cell``.
    """

    COLUMNS: tuple[str, ...] = ()
    CHOICES: dict = {}
    SEPARATOR_HINT = True

    def __init__(self, header: list, result: ImportResult, *, regions, allowed_region: str | None = None):
        self.result = result
        self.allowed_region = allowed_region
        self.regions = set(regions)
        self.index, self.usable = check_header(header, self.COLUMNS, result, separator_hint=self.SEPARATOR_HINT)

    def check(self, number: int, cells: list) -> dict | None:
        """A row ready to insert, or ``None`` after recording its errors. Empty rows are skipped."""
        if not any(cell_text(c) for c in cells):
            return None
        values = {name: (cells[i] if i < len(cells) else None) for name, i in self.index.items()}
        errors = self.result.error_count
        row = {}
        for name in self.COLUMNS:
            value = values[name]
            if isinstance(value, str) and FORMULA.match(value):
                self.result.add(number, name, _("Formulas are not allowed. Enter the value itself."))
                continue
            text = cell_text(value)
            if name == "region":
                self._region(number, text, row)
            elif name in self.CHOICES:
                self._choice(number, name, text, row)
            else:
                self.cell(number, name, value, text, row)
        if self.result.error_count > errors:
            return None
        return row

    def _region(self, number: int, text: str, row: dict) -> None:
        code = text.upper()
        if not code:
            self.result.add(number, "region", _("This cell is empty."))
        elif code not in self.regions:
            self.result.add(number, "region", _("Unknown region code “%(value)s”. Use codes such as KZ-71 (see the template).",
                                                value=text[:40]))
        elif self.allowed_region and code != self.allowed_region:
            self.result.add(number, "region", self.own_region_only(self.allowed_region))
        else:
            row["region_code"] = code

    def _choice(self, number: int, name: str, text: str, row: dict) -> None:
        code = text.lower()
        if not code:
            self.result.add(number, name, _("This cell is empty."))
        elif code not in self.CHOICES[name]:
            self.result.add(number, name, _("Unknown value “%(value)s”. Allowed: %(allowed)s.",
                                            value=text[:40], allowed=", ".join(self.CHOICES[name])))
        else:
            row[name] = code

    def own_region_only(self, region: str) -> str:
        """The message for a row of another region than the coordinator's own."""
        raise NotImplementedError

    def cell(self, number: int, name: str, value, text: str, row: dict) -> None:
        """Check one of the subclass's own columns; put its value in ``row`` or record an error."""
        raise NotImplementedError




# --- importing -------------------------------------------------------------------------------


def import_rows(stream, filename: str, model, make_checker, values_of, *,
                regions, staff=None) -> ImportResult:
    """The all-or-nothing streamed import every upload shares (allocations, price observations).

    ``make_checker(header_cells, result, regions=, allowed_region=)`` (a ``RowChecker`` subclass)
    validates rows against the known region codes ``regions``; a coordinator's rows must be of their
    own region. ``values_of(row, batch, now)`` gives the column values of a good row. Rows go in by batches of ``BATCH``; if any row is wrong
    nothing is written (the caller rolls back) and every error is in ``result``.
    """
    result = ImportResult(batch=secrets.token_hex(8))
    allowed_region = None if staff is None or staff.is_admin else staff.region_code
    now = clock.now()
    pending: list[dict] = []
    limit = max_rows()

    def flush():
        if pending:
            db.session.execute(sa.insert(model), pending)
            pending.clear()

    try:
        kind = detect_format(stream, filename)
        rows = csv_rows(stream) if kind == "csv" else xlsx_rows(stream)
        checker = None
        for number, cells in rows:
            if checker is None:
                checker = make_checker(cells, result, regions=regions, allowed_region=allowed_region)
                if not checker.usable:
                    break
                continue
            if number - 1 > limit:
                raise FileProblem(_("Too many rows: at most %(limit)s in one file.", limit=limit))
            row = checker.check(number, cells)
            if row is None:
                continue
            result.rows += 1
            result.regions.add(row["region_code"])
            if result.error_count:
                continue  # keep checking, stop writing: nothing will be kept
            pending.append(values_of(row, result.batch, now))
            if len(pending) >= BATCH:
                flush()
        if checker is None:
            raise FileProblem(_("The file is empty."))
    except FileProblem as problem:
        result.add(problem.row, None, problem.message)
    if result.error_count == 0 and result.rows == 0:
        result.add(None, None, _("The file has no data rows."))
    if result.error_count:
        pending.clear()
        return result
    flush()
    return result
