"""Every setting is declared once, with its default and a reason, in portal/config.py; the README agrees (issue 21)."""

from __future__ import annotations

import re

from flask import Flask

from portal.config import Defaults
from tests.conftest import ROOT

# Read by the code but owned by Flask or an extension, with their defaults there.
FRAMEWORK = set(Flask.default_config) | {
    "REMEMBER_COOKIE_NAME", "RATELIMIT_ENABLED", "WTF_CSRF_ENABLED", "SQLALCHEMY_ECHO",
}
# Declared in config.py but not for operators to set (framework wiring, tests, internals): not in the README table.
NOT_FOR_OPERATORS = {
    "SQLALCHEMY_DATABASE_URI", "SQLALCHEMY_ENGINE_OPTIONS", "SQLALCHEMY_RECORD_QUERIES", "LANGUAGES",
    "BABEL_DEFAULT_LOCALE", "BABEL_DEFAULT_TIMEZONE", "BABEL_TRANSLATION_DIRECTORIES", "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE", "SESSION_COOKIE_SECURE", "PERMANENT_SESSION_LIFETIME", "WTF_CSRF_TIME_LIMIT",
    "MAX_CONTENT_LENGTH", "RATELIMIT_HEADERS_ENABLED", "FROZEN_NOW", "COMPRESS_MIN_SIZE", "PAGE_CACHE_MAX_BODY",
    "SECRET_KEY", "SERVER_NAME", "RATELIMIT_KEY_PREFIX", "PAGE_CACHE_KEY", "REMEMBER_COOKIE_NAME",
    "APPEAL_HASH_TIME_COST", "APPEAL_HASH_MEMORY_KIB", "PASSWORD_HASH_TIME_COST", "PASSWORD_HASH_MEMORY_KIB",
    "PASSWORD_HASH_PARALLELISM", "APPEAL_FORM_MAX_AGE", "APPEAL_RECEIPT_REDISPLAY_SECONDS",
    "OFFER_VALIDATE_RATE_LIMIT", "MAIL_TIMEOUT", "ALLOW_DEMO_LOGIN", "REPORT_UPLOAD_MAX_ROWS",
}
READ = re.compile(r"""config(?:\.get\(|\[|\.setdefault\()\s*["']([A-Z][A-Z0-9_]+)["']""")
INLINE_DEFAULT = re.compile(r"""config\.(?:get|setdefault)\(\s*["']([A-Z][A-Z0-9_]+)["']\s*,""")


def _sources():
    for path in sorted((ROOT / "portal").rglob("*.py")):
        if path.name != "config.py":
            yield path, path.read_text(encoding="utf-8")


def declared() -> set[str]:
    return {name for name in vars(Defaults) if name.isupper()}


def test_every_setting_the_code_reads_is_declared_in_config():
    missing = {}
    for path, text in _sources():
        for name in READ.findall(text):
            if name not in declared() and name not in FRAMEWORK:
                missing.setdefault(name, path.relative_to(ROOT).as_posix())
    assert not missing, f"declare these in portal/config.py with a default and a comment: {missing}"


def test_no_default_is_written_where_a_setting_is_read():
    inline = [(path.relative_to(ROOT).as_posix(), name) for path, text in _sources() for name in INLINE_DEFAULT.findall(text)]
    assert not inline, f"the default belongs in portal/config.py, not at the call: {inline}"


def test_every_declared_setting_has_a_comment():
    text = (ROOT / "portal" / "config.py").read_text(encoding="utf-8")
    lines = text.splitlines()
    setting = re.compile(r"\s+([A-Z][A-Z0-9_]+)\s*=")
    bare = []
    for i, line in enumerate(lines):
        match = setting.match(line)
        if not match or "#" in line:
            continue
        above = i - 1  # a group of settings under one comment is explained by it
        while above >= 0 and setting.match(lines[above]):
            above -= 1
        if not lines[above].strip().startswith("#"):
            bare.append(match.group(1))
    assert not bare, f"say why in a comment: {bare}"


def test_the_readme_table_and_config_agree():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Configuration"):]
    table = table[: table.index("\n## ", 3)]
    named = set(re.findall(r"`FLASK_([A-Z0-9_]+)`", table))
    # "FLASK_MAIL_SERVER … (and `_USE_TLS`, `_USERNAME`)" abbreviates the rest of a family.
    for family, suffixes in re.findall(r"`FLASK_([A-Z]+)_[A-Z_]+`[^|]*?\(and ([^)]*)\)", table):
        named |= {family + suffix for suffix in re.findall(r"`(_[A-Z_]+)`", suffixes)}
    unknown = named - declared()
    assert not unknown, f"the README names settings config.py does not have: {sorted(unknown)}"
    undocumented = declared() - NOT_FOR_OPERATORS - named - {"RATELIMIT_STORAGE_URI"}
    assert not undocumented, f"add these to the README's configuration table: {sorted(undocumented)}"
