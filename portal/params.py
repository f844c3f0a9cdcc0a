"""Numbers from URLs and hidden fields: one bounded path converter, one parser for the rest.

Whatever a visitor types into a URL reaches a query only when it is a number the database can
hold. SQLite refuses a Python int beyond 64 bits (``OverflowError``), PostgreSQL one beyond the
column's ``integer`` (32 bits: ``DataError``, in a WHERE as in an INSERT); both were 500s. So:

* ``<int:…>`` in every rule is :class:`IdConverter`: ASCII digits only (Werkzeug's ``\\d`` also
  matches ``²`` and ``١٢``), at most :data:`MAX_ID` — anything else does not match, a 404 before
  the view runs;
* :func:`to_int` reads any other number (``?need=``, a hidden ``need_id``, an id a form carries)
  and :func:`page_arg` the ``?page=`` of a list: a value that is missing, not a plain whole number
  or out of range is the default, never an exception;
* a NUL character never reaches a query: PostgreSQL refuses it in text (``DataError``) where
  SQLite stores it, and no visitor types one. :func:`replace_nul` answers 404 to a path carrying
  one and, before any view, turns it into U+FFFD (the replacement character) in the query string:
  ``?region=KZ-71%00`` stays an unknown value the view ignores as it ignores any other, not a
  region. Form fields keep theirs for the forms' own text policy (``portal/text.py``) to refuse
  with a message.

Wired in the factory by :func:`init_app` (before the blueprints, whose rules use the converter).
"""

from __future__ import annotations

import re

from flask import abort, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

# The largest value of PostgreSQL's ``integer`` (the type of every id column): 2**31 - 1.
MAX_ID = 2_147_483_647
# Deepest page of any list (25 a page: half a million rows), so OFFSET stays a small number.
MAX_PAGE = 10_000

_WHOLE = re.compile(r"-?[0-9]{1,30}")
_DIGITS = re.compile(r"-?[0-9]+")


def to_int(value, default=None, *, min_value: int = 0, max_value: int = MAX_ID):
    """``value`` (a str, an int or None) as an int within ``[min_value, max_value]``, else ``default``.

    Only ASCII digits with an optional minus sign, surrounding spaces ignored: no ``1e3``, ``0x10``,
    ``1_000``, ``²`` or ``NaN``.
    """
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return default
    return number if min_value <= number <= max_value else default


def page_arg(name: str = "page", *, strict: bool = False) -> int:
    """``?page=`` of a paginated list: 1 when missing or not a number.

    A number outside ``1..MAX_PAGE`` is the nearest page, or with ``strict`` (public lists, where
    a page that cannot exist must not be a second copy of the first) a 404.
    """
    raw = (request.args.get(name) or "").strip()
    if not _DIGITS.fullmatch(raw):
        return 1
    page = int(raw) if len(raw) <= 30 else (0 if raw.startswith("-") else MAX_PAGE + 1)
    if 1 <= page <= MAX_PAGE:
        return page
    if strict:
        abort(404)
    return 1 if page < 1 else MAX_PAGE


class IdConverter(IntegerConverter):
    """``<int:…>`` bounded to what an id column holds; ``<int(max=…):…>`` and ``signed`` still work."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        if min is None:
            min = -MAX_ID - 1 if signed else 0
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def replace_nul():
    """before_request: no NUL in the path (404) or in the query string (U+FFFD instead)."""
    if "\x00" in request.path:
        abort(404)
    args = request.args
    if any("\x00" in key or any("\x00" in value for value in values) for key, values in args.lists()):
        request._get_current_object().__dict__["args"] = ImmutableMultiDict(
            (key.replace("\x00", "\ufffd"), value.replace("\x00", "\ufffd")) for key, value in args.items(multi=True)
        )


def init_app(app) -> None:
    app.url_map.converters["int"] = IdConverter  # replace_nul: registered with the other hooks, in order (portal.register_hooks)
