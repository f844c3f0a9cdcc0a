"""Response headers every page gets: CSP with no inline script and no other host, and friends.

A view marked with ``@embeddable`` may be framed by other sites (the fairs embed);
every other page refuses framing.
"""

from flask import abort, current_app, request

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


def accepts_uploads(view):
    """Allow file parts in this view's POST body (elsewhere a multipart body with a file is refused)."""
    view.accepts_uploads = True
    return view


def refuse_unexpected_bodies():
    """before_request: a file, or a JSON body, only where the view says it takes one; else 400.

    Flask-WTF hands ``request.files`` and JSON bodies to every form, so a file or a JSON
    object sent for a text field would reach the validators as an object (a 500), not as text.
    """
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return None
    view = current_app.view_functions.get(request.endpoint or "")
    if request.is_json and not getattr(view, "accepts_json", False):
        abort(400)
    if request.mimetype == "multipart/form-data" and request.files and not getattr(view, "accepts_uploads", False):
        abort(400)
    return None


def init_app(app) -> None:
    if app.config.get("PREFER_HTTPS"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"
        # __Host-: browsers accept it only when Secure, for this exact host (no Domain) and Path=/.
        app.config["SESSION_COOKIE_NAME"] = "__Host-session"
        app.config["SESSION_COOKIE_PATH"] = "/"
        app.config["SESSION_COOKIE_DOMAIN"] = None
    app.after_request(set_headers)
    app.before_request(refuse_unexpected_bodies)
