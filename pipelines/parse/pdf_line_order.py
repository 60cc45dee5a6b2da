"""A PDF page's text in reading order within each line.

PDFium gives a page's text in the order its content stream draws it. A writer that draws the
glyphs of a fallback font in a run of their own (LibreOffice prints the ○ of 二○二三 from a symbol
font after the rest of its line) leaves them out of place: "二 二四年度… ○". Within one printed
line — every glyph on one baseline — reading order is left to right, so a line whose glyphs are
out of left-to-right order is put back in it. Lines whose glyphs do not share a baseline (a
watermark crossing text, two table rows run together) are left as drawn.
"""

from __future__ import annotations

from typing import Any

_GAP = 0.6  # a gap wider than this many glyph heights between neighbours is printed as a space


def _rebuild(glyphs: list[tuple[str, tuple[float, float, float, float]]]) -> str | None:
    """The line's glyphs ordered left to right, or None when they are in order or not on one baseline."""
    real = [(ch, box) for ch, box in glyphs if not ch.isspace() and box[2] > box[0]]
    if len(real) < 2 or all(a[1][0] <= b[1][0] + 0.5 for a, b in zip(real, real[1:], strict=False)):
        return None
    heights = [box[3] - box[1] for _, box in real]
    middles = [(box[1] + box[3]) / 2 for _, box in real]
    if max(middles) - min(middles) > 0.5 * min(heights):
        return None  # not one printed line
    out, right = [], None
    for ch, (left, bottom, r, top) in sorted(real, key=lambda g: g[1][0]):
        if right is not None and left - right > _GAP * (top - bottom):
            out.append(" ")
        out.append(ch)
        right = r
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
