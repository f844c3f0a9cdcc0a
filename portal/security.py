"""Response headers every page gets: CSP with no inline script and no other host, and friends.

A view marked with ``@embeddable`` may be framed by other sites (the fairs embed);
every other page refuses framing.
"""

import logging
from urllib.parse import unquote_to_bytes, urlsplit

from flask import abort, current_app, make_response, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest
from werkzeug.sansio.utils import host_is_trusted

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


def accepts_uploads(view=None, *, max_bytes=None):
    """Allow file parts in this view's POST body (elsewhere a multipart body with a file is refused).

    ``@accepts_uploads(max_bytes=fn)``: the body may be up to ``fn()`` bytes instead of ``MAX_CONTENT_LENGTH``.
    """

    def mark(view):
        view.accepts_uploads = True
        view.max_upload_bytes = max_bytes
        return view

    return mark(view) if view is not None else mark


def allow_declared_upload_size():
    """before_request, before anything reads the body (CSRF does): the size a view's ``@accepts_uploads`` allows."""
    if request.method == "POST":
        max_bytes = getattr(current_app.view_functions.get(request.endpoint or ""), "max_upload_bytes", None)
        if max_bytes is not None:
            request.max_content_length = max_bytes()


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


class UnreadableText(BadRequest):
    """A form whose bytes are not UTF-8 (``%ED%A0%80``…): refused before any view, never stored or guessed at."""

    portal_message = _l(
        "Your browser sent text that could not be read (it was not valid UTF-8). "
        "Please check what you typed and send the form again."
    )


def _valid_utf8(encoded: bytes) -> bool:
    for pair in encoded.split(b"&"):
        for part in pair.split(b"=", 1):
            try:
                unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                return False
    return True


def refuse_invalid_utf8():
    """before_request, first of all: a URL-encoded form must decode as UTF-8 (Werkzeug would keep the bytes
    as literal ``%ED%A0%80``). Read from the raw body, which stays cached for the form parser."""
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.mimetype == "application/x-www-form-urlencoded":
        if not _valid_utf8(request.get_data(cache=True, parse_form_data=False)):
            raise UnreadableText()
    return None


LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")


def trusted_hosts(config) -> list[str] | None:
    """The Host names requests may carry: ``TRUSTED_HOSTS``, else the host of ``PUBLIC_URL`` or ``SERVER_NAME``;
    ``None`` (no check) when none is configured, as in development and tests. Loopback names are always
    accepted, for health checks and ``make run`` on the machine itself."""
    names = list(config.get("TRUSTED_HOSTS") or [])
    if not names:
        for origin in (config.get("PUBLIC_URL"), config.get("SERVER_NAME")):
            if origin:
                host = urlsplit(origin if "//" in origin else "//" + origin).hostname
                if host:
                    names.append(host)
    if not names:
        return None
    return names + [name for name in LOOPBACK_HOSTS if name not in names]


def refuse_untrusted_host():
    """before_request, first of all: a Host outside the configured names is a 400 before any view, so no
    absolute link, redirect or cache key is ever built from a forged one. (Not Flask's own TRUSTED_HOSTS:
    its refusal leaves no URL adapter, and the translated error page could not be drawn.)"""
    hosts = current_app.extensions.get("portal_trusted_hosts")
    if hosts and not host_is_trusted(request.host, hosts):
        # A bare answer, not the error page: the layout prints the site's origin, taken from the Host.
        from .errors import error_title

        response = make_response(error_title(400) + "\n", 400)
        response.mimetype = "text/plain"
        response.headers["Cache-Control"] = "no-store"
        return response
    return None


def init_app(app) -> None:
    """Trusted hosts and cookie settings. The hooks above are registered, in order, by ``portal.register_hooks``."""
    hosts = trusted_hosts(app.config)
    app.extensions["portal_trusted_hosts"] = hosts
    app.config["TRUSTED_HOSTS"] = None  # checked by refuse_untrusted_host, not by Flask (see there)
    if hosts is None and app.config.get("PREFER_HTTPS"):
        logging.getLogger(__name__).warning(
            "TRUSTED_HOSTS is not set: the Host header is not checked (set FLASK_TRUSTED_HOSTS or FLASK_PUBLIC_URL)"
        )
    if app.config.get("PREFER_HTTPS"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"
        # __Host-: browsers accept it only when Secure, for this exact host (no Domain) and Path=/.
        app.config["SESSION_COOKIE_NAME"] = "__Host-session"
        app.config["SESSION_COOKIE_PATH"] = "/"
        app.config["SESSION_COOKIE_DOMAIN"] = None
