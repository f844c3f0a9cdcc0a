"""What the home page shows besides the campaign itself.

Feature areas register a section provider: a function taking the campaign and
returning a context dict, or ``None`` when it has nothing to show, so the home
page hides a section rather than fake it.
"""

from __future__ import annotations

from typing import Callable

_providers: list[tuple[str, Callable]] = []


def home_section(name: str):
    """Decorator: register ``templates/pages/_home_<name>.html`` fed by the decorated function."""

    def register(func):
        _providers[:] = [(n, f) for n, f in _providers if n != name] + [(name, func)]
        return func

    return register


def home_sections(campaign) -> list[tuple[str, dict]]:
    sections = []
    for name, provider in _providers:
        context = provider(campaign)
        if context:
            sections.append((name, context))
    return sections
