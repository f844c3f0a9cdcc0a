"""QR codes made locally with segno, as inline SVG that scales with CSS (no image request, no third party)."""

from __future__ import annotations

import re

import segno
from markupsafe import Markup

ERROR_LEVEL = "m"  # survives a crease or a smudge on a printed sheet
QUIET_ZONE = 4

_SVG = Markup(
    '<svg role="img" aria-label="%s" data-qr-payload="%s" viewBox="%s" class="qr">'
    '<path fill="#fff" d="%s"/><path class="qrline" stroke="#000" d="%s"/></svg>'
)


def qr_code(payload: str) -> segno.QRCode:
    return segno.make(payload, error=ERROR_LEVEL, micro=False)


def qr_matrix(payload: str) -> tuple[tuple[int, ...], ...]:
    """The module matrix of the code for ``payload`` (what a phone camera reads)."""
    return tuple(tuple(row) for row in qr_code(payload).matrix)


def qr_paths(payload: str) -> tuple[str, str, str]:
    """``(viewBox, light path, dark path)`` of segno's SVG for ``payload``, one unit per module."""
    svg = qr_code(payload).svg_inline(scale=1, border=QUIET_ZONE, omitsize=True, dark="#000", light="#fff")
    viewbox = re.search(r'viewBox="([^"]+)"', svg).group(1)
    light = re.search(r'fill="#fff" d="([^"]+)"', svg).group(1)
    dark = re.search(r'stroke="#000" d="([^"]+)"', svg).group(1)
    return viewbox, light, dark


def qr_svg(payload: str, label: str) -> Markup:
    """An inline ``<svg>`` of the QR code for ``payload``, announced to screen readers as ``label``.

    Every value goes through Markup's escaping (segno's paths hold only digits and path letters).
    """
    viewbox, light, dark = qr_paths(payload)
    return _SVG % (label, payload, viewbox, light, dark)
