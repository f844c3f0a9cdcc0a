"""Conditional GET for pages and feeds: ``ETag`` / ``Last-Modified`` and ``304 Not Modified``.

The ETag is a hash of the body we would send, so it can never be stale; the
compressor (``portal/compress.py``) later appends ``-br`` / ``-gzip`` to it, and
the comparison here ignores that suffix. ``Last-Modified`` comes from the data
(and from the moment this process started, so a deploy that changes a template
counts as a change for clients that only send ``If-Modified-Since``).
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, request

UTC = dt.timezone.utc
STARTED_AT = dt.datetime.now(UTC).replace(microsecond=0)
_ENCODING_SUFFIXES = ("", "-br", "-gzip")
_KEPT_ON_304 = ("ETag", "Last-Modified", "Cache-Control", "Vary", "Expires", "Content-Location")


def as_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """An aware UTC datetime (SQLite hands back naive UTC ones)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def latest(*moments: dt.datetime | None) -> dt.datetime:
    """The most recent of the given moments (naive ones are UTC), never earlier than this process's start."""
    values = [STARTED_AT]
    for moment in moments:
        if moment is not None:
            values.append(as_utc(moment))
    return max(values).replace(microsecond=0)


def conditional(response, last_modified: dt.datetime | None = None, cache_control: str = "no-cache"):
    """Add validators to a finished 200 response; answer 304 when the client already has this version."""
    if response.status_code != 200:
        return response
    response.add_etag()
    if last_modified is not None:
        response.last_modified = last_modified
    response.headers["Cache-Control"] = cache_control
    response.vary.add("Accept-Encoding")
    matched = _matching_etag(response.get_etag()[0], last_modified)
    if matched is None:
        return response
    not_modified = current_app.response_class(status=304)
    for name in _KEPT_ON_304:
        if name in response.headers:
            not_modified.headers[name] = response.headers[name]
    not_modified.set_etag(matched)
    return not_modified


def _matching_etag(etag: str, last_modified: dt.datetime | None) -> str | None:
    """The client's copy of this version (with the encoding suffix it was sent with), or ``None``."""
    if request.method not in ("GET", "HEAD"):
        return None
    if request.if_none_match:  # RFC 9110 §13.1.3: when present, If-Modified-Since is ignored
        if request.if_none_match.star_tag:
            return etag
        for suffix in _ENCODING_SUFFIXES:
            if request.if_none_match.contains_weak(etag + suffix):
                return etag + suffix
        return None
    since = request.if_modified_since
    if since is not None and last_modified is not None and last_modified.replace(microsecond=0) <= since:
        return etag
    return None
