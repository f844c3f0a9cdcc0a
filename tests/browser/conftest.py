"""One Chromium for the whole session (Debian's Chromium, driven by Playwright); the live server is in tests/conftest.py."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from tests.conftest import ROOT

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    """A normal browser context: CSP enforced, as for a visitor."""
    ctx = browser.new_context(locale="kk-KZ")
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def axe_page(browser):
    """A page whose context bypasses CSP so axe-core can be injected."""
    ctx = browser.new_context(bypass_csp=True)
    page = ctx.new_page()
    yield page
    ctx.close()


@pytest.fixture
def phone_page(browser):
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    yield page
    ctx.close()


def run_axe(page) -> list[dict]:
    """axe-core violations (WCAG 2.1 A/AA and best practices) on the page as it is."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
        }"""
    )
    return result


def assert_no_axe_violations(page):
    violations = run_axe(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
