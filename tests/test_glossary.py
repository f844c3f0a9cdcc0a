"""The kk and ru catalogues follow translations/GLOSSARY.md (read from the file: it is the single source).

Fast and app-free: the catalogues are read with Babel, nothing is rendered.
"""

import itertools
import re

import pytest
from babel.messages.pofile import read_po

from tests.conftest import ROOT

GLOSSARY = ROOT / "translations" / "GLOSSARY.md"

# English msgids that serve two purposes: every entry must carry one of these contexts.
AMBIGUOUS = {
    "Change": {"button", "price change"},
    "Published": {"news status", "date column"},
}

# Placeholders that hold a number (a `d` conversion always does).
NUMERIC_NAMES = (
    "count|num|number|n|year|min|max|size|threshold|limit|id|total|shown|row|received|needed"
    "|percent|page|pages"
)
NUMERIC = rf"(?:%\((?:{NUMERIC_NAMES})\)s|%\(\w+\)d|%d|\{{(?:{NUMERIC_NAMES})\}}|\d)"
PLACEHOLDER = r"(?:%\(\w+\)[sd]|%[sd]|\{\w+\})"
KK_LETTER = "а-яёәғқңөұүһі"


def _kazakh_endings() -> set[str]:
    """Case and possessive endings a writer might hang on a number after a hyphen (10-нан, 3-тің)."""
    cases = [
        "ден", "дан", "тен", "тан", "нен", "нан",
        "ге", "ға", "ке", "қа", "не", "на", "а", "е",
        "де", "да", "те", "та", "нде", "нда",
        "нің", "ның", "дің", "дың", "тің", "тың",
        "ні", "ны", "ді", "ды", "ті", "ты", "н",
        "мен", "бен", "пен",
        "дегі", "дағы", "тегі", "тағы", "ндегі", "ндағы",
        "ші", "шы", "нші", "ншы", "інші", "ыншы",
    ]
    possessive = ["і", "ы", "сі", "сы", "ісі", "ысы"]
    after_possessive = ["", "н", "нің", "ның", "не", "на", "нде", "нда", "нен", "нан", "мен", "ндегі", "ндағы"]
    endings = set(cases)
    endings.update(p + c for p, c in itertools.product(possessive, after_possessive))
    return endings


KAZAKH_ENDINGS = _kazakh_endings()


def load(lang):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)


def entries(lang):
    """(msgid, context, [translations]) for every translated entry."""
    out = []
    for m in load(lang):
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        out.append((" | ".join(ids), m.context, [s for s in strings if s]))
    return out


CATALOGUES = {lang: entries(lang) for lang in ("kk", "ru")}


def glossary_rules():
    """Rows of the Terms table: (term, trigger regex, {lang: [rejected substrings]})."""
    text = GLOSSARY.read_text(encoding="utf-8")
    section = text.split("## Terms", 1)[1].split("\n## ", 1)[0]
    rules = []
    for line in section.splitlines():
        if not line.startswith("| ") or line.startswith("| term") or line.startswith("|---"):
            continue
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        term, trigger, _kk, kk_rejected, _ru, ru_rejected = cells[:6]
        patterns = re.findall(r"`([^`]+)`", trigger)
        if not patterns:
            continue
        rejected = {
            "kk": re.findall(r"`([^`]+)`", kk_rejected),
            "ru": re.findall(r"`([^`]+)`", ru_rejected),
        }
        rules.append((term, re.compile(patterns[0], re.I), rejected))
    return rules


def test_glossary_parses_into_rules():
    rules = glossary_rules()
    assert len(rules) >= 25
    terms = " ".join(term for term, _, _ in rules)
    assert "appeal" in terms and "sponsor wall" in terms and "cancelled" in terms


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_no_rejected_variant_of_a_glossary_term(lang):
    found = []
    for term, trigger, rejected in glossary_rules():
        for msgid, _ctx, strings in CATALOGUES[lang]:
            if not trigger.search(msgid):
                continue
            for s in strings:
                for bad in rejected[lang]:
                    if bad.lower() in s.lower():
                        found.append(f"{term!r}: «{bad}» in {s!r} (msgid {msgid!r})")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_no_ending_glued_to_a_placeholder(lang):
    """`%(n)s-ден` is wrong for every n that does not end like «-ден»: put the ending on a noun."""
    letter = KK_LETTER if lang == "kk" else "а-яё"
    glued = re.compile(rf"{PLACEHOLDER}[{letter}]", re.I)
    hyphen = re.compile(rf"{PLACEHOLDER}-([{KK_LETTER}]+)", re.I)
    found = []
    for msgid, _ctx, strings in CATALOGUES[lang]:
        for s in strings:
            if glued.search(s):
                found.append(s)
            if lang == "kk":
                # A hyphen + noun is an ordinal («%(number)s-нұсқа»); a hyphen + ending is not.
                found.extend(s for m in hyphen.finditer(s) if m.group(1).lower() in KAZAKH_ENDINGS)
    assert not found, "\n".join(found)


def test_no_kazakh_ending_glued_to_a_digit():
    """«1-ден», «112-ге», «3-тің»: rephrase so that no ending touches a number."""
    hyphen = re.compile(rf"\d-([{KK_LETTER}]+)", re.I)
    found = [
        s
        for _msgid, _ctx, strings in CATALOGUES["kk"]
        for s in strings
        for m in hyphen.finditer(s)
        if m.group(1).lower() in KAZAKH_ENDINGS
    ]
    assert not found, "\n".join(found)


RU_PLAIN_SPACE = [
    # a number, or a placeholder holding one, and the word or sign after it
    (re.compile(rf"{NUMERIC} (?=[а-яёА-ЯЁ₸%])"), "number + unit or word"),
    # digit groups and phone numbers: 1 000 000, +7 701 123 45 67
    (re.compile(r"\d (?=\d)"), "inside a number"),
    (re.compile(r"№ "), "after «№»"),
    (re.compile(r"(?<![а-яёА-ЯЁ])[А-ЯЁ]\. (?=[А-ЯЁ])"), "in initials"),
    (re.compile(r" (?=[—–] )"), "before a dash"),
]


def test_russian_no_break_spaces():
    found = []
    for _msgid, _ctx, strings in CATALOGUES["ru"]:
        for s in strings:
            for pattern, what in RU_PLAIN_SPACE:
                if pattern.search(s):
                    found.append(f"{what}: {s!r}")
    assert not found, "Use a no-break space (U+00A0), see translations/GLOSSARY.md:\n" + "\n".join(found)


def test_russian_no_gender_brackets():
    brackets = re.compile(r"[а-яё]\((?:а|на|ла|ы|ая|ое|ий|ен|на)\)", re.I)
    found = [s for _m, _c, strings in CATALOGUES["ru"] for s in strings if brackets.search(s)]
    assert not found, found


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_ambiguous_msgids_carry_a_context(lang):
    contexts = {}
    for m in load(lang):
        if isinstance(m.id, str) and m.id in AMBIGUOUS:
            contexts.setdefault(m.id, set()).add(m.context)
    for msgid, wanted in AMBIGUOUS.items():
        assert contexts.get(msgid) == wanted, (msgid, contexts.get(msgid))


def test_ambiguous_contexts_are_translated_differently():
    for lang in ("kk", "ru"):
        catalogue = load(lang)
        for msgid, wanted in AMBIGUOUS.items():
            strings = {catalogue.get(msgid, context=ctx).string for ctx in wanted}
            assert len(strings) == len(wanted), (lang, msgid, strings)
