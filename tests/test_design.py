"""Design patterns of issue 20 that a plain request can check (the browser tests check focus, layout and print)."""

from __future__ import annotations

import pytest

LANGS = ("kk", "ru", "en")
EMERGENCY = ('href="tel:112"', 'href="tel:102"', 'href="tel:111"')


@pytest.mark.parametrize("lang", LANGS)
def test_emergency_numbers_come_first_on_appeal_and_help_pages_and_on_errors(client, lang):
    for path in (f"/{lang}/appeal", f"/{lang}/appeal/check", f"/{lang}/help"):
        html = client.get(path).get_data(as_text=True)
        main = html[html.index("<main"):]
        assert all(link in main for link in EMERGENCY), path
        # Before the form or the list of lines, not at the bottom of the page.
        first = min(main.index(mark) for mark in ("<form", 'class="phone-lines"') if mark in main)
        assert main.index('class="emergency"') < first, path
    missing = client.get(f"/{lang}/no-such-page")
    assert missing.status_code == 404
    assert all(link in missing.get_data(as_text=True) for link in EMERGENCY)
