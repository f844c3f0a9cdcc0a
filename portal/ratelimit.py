"""Rate-limit keys that identify a client for an hour without ever storing who it is.

This is the only place in the portal that reads the client address. The address
is turned into an HMAC under a key derived from the app secret and the current
hour, so the limiter store (memory, or Redis shared by all workers) holds only
opaque tokens that change every hour, and the same client gets the same token
in every worker.

Behind a reverse proxy every request comes from the proxy's address, so one visitor's limit
would be everybody's: with ``PROXY_HOPS = n`` (``FLASK_PROXY_HOPS``; 1 behind one nginx)
Werkzeug's ProxyFix takes the address the n-th proxy from the end saw, and nothing earlier in
a header a client could write. Leave it 0 when gunicorn faces the network itself.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from flask import current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix


def _hour_key(secret: str, hour: int) -> bytes:
    return hmac.new(secret.encode(), b"ratelimit:%d" % hour, hashlib.sha256).digest()


def client_token() -> str:
    """Opaque, hourly-rotating token for the requesting client (limiter key function)."""
    address = request.remote_addr or "unknown"  # behind proxies: as set by ProxyFix (init_app)
    hour = int(time.time() // 3600)
    key = _hour_key(current_app.config["SECRET_KEY"], hour)
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:32]


def init_app(app) -> None:
    """Trust ``PROXY_HOPS`` reverse proxies for the client address the limiter keys on."""
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=0, x_host=0, x_port=0, x_prefix=0)
