"""Response headers every page gets: CSP with no inline script and no other host, and friends.

A view marked with ``@embeddable`` may be framed by other sites (the fairs embed);
every other page refuses framing.
"""

from flask import current_app, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'; frame-ancestors %s"
)

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)


def embeddable(view):
    """Allow this view to be shown in an iframe on any site."""
    view.embeddable = True
    return view


def _is_embeddable() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "embeddable", False))


def set_headers(response):
    """after_request: security headers, exactly the same on every path but the embed route."""
    headers = response.headers
    framing = "*" if _is_embeddable() else "'none'"
    headers["Content-Security-Policy"] = CSP % framing
    if framing == "'none'":
        headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin" if framing == "'none'" else "cross-origin"
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    if request.is_secure:
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    headers.pop("Server", None)
    return response


def init_app(app) -> None:
    if app.config.get("PREFER_HTTPS"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"
    app.after_request(set_headers)
