"""One text policy for everything typed into the portal: public forms and staff forms alike.

Kept as typed: every letter, digit, emoji and joiner. The zero-width joiner (U+200D) holds
emoji sequences together (👨‍👩‍👧 is three people and two joiners), the zero-width non-joiner
(U+200C) belongs to Persian and other scripts, variation selectors and tag characters shape
emoji and flags, and LRM/RLM mark direction in mixed-script text. Text is stored in Unicode
NFC (the same word typed on two keyboards is stored alike; NFC never touches joiners), with
Unix newlines, without blanks around it.

Refused (``REFUSED``): control characters other than tab and newline (C0, DEL, C1); the
bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069), which
make text read differently from how it is stored; noncharacters; lone surrogates. The appeal
forms refuse text containing them with a message (``has_refused_characters``); every other form
drops them (``clean_text`` and ``clean_line``, the WTForms filters). Invalid UTF-8 never gets
this far: ``portal/security.py`` refuses the request.
"""

from __future__ import annotations

import re
import unicodedata

REFUSED = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff]"
)
_BLANKS = re.compile(r"\s+")


def normalise(value: str | None) -> str:
    """NFC, Unix newlines, trimmed; nothing removed (see ``has_refused_characters``)."""
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    try:
        value = unicodedata.normalize("NFC", value)
    except UnicodeError:  # pragma: no cover - lone surrogates are left for the caller to refuse
        pass
    return value.strip()


def has_refused_characters(value: str | None) -> bool:
    return bool(value) and REFUSED.search(value) is not None


def clean_text(value):
    """Free text (a WTForms filter): the refused characters dropped, then ``normalise``."""
    if not isinstance(value, str):
        return "" if value is None else value
    return normalise(REFUSED.sub("", value.replace("\r\n", "\n").replace("\r", "\n")))


def clean_line(value):
    """One line (a WTForms filter): ``clean_text`` with every run of blanks, newlines included, one space."""
    value = clean_text(value)
    if not isinstance(value, str):
        return value
    return _BLANKS.sub(" ", value).strip()
