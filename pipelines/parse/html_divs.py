"""Tables a page draws without ``<table>``: ``<div>`` rows and cells laid out by CSS
(``display: table-row / table-cell``, flex rows, CSS grid) or named by ARIA roles (``row``, ``cell``).

A row is an element the page itself declares a row — by its inline style, a class whose ``<style>``
rule says so, or its role — or, on a page whose declared structure holds no report table, any
element whose children repeat the same shape (three or more siblings of one tag and class, each with
two or more block children — inline ones such as a ``<span>`` per character are pieces of one cell). A row's cells are its element children; a cell's text is all the text inside
it, joined without separators (a cell printed one ``<span>`` per character reads as its word). Rows
of one parent make one grid, in document order with the page's ``<table>`` grids, so the shared
cells step reads them like any table. A cell's span is read where the page's own means print
it: CSS ``grid-column: span N`` / ``grid-row: span N``; ARIA ``aria-colspan`` / ``aria-rowspan``
(a cell so spanned is printed once, where it starts, as a ``<td>`` is); a flex item's ``flex: N`` /
``flex-grow: N`` (a flex row widens a cell over N columns by growing it N times as much — the
columns of a flex-drawn table are its unit-grow cells).
"""

from __future__ import annotations

import re
from collections import defaultdict

from selectolax.lexbor import LexborHTMLParser, LexborNode

from pipelines.parse.base import Grid, GridCell
from pipelines.parse.normalize import clean_cell

_DISPLAY = re.compile(r"display\s*:\s*([a-z-]+)", re.I)
_SPAN = re.compile(r"grid-column\s*:\s*span\s+(\d+)", re.I)
_ROW_SPAN = re.compile(r"grid-row\s*:\s*span\s+(\d+)", re.I)
_FLEX_GROW = re.compile(r"(?:^|;)\s*flex(?:-grow)?\s*:\s*(\d+)(?=\s|;|$)", re.I)
MAX_SPAN = 200
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_CLASS_SELECTOR = re.compile(r"^(?:[a-z0-9]+)?\.([\w-]+)$", re.I)
ROW_DISPLAYS = {"table-row", "flex", "inline-flex", "grid"}
ROW_ROLES = {"row"}
MIN_REPEATED_ROWS = 3
MAX_CELL_CHARS = 200  # a cell is short; a block holding paragraphs is layout, not a cell


_MAY_DECLARE = re.compile(r"display\s*:\s*(?:table-row|flex|inline-flex|grid)|role\s*=\s*[\"']?row", re.I)


def may_declare_rows(html: str) -> bool:
    """A cheap look at the page's source: could any element be declared a row? (Most pages: no.)"""
    # (substring tests first: a regex over a whole page costs more than the page's tables)
    return any(w in html for w in ("table-row", "flex", "grid", "role=")) and _MAY_DECLARE.search(html) is not None


def class_displays(tree: LexborHTMLParser) -> dict[str, str]:
    """Class name → the ``display`` its ``<style>`` rule gives (simple class selectors only)."""
    out: dict[str, str] = {}
    for style in tree.css("style"):
        for selectors, body in _RULE.findall(style.text() or ""):
            m = _DISPLAY.search(body)
            if not m:
                continue
            for sel in selectors.split(","):
                c = _CLASS_SELECTOR.match(sel.strip())
                if c:
                    out[c.group(1)] = m.group(1).lower()
    return out


def _declared_row(node: LexborNode, classes: dict[str, str]) -> bool:
    attrs = node.attributes
    if (attrs.get("role") or "").lower() in ROW_ROLES:
        return True
    m = _DISPLAY.search(attrs.get("style") or "")
    if m:
        return m.group(1).lower() in ROW_DISPLAYS
    return any(classes.get(c) in ROW_DISPLAYS for c in (attrs.get("class") or "").split())


def _cells(row: LexborNode) -> list[LexborNode]:
    return [c for c in row.iter() if c.tag not in ("script", "style")]


def _is_cell_row(row: LexborNode, min_cells: int = 2) -> bool:
    """Children (two or more, unless the row is declared), none of them a block of rows or of paragraphs."""
    cells = _cells(row)
    return len(cells) >= min_cells and all(len(c.text(deep=True) or "") <= MAX_CELL_CHARS and c.css_first("table") is None
                                   for c in cells)


# Inline elements: the pieces of one cell's text (a span per character, a bold word), never its cells.
INLINE = frozenset({"span", "font", "b", "i", "em", "strong", "a", "sup", "sub", "u", "small", "big", "label", "br"})


def _inline_only(row: LexborNode) -> bool:
    return all(c.tag in INLINE for c in _cells(row))


def _repeated_rows(tree: LexborHTMLParser) -> list[LexborNode]:
    """Rows found by shape alone: siblings of one tag and class, each with cell-like children."""
    out: list[LexborNode] = []
    body = tree.body
    if body is None:
        return out
    for parent in body.traverse():
        kids = list(parent.iter())
        shapes: dict[tuple[str, str], list[LexborNode]] = defaultdict(list)
        for k in kids:
            shapes[(k.tag, k.attributes.get("class") or "")].append(k)
        for (tag, _), rows in shapes.items():
            if tag in ("tr", "table", "tbody", "p", "script", "style") or len(rows) < MIN_REPEATED_ROWS:
                continue
            if sum(_is_cell_row(r) and not _inline_only(r) for r in rows) >= MIN_REPEATED_ROWS:
                # the group is a table: its one-cell rows (captions, merged headers) are rows too
                out += [r for r in rows if _cells(r)]
    return out


def _span(cell: LexborNode, aria: str, css: re.Pattern[str], flex: bool) -> int:
    attrs = cell.attributes
    style = attrs.get("style") or ""
    m = css.search(style) or (_FLEX_GROW.search(style) if flex else None)
    value = (attrs.get(aria) or "").strip() or (m.group(1) if m else "")
    return max(1, min(int(value), MAX_SPAN)) if value.isdigit() else 1


def _colspan(cell: LexborNode) -> int:
    return _span(cell, "aria-colspan", _SPAN, flex=True)


def _rowspan(cell: LexborNode) -> int:
    return _span(cell, "aria-rowspan", _ROW_SPAN, flex=False)


def div_rows(tree: LexborHTMLParser, structural: bool) -> dict[int, list[LexborNode]]:
    """Parent node id → its rows, innermost rows only (a row holding rows is layout)."""
    classes = class_displays(tree)
    body = tree.body
    declared = [n for n in body.traverse() if n.tag != "tr" and _declared_row(n, classes)] if body else []
    rows = [r for r in declared if _is_cell_row(r, min_cells=1)]
    if structural and not rows:
        rows = _repeated_rows(tree)
    ids = {r.mem_id for r in rows}
    innermost = [r for r in rows if not any(d.mem_id in ids for d in r.traverse() if d.mem_id != r.mem_id)]
    by_parent: dict[int, list[LexborNode]] = defaultdict(list)
    for r in innermost:
        if r.parent is not None:
            by_parent[r.parent.mem_id].append(r)
    return by_parent


def rows_to_grid(rows: list[LexborNode], index: int) -> Grid:
    """The rows as a grid: each cell at the first column no cell spanning down from above holds."""
    grid = Grid(index=index)
    taken: set[tuple[int, int]] = set()  # positions held by cells spanning rows from above
    for r, row in enumerate(rows):
        cells, col = [], 0
        for c in _cells(row):
            while (r, col) in taken:
                col += 1
            span, down = _colspan(c), min(_rowspan(c), len(rows) - r)
            cells.append(GridCell(clean_cell(c.text(deep=True, separator="")), r, col, down, span))
            taken.update((r + dr, col + dc) for dr in range(1, down) for dc in range(span))
            col += span
        grid.rows.append(cells)
    return grid
