"""Server-rendered SVG bar charts: no chart JavaScript, a title and a description, the table beside them.

Two kinds, both horizontal bars with the label on its own line (long Kazakh and Russian region names fit
360 px) and the figure after the bar:

- ``bar_chart``: one bar per row;
- ``stacked_chart``: the parts of a whole one after another in a bar, each part told apart by a pattern as well
  as a colour (never colour alone), with an optional outlined target behind it (a plan), and a legend.

Each row is a ``<g>``: its label, its bars, its figure; a row whose figure is hidden or missing gets its text
and no bar. Every piece is built from a literal template with ``%``, which escapes the values. Text is ink on
white (16:1), muted text 7.6:1; bars and patterns are at least 3:1 against white.
"""

from __future__ import annotations

from markupsafe import Markup

WIDTH = 340
ROW = 42
LABEL_SIZE = 14
INK = "#1b1f24"
BAR = "#0b4f8a"
MUTED = "#4a5360"
# The parts of a stacked bar in order: (colour, pattern). Blue 8.3:1, green 6.5:1, brown 7.1:1 on white.
PARTS = (("#0b4f8a", "solid"), ("#1d6b32", "stripes"), ("#7a4b00", "dots"))
LEGEND_ROW = 22


def _open(chart_id: str, title: str, description: str, height: int) -> list[Markup]:
    return [
        Markup('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 %d %d" '
               'width="%d" height="%d" aria-labelledby="%s-title %s-desc" focusable="false">')
        % (WIDTH, height, WIDTH, height, chart_id, chart_id),
        Markup('<title id="%s-title">%s</title>') % (chart_id, title),
        Markup('<desc id="%s-desc">%s</desc>') % (chart_id, description),
    ]


def _room(texts) -> int:
    """The length of the longest bar: room after it for the longest text after a bar (about 8 units per character
    at 14); a text in place of a bar starts at the left and has the whole width."""
    return max(WIDTH - 10 - 8 * max([len(text) for text in texts] or [0]), 60)


def _label(top: int, label: str) -> Markup:
    return Markup('<text x="0" y="%d" font-size="%d" fill="%s">%s</text>') % (top + 14, LABEL_SIZE, INK, label)


def _figure(x: int, y: int, text: str, shown: bool) -> Markup:
    """The text after a bar (ink), or in place of a bar (muted); ``y`` is its baseline."""
    return Markup('<text x="%d" y="%d" font-size="%d" fill="%s">%s</text>') % (
        x, y, LABEL_SIZE, INK if shown else MUTED, text)


def bar_chart(chart_id: str, title: str, description: str, bars: list[tuple[str, int | None, str]],
              at_least: int = 0) -> Markup:
    """Horizontal bars: ``(label, value or None when hidden, text shown at the end of the bar)``.

    The scale reaches ``at_least`` (100 for per cent) or the largest value, whichever is more.
    """
    height = ROW * len(bars) + 8
    largest = max([value for _label, value, _text in bars if value] + [at_least, 1])
    room = _room(text for _label, value, text in bars if value)
    parts = _open(chart_id, title, description, height)
    for i, (label, value, text) in enumerate(bars):
        top = i * ROW + 4
        parts.append(Markup("<g>") + _label(top, label))
        length = round(room * value / largest) if value else 0
        if value:
            parts.append(Markup('<rect x="0" y="%d" width="%d" height="14" fill="%s"/>') % (top + 19, max(length, 2), BAR))
        parts.append(_figure((length + 6) if value else 0, top + 32, text, value is not None) + Markup("</g>"))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def _patterns(chart_id: str, count: int) -> Markup:
    defs = []
    for i, (colour, kind) in enumerate(PARTS[:count]):
        if kind == "stripes":
            defs.append(Markup('<pattern id="%s-p%d" width="6" height="6" patternUnits="userSpaceOnUse" '
                               'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
                               '<rect width="3" height="6" fill="%s"/></pattern>') % (chart_id, i, colour))
        elif kind == "dots":
            defs.append(Markup('<pattern id="%s-p%d" width="5" height="5" patternUnits="userSpaceOnUse">'
                               '<rect width="5" height="5" fill="#fff"/><circle cx="2.5" cy="2.5" r="1.7" fill="%s"/>'
                               '</pattern>') % (chart_id, i, colour))
    return Markup("<defs>%s</defs>") % Markup("").join(defs) if defs else Markup("")


def _fill(chart_id: str, i: int) -> str:
    """The fill of part ``i``: its colour, or its pattern (escaped where it is put in, like every value)."""
    colour, kind = PARTS[i]
    return colour if kind == "solid" else "url(#%s-p%d)" % (chart_id, i)


def _legend(chart_id: str, names: list[str], outline: str | None) -> tuple[list[Markup], int]:
    """Swatch and name of each part (and of the outline): two to a line when the names are short."""
    entries = [(i, name) for i, name in enumerate(names)] + ([(None, outline)] if outline else [])
    columns = 2 if max(len(name) for _i, name in entries) <= 17 else 1
    parts = []
    for n, (i, name) in enumerate(entries):
        x, y = (n % columns) * (WIDTH // 2), (n // columns) * LEGEND_ROW + 2
        if i is None:
            parts.append(Markup('<rect x="%d" y="%d" width="16" height="14" fill="none" stroke="%s" stroke-width="2"/>')
                         % (x + 1, y + 1, INK))
        else:
            parts.append(Markup('<rect x="%d" y="%d" width="16" height="14" fill="%s" stroke="%s"/>')
                         % (x + 1, y + 1, _fill(chart_id, i), PARTS[i][0]))
        parts.append(Markup('<text x="%d" y="%d" font-size="%d" fill="%s">%s</text>') % (x + 24, y + 13, LABEL_SIZE, INK, name))
    lines = -(-len(entries) // columns)
    return parts, lines * LEGEND_ROW + 6


def stacked_chart(chart_id: str, title: str, description: str, names: list[str],
                  rows: list[tuple[str, tuple | None, str, float | None]], outline: str | None = None) -> Markup:
    """Stacked horizontal bars: ``(label, the parts' values or None when hidden or missing, text, target)``.

    ``names`` are the parts' names for the legend (at most three); ``outline`` names the target drawn as an
    outlined bar behind the parts (a plan at 100 %), when rows give one. The scale reaches the largest whole
    or target.
    """
    legend, legend_height = _legend(chart_id, names, outline)
    height = legend_height + ROW * len(rows) + 10
    largest = max([sum(p) for _l, p, _t, _o in rows if p] + [o for _l, _p, _t, o in rows if o] + [1])
    room = _room(text for _l, values, text, _o in rows if values is not None)
    out = _open(chart_id, title, description, height)
    out.append(_patterns(chart_id, len(names)))
    out.extend(legend)
    for n, (label, values, text, target) in enumerate(rows):
        top = legend_height + n * ROW + 4
        out.append(Markup("<g>") + _label(top, label))
        end = 0
        if values is not None and target:
            length = round(room * target / largest)
            out.append(Markup('<rect x="1" y="%d" width="%d" height="18" fill="none" stroke="%s" stroke-width="2"/>')
                       % (top + 19, max(length - 1, 2), INK))
            end = length
        if values is not None:
            x = 0.0
            for i, value in enumerate(values):
                width = room * (value or 0) / largest
                if width > 0:
                    out.append(Markup('<rect x="%.1f" y="%d" width="%.1f" height="12" fill="%s" stroke="%s"/>')
                               % (x + 0.5, top + 22, max(width - 1, 1), _fill(chart_id, i), PARTS[i][0]))
                x += width
            end = max(end, round(x))
        out.append(_figure(end + 6 if end else 0, top + 34, text, values is not None) + Markup("</g>"))
    out.append(Markup("</svg>"))
    return Markup("").join(out)
