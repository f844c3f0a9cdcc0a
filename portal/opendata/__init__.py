"""Open data as outside tools read it: the licence, absolute addresses, data packages, the DCAT catalogue.

Every dataset the portal publishes (report versions, school-goods prices) is under CC BY 4.0,
the usual licence of government open data: anyone may reuse it, citing the portal. Addresses in
data packages and the catalogue are absolute: ``PUBLIC_URL`` (the site's public origin) when set,
else the host of the request; outside a request (the CLI, demo data) they stay paths, and a
package stored so is completed when it is served (``portal/reports/publish.py``).
"""

from __future__ import annotations

from flask import Blueprint, current_app, has_request_context, request

bp = Blueprint("opendata", __name__)

LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 International",
}
PUBLISHER_EN = "Road to School portal"


def public_url(path: str) -> str:
    """``path`` (``/en/reports/x``) as an absolute URL: PUBLIC_URL, else the request's host; a path outside a request."""
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base.rstrip("/") + path
    if has_request_context():
        return request.host_url.rstrip("/") + path
    return path


def is_absolute(url: str) -> bool:
    return url.startswith(("https://", "http://"))


from . import routes, tables  # noqa: E402,F401
