"""Fingerprinted static files: ``asset('css/site.css')`` → ``/static/css/site.<hash>.css``.

Files are read once at start-up, hashed, and kept in memory with their gzip and
brotli encodings, so a fingerprinted URL is served with a one-year immutable
cache and a repeat visit transfers nothing but the HTML.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask import Response, abort, current_app, url_for

from .areas import cacheable
from .encoding import ENCODINGS, compress, requested, tagged

COMPRESSIBLE = (".css", ".js", ".svg", ".txt", ".json", ".xml", ".ico", ".webmanifest")
YEAR = 365 * 24 * 3600


@dataclass(frozen=True)
class Asset:
    path: str
    digest: str
    mimetype: str
    body: bytes
    encoded: dict

    @property
    def fingerprinted(self) -> str:
        stem, dot, ext = self.path.rpartition(".")
        return f"{stem}.{self.digest}.{ext}" if dot else f"{self.path}.{self.digest}"


class Assets:
    def __init__(self):
        self.by_path: dict[str, Asset] = {}
        self.by_fingerprint: dict[str, Asset] = {}

    def load(self, app) -> None:
        root = Path(app.static_folder)
        for file in sorted(p for p in root.rglob("*") if p.is_file()):
            asset = _load(root, file, file.stat().st_mtime_ns)
            self.by_path[asset.path] = asset
            self.by_fingerprint[asset.fingerprinted] = asset

    def url(self, path: str) -> str:
        asset = self.by_path.get(path)
        if asset is None:
            raise KeyError("no static file %r" % path)
        return url_for("static", filename=asset.fingerprinted)


@lru_cache(maxsize=None)
def _load(root: Path, file: Path, _mtime: int) -> Asset:
    """Read, hash and pre-compress one file (cached: apps built in tests share the work)."""
    rel = file.relative_to(root).as_posix()
    body = file.read_bytes()
    encoded = {}
    if file.suffix in COMPRESSIBLE and len(body) > 256:
        encoded = {encoding: compress(body, encoding, best=True) for encoding in ENCODINGS}
    mimetype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    if mimetype.startswith("text/") or mimetype in ("application/javascript", "image/svg+xml"):
        mimetype += "; charset=utf-8"
    return Asset(rel, hashlib.sha256(body).hexdigest()[:12], mimetype, body, encoded)


def asset_url(path: str) -> str:
    """URL of a static file with its content hash in the name."""
    return current_app.extensions["assets"].url(path)


@cacheable(cookies=False)
def serve(filename: str):
    """Static view: fingerprinted names are immutable for a year; plain names revalidate.

    The same for every visitor (no ``Vary: Cookie``); the page cache keeps the answers too.
    """
    assets: Assets = current_app.extensions["assets"]
    asset = assets.by_fingerprint.get(filename)
    immutable = asset is not None
    if asset is None:
        asset = assets.by_path.get(filename)
    if asset is None:
        abort(404)
    return _respond(asset, "public, max-age=%d, immutable" % YEAR if immutable else "public, max-age=3600")


def file_response(path: str, max_age: int):
    """A static file at an address of its own (``/favicon.ico``): from memory, encoded, with its ETag."""
    asset = current_app.extensions["assets"].by_path.get(path)
    if asset is None:
        abort(404)
    return _respond(asset, "public, max-age=%d" % max_age)


def _respond(asset: Asset, cache_control: str):
    encoding = requested(tuple(asset.encoded))
    body = asset.encoded[encoding] if encoding else asset.body
    response = Response(body, mimetype=None, content_type=asset.mimetype)
    if encoding:
        response.headers["Content-Encoding"] = encoding
    if asset.encoded:
        response.vary.add("Accept-Encoding")
    response.set_etag(tagged(asset.digest, encoding))
    response.headers["Cache-Control"] = cache_control
    return response


def init_app(app) -> None:
    """Index the static folder and serve it through ``serve``."""
    index = Assets()
    index.load(app)
    app.extensions["assets"] = index
    app.view_functions["static"] = serve
    app.jinja_env.globals["asset"] = asset_url
