"""Which encoding a response is sent in, and the ETag of an encoded body: decided here only.

Everything that compresses (the after-request hook below, pre-compressed static files, form pages)
asks ``negotiate`` which encoding a request gets, and names the encoded body with ``tagged``: the
ETag of the body as sent is the ETag of its bytes before encoding plus ``-br`` / ``-gzip``. That
suffix is added here and nowhere else, and nothing strips it: a client revalidates exactly the
representation it holds, and a 304 names that same one (RFC 9110 §8.8.3, §13.1.2).
"""

from __future__ import annotations

import gzip
from functools import lru_cache

import brotli
from flask import current_app, request
from werkzeug.datastructures import Accept
from werkzeug.http import parse_accept_header

ENCODINGS = ("br", "gzip")  # in order of preference
TEXT_TYPES = (
    "text/",
    "application/json",
    "application/xml",
    "application/atom+xml",
    "application/javascript",
    "application/ld+json",
    "image/svg+xml",
)


@lru_cache(maxsize=512)
def negotiate(accept_encoding: str, available: tuple[str, ...] = ENCODINGS) -> str:
    """The encoding for this ``Accept-Encoding`` among ``available`` (``""``: none, send the bytes as they are)."""
    accepted = parse_accept_header(accept_encoding, Accept)
    for encoding in ENCODINGS:
        if encoding in available and accepted[encoding]:
            return encoding
    return ""


def requested(available: tuple[str, ...] = ENCODINGS) -> str:
    """``negotiate`` for the current request."""
    return negotiate(request.headers.get("Accept-Encoding", ""), available)


def tagged(etag: str, encoding: str) -> str:
    """The ETag of a body whose unencoded bytes have ``etag``, sent with ``encoding``."""
    return "%s-%s" % (etag, encoding) if encoding else etag


def compress(body: bytes, encoding: str, best: bool = False) -> bytes:
    """``body`` encoded; ``best`` for bytes compressed once and kept (static files)."""
    if encoding == "br":
        return brotli.compress(body, quality=11 if best else 5)
    if encoding == "gzip":
        return gzip.compress(body, 9 if best else 6, mtime=0)
    return body


def compressible(response) -> bool:
    return bool(response.mimetype) and response.mimetype.startswith(TEXT_TYPES)


def encode(response):
    """Compress a finished text response when the client accepts it and it is worth it; ``Vary`` and ETag follow."""
    if (
        response.direct_passthrough
        or response.is_streamed
        or response.status_code < 200
        or response.status_code in (204, 304)
        or not compressible(response)
    ):
        return response
    response.vary.add("Accept-Encoding")
    if "Content-Encoding" in response.headers:  # already encoded (static files, form pages)
        return response
    body = response.get_data()
    if len(body) < current_app.config["COMPRESS_MIN_SIZE"]:
        return response
    encoding = requested()
    if not encoding:
        return response
    response.set_data(compress(body, encoding))
    response.headers["Content-Encoding"] = encoding
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(tagged(etag, encoding), weak)
    return response
