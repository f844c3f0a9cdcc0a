"""Server-rendered SVG bar charts: no chart JavaScript, a title and a description, the table beside them."""

from __future__ import annotations

from markupsafe import Markup

WIDTH = 340
ROW = 42
LABEL_SIZE = 14
INK = "#1b1f24"
BAR = "#0b4f8a"
MUTED = "#4a5360"


def bar_chart(chart_id: str, title: str, description: str, bars: list[tuple[str, int | None, str]]) -> Markup:
    """Horizontal bars: ``(label, value or None when hidden, text shown at the end of the bar)``.

    Every piece is built from a literal template with ``%``, which escapes the values.
    """
    height = ROW * len(bars) + 8
    largest = max([value for _label, value, _text in bars if value] or [1])
    # Leave room after the longest bar for the longest value text (about 8 units per character at 14).
    room = max(WIDTH - 10 - 8 * max([len(text) for _label, _value, text in bars] or [0]), 60)
    parts = [
        Markup('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 %d %d" '
               'width="%d" height="%d" aria-labelledby="%s-title %s-desc" focusable="false">')
        % (WIDTH, height, WIDTH, height, chart_id, chart_id),
        Markup('<title id="%s-title">%s</title>') % (chart_id, title),
        Markup('<desc id="%s-desc">%s</desc>') % (chart_id, description),
    ]
    for i, (label, value, text) in enumerate(bars):
        top = i * ROW + 4
        parts.append(Markup('<text x="0" y="%d" font-size="%d" fill="%s">%s</text>') % (top + 14, LABEL_SIZE, INK, label))
        length = round(room * value / largest) if value else 0
        if value:
            parts.append(Markup('<rect x="0" y="%d" width="%d" height="14" fill="%s"/>') % (top + 19, max(length, 2), BAR))
        parts.append(
            Markup('<text x="%d" y="%d" font-size="%d" fill="%s">%s</text>')
            % ((length + 6) if value else 0, top + 32, LABEL_SIZE, INK if value is not None else MUTED, text)
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
