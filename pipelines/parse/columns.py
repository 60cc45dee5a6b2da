"""Value columns by their headers: which column of the format each printed column is.

A table whose columns are printed in another order than the format's, with headers that say so,
must not be read by position: row totals and the balance identities cannot notice a permutation.
So the header cells of a table (every header row, merged cells included) are matched to the
format's column labels, and the leaf labels in left-to-right order give the printed order of the
value columns. Only when a table's headers are missing, or read in part and in an order the
format's allows, is it read in the format's order, and the cell step says so in a warning; headers
that contradict that order without naming every column once are ambiguous and the rows are not
placed.

Left-to-right is the page's x (PDF cells have boxes) or the grid column (HTML, Word, text). In a
PDF read from word positions a header wrapped in its narrow column ("社会公益组" / "织") or
letter-spaced into several words is joined back first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from pipelines.parse import labels as lab
from pipelines.parse.base import GridCell
from pipelines.parse.normalize import normalise_label
from schemas import format as fmt
from schemas import labels as L

LINE_TOLERANCE = 3.0  # pt: fragments whose tops differ by less are on one line
SAME_X_PT, SAME_X_COL = 3.0, 0.5  # one header printed twice: centres this close (pt; grid columns)


@dataclass(frozen=True)
class ColumnMap:
    """The column codes of a table's value columns in printed order, or why there are none."""

    codes: tuple[str, ...] | None  # None: no order from the headers (read by position, or not at all)
    problem: str | None = None  # None | missing | partial | unaligned (a warning) | ambiguous (rows not placed)
    found: tuple[str, ...] = ()  # the header labels read, left to right (for messages)
    # Where the headers were read, left to right, when they have no printed box (HTML, Word, text):
    # grid columns, comparable with the values' own only when the grid kept the table's spans.
    spans: tuple[tuple[float, float], ...] | None = None


@cache
def t3_leaves() -> dict[str, str]:
    """Table 3's leaf column headers (normalised) → column code, from the format."""
    return {normalise_label(c.label): c.code for c in fmt.t3_columns()}


T4_RESULT_ORDER = ("maintain", "correct", "other", "pending", "total")


@cache
def t4_results() -> dict[str, str]:
    """Table 4's result headers (normalised) → result code (结果维持 → maintain …)."""
    return {normalise_label(c.label): c.code.split(".", 1)[1] for c in fmt.t4_columns() if c.code.startswith("R.")}


def t4_result_header(text: str) -> str | None:
    """The result a table-4 header names: as printed, else the one it clearly means by the row
    labels' nearest-label rule (one edit in a four-character result, two edits nearer than any
    other: 尚未蜜结, a glyph OCR misread). A header only places a column, so no warning is owed."""
    exact = t4_results().get(text)
    if exact is not None:
        return exact
    near = lab.nearest_t4_result(text)
    return near.code if near else None


@cache
def _vocabulary(table: str) -> tuple[str, ...]:
    """The header words of a table (fragments join only into these; "其他" is whole in table 3,
    the start of 其他结果 in table 4)."""
    if table == "T2":
        words = [_label_core(c.label) for f in ("2021", "2019") for b in fmt.t2_blocks(f) for c in b.columns]
    else:
        words = ([*t3_leaves(), *L.T3_HEADER_WORDS] if table == "T3"
                 else [*t4_results(), *L.T4_HEADER_WORDS, *fmt.T4_GROUPS.values()])
    return tuple(dict.fromkeys(normalise_label(w) for w in words))


def header_word_start(text: str) -> bool:
    """Whether ``text`` is a header word of tables 2–4, or the start of one (结果 of 结果维持)."""
    n = normalise_label(text)
    return bool(n) and any(w.startswith(n) for t in ("T2", "T3", "T4") for w in _vocabulary(t))


@dataclass
class _Piece:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    boxed: bool
    page: int = 0  # PDF page of a boxed piece: positions compare only on one page

    @property
    def x(self) -> float:
        return (self.x0 + self.x1) / 2


def _piece(cell: GridCell) -> _Piece:
    box = cell.upright or cell.bbox
    if box is not None:
        x0, top, x1, bottom = box
        return _Piece(normalise_label(cell.text), x0, top, x1, bottom, True, cell.page or 0)
    return _Piece(normalise_label(cell.text), cell.col, cell.row, cell.col + cell.colspan, cell.row + cell.rowspan, False)


def _below(host: _Piece, frag: _Piece) -> bool:
    """``frag`` is the line below ``host`` in the same column (a header wrapped in its cell)."""
    if frag.page != host.page:
        return False
    height = max(host.bottom - host.top, frag.bottom - frag.top, 1.0)
    # (OCR boxes of two lines may overlap a little)
    return frag.top > host.top + LINE_TOLERANCE and frag.top - host.bottom < 1.5 * height and frag.x0 < host.x1 \
        and frag.x1 > host.x0


def _same_line(host: _Piece, frag: _Piece) -> bool:
    """``frag`` is the rest of ``host``'s line (a header letter-spaced into several words)."""
    height = max(host.bottom - host.top, frag.bottom - frag.top, 1.0)
    return frag.page == host.page and abs(frag.top - host.top) < LINE_TOLERANCE and 0 <= frag.x0 - host.x1 < 2 * height


def _over_page_break(pieces: list[_Piece], vocab: tuple[str, ...]) -> Callable[[_Piece, _Piece], bool]:
    """``frag`` continues ``host`` on the next page (a header row Word let break across pages): the
    host is the lowest piece in its column on its page, the fragment the highest piece in that column
    on the next page that is no whole header word (a header row repeated there stands above it)."""
    def overlaps(a: _Piece, b: _Piece) -> bool:
        return a.x0 < b.x1 and b.x0 < a.x1

    def continues(host: _Piece, frag: _Piece) -> bool:
        if not (host.boxed and frag.page == host.page + 1 and overlaps(host, frag)):
            return False
        lower = any(p is not host and p.page == host.page and p.top > host.top + LINE_TOLERANCE and overlaps(p, host)
                    for p in pieces)
        higher = any(p is not frag and p.page == frag.page and p.top < frag.top - LINE_TOLERANCE and overlaps(p, frag)
                     and p.text not in vocab for p in pieces)
        return not lower and not higher
    return continues


def _reading_order(cell: GridCell) -> tuple[float, float, float]:
    box = cell.upright or cell.bbox
    return (cell.page or 0, box[1], box[0]) if box else (0, cell.row, cell.col)


def _join(pieces: list[_Piece], vocab: tuple[str, ...], continues: Callable[[_Piece, _Piece], bool]) -> bool:
    """Join each fragment to the piece it ``continues`` when together they start a header word; True
    when any was joined."""
    out: list[_Piece] = []
    for p in pieces:
        host = None
        if p.boxed and p.text not in vocab:
            # (joined text normalised again: 其它 and 其他 are one word only once both glyphs are there)
            host = next((h for h in reversed(out) if h.boxed and h.text not in vocab and continues(h, p)
                         and any(w.startswith(normalise_label(h.text + p.text)) for w in vocab)), None)
        if host is None:
            out.append(p)
        else:
            host.text = normalise_label(host.text + p.text)
            host.x0, host.x1 = min(host.x0, p.x0), max(host.x1, p.x1)
            if p.page == host.page:
                host.bottom = max(host.bottom, p.bottom)
            else:  # the rest of the header on the next page: go on from there
                host.page, host.top, host.bottom = p.page, p.top, p.bottom
    joined = len(out) < len(pieces)
    pieces[:] = out
    return joined


def header_pieces(cells: list[GridCell], table: str) -> list[_Piece]:
    """Header texts with their extent; fragments of one header word (boxed cells only) joined.

    A fragment under a piece joins it before one beside it does: in a table read from word positions
    the next column's header word can stand as near on the line ("其他" | "结果" over 其他结果 and
    结果纠正 side by side) as a letter-spaced glyph of the same word. A header cut by a page break
    goes on at the top of its column on the next page."""
    vocab = _vocabulary(table)
    out = [_piece(c) for c in sorted((c for c in cells if c.text.strip()), key=_reading_order)]
    while (_join(out, vocab, _below) or _join(out, vocab, _over_page_break(out, vocab))
           or _join(out, vocab, _same_line)):
        pass
    # a header row printed again (Word's 重复标题行 on the page a table goes on over): once
    return [p for k, p in enumerate(out)
            if not any(q.text == p.text and abs(q.x - p.x) < (SAME_X_PT if p.boxed else SAME_X_COL) for q in out[:k])]


def _decide(found: list[tuple[float, str]], order: tuple[str, ...], pieces: list[_Piece] | None = None) -> ColumnMap:
    """``pieces``: the unboxed header cells read (their grid columns are kept to check them against
    the values'); None for boxed ones, whose printed positions say the order."""
    codes = tuple(code for _, code in sorted(found))
    distinct = len(set(codes)) == len(codes) and set(codes) <= set(order)
    if pieces is not None and distinct and len({p.x for p in pieces}) < len(pieces):
        # an order read off a grid (no printed boxes) is trusted only at distinct columns: two headers
        # at one grid column mean the grid lost the table's spans (a paste, <div> rows) and says nothing
        # of the order — the values are read by position. (Some headers unread out of the format's
        # order, or a column named twice: below, not placed — never a guess.)
        return ColumnMap(None, "unaligned", codes)
    if sorted(codes) == sorted(order):
        spans = None if pieces is None else tuple(sorted(((p.x0, p.x1) for p in pieces), key=lambda s: s[0] + s[1]))
        return ColumnMap(codes, None, codes, spans)
    if not codes:
        return ColumnMap(None, "missing")
    it = iter(order)
    in_order = len(set(codes)) == len(codes) and all(c in it for c in codes)  # a subsequence of the format's order
    return ColumnMap(None, "partial" if in_order else "ambiguous", codes)


def _label_core(label: str) -> str:
    """A column label without its bracketed note (本年收费金额（单位：万元） → 本年收费金额)."""
    return re.sub(r"[(（].*$", "", normalise_label(label))


def t2_map(cells: list[GridCell], columns: tuple[fmt.Column, ...]) -> ColumnMap | None:
    """A table-2 block's columns from its header row; None for a block of one column (nothing to
    order). A header names a column when it holds the column's label (现行有效件数（历史累计）,
    本年处理决定数量 for 处理决定数量); the longest label found wins."""
    if len(columns) < 2:
        return None
    cores = sorted(((_label_core(c.label), c.code) for c in columns), key=lambda x: -len(x[0]))
    found = [(p.x, code) for p in header_pieces(cells, "T2")
             if (code := next((c for core, c in cores if core in p.text), None)) is not None]
    return _decide(found, tuple(c.code for c in columns))


def t3_map(cells: list[GridCell]) -> ColumnMap:
    """Table 3's applicant columns (自然人, 商业企业 … 其他, 总计) from its header cells."""
    leaves = t3_leaves()
    pieces = [p for p in header_pieces(cells, "T3") if p.text in leaves]
    return _decide([(p.x, leaves[p.text]) for p in pieces], tuple(c.code for c in fmt.t3_columns()),
                   None if all(p.boxed for p in pieces) else pieces)


def t4_map(cells: list[GridCell]) -> ColumnMap:
    """Table 4's columns from its header cells: fifteen (three proceedings of five results, each
    proceeding's results under its own header) or five (one proceeding's sub-table, or rows
    labelled by proceeding: result codes only)."""
    pieces = header_pieces(cells, "T4")
    unboxed = None if all(p.boxed for p in pieces) else pieces
    results = {p.text: r for p in pieces if (r := t4_result_header(p.text))}
    leaves = sorted((p.x, results[p.text]) for p in pieces if p.text in results)
    if len(leaves) <= len(T4_RESULT_ORDER) and len({r for _, r in leaves}) == len(leaves):
        return _decide(leaves, T4_RESULT_ORDER, unboxed and [p for p in unboxed if p.text in results])  # one proceeding's five
    if len(leaves) != 3 * len(T4_RESULT_ORDER):
        # some of the fifteen unread: by position only if what was read follows the format's order
        codes = tuple(r for _, r in leaves)
        it = iter(T4_RESULT_ORDER * 3)
        return ColumnMap(None, "partial" if all(c in it for c in codes) else "ambiguous", codes)
    groups = sorted((p.x, part) for p in pieces if p.text not in results
                    and len(parts := lab.t4_parts([p.text])) == 1 and (part := next(iter(parts))) in fmt.T4_GROUPS)
    full_order = tuple(c.code for c in fmt.t4_columns())
    n = len(T4_RESULT_ORDER)
    runs = [leaves[k:k + n] for k in range(0, len(leaves), n)]
    if sorted(g for _, g in groups) == sorted(fmt.T4_GROUPS):
        return _decide([(x, f"{g}.{r}") for (_, g), run in zip(groups, runs, strict=True) for x, r in run], full_order,
                       unboxed and [p for p in unboxed if p.text in results])
    if all(sorted(r for _, r in run) == sorted(T4_RESULT_ORDER) for run in runs):
        # results named in each run but no proceeding headers to tell the runs apart: the
        # proceedings in the format's order (R, LD, LA), said in a warning
        by_result = _decide([(x, f"{g}.{r}") for g, run in zip(fmt.T4_GROUPS, runs, strict=True) for x, r in run],
                            full_order, unboxed and [p for p in unboxed if p.text in results])
        return ColumnMap(by_result.codes, "partial", by_result.found, by_result.spans)
    return ColumnMap(None, "ambiguous", tuple(r for _, r in leaves))


T4_PROCEEDING_ORDER = tuple(fmt.T4_GROUPS)  # R, LD, LA


def t4_proceeding_map(cells: list[GridCell]) -> ColumnMap:
    """Table 4 turned (a row per result): its value columns are the proceedings, read from the
    header cells naming them (行政复议 / 未经复议直接起诉 / 复议后起诉; 行政诉讼 over the two says no
    column of its own)."""
    pieces = [p for p in header_pieces(cells, "T4") if lab.t4_proceeding(p.text) in T4_PROCEEDING_ORDER]
    found = [(p.x, lab.t4_proceeding(p.text) or "") for p in pieces]
    return _decide(found, T4_PROCEEDING_ORDER, None if all(p.boxed for p in pieces) else pieces)


def t4_names_proceedings(cells: list[GridCell]) -> bool:
    """Header cells over table 4 turned: two or more proceedings named, and no result (a result
    in the header means the results are the columns)."""
    texts = [c.text for c in cells]
    return (len({lab.t4_proceeding(t) for t in texts} & set(T4_PROCEEDING_ORDER)) >= 2
            and not any(lab.t4_result(t) for t in texts))


@dataclass
class HeaderBlock:
    """The header cells of the table being read: consecutive header rows; a header row after data
    rows (a new table, or the header repeated on a continuation page) starts a new block."""

    cells: list[GridCell] = field(default_factory=list)
    open: bool = False

    def add(self, row: list[GridCell]) -> None:
        if not self.open:
            self.cells, self.open = [], True
        self.cells += [c for c in row if c.text.strip()]

    def close(self) -> None:
        self.open = False
