"""Kazakh phone numbers, in one place: validation, normalisation, display and ``tel:`` links.

Used by the offer form (contact phone), the appeal form (call-back phone) and the regional
directory (hotlines, trust phones, receptions, headquarters). ``+7`` is shared with Russia:
``+7 9xx…`` and ``+7 495…`` are valid Russian numbers and are refused, as is anything
libphonenumber does not place in Kazakhstan.
"""

from __future__ import annotations

import re

import phonenumbers

MAX_PHONE_INPUT = 32
# National service numbers (111, 150, 1414…): dialled as they are, from any operator.
SHORT_NUMBER = re.compile(r"^\d{3,4}$")


def normalise_kz_phone(value: str | None) -> str | None:
    """E.164 (``+77011234567``) for a valid Kazakh number in any usual spelling, else ``None``."""
    raw = (value or "").strip()
    if not raw or len(raw) > MAX_PHONE_INPUT:
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in raw):
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


def short_number(value: str | None) -> str | None:
    """``"111"`` for a national short number typed with or without spaces, else ``None``."""
    digits = re.sub(r"[\s-]", "", (value or "").strip())
    return digits if SHORT_NUMBER.match(digits) else None


def display_phone(e164: str | None) -> str:
    """``+7 701 123 45 67``: our display form (libphonenumber would say ``+7 701 123 4567``)."""
    if not e164:
        return ""
    digits = e164[2:] if e164.startswith("+7") else e164
    if len(digits) != 10:
        return e164
    return "+7 %s %s %s %s" % (digits[:3], digits[3:6], digits[6:8], digits[8:])


def directory_phone(value: str | None, allow_short: bool = False) -> str | None:
    """How a directory number is stored and shown, or ``None`` when it is not a Kazakh number.

    Mobile numbers as ``+7 701 123 45 67``; landlines keep their area code visible
    (``+7 7172 55 00 01``), which is how people read them; short national numbers as they are.
    """
    if allow_short:
        short = short_number(value)
        if short:
            return short
    e164 = normalise_kz_phone(value)
    if e164 is None:
        return None
    number = phonenumbers.parse(e164, "KZ")
    if phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        return display_phone(e164)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def tel_uri(number: str) -> str:
    """``tel:`` URI: short numbers stay as they are; long ones become +7… (8 is the trunk prefix)."""
    digits = re.sub(r"\D", "", number or "")
    if len(digits) <= 4:
        return "tel:" + digits
    if len(digits) == 11 and digits[0] == "8":
        digits = "7" + digits[1:]
    if len(digits) == 10:
        digits = "7" + digits
    return "tel:+" + digits
