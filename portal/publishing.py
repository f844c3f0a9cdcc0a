"""What every published dataset says about itself: its licence, its publisher, and absolute addresses.

Shared by the reports' data packages (``portal/reports/publish.py``) and the open-data area
(``portal/opendata/``: the catalogue and the other datasets), so neither imports the other for it.
Every dataset is under CC BY 4.0, the usual licence of government open data. Addresses are
absolute: ``PUBLIC_URL`` when set, else the request's host; outside a request they stay paths.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request

LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 International",
}
PUBLISHER_EN = "Road to School portal"


def public_url(path: str) -> str:
    """``path`` (``/en/reports/x``) as an absolute URL: PUBLIC_URL, else the request's host; a path outside a request."""
    base = current_app.config["PUBLIC_URL"]
    if base:
        return base.rstrip("/") + path
    if has_request_context():
        return request.host_url.rstrip("/") + path
    return path


def is_absolute(url: str) -> bool:
    return url.startswith(("https://", "http://"))
