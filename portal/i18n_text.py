"""Helpers for text that staff write in several languages."""

from __future__ import annotations

import re
import unicodedata

from .i18n import LANGUAGES

# Cyrillic (Russian and Kazakh letters) → Latin, for URL slugs.
_TRANSLIT = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n", "ң": "n", "о": "o",
    "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "u", "ү": "u", "ф": "f", "х": "h",
    "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sch", "ъ": "", "ы": "y", "і": "i", "ь": "", "э": "e",
    "ю": "yu", "я": "ya",
}


def slugify(text: str, max_length: int = 80) -> str:
    """``"Мектеп жәрмеңкесі 2023"`` → ``"mektep-zharmenkesi-2023"``."""
    text = "".join(_TRANSLIT.get(ch, ch) for ch in (text or "").lower())
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:max_length].rstrip("-") or "item"


def first_filled(obj, field: str) -> str:
    for code in LANGUAGES:
        value = getattr(obj, "%s_%s" % (field, code), None)
        if value:
            return value
    return ""
