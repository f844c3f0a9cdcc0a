"""Rate-limit keys that identify a client for an hour without ever storing who it is.

This is the only place in the portal that reads the client address. The address
is turned into an HMAC under a key derived from the app secret and the current
hour, so the limiter store (memory, or Redis shared by all workers) holds only
opaque tokens that change every hour, and the same client gets the same token
in every worker.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from flask import current_app, request


def _hour_key(secret: str, hour: int) -> bytes:
    return hmac.new(secret.encode(), b"ratelimit:%d" % hour, hashlib.sha256).digest()


def client_token() -> str:
    """Opaque, hourly-rotating token for the requesting client (limiter key function)."""
    address = request.remote_addr or "unknown"  # the proxy's X-Forwarded-For is applied by ProxyFix, not here
    hour = int(time.time() // 3600)
    key = _hour_key(current_app.config["SECRET_KEY"], hour)
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:32]
