"""Compress text responses (brotli, else gzip) — the HTML of a page is most of what a phone downloads."""

import gzip

import brotli
from flask import current_app, request

TEXT_TYPES = (
    "text/",
    "application/json",
    "application/xml",
    "application/atom+xml",
    "application/javascript",
    "application/ld+json",
    "image/svg+xml",
)


def compress_response(response):
    """after_request: encode the body when the client accepts it and it is worth it."""
    if (
        response.direct_passthrough
        or response.is_streamed
        or "Content-Encoding" in response.headers
        or response.status_code < 200
        or response.status_code in (204, 304)
        or not response.mimetype
        or not response.mimetype.startswith(TEXT_TYPES)
    ):
        return response
    response.vary.add("Accept-Encoding")
    body = response.get_data()
    if len(body) < current_app.config["COMPRESS_MIN_SIZE"]:
        return response
    accepted = request.accept_encodings
    if accepted["br"]:
        data, encoding = brotli.compress(body, quality=5), "br"
    elif accepted["gzip"]:
        data, encoding = gzip.compress(body, 6, mtime=0), "gzip"
    else:
        return response
    response.set_data(data)
    response.headers["Content-Encoding"] = encoding
    etag, weak = response.get_etag()
    if etag:
        response.set_etag("%s-%s" % (etag, encoding), weak)
    return response


def init_app(app) -> None:
    app.after_request(compress_response)
