"""Static rules over ``portal/`` (issue 8): a small local rule set on the syntax tree, plus bandit.

* Nothing but the rate limiter's key function (``portal/ratelimit.py``) reads the client address:
  ``remote_addr``, ``access_route``, ``X-Forwarded-For`` / ``X-Real-IP`` / ``Forwarded`` headers,
  ``HTTP_X_FORWARDED_FOR``, ``REMOTE_ADDR`` — in Python (attributes, names, string constants that are
  not docstrings) and in templates.
* No SQL built from strings: an f-string, ``%``, ``+`` or ``.format()`` as the statement of
  ``text(…)``, ``execute(…)``, ``exec_driver_sql(…)``, ``executescript(…)`` or ``executemany(…)``,
  directly or through a local variable assigned such an expression.
* ``bandit`` reports no finding of medium or high severity.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PORTAL = ROOT / "portal"
TEMPLATES = ROOT / "templates"

ADDRESS_ALLOWED = {PORTAL / "ratelimit.py"}
ADDRESS_ATTRIBUTES = {"remote_addr", "access_route"}
ADDRESS_STRINGS = re.compile(
    r"x[-_]forwarded[-_]for|x[-_]real[-_]ip|remote[-_]addr|^forwarded$|true[-_]client[-_]ip|cf[-_]connecting[-_]ip",
    re.IGNORECASE,
)
SQL_CALLS = {"text", "execute", "exec_driver_sql", "executescript", "executemany"}


def python_files() -> list[Path]:
    return sorted(p for p in PORTAL.rglob("*.py") if "__pycache__" not in p.parts)


def _docstring_nodes(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def address_reads(source: str, filename: str = "<src>") -> list[str]:
    """Places in ``source`` that read or name the client address."""
    tree = ast.parse(source, filename)
    docstrings = _docstring_nodes(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ADDRESS_ATTRIBUTES:
            found.append(f"{filename}:{node.lineno}: .{node.attr}")
        elif isinstance(node, ast.Name) and node.id in ADDRESS_ATTRIBUTES:
            found.append(f"{filename}:{node.lineno}: {node.id}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if ADDRESS_STRINGS.search(node.value.strip()):
                found.append(f"{filename}:{node.lineno}: {node.value[:60]!r}")
        elif isinstance(node, ast.keyword) and node.arg and ADDRESS_STRINGS.search(node.arg):
            found.append(f"{filename}:{node.value.lineno}: {node.arg}=")
    return found


def _is_string_building(node: ast.AST, tainted: set[str]) -> bool:
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("format", "join"):
        return True
    if isinstance(node, ast.Name) and node.id in tainted:
        return True
    return False


def _call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    if isinstance(node.func, ast.Name):
        return node.func.id
    return None


def sql_from_strings(source: str, filename: str = "<src>") -> list[str]:
    """Calls that hand the database a statement assembled from strings."""
    tree = ast.parse(source, filename)
    found = []
    scopes = [tree] + [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for scope in scopes:
        tainted: set[str] = set()
        nodes = list(ast.walk(scope)) if scope is not tree else list(ast.walk(tree))
        for node in nodes:
            if isinstance(node, ast.Assign) and _is_string_building(node.value, tainted):
                tainted.update(t.id for t in node.targets if isinstance(t, ast.Name))
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and isinstance(node.op, ast.Add):
                if isinstance(node.value, (ast.Constant, ast.JoinedStr)) and isinstance(getattr(node.value, "value", ""), str):
                    tainted.add(node.target.id)
        for node in nodes:
            if isinstance(node, ast.Call) and _call_name(node) in SQL_CALLS and node.args:
                if _is_string_building(node.args[0], tainted):
                    found.append(f"{filename}:{node.lineno}: {_call_name(node)}(<built from strings>)")
    return sorted(set(found))


# --- the rules checked on themselves ---------------------------------------------------


@pytest.mark.parametrize(
    "snippet",
    [
        "ip = request.remote_addr",
        "ip = request.access_route[0]",
        "ip = request.headers.get('X-Forwarded-For')",
        "ip = request.environ['HTTP_X_FORWARDED_FOR']",
        "ip = request.environ.get('REMOTE_ADDR')",
        "ip = request.headers['X-Real-IP']",
        "from flask import request\nremote_addr = 1",
    ],
)
def test_address_rule_catches(snippet):
    assert address_reads(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        'def f():\n    """Never reads remote_addr or X-Forwarded-For."""\n    return 1',
        "x = request.path",
    ],
)
def test_address_rule_passes(snippet):
    assert not address_reads(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        "db.session.execute(text(f'SELECT * FROM t WHERE id = {x}'))",
        "conn.exec_driver_sql('DELETE FROM %s' % table)",
        "conn.execute(sa.text('SELECT ' + column))",
        "cur.execute('SELECT {}'.format(x))",
        "def f(x):\n    sql = f'SELECT {x}'\n    return conn.execute(sql)",
        "def f(x):\n    q = 'SELECT 1'\n    q += ' WHERE x = ' \n    return conn.execute(text(q))",
    ],
)
def test_sql_rule_catches(snippet):
    assert sql_from_strings(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        "db.session.execute(sa.text('SELECT 1'))",
        "db.session.execute(sa.select(T).where(T.id == x + 1))",
        "conn.execute(text('SELECT * FROM t WHERE id = :id'), {'id': a + b})",
        "msg = f'{x}'\nprint(msg)",
    ],
)
def test_sql_rule_passes(snippet):
    assert not sql_from_strings(snippet)


# --- the rules on the portal ------------------------------------------------------------


def test_nothing_but_the_rate_limiter_reads_the_client_address():
    found = []
    for path in python_files():
        if path in ADDRESS_ALLOWED:
            continue
        found += address_reads(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    for path in sorted(TEMPLATES.rglob("*")):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            for lineno, line in enumerate(text.splitlines(), 1):
                if re.search(r"remote_addr|access_route|x[-_]forwarded[-_]for|REMOTE_ADDR", line, re.IGNORECASE):
                    found.append(f"{path.relative_to(ROOT)}:{lineno}: {line.strip()[:80]}")
    assert not found, "client address read outside portal/ratelimit.py:\n" + "\n".join(found)


def test_the_rate_limiter_key_is_the_one_reader():
    """The allowed file really is the key function (so the exception stays narrow)."""
    source = (PORTAL / "ratelimit.py").read_text(encoding="utf-8")
    assert address_reads(source), "portal/ratelimit.py no longer reads the address: drop the exception"
    assert "hmac" in source


def test_no_sql_built_from_strings():
    found = []
    for path in python_files():
        found += sql_from_strings(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert not found, "SQL built from strings (use bound parameters or SQLAlchemy expressions):\n" + "\n".join(found)


def test_bandit_finds_nothing_medium_or_high():
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-r", str(PORTAL), "-f", "json", "-q", "--severity-level", "medium"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.stdout, result.stderr
    report = json.loads(result.stdout)
    assert not report.get("errors"), report["errors"]
    findings = [
        f"{r['filename']}:{r['line_number']}: {r['test_id']} {r['issue_severity']} {r['issue_text']}"
        for r in report["results"]
        if r["issue_severity"] in ("MEDIUM", "HIGH")
    ]
    assert not findings, "bandit:\n" + "\n".join(findings)
