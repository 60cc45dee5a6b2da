"""Layouts as offices print them, from independent dimensions drawn at random with a fixed seed, so
that combinations nobody listed get tested too.

Dimensions: ruling (full grid, 三线表, outer frame only, none); table-3 header rows repeated on a
continuation page (Word's 重复标题行) or not; label column width (labels wrapped over 1–3 lines) and
where the values sit vertically in a wrapped row (top / centre / bottom); table 4 as one table or as
three captioned sub-tables (行政复议 / 行政诉讼（未经复议直接起诉） / 行政诉讼（复议后起诉）); the title on
one line or wrapped over two with spaces around the year; font size and line spacing; blank tokens
(from the truth); medium (HTML, text, DOCX, and PDF printed from the DOCX by LibreOffice); the
order of table 3's applicant columns and of table 4's proceedings and results (headers printed in
that order too; the format's order by default, which the committed corpus uses); table 4's shape
(``t4_shape``: the format's one wide row by default; a vertical list with its proceeding labels merged
or repeated, or captioned lists with ``t4_split``; or turned, results as rows — drawn only when asked);
a text pasted one cell a line with its empty cells dropped (``paste_dropped``, text medium only; off by default).
Issue #26's other dimensions (tests/forge/wild.py: where the agency is printed, preamble, year
numerals, <div> tables, page furniture and watermarks, shaded cells, a row of blank marks, a date under
table 4, units and footnote marks) only when ``draw_specs(wild=True)``.
"""

from __future__ import annotations

import html as h
import io
import random
from dataclasses import asdict, dataclass, replace
from typing import Any

import docx
import pypdfium2 as pdfium
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from schemas import format as fmt
from tests.forge import oracle, vocabulary, wild
from tests.forge.render import (
    HEADINGS,
    NARRATIVE,
    T3_NOTE,
    T4_RESULTS,
    Layout,
    _tok,
    t2_layout,
    t3_label_rows,
    t3_layout,
    t4_layout,
)
from tests.forge.truths import make_truth
from tests.forge.wild import draw as draw_wild
from tests.forge.word import LONG_PARAGRAPH, _fixed_zip, _page_footer

RULINGS = ("full", "three_line", "frame", "none")
VALIGNS = ("top", "center", "bottom")
T4_PARTS = (("R", "行政复议"), ("LD", "行政诉讼（未经复议直接起诉）"), ("LA", "行政诉讼（复议后起诉）"))
T3_HEADER_ROWS = 3
T4_SHAPES = ("wide", "vertical", "vertical_repeated", "transposed")
T4_HEADER_ROWS = {"transposed": 2}  # (Word's 重复标题行 over table 4 turned: both rows of proceedings)
T4_SHAPE_STREAM = 11  # table 4's shape is drawn from random.Random(seed + 11)


@dataclass(frozen=True)
class LayoutSpec:
    ruling: str = "full"
    repeat_header: bool = False
    label_mm: int = 0  # width of each table-3 label column in mm; 0 = Word's automatic widths
    valign: str = "center"
    t4_split: bool = False
    title_wrap: bool = False
    font_pt: float = 10.0
    line_spacing: float = 1.0
    narrative_paragraphs: int = 1  # pushes table 3 across a page break at different rows
    rotate: int = 0  # PDF: pages laid out landscape, printed turned by ±90° on portrait pages
    # Column order, as codes (() = the format's): table 2's blocks of three columns (as indices),
    # table 3's seven columns (the five 法人或其他组织
    # columns side by side under their group header), table 4's proceedings (行政复议 beside, never
    # between, the two 行政诉讼 ones) and the results within each proceeding.
    t2_columns: tuple[int, ...] = ()  # table 2: the order of every three-column block's columns (indices)
    t3_columns: tuple[str, ...] = ()
    t4_groups: tuple[str, ...] = ()
    t4_results: tuple[str, ...] = ()
    # Labels as offices print them (tests/forge/vocabulary.py): 0 = the official labels; else the seed
    # that picks, per label, a rendering (letter-spaced, traditional, 其它) or a misprint.
    labels_seed: int = 0
    # --- table 4's shape (issue #26 point 2) ---
    # "wide": the format's one row of fifteen; "vertical": a list, one row per proceeding × result
    # with one value column, the proceeding labels merged vertically (行政诉讼 over its two);
    # "vertical_repeated": the same list with the proceeding's label printed on every row;
    # "transposed": the results as rows, the proceedings as columns. With ``t4_split`` a vertical
    # list is printed as three captioned lists, one per proceeding.
    t4_shape: str = "wide"
    # Pastes whose empty cells were dropped (issue #26 point 6): the text medium printed one cell per
    # line, every empty cell (a blank value, a merged label area) left out; other media ignore it.
    paste_dropped: bool = False
    # --- issue #26, what nobody showed the parser (tests/forge/wild.py; drawn with wild=True) ---
    agency_at: str = "title"  # where the agency is printed: title, signature, page_header, meta_article, meta_site, nowhere
    preamble: bool = False  # a sentence quoting the provincial notice 《…关于做好…年度报告编制发布工作的通知》
    year_style: str = "arabic"  # the year in the title and 统计期限 sentence: arabic, zh_ling (〇), zh_circle (○), fullwidth
    period_sentence: bool = False  # 本报告中所列数据的统计期限自…起至…止
    html_cells: str = "table"  # HTML: table, or <div> grids: display_table, flex, aria
    char_spans: bool = False  # HTML: each cell printed one <span> per character
    running: str = ""  # DOCX/PDF running furniture: page_of (第 N 页 共 M 页), agency (header), both
    watermark: str = ""  # DOCX/PDF: a diagonal watermark on every page: 仅供参考 or agency
    shaded: bool = False  # header rows and every other row of table 3 shaded
    blank_row: str = ""  # a table-3 row of zeros printed as nothing but this mark (— or /)
    t4_date: bool = False  # a signature date ("2024 年 1 月 11 日") printed right under table 4
    marks_seed: int = 0  # seed picking count cells printed with a unit or footnote mark (12件, 42①)
    watermark_text: bool = False  # the watermark as a turned text box (its characters in the PDF's text), not WordArt

    def describe(self) -> dict[str, Any]:
        out = asdict(self)
        for name in ("t2_columns", "t3_columns", "t4_groups", "t4_results", "labels_seed",
                     "paste_dropped"):  # (the committed corpus predates them)
            if not out[name]:
                del out[name]
            elif isinstance(out[name], tuple):
                out[name] = list(out[name])
        if out["t4_shape"] == "wide":
            del out["t4_shape"]
        for name, default in WILD_DEFAULTS.items():  # (nor did it know issue #26's dimensions)
            if out[name] == default:
                del out[name]
        return out


WILD_DEFAULTS = {"agency_at": "title", "preamble": False, "year_style": "arabic", "period_sentence": False,
                 "html_cells": "table", "char_spans": False, "running": "", "watermark": "", "shaded": False,
                 "blank_row": "", "t4_date": False, "marks_seed": 0, "watermark_text": False}


T4_GROUP_ORDERS = (("R", "LD", "LA"), ("R", "LA", "LD"), ("LD", "LA", "R"), ("LA", "LD", "R"))  # 行政诉讼's two side by side


def draw_column_orders(rnd: random.Random) -> dict[str, tuple]:
    """Column orders for one layout: table 3's 自然人 / the 法人或其他组织 block / 总计 shuffled and
    the block's five columns among themselves; table 4's proceedings and results; table 2's three."""
    legal = rnd.sample(fmt.T3_APPLICANT_COLUMNS[1:], 5)
    units = rnd.sample(("np", "legal", "total"), 3)
    return {"t2_columns": tuple(rnd.sample((0, 1, 2), 3)),
            "t3_columns": tuple(c for u in units for c in (legal if u == "legal" else (u,))),
            "t4_groups": rnd.choice(T4_GROUP_ORDERS),
            "t4_results": tuple(rnd.sample(("maintain", "correct", "other", "pending", "total"), 5))}


def draw_specs(seed: int, n: int, column_orders: bool = False, labels: bool = False,
               t4_shapes: bool = False, paste_dropped: bool = False, wild: bool = False) -> list[LayoutSpec]:
    """``n`` layouts, every dimension drawn independently (reproducible for ``seed``). Column
    orders and printed label variants are drawn only when asked (the committed corpus keeps the
    format's order and official labels)."""
    rnd = random.Random(seed)
    specs = [LayoutSpec(ruling=rnd.choice(RULINGS), repeat_header=rnd.random() < 0.6,
                       label_mm=rnd.choice((0, 0, 12, 16, 22)), valign=rnd.choice(VALIGNS),
                       t4_split=rnd.random() < 0.5, title_wrap=rnd.random() < 0.5,
                       font_pt=rnd.choice((9.0, 10.0, 10.5, 12.0)), line_spacing=rnd.choice((1.0, 1.15, 1.5)),
                       narrative_paragraphs=rnd.randint(1, 12)) for _ in range(n)]
    # drawn from a stream of its own, so adding the dimension left the other draws as they were
    turn = random.Random(seed + 1)
    specs = [replace(spec, rotate=turn.choice((0, 0, 0, 0, 0, 90, -90))) for spec in specs]
    if column_orders:
        orders = random.Random(seed + 2)
        specs = [replace(spec, **draw_column_orders(orders)) for spec in specs]
    if labels:
        printed = random.Random(seed + 3)
        specs = [replace(spec, labels_seed=printed.choice((0, printed.randint(1, 10**6)))) for spec in specs]
    if t4_shapes:  # table 4's shape (issue #26 point 2): a stream of its own
        shaped = random.Random(seed + T4_SHAPE_STREAM)
        specs = [replace(spec, t4_shape=shaped.choice(T4_SHAPES)) for spec in specs]
    if paste_dropped:
        pasted = random.Random(seed + 12)
        specs = [replace(spec, paste_dropped=pasted.random() < 0.5) for spec in specs]
    if wild:  # issue #26's dimensions, from streams of their own (seed + 13…17)
        specs = [replace(spec, **fields) for spec, fields in zip(specs, draw_wild(seed, len(specs)), strict=True)]
    return specs


LABEL_MISPRINT_RATE = 0.15
ROW_LABELS = frozenset(vocabulary.T3_LABELS.values()) | frozenset(vocabulary.T2_LABELS.values())
HEADER_LABELS = frozenset({"申请人情况", "自然人", "法人或其他组织", "总计", "商业企业", "科研机构", "社会公益组织",
                           "法律服务机构", "其他", *T4_RESULTS})


def printed_labels(layout: Layout, rnd: random.Random) -> Layout:
    """The layout with its labels as one office prints them: row labels rendered or misprinted,
    column headers rendered (never misprinted: a header names a column, read by its exact words)."""
    out: Layout = []
    for row in layout:
        cells = []
        for text, rs, cs in row:
            if text in ROW_LABELS:
                text = vocabulary.printed(text, rnd, LABEL_MISPRINT_RATE).text
            elif text in HEADER_LABELS:
                text = vocabulary.render(text, rnd)
            cells.append((text, rs, cs))
        out.append(cells)
    return out


def title_lines(truth: dict[str, Any], spec: LayoutSpec) -> list[str]:
    if spec.agency_at != "title" or spec.year_style != "arabic":
        return wild.title_lines(truth, spec)
    if not spec.title_wrap:
        return [f"{truth['agency']}{truth['year']}年政府信息公开工作年度报告"]
    return [f"{truth['year']} 年{truth['agency']}政府信息公开工作", "年度报告"]


def t4_part_layouts(truth: dict[str, Any]) -> list[tuple[str, Layout]]:
    """Table 4 as three small tables: a caption each, a header row, one row of five numbers with no label."""
    out = []
    for code, caption in T4_PARTS:
        values = [(_tok(truth, fmt.cell_key("4", f"{code}.{o}")), 1, 1)
                  for o in ("maintain", "correct", "other", "pending", "total")]
        out.append((caption, [[(x, 1, 1) for x in T4_RESULTS], values]))
    return out


LEGAL_PERSON = "法人或其他组织"


def t2_ordered_layout(truth: dict[str, Any], order: tuple[int, ...]) -> Layout:
    """Table 2 with the columns of each three-column block in ``order`` (indices), headers with them."""
    rows = t2_layout(truth)
    out: Layout = []
    for row in rows:
        if len(row) == 4:  # a header or data row of a three-column block: the label, then three cells
            row = [row[0], *(row[1 + i] for i in order)]
        out.append(row)
    return out


def t3_ordered_layout(truth: dict[str, Any], order: tuple[str, ...]) -> Layout:
    """Table 3 with its applicant columns printed in ``order`` (codes), headers with them: the
    two-level header keeps 法人或其他组织 over its five columns, wherever they stand."""
    labels = {c.code: c.label for c in fmt.t3_columns()}
    legal = [c for c in order if c.startswith("lp_")]
    first = order.index(legal[0])
    assert sorted(order) == sorted(labels) and tuple(order[first:first + len(legal)]) == tuple(legal), order
    single = truth["table_formats"]["T3"] in ("2019", "hybrid")
    top: list[tuple[str, int, int]] = []
    for k, code in enumerate(order):
        if not code.startswith("lp_"):
            top.append((labels[code], 2, 1))
        elif k == first:
            top.append((LEGAL_PERSON, 1, len(legal)))
    rows: Layout = [[(T3_NOTE, 3, 3), ("申请人情况", 1, 7)], top, [(labels[c], 1, 1) for c in legal]]
    for r, label_cells in zip(fmt.t3_data_rows(single), t3_label_rows(single), strict=True):
        rows.append(label_cells + [(_tok(truth, fmt.cell_key(r.code, c)), 1, 1) for c in order])
    return rows


T4_GROUP_HEADS = {"R": "行政复议", "LD": "未经复议直接起诉", "LA": "复议后起诉"}
T4_RESULT_CODES = ("maintain", "correct", "other", "pending", "total")


def t4_ordered_layout(truth: dict[str, Any], groups: tuple[str, ...], results: tuple[str, ...]) -> Layout:
    """Table 4 with its proceedings in ``groups`` order (行政诉讼 over its two side by side) and
    each proceeding's results in ``results`` order, headers printed so."""
    names = dict(zip(T4_RESULT_CODES, T4_RESULTS, strict=True))
    assert sorted(groups) == sorted(T4_GROUP_HEADS) and abs(groups.index("LD") - groups.index("LA")) == 1, groups
    top: list[tuple[str, int, int]] = []
    for g in groups:
        if g == "R":
            top.append(("行政复议", 1, 5))
        elif not any(x[0] == "行政诉讼" for x in top):
            top.append(("行政诉讼", 1, 10))
    second: list[tuple[str, int, int]] = []
    for g in groups:
        second += [(names[r], 2, 1) for r in results] if g == "R" else [(T4_GROUP_HEADS[g], 1, 5)]
    third = [(names[r], 1, 1) for g in groups if g != "R" for r in results]
    values = [(_tok(truth, fmt.cell_key("4", f"{g}.{r}")), 1, 1) for g in groups for r in results]
    return [top, second, third, values]


def t4_ordered_parts(truth: dict[str, Any], groups: tuple[str, ...], results: tuple[str, ...]) -> list[tuple[str, Layout]]:
    """Table 4 as three captioned sub-tables, in ``groups`` order, results in ``results`` order."""
    names = dict(zip(T4_RESULT_CODES, T4_RESULTS, strict=True))
    captions = dict(T4_PARTS)
    return [(captions[g], [[(names[r], 1, 1) for r in results],
                           [(_tok(truth, fmt.cell_key("4", f"{g}.{r}")), 1, 1) for r in results]]) for g in groups]


# --- table 4 in other shapes (issue #26 point 2) ------------------------------------------------------

T4_LIST_HEAD = ("案件类型", "办理结果", "数量")


def t4_vertical_layout(truth: dict[str, Any], groups: tuple[str, ...], results: tuple[str, ...],
                       repeated: bool) -> tuple[Layout, int]:
    """Table 4 as a list, one row per proceeding × result and one value column. Merged: 行政复议
    over its results (two columns wide), 行政诉讼 over its two proceedings, each over its results;
    repeated: one label column, 行政复议 or 行政诉讼（…） printed on every row."""
    names = dict(zip(T4_RESULT_CODES, T4_RESULTS, strict=True))
    captions = dict(T4_PARTS)
    kind, result, amount = T4_LIST_HEAD
    if repeated:
        rows: Layout = [[(kind, 1, 1), (result, 1, 1), (amount, 1, 1)]]
        rows += [[(captions[g], 1, 1), (names[r], 1, 1), (_tok(truth, fmt.cell_key("4", f"{g}.{r}")), 1, 1)]
                 for g in groups for r in results]
        return rows, 3
    rows = [[(kind, 1, 2), (result, 1, 1), (amount, 1, 1)]]
    n, litigation = len(results), False
    for g in groups:
        for k, r in enumerate(results):
            lead: list[tuple[str, int, int]] = []
            if k == 0 and g == "R":
                lead = [("行政复议", n, 2)]
            elif k == 0:
                if not litigation:
                    lead.append(("行政诉讼", 2 * n, 1))
                    litigation = True
                lead.append((T4_GROUP_HEADS[g], n, 1))
            rows.append([*lead, (names[r], 1, 1), (_tok(truth, fmt.cell_key("4", f"{g}.{r}")), 1, 1)])
    return rows, 4


def t4_vertical_parts(truth: dict[str, Any], groups: tuple[str, ...],
                      results: tuple[str, ...]) -> list[tuple[str, Layout, int]]:
    """Table 4 as three captioned lists (result | number), one per proceeding."""
    names = dict(zip(T4_RESULT_CODES, T4_RESULTS, strict=True))
    captions = dict(T4_PARTS)
    return [(captions[g], [[(T4_LIST_HEAD[1], 1, 1), (T4_LIST_HEAD[2], 1, 1)],
                           *([(names[r], 1, 1), (_tok(truth, fmt.cell_key("4", f"{g}.{r}")), 1, 1)] for r in results)], 2)
            for g in groups]


def t4_transposed_layout(truth: dict[str, Any], groups: tuple[str, ...], results: tuple[str, ...]) -> tuple[Layout, int]:
    """Table 4 turned: a row per result, a column per proceeding (行政诉讼 over its two)."""
    names = dict(zip(T4_RESULT_CODES, T4_RESULTS, strict=True))
    top: list[tuple[str, int, int]] = [("项目", 2, 1)]
    second: list[tuple[str, int, int]] = []
    for g in groups:
        if g == "R":
            top.append(("行政复议", 2, 1))
            continue
        if not any(x[0] == "行政诉讼" for x in top):
            top.append(("行政诉讼", 1, 2))
        second.append((T4_GROUP_HEADS[g], 1, 1))
    rows: Layout = [top, second]
    rows += [[(names[r], 1, 1), *((_tok(truth, fmt.cell_key("4", f"{g}.{r}")), 1, 1) for g in groups)] for r in results]
    return rows, 1 + len(groups)


def t4_shaped(truth: dict[str, Any], spec: LayoutSpec, groups: tuple[str, ...],
              results: tuple[str, ...]) -> list[tuple[str | None, Layout, int]]:
    """Table 4 in ``spec.t4_shape`` (not "wide")."""
    if spec.t4_shape == "transposed":
        layout, width = t4_transposed_layout(truth, groups, results)
        return [(None, layout, width)]
    if spec.t4_split:
        return list(t4_vertical_parts(truth, groups, results))
    layout, width = t4_vertical_layout(truth, groups, results, spec.t4_shape == "vertical_repeated")
    return [(None, layout, width)]


def _width(layout: Layout) -> int:
    """The grid columns a layout fills (cells listed where they start, merged cells occupying theirs)."""
    occupied: set[tuple[int, int]] = set()
    width = 0
    for r, row in enumerate(layout):
        c = 0
        for _, rs, cs in row:
            while (r, c) in occupied:
                c += 1
            occupied |= {(r + dr, c + dc) for dr in range(rs) for dc in range(cs)}
            c += cs
            width = max(width, c)
    return width


def tables(truth: dict[str, Any], spec: LayoutSpec) -> dict[str, list[tuple[str | None, Layout, int]]]:
    """Per section: (caption, layout, grid columns) of each table printed there."""
    truth = wild.printed_truth(truth, spec)  # cells printed with a unit or footnote mark
    groups, results = spec.t4_groups or tuple(T4_GROUP_HEADS), spec.t4_results or T4_RESULT_CODES
    reordered = bool(spec.t4_groups or spec.t4_results)
    if spec.t4_shape != "wide":
        t4 = t4_shaped(truth, spec, groups, results)
    elif spec.t4_split:
        parts = t4_ordered_parts(truth, groups, results) if reordered else t4_part_layouts(truth)
        t4 = [(caption, layout, 5) for caption, layout in parts]
    else:
        t4 = [(None, t4_ordered_layout(truth, groups, results) if reordered else t4_layout(truth), 15)]
    t3 = t3_ordered_layout(truth, spec.t3_columns) if spec.t3_columns else t3_layout(truth)
    t2 = t2_ordered_layout(truth, spec.t2_columns) if spec.t2_columns else t2_layout(truth)
    if spec.labels_seed:
        rnd = random.Random(spec.labels_seed)
        t2, t3 = printed_labels(t2, rnd), printed_labels(t3, rnd)
        t4 = [(caption, printed_labels(layout, rnd), width) for caption, layout, width in t4]
    return {"S2": [(None, t2, 4)], "S3": [(None, t3, 10)], "S4": t4}


# --- DOCX (and PDF printed from it) ----------------------------------------------------------------

def _border(tag: str, val: str, size: int = 8) -> Any:
    el = OxmlElement(f"w:{tag}")
    el.set(qn("w:val"), val)
    if val != "nil":
        el.set(qn("w:sz"), str(size))
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
    return el


def _table_borders(table: Any, ruling: str) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    outer = {"full": "single", "three_line": "single", "frame": "single", "none": "nil"}[ruling]
    inner = "single" if ruling == "full" else "nil"
    for side in ("top", "bottom"):
        borders.append(_border(side, outer, 12 if ruling == "three_line" else 8))
    for side in ("left", "right"):
        borders.append(_border(side, outer if ruling in ("full", "frame") else "nil"))
    for side in ("insideH", "insideV"):
        borders.append(_border(side, inner))
    tbl_pr.append(borders)


def _cell_bottom_rule(cell: Any) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    borders.append(_border("bottom", "single", 6))
    tc_pr.append(borders)


def _repeat_as_header(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _add_table(document: Any, rows: Layout, n_cols: int, spec: LayoutSpec, header_rows: int, label_cols: int) -> None:
    table = document.add_table(rows=len(rows), cols=n_cols)
    _table_borders(table, spec.ruling)
    # python-docx's table.cell() lays out the whole table on every call: take the cells once, set
    # widths before merging (a merge adds up the widths it swallows), then merge.
    cells = table._cells
    if spec.label_mm and label_cols:
        table.autofit = False
        for r in range(len(rows)):
            for c in range(n_cols):
                cells[r * n_cols + c].width = Mm(spec.label_mm) if c < label_cols else Mm(14)
    occupied: set[tuple[int, int]] = set()
    valign = {"top": WD_CELL_VERTICAL_ALIGNMENT.TOP, "center": WD_CELL_VERTICAL_ALIGNMENT.CENTER,
              "bottom": WD_CELL_VERTICAL_ALIGNMENT.BOTTOM}[spec.valign]
    for r, row in enumerate(rows):
        c = 0
        for text, rs, cs in row:
            while (r, c) in occupied:
                c += 1
            cell = cells[r * n_cols + c]
            if rs > 1 or cs > 1:
                cell = cell.merge(cells[(r + rs - 1) * n_cols + c + cs - 1])
            cell.text = text
            cell.vertical_alignment = valign
            if spec.shaded and (r < header_rows or (label_cols and r % 2)):
                wild.shade(cell)
            if spec.ruling == "three_line" and r + rs == header_rows:
                _cell_bottom_rule(cell)  # the rule under the header: the third line of a 三线表
            for dr in range(rs):
                for dc in range(cs):
                    occupied.add((r + dr, c + dc))
            c += cs
    if spec.repeat_header:
        for r in range(header_rows):
            _repeat_as_header(table.rows[r])


def _new_docx(spec: LayoutSpec) -> Any:
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(spec.font_pt)
    normal.font.name = "SimSun"
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "SimSun")
    normal.paragraph_format.line_spacing = spec.line_spacing
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    if spec.rotate:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    _page_footer(section)
    return document


def _new_report_docx(truth: dict[str, Any], spec: LayoutSpec) -> Any:
    document = _new_docx(spec)
    wild.furnish(document.sections[0], truth, spec)
    return document


def _centred(document: Any, line: str, size: float = 16) -> None:
    heading = document.add_paragraph()
    heading.alignment = 1
    heading.add_run(line).font.size = Pt(size)


def _docx_report(document: Any, truth: dict[str, Any], spec: LayoutSpec) -> None:
    for line in title_lines(truth, spec):
        _centred(document, line)
    for line in wild.preamble(truth, spec):
        document.add_paragraph(line)
    layouts = tables(truth, spec)
    for s in ("S1", "S2", "S3", "S4", "S5", "S6"):
        document.add_paragraph(HEADINGS[s])
        paragraphs = NARRATIVE.get(s, "").split("\n") if s in NARRATIVE else []
        if s == "S1":
            paragraphs = wild.intro_paragraphs(truth, spec) + paragraphs + [LONG_PARAGRAPH] * (spec.narrative_paragraphs - 1)
        for x in paragraphs:
            document.add_paragraph(x)
        for caption, layout, n_cols in layouts.get(s, []):
            if caption:
                document.add_paragraph(caption)
            header_rows = T3_HEADER_ROWS if s == "S3" else T4_HEADER_ROWS.get(spec.t4_shape, 1) if s == "S4" else 0
            _add_table(document, layout, n_cols, spec, header_rows, 3 if s == "S3" else 0)
        if s == "S4" and spec.t4_date:
            document.add_paragraph(wild.date_line(truth)).alignment = 2
    for line in wild.signature_lines(truth, spec):
        document.add_paragraph(line).alignment = 2


def _docx_bytes(document: Any) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    return _fixed_zip(buf.getvalue())


def render_docx(truth: dict[str, Any], spec: LayoutSpec) -> bytes:
    document = _new_report_docx(truth, spec)
    _docx_report(document, truth, spec)
    return _docx_bytes(document)


def rotate_pages(pdf: bytes, angle: int) -> bytes:
    """Each landscape page placed on a portrait page turned by ``angle`` degrees (90: text runs
    bottom-to-top; -90: top-to-bottom) — a rotated table as a PDF printer or scanner app leaves it."""
    src, dst = pdfium.PdfDocument(pdf), pdfium.PdfDocument.new()
    for i in range(len(src)):
        w, h = src[i].get_size()
        form = src.page_as_xobject(i, dst).as_pageobject()
        turn = pdfium.PdfMatrix().rotate(abs(angle), ccw=angle > 0)
        form.transform(turn.translate(h, 0) if angle > 0 else turn.translate(0, w))
        page = dst.new_page(h, w)
        page.insert_obj(form)
        page.gen_content()
    buf = io.BytesIO()
    dst.save(buf)
    return buf.getvalue()


# --- HTML and text ---------------------------------------------------------------------------------

def _t3_with_repeated_header(layout: Layout, at: int) -> Layout:
    """Table 3 as a page-broken rendering gives it: the header rows again before data row ``at``.
    A vertically merged label spanning the break is cut: its lower part prints no label."""
    header, body = layout[:T3_HEADER_ROWS], layout[T3_HEADER_ROWS:]
    cut: Layout = []
    for r, row in enumerate(body):
        new_row = []
        for text, rs, cs in row:
            if r < at < r + rs:  # spans the break: shortened above, an empty continuation below
                new_row.append((text, at - r, cs))
            else:
                new_row.append((text, rs, cs))
        cut.append(new_row)
    # the continuation of cut merged cells: empty cells at the start of row `at`
    lead = [("", r + rs - at, cs) for r, row in enumerate(body[:at]) for text, rs, cs in row if r < at < r + rs]
    cut[at] = lead + cut[at]
    return header + cut[:at] + header + cut[at:]


def html_tables(truth: dict[str, Any], spec: LayoutSpec, break_at: int) -> dict[str, list[tuple[str | None, Layout]]]:
    out: dict[str, list[tuple[str | None, Layout]]] = {}
    for s, items in tables(truth, spec).items():
        out[s] = [(caption, _t3_with_repeated_header(layout, break_at) if s == "S3" and spec.repeat_header else layout)
                  for caption, layout, _ in items]
    return out


def _html_table(rows: Layout, ruling: str, spec: LayoutSpec = LayoutSpec()) -> str:
    if spec.html_cells != "table":
        return wild.div_table(rows, spec.html_cells, spec.char_spans)
    border = {"full": 'border="1"', "frame": 'border="1" frame="box" rules="none"',
              "three_line": 'style="border-top:2px solid;border-bottom:2px solid"', "none": 'border="0"'}[ruling]
    shade = ' style="background:#d9d9d9"' if spec.shaded else ""

    def td(t: str, rs: int, cs: int) -> str:
        span = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
        return f'<td{span}><p><span>{wild.cell_html(t, spec.char_spans)}</span></p></td>'
    return f"<table {border}>" + "".join(f"<tr{shade if r % 2 == 0 else ''}>" + "".join(td(*c) for c in row) + "</tr>"
                                         for r, row in enumerate(rows)) + "</table>"


def _html_report(truth: dict[str, Any], spec: LayoutSpec, break_at: int) -> list[str]:
    heading = "<br>".join(h.escape(x) for x in title_lines(truth, spec))
    parts = [f'<h1 class="title" style="font-size:{spec.font_pt * 2}px">{heading}</h1>',
             *(f"<p>{h.escape(x)}</p>" for x in wild.preamble(truth, spec))]
    layouts = html_tables(truth, spec, break_at)
    for s in ("S1", "S2", "S3", "S4", "S5", "S6"):
        parts.append(f"<p><b>{HEADINGS[s]}</b></p>")
        intro = wild.intro_paragraphs(truth, spec) if s == "S1" else []
        parts += [f"<p>{h.escape(x)}</p>" for x in intro + NARRATIVE.get(s, "").split("\n") if x]
        for caption, layout in layouts.get(s, []):
            if caption:
                parts.append(f"<p>{h.escape(caption)}</p>")
            parts.append(_html_table(layout, spec.ruling, spec))
        if s == "S4" and spec.t4_date:
            parts.append(f'<p style="text-align:right">{wild.date_line(truth)}</p>')
    parts += [f'<p style="text-align:right">{h.escape(x)}</p>' for x in wild.signature_lines(truth, spec)]
    return parts


_HTML_HEAD = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>'


def render_html(truth: dict[str, Any], spec: LayoutSpec, break_at: int) -> bytes:
    head = _HTML_HEAD
    if extra := wild.html_meta(truth, spec) + (wild.DIV_CSS if spec.html_cells == "display_table" else ""):
        head = head.replace("</head>", extra + "</head>")
    return "\n".join([head, *_html_report(truth, spec, break_at), "</body></html>"]).encode("utf-8")


def _text_rows(layout: Layout, n_cols: int, dropped: bool = False) -> list[str]:
    """A table as a paste gives it: one tab-separated line per row, merged cells as empty cells; or
    (``dropped``) one cell per line with every empty cell left out, as a paste of a web page's table
    into a plain editor gives it."""
    occupied: set[tuple[int, int]] = set()
    lines = []
    for r, row in enumerate(layout):
        cells = [""] * n_cols
        c = 0
        for text, rs, cs in row:
            while (r, c) in occupied:
                c += 1
            cells[c] = text
            for dr in range(rs):
                for dc in range(cs):
                    occupied.add((r + dr, c + dc))
            c += cs
        lines += [x for x in cells if x] if dropped else ["\t".join(cells)]
    return lines


def _text_report(truth: dict[str, Any], spec: LayoutSpec, break_at: int) -> list[str]:
    lines = [*title_lines(truth, spec), *wild.preamble(truth, spec), ""]
    layouts = html_tables(truth, spec, break_at)
    widths = {"S2": 4, "S3": 10, "S4": 15}
    for s in ("S1", "S2", "S3", "S4", "S5", "S6"):
        lines += [HEADINGS[s], ""]
        intro = wild.intro_paragraphs(truth, spec) if s == "S1" else []
        lines += [x for x in intro + NARRATIVE.get(s, "").split("\n") if x]
        for caption, layout in layouts.get(s, []):
            if caption:
                lines.append(caption)
            lines += _text_rows(layout, _width(layout) if s == "S4" else widths[s], spec.paste_dropped)
        if s == "S4" and spec.t4_date:
            lines.append(wild.date_line(truth))
        lines.append("")
    return lines + wild.signature_lines(truth, spec)


def render_text(truth: dict[str, Any], spec: LayoutSpec, break_at: int) -> bytes:
    return "\n".join(_text_report(truth, spec, break_at)).encode("utf-8")


# --- the committed layout corpus -------------------------------------------------------------------

# The listed variants, each rendered to every medium (a PDF is printed from the DOCX by LibreOffice).
NAMED: dict[str, LayoutSpec] = {
    "rephead-ruled": LayoutSpec(ruling="full", repeat_header=True, narrative_paragraphs=9),
    "rephead-unruled": LayoutSpec(ruling="none", repeat_header=True, narrative_paragraphs=6),
    "wrap-first": LayoutSpec(ruling="none", label_mm=12, valign="top", narrative_paragraphs=2),
    "wrap-middle": LayoutSpec(ruling="none", label_mm=12, valign="center", narrative_paragraphs=3),
    "wrap-last": LayoutSpec(ruling="none", label_mm=12, valign="bottom", narrative_paragraphs=4),
    "threeline": LayoutSpec(ruling="three_line", label_mm=16, valign="center", narrative_paragraphs=5),
    "frame": LayoutSpec(ruling="frame", label_mm=16, repeat_header=True, narrative_paragraphs=7),
    "t4split": LayoutSpec(ruling="full", t4_split=True),
    "titlewrap": LayoutSpec(title_wrap=True, narrative_paragraphs=2),
    "wps-like": LayoutSpec(ruling="full", font_pt=12.0, line_spacing=1.5, label_mm=22, valign="bottom",
                           narrative_paragraphs=3),
    "rotated": LayoutSpec(ruling="full", rotate=90, narrative_paragraphs=3),
    "rotated-cw-unruled": LayoutSpec(ruling="none", rotate=-90, label_mm=16, valign="center", narrative_paragraphs=2),
}
MEDIA = ("html", "text", "docx", "pdf")
RANDOM_SEED = 2026
RANDOM_COUNT = 64
# Random combinations of every dimension at once — issue #26's too (column orders, labels as printed,
# table 4's shapes, pastes with dropped cells, tests/forge/wild.py): committed as ``layout-wild-*``.
WILD_SEED = 2612
WILD_COUNT = 40
FORMATS = ("2021", "2019", "hybrid")
BLANKS = ("zeros", "blank", "slash", "dash")
ERRORS = (None, None, "t3_total", "t4_total")


@dataclass(frozen=True)
class LayoutDoc:
    name: str
    seed: int
    fmt_name: str
    blank: str
    error: str | None
    spec: LayoutSpec
    medium: str
    break_at: int  # HTML/text: the data row of table 3 a repeated header is printed before


def plan() -> list[LayoutDoc]:
    """Every document of the layout corpus: the named variants in every medium, then random
    combinations of every dimension (layout, medium, format, blank tokens, deliberate errors)."""
    rnd = random.Random(RANDOM_SEED)
    docs = []
    for k, (variant, spec) in enumerate(NAMED.items()):
        for m, medium in enumerate(MEDIA):
            seed = 500 + 10 * k + m
            fmt_name, blank, error = FORMATS[seed % 3], BLANKS[seed % 4], ERRORS[(k + m) % 4]
            docs.append(LayoutDoc(f"layout-{variant}-{medium}", seed, fmt_name, blank, error, spec, medium, 5 + k))
    for i, spec in enumerate(draw_specs(RANDOM_SEED, RANDOM_COUNT)):
        medium = rnd.choice(("pdf", "pdf", "pdf", "docx", "html", "text"))
        docs.append(LayoutDoc(f"layout-random-{i:02d}-{medium}", 1000 + i, rnd.choice(FORMATS), rnd.choice(BLANKS),
                              rnd.choice(ERRORS), spec, medium, rnd.randint(1, 20)))
    drawn = random.Random(WILD_SEED)
    for i, spec in enumerate(draw_specs(WILD_SEED, WILD_COUNT, column_orders=True, labels=True, t4_shapes=True,
                                        paste_dropped=True, wild=True)):
        medium = drawn.choice(("pdf", "pdf", "pdf", "docx", "html", "text"))
        docs.append(LayoutDoc(f"layout-wild-{i:02d}-{medium}", 4000 + i, drawn.choice(FORMATS), drawn.choice(BLANKS),
                              drawn.choice(ERRORS), spec, medium, drawn.randint(1, 20)))
    return docs


def render_doc(truth: dict[str, Any], doc: LayoutDoc) -> bytes:
    """The document's bytes; for a PDF, the DOCX it is printed from."""
    if doc.medium == "html":
        return render_html(truth, doc.spec, doc.break_at)
    if doc.medium == "text":
        return render_text(truth, doc.spec, doc.break_at)
    return render_docx(truth, doc.spec)


def expected_violations(truth: dict[str, Any]) -> list[tuple[str, list[str], float, float]]:
    """The publisher errors the report prints — rule, cells (sorted), expected, found — as the forge's
    own checker (tests/forge/oracle.py) computes them from the true cells, not the validator's rules."""
    return oracle.violations(truth["cells"], truth["table_formats"])


# --- collections (汇编): several agencies' reports in one document ----------------------------------

@dataclass(frozen=True)
class CollectionDoc:
    """A county's collection: a cover, a contents page (titles alone, or with page numbers), then
    each department's report on new pages, each in its own layout."""

    name: str
    county: str
    year: int
    members: tuple[tuple[str, LayoutDoc], ...]  # (agency, how its report is drawn)
    medium: str
    numbered_contents: bool


def collection_truths(doc: CollectionDoc) -> list[dict[str, Any]]:
    truths = []
    for agency, member in doc.members:
        truth = make_truth(member.seed, member.fmt_name, member.blank, member.error)
        truth["agency"], truth["year"] = agency, doc.year
        truth["layout"], truth["medium"] = member.spec.describe(), doc.medium
        truths.append(truth)
    return truths


def _contents(doc: CollectionDoc, truths: list[dict[str, Any]]) -> list[str]:
    titles = [f"{t['agency']}{t['year']}年政府信息公开工作年度报告" for t in truths]
    return ["目录", *(f"{x}……{k + 1}" if doc.numbered_contents else x for k, x in enumerate(titles))]


def render_collection(doc: CollectionDoc, truths: list[dict[str, Any]]) -> bytes:
    """The collection's bytes; for a PDF, the DOCX it is printed from."""
    cover = f"{doc.county}{doc.year}年政府信息公开工作年度报告汇编"
    members = [(t, m) for t, (_, m) in zip(truths, doc.members, strict=True)]
    if doc.medium == "html":
        body = [_HTML_HEAD, f"<h1>{h.escape(cover)}</h1>", *(f"<p>{h.escape(x)}</p>" for x in _contents(doc, truths))]
        for truth, member in members:
            body += ["<hr>", *_html_report(truth, member.spec, member.break_at)]
        return "\n".join([*body, "</body></html>"]).encode("utf-8")
    if doc.medium == "text":
        lines = [cover, "", *_contents(doc, truths), ""]
        for truth, member in members:
            lines += _text_report(truth, member.spec, member.break_at)
        return "\n".join(lines).encode("utf-8")
    document = _new_docx(doc.members[0][1].spec)
    _centred(document, cover, 20)
    for line in _contents(doc, truths):
        document.add_paragraph(line)
    for truth, member in members:
        document.add_page_break()
        _docx_report(document, truth, member.spec)
    return _docx_bytes(document)


def collections() -> list[CollectionDoc]:
    """Two collections of three reports in every medium: one with the listed layouts (full grid;
    unruled with wrapped labels and a repeated header; 三线表 with table 4 split), one with layouts
    drawn at random (title wrapping included)."""
    listed = (("青石县交通运输局", LayoutSpec(ruling="full", narrative_paragraphs=2), "2021"),
              ("青石县自然资源局", LayoutSpec(ruling="none", repeat_header=True, label_mm=12, valign="bottom",
                                             narrative_paragraphs=5), "hybrid"),
              ("青石县教育局", LayoutSpec(ruling="three_line", t4_split=True, label_mm=16, narrative_paragraphs=3), "2021"))
    drawn = [replace(s, rotate=0, font_pt=10.0, line_spacing=1.0) for s in draw_specs(RANDOM_SEED + 7, 3)]
    random_members = tuple(zip(("南岸县市场监督管理局", "南岸县人民政府办公室", "南岸县卫生健康委员会"), drawn,
                               ("2021", "hybrid", "2021"), strict=True))
    out = []
    for k, (set_name, county, year, specs, numbered) in enumerate(
            (("collection-listed", "青石县", 2023, listed, False), ("collection-random", "南岸县", 2024, random_members, True))):
        for m, medium in enumerate(MEDIA):
            members = tuple((agency, LayoutDoc(f"{set_name}-{medium}-{i}", 700 + 40 * k + 10 * m + i, fmt_name,
                                               BLANKS[(k + m + i) % 4], ERRORS[(k + m + i) % 4], spec, medium, 4 + i))
                            for i, (agency, spec, fmt_name) in enumerate(specs))
            out.append(CollectionDoc(f"{set_name}-{medium}", county, year, members, medium, numbered))
    return out
