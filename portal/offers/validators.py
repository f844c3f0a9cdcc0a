"""Kazakh identifiers: IIN/BIN check digits (``shared/data/DOMAIN.md`` §2.1).

No dependency for the check digit (python-stdnum has no Kazakh module). Phone numbers (§2.2) have
their own home, ``portal/phones.py``.
"""

from __future__ import annotations

import re

_DIGITS12 = re.compile(r"[0-9]{12}")  # ASCII digits only: str.isdigit() would let ٣ or ３ through
_SEPARATORS = re.compile(r"[\s\-]+")

WEIGHTS_1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def clean_id(value: str | None) -> str:
    """The number without spaces and dashes (what people type between digit groups)."""
    return _SEPARATORS.sub("", value or "")


def check_digit(first11: str) -> int | None:
    """The 12th digit for these 11 digits, or ``None`` when no number with them is issued."""
    digits = [int(c) for c in first11]
    c = sum(d * w for d, w in zip(digits, WEIGHTS_1)) % 11
    if c == 10:
        c = sum(d * w for d, w in zip(digits, WEIGHTS_2)) % 11
    return None if c == 10 else c


def has_valid_check_digit(value: str | None) -> bool:
    """Exactly 12 ASCII digits whose last one is the official check digit (IIN and BIN alike)."""
    number = clean_id(value)
    if not _DIGITS12.fullmatch(number):
        return False
    return check_digit(number[:11]) == int(number[11])


def looks_like_iin(number: str) -> bool:
    """Digits 1–6 a birth date YYMMDD, digit 7 the century/sex digit (0 for some foreigners)."""
    month, day = int(number[2:4]), int(number[4:6])
    return 1 <= month <= 12 and 1 <= day <= 31 and number[6] in "0123456"


def looks_like_bin(number: str) -> bool:
    """Digits 1–4 YYMM of registration, digit 5 the entity type (4, 5, 6), digit 6 the attribute (0–3).

    Digit 5 tells the two apart: in an IIN it is the first digit of the day (0–3).
    """
    month = int(number[2:4])
    return 1 <= month <= 12 and number[4] in "456" and number[5] in "0123"


def is_valid_iin(value: str | None) -> bool:
    return has_valid_check_digit(value) and looks_like_iin(clean_id(value))


def is_valid_bin(value: str | None) -> bool:
    return has_valid_check_digit(value) and looks_like_bin(clean_id(value))
