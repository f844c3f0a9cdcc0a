"""Kazakh identifiers and phone numbers: IIN/BIN check digits and KZ-only phone normalisation.

Both follow ``shared/data/DOMAIN.md`` §2.1 and §2.2. No dependency for the
check digit (python-stdnum has no Kazakh module); phonenumbers only validates.
"""

from __future__ import annotations

import re

import phonenumbers

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


# --- phones ------------------------------------------------------------------------

MAX_PHONE_INPUT = 32


def normalise_kz_phone(value: str | None) -> str | None:
    """E.164 (``+77011234567``) for a valid Kazakh number in any usual spelling, else ``None``.

    ``+7 9xx…`` and ``+7 495…`` are valid Russian numbers sharing +7: refused, as is
    anything libphonenumber does not place in KZ.
    """
    raw = (value or "").strip()
    if not raw or len(raw) > MAX_PHONE_INPUT:
        return None
    try:
        number = phonenumbers.parse(raw, "KZ")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 7 or not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.region_code_for_number(number) != "KZ":
        return None
    national = str(number.national_number)
    if len(national) != 10 or not national.startswith("7"):
        return None
    return "+7" + national


def display_phone(e164: str | None) -> str:
    """``+7 701 123 45 67``: our display form (libphonenumber would say ``+7 701 123 4567``)."""
    if not e164:
        return ""
    digits = e164[2:] if e164.startswith("+7") else e164
    if len(digits) != 10:
        return e164
    return "+7 %s %s %s %s" % (digits[:3], digits[3:6], digits[6:8], digits[8:])
