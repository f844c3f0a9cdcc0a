"""Form pages rendered once and only filled in for each visitor (the offer, appeal and self-check forms).

Building a form (its choices come from the database) and rendering its macros costs about ten
times what serving a page from the page cache does, yet two visitors' copies of the empty form
differ only in a few tokens: the CSRF token of their session and the form's own one-time token.
So the page is rendered once with placeholders where those go, kept per host, path, query string
and generation of the data ``areas`` it shows (the page cache's generations: a staff change to a
region or a need shows at once), and each GET fills in fresh values. The one-time fields get their
placeholder as their data; the CSRF token the render printed (Flask-WTF's ``generate_csrf``, the same
value for the whole request) is replaced by its placeholder in the rendered text, so no WTForms or
Flask-WTF internal is written and the token is still checked by Flask-WTF on the POST.

Compressing the filled-in page again for every visitor would cost more than everything else the
GET does. So the kept copy is also deflated once, piece by piece between the placeholders, each
piece with the page before it as its dictionary (tokens have fixed lengths, so distances stay
right); a visitor's page is those pieces with the tokens between them as stored deflate blocks,
in one gzip member whose CRC is computed per visitor. Browsers that accept gzip (all of them) get
that; others get plain HTML. The page costs about 400 bytes more than brotli would make of it.

The page cache's switch, TTL and generations apply (``PageCache.generations``). ``params``: the query
parameters the form reads (a need to answer, a category); a copy is kept per value of those only, and
a URL with others (``?cb=…``) gets a render of its own, counted by the page-view limit (``limits.py``),
never a new kept copy. A GET answered from a kept copy is not counted: it costs less than the count.
A visitor with flashed messages or a staff session gets a normal render (those pages show things the shared copy must not hold).
"""

from __future__ import annotations

import re
import secrets
import struct
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable

from flask import current_app, make_response, render_template, request, session
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

from .areas import declare_form_page, reduced_query
from .encoding import requested
from .limits import count_page_view, counts_itself

GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"  # deflate, no name, mtime 0, Unix
WINDOW = 32 * 1024


class Shell:
    """A rendered page split at its per-visitor values, with its pieces deflated once."""

    def __init__(self, html: str, marker: str, lengths: dict[str, int]):
        parts = re.split(r"%s-(\w+)" % re.escape(marker), html)
        self.texts = [part.encode() for part in parts[0::2]]
        self.names = parts[1::2]
        self.lengths = lengths
        self.deflated = []
        history = b""
        for index, text in enumerate(self.texts):
            last = index == len(self.texts) - 1
            if history:
                compressor = zlib.compressobj(9, zlib.DEFLATED, -15, zdict=history[-WINDOW:])
            else:
                compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
            self.deflated.append(compressor.compress(text) + compressor.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH))
            if not last:
                # The value's place, as bytes no HTML contains: nothing can refer back into it.
                history += text + b"\0" * lengths[self.names[index]]

    def html(self, values: dict[str, bytes]) -> bytes:
        pieces = [self.texts[0]]
        for name, text in zip(self.names, self.texts[1:]):
            pieces += [values[name], text]
        return b"".join(pieces)

    def gzip(self, values: dict[str, bytes]) -> bytes | None:
        """The filled-in page as one gzip member, or ``None`` if a value's length is not the expected one."""
        out = [GZIP_HEADER, self.deflated[0]]
        crc = zlib.crc32(self.texts[0])
        size = len(self.texts[0])
        for index, name in enumerate(self.names):
            value = values[name]
            if len(value) != self.lengths[name] or len(value) > 0xFFFF:
                return None
            # A stored block: BFINAL 0, BTYPE 00, padding to the byte (the piece before ended aligned), LEN, NLEN.
            out += [b"\x00", struct.pack("<HH", len(value), len(value) ^ 0xFFFF), value, self.deflated[index + 1]]
            text = self.texts[index + 1]
            crc = zlib.crc32(text, zlib.crc32(value, crc))
            size += len(value) + len(text)
        out.append(struct.pack("<II", crc & 0xFFFFFFFF, size & 0xFFFFFFFF))
        return b"".join(out)


class FormPage:
    """The GET of one form page (see the module docstring)."""

    def __init__(self, template: str, areas: tuple[str, ...], params: tuple[str, ...] = (), max_entries: int = 256):
        declare_form_page(template, areas)
        self.template = template
        self.areas = areas
        self.params = tuple(params)
        self.max_entries = max_entries
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()
        self.marker = "formpage%s" % secrets.token_hex(8)

    def render(self, build: Callable[[], dict], **fresh: Callable[[], str]):
        """``build()`` gives the template context (with ``form``); ``fresh``: hidden field → a new value per visitor."""
        # The first GET of a view was counted before it ran, as views that are not form pages are.
        count = count_page_view if counts_itself(request.endpoint) else lambda: None
        cache = current_app.extensions.get("page_cache")
        query = request.query_string.decode("latin-1")
        if (
            cache is None
            or not cache.enabled
            or "_flashes" in session
            or "_user_id" in session
            or reduced_query(query, self.params) != query  # other parameters: not the copy others get
        ):
            count()
            return make_response(self._render(build(), fresh, None))
        snapshot = cache.generations(self.areas)
        if snapshot is None:  # generations unreadable: render as if there were no cache
            count()
            return make_response(self._render(build(), fresh, None))
        key = (request.host_url, request.path, query)  # absolute links come from the host
        entry = self.entries.get(key)
        if entry is None or entry[0] != snapshot or entry[1] < time.monotonic():
            count()
            entry = (snapshot, time.monotonic() + cache.ttl, self._shell(build(), fresh))
            with self.lock:
                self.entries[key] = entry
                self.entries.move_to_end(key)
                while len(self.entries) > self.max_entries:
                    self.entries.popitem(last=False)
        shell = entry[2]
        values = self._values(shell.names, fresh)
        body = shell.gzip(values) if requested(("gzip",)) == "gzip" else None
        if body is None:
            return make_response(shell.html(values))
        response = current_app.response_class(body, mimetype="text/html")
        response.headers["Content-Encoding"] = "gzip"
        response.vary.add("Accept-Encoding")
        return response

    def _values(self, names, fresh: dict) -> dict[str, bytes]:
        values = {}
        for name in set(names):
            make = generate_csrf if name == "csrf_token" else fresh[name]
            values[name] = str(escape(make())).encode()
        return values

    def _shell(self, context: dict, fresh: dict) -> Shell:
        html = self._render(context, fresh, self.marker)
        names = set(re.findall(r"%s-(\w+)" % re.escape(self.marker), html))
        return Shell(html, self.marker, {name: len(value) for name, value in self._values(names, fresh).items()})

    def _render(self, context: dict, fresh: dict, marker: str | None) -> str:
        form = context["form"]
        for name, make in fresh.items():
            form[name].data = make() if marker is None else "%s-%s" % (marker, name)
        html = render_template(self.template, **context)
        if marker is not None and "csrf_token" in form:
            # The form printed this visitor's token (``generate_csrf``: one value for the whole request);
            # the kept copy holds the placeholder in its place.
            html = html.replace(str(escape(generate_csrf())), "%s-csrf_token" % marker)
        return html
