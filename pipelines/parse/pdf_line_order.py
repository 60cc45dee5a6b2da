"""A PDF page's text in reading order within each line.

PDFium gives a page's text in the order its content stream draws it. A writer that draws the
glyphs of a fallback font in a run of their own (LibreOffice prints the ○ of 二○二三 from a symbol
font after the rest of its line) leaves them out of place: "二 二四年度… ○". Within one printed
line — every glyph on one baseline — reading order is left to right, so a line whose glyphs are
out of left-to-right order is put back in it; on a page printed turned by 90° a line's glyphs
share a vertical instead and read the way most of them are drawn (up or down). Lines whose glyphs
share neither (a watermark crossing text, two table rows run together) are left as drawn.
"""

from __future__ import annotations

from typing import Any

_GAP = 0.6  # a gap wider than this many glyph heights between neighbours is printed as a space


def _rebuild(glyphs: list[tuple[str, tuple[float, float, float, float]]]) -> str | None:
    """The line's glyphs in reading order, or None when they are in it already or not on one line.
    A line across the page (glyphs on one baseline) reads left to right; a line of a page printed
    turned by 90° (glyphs on one vertical) reads the way most of its glyphs are drawn, up or down."""
    real = [(ch, box) for ch, box in glyphs if not ch.isspace() and box[2] > box[0] and box[3] > box[1]]
    if len(real) < 2:
        return None
    xs = [(b[0] + b[2]) / 2 for _, b in real]
    ys = [(b[1] + b[3]) / 2 for _, b in real]
    sign = 1.0
    if max(ys) - min(ys) <= 0.5 * min(b[3] - b[1] for _, b in real):  # one baseline: left to right
        centres, lo, hi, size = xs, 0, 2, [b[3] - b[1] for _, b in real]
    elif max(xs) - min(xs) <= 0.5 * min(b[2] - b[0] for _, b in real):  # one vertical: up or down
        centres, lo, hi, size = ys, 1, 3, [b[2] - b[0] for _, b in real]
        if sum(b - a for a, b in zip(ys, ys[1:], strict=False)) < 0:  # (drawn top to bottom)
            sign = -1.0
    else:
        return None  # not one printed line
    along = [sign * c for c in centres]
    if all(a <= b + 0.5 for a, b in zip(along, along[1:], strict=False)):
        return None
    out, end = [], None
    for k in sorted(range(len(real)), key=lambda k: along[k]):
        box = real[k][1]
        start, stop = sorted((sign * box[lo], sign * box[hi]))
        if end is not None and start - end > _GAP * size[k]:
            out.append(" ")
        out.append(real[k][0])
        end = stop
    return "".join(out)


def page_text(textpage: Any) -> str:
    """The page's text (lines as PDFium finds them), each line's glyphs in left-to-right order."""
    text = textpage.get_text_range()
    n = textpage.count_chars()
    if len(text) != n:  # (characters and indices do not pair up: keep PDFium's text)
        return text.replace("\r\n", "\n").replace("\r", "\n")
    lines, line = [], []
    for i, ch in enumerate(text):
        if ch in "\r\n":
            if line:
                lines.append(line)
            line = []
            if ch == "\n" or (i + 1 < n and text[i + 1] != "\n"):
                lines.append(None)  # a line break
            continue
        line.append(i)
    if line:
        lines.append(line)
    out = []
    for item in lines:
        if item is None:
            out.append("\n")
            continue
        glyphs = [(text[i], textpage.get_charbox(i, loose=True)) for i in item]  # (font boxes: 一 is no thin line)
        out.append(_rebuild(glyphs) or "".join(text[i] for i in item))
    return "".join(out)
