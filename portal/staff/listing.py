"""Sorting and paging for back-office lists, the same way everywhere (links that work without JavaScript)."""

from __future__ import annotations

from flask import request, url_for

from ..params import page_arg

PER_PAGE = 25


def sort_order(allowed: dict, default: str):
    """``(key, descending, order_by clause)`` from ``?sort=key`` / ``?sort=-key``; unknown keys fall back to default."""
    raw = request.args.get("sort", default)
    descending = raw.startswith("-")
    key = raw.lstrip("-")
    if key not in allowed:
        key, descending = default.lstrip("-"), default.startswith("-")
    column = allowed[key]
    return key, descending, (column.desc() if descending else column.asc())


def page_number() -> int:
    return page_arg()


def url_with(**changes) -> str:
    """The current list URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def sort_link(key: str, current_key: str, descending: bool) -> dict:
    """Link and aria-sort state for a sortable column header."""
    if key == current_key:
        return {"url": url_with(sort=("" if descending else "-") + key, page=None),
                "aria": "descending" if descending else "ascending"}
    return {"url": url_with(sort=key, page=None), "aria": None}


def init_app(app) -> None:
    app.jinja_env.globals.update(url_with=url_with, sort_link=sort_link)
