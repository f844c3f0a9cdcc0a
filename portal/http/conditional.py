"""Validators and ``304 Not Modified``: one rule for the app and for the page cache.

A view declares what it knows (``conditional(response, last_modified, cache_control)``); a
``@cacheable`` view that declares nothing gets an ETag of its body and ``Cache-Control: no-cache``
anyway (``validate``). Whether a request is answered ``304`` is decided by ``not_modified`` — Werkzeug's
``is_resource_modified``: ``If-None-Match`` with the weak comparison, else ``If-Modified-Since``
against ``Last-Modified`` — on the headers of the finished ``200`` (encoded, ETag suffixed, ``Vary``
complete), so the ``304`` repeats the ETag, ``Vary`` and ``Cache-Control`` that ``200`` carries
(RFC 9110 §15.4.5). The page cache asks the same question of the headers it keeps, without
calling the app: a revalidated page costs no query and no render.
"""

from __future__ import annotations

import datetime as dt

from werkzeug.datastructures import Headers
from werkzeug.http import is_resource_modified, remove_entity_headers

UTC = dt.timezone.utc
STARTED_AT = dt.datetime.now(UTC).replace(microsecond=0)


def as_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """An aware UTC datetime (SQLite hands back naive UTC ones)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def latest(*moments: dt.datetime | None) -> dt.datetime:
    """The most recent of the given moments (naive ones are UTC), never earlier than this process's start.

    A deploy that changes a template is a change for clients that only send ``If-Modified-Since``.
    """
    values = [STARTED_AT]
    for moment in moments:
        if moment is not None:
            values.append(as_utc(moment))
    return max(values).replace(microsecond=0)


def conditional(response, last_modified: dt.datetime | None = None, cache_control: str = "no-cache"):
    """Give a 200 its validators: an ETag of its body, ``Last-Modified``, ``Cache-Control``.

    The answer to a conditional request (``304``) comes later, once the response is encoded.
    """
    if response.status_code != 200:
        return response
    response.add_etag()
    if last_modified is not None:
        response.last_modified = last_modified
    response.headers["Cache-Control"] = cache_control
    return response


def validate(response) -> None:
    """Validators for a response of a ``@cacheable`` view that declared none."""
    if response.status_code != 200 or response.is_streamed or response.direct_passthrough:
        return
    if "ETag" not in response.headers:
        response.add_etag()
    if "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-cache"


def is_conditional(environ) -> bool:
    return bool(environ.get("HTTP_IF_NONE_MATCH") or environ.get("HTTP_IF_MODIFIED_SINCE"))


def not_modified(environ, etag: str | None, last_modified: str | None) -> bool:
    """Whether a GET with these request headers is answered ``304`` for a ``200`` with these validators."""
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or not is_conditional(environ):
        return False
    if not etag and not last_modified:
        return False
    return not is_resource_modified(environ, etag=etag, last_modified=last_modified)


def validators(headers) -> tuple[str | None, str | None]:
    """``ETag`` and ``Last-Modified`` of a WSGI header list."""
    found = {name.lower(): value for name, value in headers if name.lower() in ("etag", "last-modified")}
    return found.get("etag"), found.get("last-modified")


def not_modified_headers(headers) -> list[tuple[str, str]]:
    """The headers of the ``304`` for a ``200`` with ``headers``: the same, less the body's own."""
    kept = Headers(list(headers))
    remove_entity_headers(kept)  # keeps Expires and Content-Location, as RFC 9110 asks
    kept.remove("Content-Disposition")
    kept.remove("Transfer-Encoding")
    return kept.to_wsgi_list()


def answer(response):
    """after_request, last: a ``304`` when the client's copy is this response's (Flask side of ``not_modified``)."""
    from flask import request

    headers = response.headers
    if (
        response.status_code == 200
        and not response.is_streamed
        and not_modified(request.environ, headers.get("ETag"), headers.get("Last-Modified"))
    ):
        response.status_code = 304  # Werkzeug drops the body and its headers (remove_entity_headers)
        response.headers.remove("Content-Disposition")
    return response
