"""Grids → format cells: the one step every medium shares.

Rows are read in document order. Captions and headers set the context (which table, which table-2
block, which format); a row whose rightmost label names a row of the format gives that row's
values, taken from the cells after the label. Blank tokens stay null with their raw text; anything
the step cannot place is reported as a ``parser`` issue, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pipelines.parse import columns as colmap
from pipelines.parse import dropped, t4_shapes
from pipelines.parse import labels as lab
from pipelines.parse import regrouped as one_a_line
from pipelines.parse.base import Grid, GridCell
from pipelines.parse.columns import ColumnMap, HeaderBlock
from pipelines.parse.normalize import normalise_label
from pipelines.parse.tokens import COUNT_UNITS, Token, parse_token
from schemas import format as fmt
from schemas import labels as L


@dataclass
class CellValue:
    key: str
    value: Any  # int | float | str | None (None = blank as printed)
    number: Decimal | None
    raw: str
    grid: int
    row: int
    col: int
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    confidence: float | None = None  # OCR engine's confidence (scans only)
    image: str | None = None  # the picture it was read from (tables printed as pictures)


@dataclass
class Issue:
    rule: str
    severity: str  # error | warning | info
    origin: str  # publisher | parser
    cells: list[str]
    message: str
    expected: float | None = None
    found: float | None = None


@dataclass
class CellExtraction:
    cells: dict[str, CellValue] = field(default_factory=dict)
    table_formats: dict[str, str] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    data_rows: int = 0


@dataclass
class _State:
    table: str | None = None
    t2_block: str | None = None
    t3_group: str | None = None
    t2_block_format: dict[str, str] = field(default_factory=dict)
    t3_rows: dict[str, list[tuple[GridCell, Token]]] = field(default_factory=dict)
    t2_rows: dict[str, list[tuple[GridCell, Token]]] = field(default_factory=dict)
    t4_row: list[tuple[GridCell, Token]] | None = None
    t4_part: str | None = None  # the proceeding (R / LD / LA) a caption or header row names, for sub-tables
    t4_parts: dict[str, list[tuple[GridCell, Token]]] = field(default_factory=dict)
    grid_of: dict[int, int] = field(default_factory=dict)  # id(cell) → grid index, for provenance
    # column headers of tables 2, 3 and 4, and what each kept row was read under
    t2_head: HeaderBlock = field(default_factory=HeaderBlock)
    t2_heads: dict[str, list[GridCell]] = field(default_factory=dict)  # table-2 row → its block's header cells
    t3_head: HeaderBlock = field(default_factory=HeaderBlock)
    t4_head: HeaderBlock = field(default_factory=HeaderBlock)
    t3_maps: dict[str, ColumnMap] = field(default_factory=dict)
    t4_row_map: ColumnMap | None = None
    t4_part_maps: dict[str, ColumnMap] = field(default_factory=dict)
    # table 4 printed long (pipelines/parse/t4_shapes.py): list rows, and turned rows by result
    t4_list: t4_shapes.ListTable = field(default_factory=t4_shapes.ListTable)
    t4_turned: dict[str, list[tuple[GridCell, Token]]] = field(default_factory=dict)
    t4_turned_maps: dict[str, ColumnMap] = field(default_factory=dict)
    t4_turned_head: ColumnMap | None = None  # the proceedings read off the last header naming them
    # value lists (by id) of rows whose cells lie on several lines: regrouped from one cell a line
    # (pipelines/parse/text.py), a grid that kept no columns
    regrouped: set[int] = field(default_factory=set)
    final: int | None = None  # the document's very last row, by id of its values: if short, cut off, not dropped
    # table 3/4 headers printed one cell a line: their texts, while the table's latest header is one
    # (pipelines/parse/regrouped.py reads the columns' order from them)
    rg_texts: dict[str, list[str]] = field(default_factory=dict)
    rg_open: set[str] = field(default_factory=set)


T3_COLUMN_LABELS = frozenset(normalise_label(c.label) for c in fmt.t3_columns())  # as printed, ordinal and all


def _align(values: list[tuple[GridCell, Token]], n: int) -> list[tuple[GridCell, Token]] | None:
    """Fit a row's value cells to ``n`` columns. Spare *blank* cells at the ends are layout debris
    (stray tabs, trailing separators, colspan remnants); anything else is a mismatch."""
    v = list(values)
    while len(v) > n and v[-1][1].blank and not v[-1][1].raw.strip():
        v.pop()
    while len(v) > n and v[0][1].blank and not v[0][1].raw.strip():
        v.pop(0)
    if len(v) == n:
        return v
    filled = [x for x in v if not x[1].blank]
    if len(v) > n and len(filled) == n:
        return filled
    return None


def _split_row(row: list[GridCell]) -> tuple[list[GridCell], list[tuple[GridCell, Token]]]:
    """Labels of a row, and the value cells after its last label."""
    last_label = -1
    tokens: list[Token | None] = []
    for i, c in enumerate(row):
        tok = parse_token(c.text)
        tokens.append(tok)
        if tok is None:
            last_label = i
    labels = [c for c, t in zip(row, tokens, strict=True) if t is None]
    values = [(c, t) for c, t in zip(row[last_label + 1 :], tokens[last_label + 1 :], strict=True) if t is not None]
    return labels, values


def _update_context(st: _State, texts: list[str]) -> None:
    for t in texts:
        sec = lab.section_code(t)
        if sec in ("S2", "S3", "S4"):
            st.table = {"S2": "T2", "S3": "T3", "S4": "T4"}[sec]
        block = lab.t2_caption_block(t)
        if block:
            st.table, st.t2_block = "T2", block
        hf = lab.t2_header_format(t)
        if hf and st.table == "T2" and st.t2_block:
            st.t2_block_format[st.t2_block] = hf
        group = lab.t3_group_code(t)
        if group:
            st.table = "T3"
            st.t3_group = group if group != "3.3" else st.t3_group
    if lab.has_any(texts, L.T3_HEADER_WORDS):
        st.table = "T3"
    elif sum(lab.has_any(texts, (w,)) for w in T2_COLUMN_WORDS) >= 2:
        # a table-2 block's column headers (本年制发件数 | 本年废止件数 …) whose caption and section heading
        # were printed where no table was read (the foot of the page before): the columns are table 2's
        st.table = "T2"
    if sum(lab.has_any(texts, (w,)) for w in L.T4_HEADER_WORDS) >= 2:
        st.table = "T4"
    # A section heading names 行政复议 too: it stands for the first sub-table only when nothing else
    # in the row names one (in a text it may share a row with the first sub-table's caption)
    named = [t for t in texts if not lab.section_code(t)]
    parts = lab.t4_parts(named) if named else lab.t4_parts(texts)
    if parts:
        # one proceeding named: a sub-table's caption or a row label; several: the whole table's header
        st.t4_part = next(iter(parts)) if len(parts) == 1 and parts != {"L"} else None


T2_HEADER_WORDS = L.T2_HEADERS_ANY + L.T2_HEADERS_2019 + L.T2_HEADERS_2021
T2_COLUMN_WORDS = tuple(w for w in T2_HEADER_WORDS if w != "信息内容")  # (信息内容 heads a label column)


def _header_row(st: _State, row: list[GridCell], texts: list[str], values: list[tuple[GridCell, Token]],
                regrouped: bool = False) -> bool:
    """Keep a row of column headers of table 2, 3 or 4 (no numbers; header words, or the wrapped
    rest of a header already open). True when the row is one. A table-3/4 header regrouped from one
    cell a line is held as text: it is the merged header read row after row, not the columns' order,
    which pipelines/parse/regrouped.py reads from it level by level."""
    if any(not t.blank for _, t in values):
        _data_row(st)  # numbers: the header above is complete
        return False
    if st.table not in ("T2", "T3", "T4"):
        return False
    head = {"T2": st.t2_head, "T3": st.t3_head, "T4": st.t4_head}[st.table]
    words = {"T2": T2_HEADER_WORDS, "T3": L.T3_HEADER_WORDS, "T4": L.T4_HEADER_WORDS}[st.table]
    vocab = colmap.t3_leaves() if st.table == "T3" else colmap.t4_results() if st.table == "T4" else {}
    if not (lab.has_any(texts, words) or (head.open and texts)) or any(lab.section_code(t) for t in texts):
        return False  # (a section heading names 行政复议 too)
    # a label of a row of the format is no header ("总计" and "其他" are both), read in the group open
    # above: "3.其他" of blank marks under a header repeated after （六）其他处理 on the page before
    group = st.t3_group if st.table == "T3" else None  # (table 4's header word 其他 is no 3.其他)
    if any(normalise_label(t) not in vocab and (lab.t3_row_code(t, group) or lab.t3_group_code(t) or lab.t2_row_code(t))
           for t in texts):
        return False
    if regrouped and st.table in ("T3", "T4"):
        if st.table not in st.rg_open:  # a new header: its rows, one cell a line, read together
            st.rg_texts[st.table] = []
            st.rg_open.add(st.table)
        st.rg_texts.setdefault(st.table, []).extend(texts)
    else:
        head.add(row)
        st.rg_texts.pop(st.table, None)
        st.rg_open.discard(st.table)
    return True


def _data_row(st: _State) -> None:
    st.t2_head.close()
    st.t3_head.close()
    st.t4_head.close()
    st.rg_open.clear()


def _t3_map(st: _State) -> ColumnMap:
    texts = st.rg_texts.get("T3")
    return one_a_line.t3_map(texts) if texts else colmap.t3_map(st.t3_head.cells)


def _t4_map(st: _State, texts: list[str], row_regrouped: bool) -> ColumnMap:
    """Table 4's columns: from the header words printed in the row itself when it was regrouped from
    one cell a line (a paste's header runs on into its numbers) — with the header rows just above
    it, which a bare 总计 after a proceeding's name cut off — else from the header rows."""
    held = st.rg_texts.pop("T4", None)
    if row_regrouped:
        tries = [one_a_line.t4_map(texts), one_a_line.t4_map([*(held or []), *texts])]
        if (own := next((m for m in tries if m is not None and m.codes is not None), None) or tries[1]) is not None:
            return own
    return (one_a_line.t4_map(held) or ColumnMap(None, "missing")) if held else colmap.t4_map(st.t4_head.cells)


MAX_CAPTION_CHARS = 40  # captions and headings are short; a narrative paragraph is not context


def _caption_context(st: _State, grid: Grid) -> None:
    caption = grid.caption.strip()
    if caption and len(caption) <= MAX_CAPTION_CHARS:
        _update_context(st, [caption])
        if lab.t4_parts([caption]) - {"L"}:
            st.table = "T4"
        if st.table == "T4" and (part := lab.t4_single_proceeding([caption])) and not lab.t4_result(caption):
            st.t4_list.proceeding(part)  # a caption over one proceeding's list (not a row's text taken for one)


def extract_cells(grids: list[Grid]) -> CellExtraction:
    st = _State()
    out = CellExtraction()
    for grid in grids:
        _caption_context(st, grid)
        for ri, row in enumerate(grid.rows):
            for c in row:
                st.grid_of[id(c)] = grid.index
            labels, values = _split_row(row)
            regrouped = ri in grid.regrouped
            if grid is grids[-1] and ri == len(grid.rows) - 1:
                st.final = id(values)
            if regrouped:
                st.regrouped.add(id(values))
            texts = [c.text for c in labels]
            _update_context(st, texts)
            if st.table == "T4" and len(texts) == 1 and not values and lab.t4_parts(texts) - {"L"} \
                    and not lab.section_code(texts[0]):
                st.t4_head.close()  # a proceeding's caption starts its sub-table's header (not the one above's, repeated)
            if st.table == "T4" and _t4_long_row(st, texts, values, out):
                _data_row(st)
                continue
            if st.table == "T4" and not any(t.raw.strip() for _, t in values) and (
                    part := lab.t4_single_proceeding([t for t in texts if not lab.section_code(t)])):
                st.t4_list.proceeding(part)  # a proceeding's label on a row of its own (merged, or a group row)
            if _header_row(st, row, texts, values, regrouped) or not values:
                continue
            leaf = texts[-1] if texts else None
            # a column's header cell (总计 over table 3's last column) followed by nothing printed is no
            # row of the format, even when its word also names one (（七）总计)
            is_t3_header = lab.has_any(texts, L.T3_HEADER_WORDS) or (
                leaf is not None and normalise_label(leaf) in T3_COLUMN_LABELS and not any(t.raw.strip() for _, t in values))
            is_t4_header = st.table == "T4" and lab.has_any(texts, L.T4_HEADER_WORDS)
            t2_code = lab.t2_row_code(leaf) if leaf else None
            if leaf and t2_code is None and st.table == "T2" and (near := lab.nearest_t2_row(leaf)):
                t2_code = near.code
                out.issues.append(Issue("label_variant", "warning", "parser", [near.code], near.describe(leaf)))
            if t2_code:
                _data_row(st)
                if _keep(st.t2_rows, t2_code, values, out):
                    st.t2_heads[t2_code] = st.t2_head.cells
                continue
            if leaf and not is_t3_header and not is_t4_header:
                code = lab.t3_row_code(leaf, st.t3_group)
                if code is None and lab.t3_group_code(leaf) == "3.3.6":
                    code = "3.3.6"  # 2019-style single （六）其他处理 row carrying numbers
                if code is None and st.table == "T3" and (near := lab.nearest_t3_row(leaf)):
                    code = near.code
                    out.issues.append(Issue("label_variant", "warning", "parser", [near.code], near.describe(leaf)))
                if code:
                    st.table = "T3"
                    if code.startswith("3.3.6"):
                        st.t3_group = "3.3.6"
                    _data_row(st)
                    if _keep(st.t3_rows, code, values, out):
                        st.t3_maps[code] = _t3_map(st)
                    continue
            if st.table == "T4" and st.t4_part and len(values) < len(fmt.t4_columns()) and (
                    not leaf or is_t4_header or lab.t4_parts(texts)):
                # one proceeding's five numbers: a sub-table under its caption, or a row labelled by it.
                # A row of empty cells (a table-finder artefact at a page break) is no row.
                held = st.t4_parts.get(st.t4_part)
                if held is None or (all(not t.raw.strip() for _, t in held) and any(t.raw.strip() for _, t in values)):
                    st.t4_parts[st.t4_part] = values
                    st.t4_part_maps[st.t4_part] = _t4_map(st, texts, regrouped)
                elif any(t.raw.strip() for _, t in values):
                    _keep(st.t4_parts, st.t4_part, values, out)
                _data_row(st)
                continue
            full = len(values) >= len(fmt.t4_columns())
            # a row with fewer values under the whole table's header: its empty cells dropped (a paste);
            # held only until a full row comes
            if st.table == "T4" and (not leaf or is_t4_header) and (full or (st.t4_row is None and not st.t4_parts)):
                held = st.t4_row
                if held is None or (all(t.blank for _, t in held) and not all(t.blank for _, t in values)) or (
                        full and len(held) < len(fmt.t4_columns())):
                    st.t4_row = values
                    st.t4_row_map = _t4_map(st, texts, regrouped)
                _data_row(st)
                continue
            if any(not t.blank for _, t in values) and st.table in ("T2", "T3", "T4") and not is_t3_header:
                out.issues.append(
                    Issue("row_unmatched", "warning", "parser", [],
                          f"{st.table}: row {' / '.join(texts) or '(no label)'} with values "
                          f"{[t.raw for _, t in values]} matches no row of the format; not loaded")
                )
    _assemble(st, out)
    return out


def _t4_long_row(st: _State, texts: list[str], values: list[tuple[GridCell, Token]], out: CellExtraction) -> bool:
    """A row of table 4 printed long — one result named, with one value (a list) or one per
    proceeding (turned: the header above names the proceedings) — kept for assembly. True when the
    row is one."""
    match = lab.t4_row_result(texts)
    if match is None or not values:
        return False
    one = _align(values, 1)
    # a header printed one cell a line (a paste) comes as texts — held, or run on into this row before
    # its result's label: its proceedings are read level by level
    held = one_a_line.t4_turned_map([*st.rg_texts.get("T4", []), *texts[:-1]]) if len(texts) > 1 or \
        st.rg_texts.get("T4") else None
    turned = held is not None or colmap.t4_names_proceedings(st.t4_head.cells)
    if one is not None and not turned and st.t4_turned_head is None:
        variant = match.nearest.describe(texts[-1]) if match.nearest else None
        st.t4_list.row(t4_shapes.ListRow(match.code, lab.t4_single_proceeding(texts), one[0], texts[-1], variant))
        return True
    if turned:
        st.t4_turned_head = held or colmap.t4_proceeding_map(st.t4_head.cells)
    elif _align(values, len(t4_shapes.PROCEEDINGS)) is None:
        return False
    if match.nearest:
        out.issues.append(Issue("label_variant", "warning", "parser",
                                [fmt.cell_key("4", f"{g}.{match.code}") for g in t4_shapes.PROCEEDINGS],
                                match.nearest.describe(texts[-1])))
    if match.code in st.t4_turned:
        out.issues.append(Issue("row_duplicate", "warning", "parser",
                                [fmt.cell_key("4", f"{g}.{match.code}") for g in t4_shapes.PROCEEDINGS],
                                f"table 4's row {texts[-1]} appears twice; the first occurrence is kept"))
        return True
    st.t4_turned[match.code] = values
    # under a header that does not name the proceedings (repeated on a new page without its second
    # row), the table goes on under the last one that did; no such header at all: by position, said
    # when placed
    st.t4_turned_maps[match.code] = st.t4_turned_head or ColumnMap(None, "missing")
    return True


def _assemble_t4_long(st: _State, out: CellExtraction) -> None:
    """Table 4's cells from its rows printed long (a list, or turned)."""
    defs = {d.col_code: d for d in fmt.t4_cells()}
    for result, values in st.t4_turned.items():
        cmap = st.t4_turned_maps[result]
        codes = tuple(f"{g}.{result}" for g in cmap.codes) if cmap.codes is not None else None
        _place(out, [defs[f"{g}.{result}"] for g in t4_shapes.PROCEEDINGS], values, st.grid_of, f"T4 {result}",
               ColumnMap(codes, cmap.problem, cmap.found, cmap.spans))
    placed = t4_shapes.place_list(st.t4_list)
    if placed.by_position:
        out.issues.append(Issue("columns_by_position", "warning", "parser", [defs[f"{p}.{r}"].key for p, r in placed.cells],
                                "T4: table 4 printed as a list names no proceeding (行政复议 / 未经复议直接起诉 / "
                                "复议后起诉): its runs of results are taken in the format's order"))
    for (part, result), row in placed.cells.items():
        d = defs[f"{part}.{result}"]
        if d.key in out.cells:
            out.issues.append(Issue("row_duplicate", "warning", "parser", [d.key],
                                    f"{d.key} is printed twice (in a list and turned); the first is kept"))
            continue
        _place(out, [d], [row.value], st.grid_of, f"T4 {part}.{result} {row.label}")
        if row.variant:
            out.issues.append(Issue("label_variant", "warning", "parser", [d.key], row.variant))
    for row in placed.unplaced:
        out.issues.append(Issue("row_unmatched", "warning", "parser", [],
                                f"T4: row {row.label} with value {row.value[1].raw!r} is in a run of table 4's list that "
                                "no proceeding label names; not loaded"))
    for part, result in placed.duplicates:
        key = defs[f"{part}.{result}"].key
        out.issues.append(Issue("row_duplicate", "warning", "parser", [key],
                                f"{key} appears twice in table 4's list; the first occurrence is kept"))


def _keep(store: dict, code: str, values: list, out: CellExtraction) -> bool:
    if code in store:
        out.issues.append(Issue("row_duplicate", "warning", "parser", [code],
                                f"row {code} appears twice; the first occurrence is kept"))
        return False
    store[code] = values
    return True


WAREHOUSE_MAX_INT = 2**63 - 1  # BIGINT
WAREHOUSE_MAX_DECIMAL = Decimal(10) ** 14 - 1  # DECIMAL(20, 6): 14 digits before the point


def _convert(d: fmt.CellDef, tok: Token, out: CellExtraction) -> tuple[Any, Decimal | None]:
    if tok.value is None:
        return None, None
    num = tok.value
    if tok.marks:
        # "42①": a footnote mark, not a digit (NFKC would have read 421); the raw token keeps it
        out.issues.append(Issue("footnote_mark", "warning", "parser", [d.key],
                                f"{d.key}: '{tok.raw}' carries the mark '{tok.marks}' after its number; "
                                f"read as {num}, the mark is in the raw token only"))
    if tok.unit in COUNT_UNITS:
        out.issues.append(Issue("unit_stripped", "warning", "parser", [d.key],
                                f"{d.key}: '{tok.raw}' prints the unit '{tok.unit}' in the cell; read as {num}"))
    if abs(num) > (WAREHOUSE_MAX_DECIMAL if d.kind in ("decimal", "text_amount") else WAREHOUSE_MAX_INT):
        # too large for the warehouse's column: a misread (digits run together) or a typo; the
        # report's other cells stay
        out.issues.append(Issue("value_out_of_range", "error", "parser", [d.key],
                                f"{d.key}: '{tok.raw}' is larger than the warehouse can hold; kept as blank"))
        return None, None
    if d.kind == "text_amount":
        return "".join(tok.raw.split()), num  # as printed, less layout spacing ("7274848.23 元")
    if d.kind == "decimal":
        return float(num), num
    if num != num.to_integral_value():
        out.issues.append(Issue("non_integer", "error", "parser", [d.key],
                                f"{d.key}: '{tok.raw}' is not a whole number; kept as blank"))
        return None, None
    return int(num), num


COLUMN_NAMES = {"T2": "columns", "T3": "applicant columns", "T4": "columns"}


def _column_note(out: CellExtraction, table: str, cmap: ColumnMap, keys: list[str]) -> None:
    """One issue per table and kind for rows not read by their headers (its cells grow)."""
    rule = "columns_ambiguous" if cmap.problem == "ambiguous" else "columns_by_position"
    tag = f"{table}: "
    held = next((i for i in out.issues if i.rule == rule and i.message.startswith(tag)), None)
    if held is not None:
        held.cells += [k for k in keys if k not in held.cells]
        return
    found = ", ".join(cmap.found)
    what = COLUMN_NAMES.get(table, "columns")
    if cmap.problem == "ambiguous":
        message = (f"{tag}the headers of the {what} ({found}) do not name every column of the format once, and "
                   "contradict its order; the rows are not placed")
    elif cmap.codes is not None:
        message = (f"{tag}the results are read by their headers, but no proceeding headers (行政复议 / 未经复议直接起诉 / "
                   "复议后起诉) were read: the three runs are taken in the format's order")
    elif cmap.problem == "unaligned":
        message = (f"{tag}the headers of the {what} ({found}) do not line up with the values' columns (a table drawn "
                   "without its merged cells' spans): the values are read by position, in the format's column order")
    elif cmap.problem == "partial":
        message = (f"{tag}the headers of the {what} were read only in part ({found}); the values are read by "
                   "position, in the format's column order, which those headers agree with")
    else:
        message = f"{tag}no headers of the {what} were read; the values are read by position, in the format's column order"
    out.issues.append(Issue(rule, "error" if cmap.problem == "ambiguous" else "warning", "parser", list(keys), message))


def _by_header(out: CellExtraction, defs: list[fmt.CellDef], cmap: ColumnMap | None,
               prefix: str = "") -> list[fmt.CellDef] | None:
    """The row's cell definitions in printed column order: by the headers when they name every
    column; else in the format's order (with a warning), or None when the headers are ambiguous."""
    if cmap is None:
        return defs  # a table whose headers are not read (table 2: single-column blocks mostly)
    table = defs[0].table
    codes = tuple(prefix + c for c in cmap.codes) if cmap.codes is not None else None
    by_code = {d.col_code: d for d in defs}
    if codes is not None and sorted(codes) == sorted(by_code):
        if cmap.problem:
            _column_note(out, table, cmap, [d.key for d in defs])
        return [by_code[c] for c in codes]
    if cmap.problem == "ambiguous":
        _column_note(out, table, cmap, [d.key for d in defs])
        return None
    _column_note(out, table, cmap if codes is None else ColumnMap(None, "missing"), [d.key for d in defs])
    return defs


def _under(spans: tuple[tuple[float, float], ...], values: list[tuple[GridCell, Token]]) -> bool:
    """Each value, left to right, sits under its header's grid columns, left to right — allowing the
    whole row one shift (a paste's rows start with as many label cells as they print)."""
    centres = sorted(c.col + c.colspan / 2 for c, _ in values)
    if len(spans) != len(centres):
        return False
    shifts = {x - (x0 + x1) / 2 for (x0, x1), x in zip(spans, centres, strict=True)}
    return any(all(x0 + d <= x <= x1 + d for (x0, x1), x in zip(spans, centres, strict=True)) for d in shifts)


def _under_headers(spans: tuple[tuple[float, float], ...],
                   values: list[tuple[GridCell, Token]]) -> list[tuple[GridCell, Token]] | None:
    """The value under each header's grid columns, left to right (a blank cell at a row's end is a
    blank value, not layout debris, when a header stands over it) — with the whole row shifted as
    little as it takes; None when no shift puts one value under each header and every printed value
    under one."""
    def centre(c: GridCell) -> float:
        return c.col + c.colspan / 2

    shifts = sorted({round(centre(c) - (x0 + x1) / 2, 3) for c, _ in values for x0, x1 in spans}, key=abs)
    for d in shifts:
        picked = [[v for v in values if x0 + d <= centre(v[0]) <= x1 + d] for x0, x1 in spans]
        if all(len(p) == 1 for p in picked):
            chosen = [p[0] for p in picked]
            if all(any(v is w for w in chosen) for v in values if v[1].raw.strip()):
                return chosen
    return None


def _place(out: CellExtraction, defs: list[fmt.CellDef], values: list[tuple[GridCell, Token]] | None,
           grid_of: dict[int, int], row_label: str, cmap: ColumnMap | None = None,
           prefix: str = "") -> list[fmt.CellDef] | None:
    """Place a row's values; the row's cell definitions in printed order, or None when not placed."""
    if values is None:
        return None
    aligned = _under_headers(cmap.spans, values) if cmap is not None and cmap.spans is not None else None
    aligned = aligned or _align(values, len(defs))
    if aligned is None:
        out.issues.append(Issue("row_shape", "error", "parser", [d.key for d in defs],
                                f"{row_label}: {len(values)} value cells "
                                f"{[t.raw for _, t in values]} for {len(defs)} columns; not placed"))
        return None
    if cmap is not None and cmap.spans is not None and not _under(cmap.spans, aligned):
        # headers read from a grid whose columns do not line up with the values' (a table drawn
        # without its merged cells' spans: <div> rows, a paste): their order says nothing — by position
        cmap = ColumnMap(None, "unaligned", cmap.found)
    printed = _by_header(out, defs, cmap, prefix)
    if printed is None:
        return None
    _put(out, printed, aligned, grid_of)
    return printed


def _put(out: CellExtraction, printed: list[fmt.CellDef], aligned: list[tuple[GridCell, Token]],
         grid_of: dict[int, int], read: bool = True) -> None:
    """Store a row's cells; ``read``: the row counts as a table row read (one whose every cell is
    ambiguous does not: a document with no other row reads as holding no table)."""
    out.data_rows += read
    for d, (cell, tok) in zip(printed, aligned, strict=True):
        value, number = _convert(d, tok, out)
        out.cells[d.key] = CellValue(d.key, value, number, tok.raw, grid_of.get(id(cell), -1),
                                     cell.row, cell.col, cell.page, cell.bbox, cell.confidence,
                                     cell.image)


# --- rows whose empty cells were dropped (pipelines/parse/dropped.py) ------------------------------

def _short(st: _State, values: list[tuple[GridCell, Token]] | None, n: int, cmap: ColumnMap | None) -> bool:
    """A row printed with fewer value cells than its columns (and not placed by its headers' spans).
    The document's very last row is not one: a text cut off there (an excerpt, a truncated page)
    lost its last cells, it did not drop blank ones."""
    if values is None or not 0 < len(values) < n or id(values) == st.final:
        return False
    return not (cmap is not None and cmap.spans is not None and _under_headers(cmap.spans, values))


def _short_order(out: CellExtraction, defs: list[fmt.CellDef], regrouped: bool, cmap: ColumnMap | None,
                 complete: list[tuple[str, ...]], prefix: str = "") -> list[fmt.CellDef] | None:
    """The printed column order of a short row: the one the table's full rows were read in; else its
    headers' order where nothing contradicts it; None when it cannot be told (nothing is placed)."""
    by_code = {d.col_code: d for d in defs}
    if complete:
        orders = set(complete)
        only = next(iter(orders))
        return [by_code[c] for c in only] if len(orders) == 1 and sorted(only) == sorted(by_code) else None
    if cmap is not None and cmap.codes is not None and cmap.spans is not None:
        if regrouped:
            # a row regrouped from one cell a line (pipelines/parse/text.py): its grid, headers and
            # all, kept no columns — read by position, as the full rows of such a paste are
            return _by_header(out, defs, ColumnMap(None, "unaligned", cmap.found), prefix)
        # headers read from a grid's columns (no printed box) cannot be checked against a row that
        # lost cells: trusted only where they print the format's own order
        codes = [prefix + c for c in cmap.codes]
        return defs if codes == [d.col_code for d in defs] else None
    return _by_header(out, defs, cmap, prefix)


def _place_short(out: CellExtraction, row: dropped.ShortRow, printed: list[fmt.CellDef] | None,
                 defs: list[fmt.CellDef], values: list[tuple[GridCell, Token]], grid_of: dict[int, int],
                 row_label: str) -> None:
    """Place a short row's values where the identities allow one placement; flag the rest (all of
    the row when its columns' order is unknown: ``printed`` None)."""
    agreed = row.agreed() if printed is not None else [None] * len(defs)
    order_known = printed is not None
    defs = printed or defs
    shown = " ".join(t.raw for _, t in values)
    anchor = values[0][0]
    full: list[tuple[GridCell, Token]] = []
    for j in agreed:
        if j is None:
            full.append((GridCell(shown, anchor.row, -1, page=anchor.page), Token(shown, None)))
        elif j < 0:
            full.append((GridCell("", anchor.row, -1, page=anchor.page), Token("", None)))
        else:
            full.append(values[j])
    unsure = [d.key for d, j in zip(defs, agreed, strict=True) if j is None]
    _put(out, defs, full, grid_of, read=len(unsure) < len(defs))
    n_fit = len(row.feasible)
    if unsure:
        why = ("the columns' printed order cannot be told" if not order_known
               else "no placement fits the format's identities (the report may break one itself)" if not n_fit
               else f"{n_fit} of the {row.placements} placements fit the format's identities" if row.code[0] != "2"
               else f"{row.placements} placements and no identity to choose one")
        out.issues.append(Issue("ambiguous_placement", "error", "parser", unsure,
                                f"{row_label}: {len(values)} values '{shown}' for {len(defs)} columns (empty cells "
                                f"dropped); {why}: these cells are left blank with the row's printed values"))
        _warn_unplaced_marks(out, row_label, unsure, [tok for j, (_, tok) in enumerate(values) if j not in agreed])
    else:
        blanks = [d.key for d, j in zip(defs, agreed, strict=True) if j is not None and j < 0]
        out.issues.append(Issue("cells_dropped", "warning", "parser", blanks,
                                f"{row_label}: {len(values)} values '{shown}' for {len(defs)} columns (empty cells "
                                f"dropped); placed where the format's identities allow only one placement, "
                                f"{len(blanks)} cells blank"))


def _warn_unplaced_marks(out: CellExtraction, row_label: str, unsure: list[str], tokens: list[Token]) -> None:
    """A mark or unit printed with a value no cell could be given: said on the cells that may hold
    it (as a placed value's is said on its cell), so a footnote is never silently lost with the row."""
    for tok in tokens:
        if tok.marks:
            out.issues.append(Issue("footnote_mark", "warning", "parser", unsure,
                                    f"{row_label}: the printed value '{tok.raw}' carries the mark '{tok.marks}'; which of "
                                    "these cells holds it cannot be told (ambiguous_placement)"))
        if tok.unit in COUNT_UNITS:
            out.issues.append(Issue("unit_stripped", "warning", "parser", unsure,
                                    f"{row_label}: the printed value '{tok.raw}' prints the unit '{tok.unit}'; which of "
                                    "these cells holds it cannot be told (ambiguous_placement)"))


def _t2_format(st: _State) -> str | None:
    if not st.t2_rows:
        return None
    votes = list(st.t2_block_format.values())
    if any(c in st.t2_rows for c in ("2.5.2", "2.9.1")):
        votes.append("2019")
    for code, vals in st.t2_rows.items():  # 2.5/2.6/2.8 value counts differ between formats
        filled = [v for v in vals if v[1].raw.strip()]
        if code[:3] in ("2.5", "2.6") and len(filled) == 3:
            votes.append("2019")
        if code[:3] in ("2.5", "2.6", "2.8") and len(filled) == 1:
            votes.append("2021")
    if not votes:
        return "2021"
    return max(("2021", "2019"), key=votes.count)


def _assemble_t3(st: _State, out: CellExtraction, single: bool) -> None:
    """Table 3's rows: those printed in full first; then the rows whose empty cells were dropped,
    placed together where the table's identities allow one placement (pipelines/parse/dropped.py)."""
    t3_defs = fmt.t3_cells(single)
    short: list[tuple[str, list[fmt.CellDef], list[tuple[GridCell, Token]], ColumnMap | None]] = []
    orders: list[tuple[str, ...]] = []
    fixed: dict[str, list[str]] = {}
    fixed_columns: dict[str, list[str]] = {}
    for r in fmt.t3_data_rows(single):
        defs = [d for d in t3_defs if d.row_code == r.code]
        vals, cmap, label = st.t3_rows.get(r.code), st.t3_maps.get(r.code), f"T3 {r.code} {r.label}"
        if vals is not None and _short(st, vals, len(defs), cmap):
            short.append((label, defs, vals, cmap))
            continue
        printed = _place(out, defs, vals, st.grid_of, label, cmap)
        if printed is not None:
            orders.append(tuple(d.col_code for d in printed))
            fixed[r.code] = [out.cells[d.key].raw for d in printed]
            fixed_columns[r.code] = [d.col_code for d in printed]
    if not short:
        return
    rows = []
    for _label, defs, vals, cmap in short:
        printed = _short_order(out, defs, id(vals) in st.regrouped, cmap, orders)
        rows.append((printed, dropped.ShortRow(defs[0].row_code, [d.col_code for d in printed or defs],
                                               [t.raw for _, t in vals])))
    dropped.resolve_t3(fixed, fixed_columns, [row for printed, row in rows if printed is not None], single)
    for (label, defs, vals, _cmap), (printed, row) in zip(short, rows, strict=True):
        _place_short(out, row, printed, defs, vals, st.grid_of, label)


def _place_t4(st: _State, out: CellExtraction, defs: list[fmt.CellDef], vals: list[tuple[GridCell, Token]] | None,
              code: str, label: str, cmap: ColumnMap | None, prefix: str = "") -> None:
    if vals is not None and _short(st, vals, len(defs), cmap):
        printed = _short_order(out, defs, id(vals) in st.regrouped, cmap, [], prefix)
        row = dropped.ShortRow(code, [d.col_code for d in printed or defs], [t.raw for _, t in vals])
        if printed is not None:
            dropped.resolve_t4(row)
        _place_short(out, row, printed, defs, vals, st.grid_of, label)
    else:
        _place(out, defs, vals, st.grid_of, label, cmap, prefix)


def _assemble(st: _State, out: CellExtraction) -> None:
    grid_of = st.grid_of
    t2f = _t2_format(st)
    if not st.t3_rows and not st.t2_rows and st.t4_row is None:
        return
    other_read = any(k == "3.3.6" or k.startswith("3.3.6.") for k in st.t3_rows)
    # Row (六) alone tells the table-3 layouts apart; when it was not read (a page cut off before
    # it) the layout goes by table 2's format, and the cells of both layouts' row (六) are flagged.
    single = ("3.3.6" in st.t3_rows and not any(k.startswith("3.3.6.") for k in st.t3_rows)) if other_read \
        else t2f == "2019"
    base = t2f or ("2019" if single else "2021")
    out.table_formats = {
        "T2": base if base in ("2019", "2021") else "2021",
        "T3": fmt.t3_format_name(single, t2f),
        "T4": base,
    }
    for block in fmt.t2_blocks(out.table_formats["T2"]):
        for r in block.rows:
            defs = [fmt.CellDef(fmt.cell_key(r.code, c.code), "T2", r.code, c.code, c.kind) for c in block.columns]
            vals, cmap, label = st.t2_rows.get(r.code), colmap.t2_map(st.t2_heads.get(r.code, []), block.columns), \
                f"T2 {r.code} {r.label}"
            if vals is not None and _short(st, vals, len(defs), cmap):
                printed = _short_order(out, defs, id(vals) in st.regrouped, cmap, [])
                row = dropped.ShortRow(r.code, [d.col_code for d in printed or defs], [t.raw for _, t in vals])
                dropped.resolve_free(row)  # table 2 has no identities
                _place_short(out, row, printed, defs, vals, grid_of, label)
            else:
                _place(out, defs, vals, grid_of, label, cmap)
    for code in st.t2_rows:
        if not any(r.code == code for b in fmt.t2_blocks(out.table_formats["T2"]) for r in b.rows):
            out.issues.append(Issue("row_unexpected", "warning", "parser", [code],
                                    f"T2 row {code} does not exist in the {out.table_formats['T2']} format; not loaded"))
    _assemble_t3(st, out, single)
    long = bool(st.t4_list or st.t4_turned)
    # A row of empty cells held as the whole table's row (a table finder's artefact under a header
    # repeated at a page break, the merged labels' continuation) says nothing when the table was
    # read in another shape: it does not outrank the rows that carry the numbers.
    empty = st.t4_row is not None and (long or bool(st.t4_parts)) and not any(t.raw.strip() for _, t in st.t4_row)
    if empty:
        st.t4_row = None
    if st.t4_row is not None or not (st.t4_parts or long):
        _place_t4(st, out, list(fmt.t4_cells()), st.t4_row, "4", "T4", st.t4_row_map)
    elif long and not any(t.raw.strip() for v in st.t4_parts.values() for _, t in v):
        # table 4 printed long: a list, or turned (a row of empty cells at a page break held as a
        # proceeding's row says nothing)
        _assemble_t4_long(st, out)
    else:  # table 4 printed as one small table (or row) per proceeding
        for part, label in fmt.T4_GROUPS.items():
            defs = [d for d in fmt.t4_cells() if d.col_code.split(".")[0] == part]
            _place_t4(st, out, defs, st.t4_parts.get(part), f"4:{part}", f"T4 {part} {label}",
                      st.t4_part_maps.get(part), f"{part}.")
    if not other_read:
        either = [d.key for layout in (True, False) for d in fmt.t3_cells(layout)
                  if d.row_code == "3.3.6" or d.row_code.startswith("3.3.6.")]
        out.issues.append(Issue("t3_layout_unread", "error", "parser", either,
                                f"table 3 row (六) was not read, so whether it is one row (2019, hybrid) or three "
                                f"(2021) is unknown; read as the {out.table_formats['T3']} layout after table 2"))
    missing = [d.key for d in fmt.cells_for(out.table_formats) if d.key not in out.cells]
    if missing:
        out.issues.append(Issue("cell_missing", "error", "parser", missing,
                                f"{len(missing)} cells of the format were not found in the document"))
