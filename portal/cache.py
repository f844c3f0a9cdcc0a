"""Moved: the page cache and ``@cacheable`` live in ``portal/http/`` (this name stays only while
branches written against it land; import from ``portal.http``)."""

from .http import cacheable, invalidate, valid_until  # noqa: F401
