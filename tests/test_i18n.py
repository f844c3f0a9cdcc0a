"""Language choice, the switcher, and catalogue completeness (no untranslated string anywhere)."""

import html as htmlmod
import re
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from tests.conftest import ROOT

LANGS = ("kk", "ru", "en")


@pytest.mark.parametrize(
    "header, expected",
    [
        (None, "kk"),
        ("", "kk"),
        ("kk-KZ,ru;q=0.8", "kk"),  # Werkzeug's best_match would say ru
        ("ru-KZ,ru;q=0.9,kk;q=0.8", "ru"),
        ("ru", "ru"),
        ("en-US,en;q=0.9", "en"),
        ("de-DE,fr;q=0.8", "kk"),
        ("fr;q=0.9, en;q=0.5", "en"),
        ("kk", "kk"),
        ("*", "kk"),
        ("garbage;;;q=xyz", "kk"),
    ],
)
def test_root_redirects_by_accept_language(client, header, expected):
    headers = {"Accept-Language": header} if header is not None else {}
    response = client.get("/", headers=headers)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/{expected}/"
    assert "Accept-Language" in response.headers["Vary"]


@pytest.mark.parametrize("page", ["", "about", "help", "privacy", "accessibility"])
def test_language_switcher_keeps_the_page(client, page):
    html = client.get(f"/ru/{page}").get_data(as_text=True)
    for lang in LANGS:
        assert f'href="/{lang}/{page}" hreflang="{lang}" lang="{lang}"' in html
    assert 'lang="ru" aria-current="true"' in html


def test_language_switcher_keeps_the_query_string(client):
    html = client.get("/kk/help?region=KZ-71").get_data(as_text=True)
    assert 'href="/en/help?region=KZ-71"' in html


def test_hreflang_alternates_in_head(client):
    # Absolute URLs: search engines (and Lighthouse's hreflang audit) ignore relative alternates.
    html = client.get("/en/about?x=1").get_data(as_text=True)
    for lang in LANGS:
        assert f'<link rel="alternate" hreflang="{lang}" href="http://localhost/{lang}/about?x=1">' in html
    assert '<link rel="alternate" hreflang="x-default" href="http://localhost/kk/about?x=1">' in html


# --- catalogues ------------------------------------------------------------------


def load_catalogue(lang):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale=lang)


@pytest.fixture(scope="module")
def fresh_extraction(tmp_path_factory):
    """Extract msgids from the code and templates as they are now (not the committed .pot)."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(
        [
            sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg",
            "-k", "_l", "-k", "lazy_gettext", "-k", "lazy_ngettext:1,2", "-k", "lazy_pgettext:1c,2", "--no-location", "-o", str(pot), "portal", "templates",
        ],
        cwd=ROOT,
        check=True,
    )
    with pot.open("rb") as fh:
        return read_po(fh)


def msgid_key(message):
    return message.id if isinstance(message.id, str) else message.id[0]


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_every_string_in_code_and_templates_is_translated(fresh_extraction, lang):
    catalogue = load_catalogue(lang)
    missing = []
    for message in fresh_extraction:
        if not message.id:
            continue
        entry = catalogue.get(message.id, message.context)
        if entry is None or "fuzzy" in entry.flags:
            missing.append(msgid_key(message))
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(s.strip() for s in strings):
            missing.append(msgid_key(message))
    assert not missing, f"{len(missing)} strings lack a {lang} translation (run `make messages` and translate): {missing[:20]}"


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_plural_forms_are_complete(lang):
    catalogue = load_catalogue(lang)
    expected = {"kk": 2, "ru": 3}[lang]
    assert catalogue.num_plurals == expected
    for message in catalogue:
        if isinstance(message.id, tuple) and message.id[0]:
            assert len(message.string) == expected and all(message.string), message.id


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_placeholders_survive_translation(lang):
    for message in load_catalogue(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(re.findall(r"%\(\w+\)s", ids[0]))
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for s in strings:
            assert set(re.findall(r"%\(\w+\)s", s)) == wanted, (message.id, s)


def visible_text(html: str) -> str:
    """Text a reader sees, without parts explicitly marked as another language (the switcher)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'<(\w+)[^>]*\blang="(?:en|ru)"[^>]*>.*?</\1>', " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return htmlmod.unescape(re.sub(r"\s+", " ", html))


def english_ui_strings():
    kk = load_catalogue("kk")
    return [
        m.id for m in kk
        if isinstance(m.id, str) and m.id and m.string and m.string != m.id and len(m.id) > 3
    ]


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize("page", ["", "about", "help", "accessibility", "privacy", "no-such-page"])
def test_no_english_ui_text_on_kazakh_and_russian_pages(client, lang, page):
    text = visible_text(client.get(f"/{lang}/{page}").get_data(as_text=True))
    leaked = [s for s in english_ui_strings() if s in text]
    assert not leaked, leaked
    # And no run of plain English words either (e.g. a page body left untranslated).
    english_words = re.findall(r"\b(?:the|and|with|your|for|campaign|children|help)\b", text, flags=re.I)
    assert len(english_words) <= 2, english_words


def test_translations_dir_is_absolute(app):
    import os

    assert os.path.isabs(app.config["BABEL_TRANSLATION_DIRECTORIES"])


def test_app_refuses_to_start_without_compiled_catalogues(tmp_path):
    from portal import create_app

    with pytest.raises(RuntimeError, match="No compiled translations"):
        create_app({"SECRET_KEY": "x", "TESTING": True, "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path)})


def test_app_refuses_to_start_without_a_secret(monkeypatch, tmp_path):
    from flask import Flask

    from portal import load_config

    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    app = Flask("x", instance_path=str(tmp_path))
    with pytest.raises(RuntimeError, match="No SECRET_KEY"):
        load_config(app, None)


def test_the_english_catalogue_holds_no_kazakh_or_russian():
    """A catalogue merge once copied Russian into the English file: English pages showed «полиция»."""
    import re

    from babel.messages.pofile import read_po

    with open(ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalogue = read_po(handle)
    cyrillic = re.compile("[\u0400-\u04ff]")
    leaked = [m.id for m in catalogue if m.id and cyrillic.search(" ".join(m.string) if isinstance(m.string, tuple)
                                                                   else (m.string or ""))
              and not cyrillic.search(m.id if isinstance(m.id, str) else " ".join(m.id))]
    assert not leaked, leaked
