"""Reports drawn straight onto a PDF canvas (reportlab) — a second generator beside the forge's
LibreOffice prints, so the PDF parser is measured on documents it was not tuned to.

Every page is drawn here, box by box: the title, the section headings and prose, tables 2/3/4 with
the format's labels (``tests.forge.render`` layouts for the truth's format) and the truth's values or
blank tokens. Independent dimensions are drawn at random from a seed (``draw_spec``):

- ruling: full lines, borders as thin filled rectangles (one path each, or all in one path), 三线表
  (three rules), none;
- shading: header cells and every other data row filled grey (rectangles behind the text);
- watermark: 仅供参考 or the agency's name in large grey type, diagonal or level, over the tables;
- running header and footer: the agency and year at the top of every page, "第 N 页 共 M 页" below;
  furniture drawn before the page's content or after it (first or last in the page's text);
- a signature block (the agency, then a date such as "2023 年 1 月 11 日") right under table 4;
- blank cells as nothing, '—' or '/' (the truth's blank style), and one table-3 row all blank marks;
- a page break forced inside table 3 (with or without the header repeated), font size, prose length.

Expected cells are the truth's (``make_truth``); expected publisher violations are none for a truth
that obeys the rules, or — for a truth with table 4's 复议 total printed wrong — worked out here by
hand from the truth's numbers (never by the rules engine under test).
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from schemas import format as fmt
from tests.forge.render import HEADINGS, NARRATIVE, Layout, t2_layout, t3_layout, t4_layout, title
from tests.forge.truths import make_truth
from tests.forge.word import LONG_PARAGRAPH

FONT = "STSong-Light"  # reportlab's built-in CID font: text extracts as Unicode (UniGB-UCS2-H)
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

PAGE_W, PAGE_H = 595.0, 842.0  # A4 in points
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 50.0, 70.0, 70.0
PAD = 3.0
RULINGS = ("lines", "rects", "three_line", "none")
WATERMARKS = (None, "仅供参考", "agency")
BLANKS = ("zeros", "blank", "dash", "slash")
T3_HEADER_ROWS = 3
# column widths (pt) per table; each table is 495 pt wide
WIDTHS = {"T2": [175.0, 105.0, 105.0, 110.0], "T3": [30.0, 52.0, 119.0] + [42.0] * 7, "T4": [33.0] * 15}


@dataclass(frozen=True)
class DrawnSpec:
    seed: int
    fmt_name: str = "2021"
    blank: str = "zeros"  # make_truth's blank style: zeros | blank (nothing printed) | dash (—) | slash (/)
    ruling: str = "lines"
    shading: bool = False
    watermark: str | None = None  # None | 仅供参考 | agency
    watermark_angle: int = 45
    running: bool = False  # running header (agency, year) and footer 第 N 页 共 M 页
    signature: bool = False  # agency and date right under table 4
    blank_row: bool = False  # one table-3 row printed as blank marks only
    t3_break: int = 0  # data row of table 3 a page break is forced before (0: where the page ends)
    repeat_header: bool = False  # table 3's header rows again on the continuation page
    font_pt: float = 9.0
    paragraphs: int = 1  # prose paragraphs in section 1
    error: str | None = None  # None | t4_total (table 4's 复议 总计 printed 2 short)
    t4_blank_row: bool = False  # table 4's one row printed as blank marks only (nothing happened that year)
    furniture_first: bool = False  # header, footer and watermark drawn before the page's content (first in its text)
    bars_one_path: bool = False  # ruling "rects": all of a table part's bars filled as one path (many subpaths)

    def describe(self) -> dict[str, Any]:
        return asdict(self)


def draw_spec(seed: int) -> DrawnSpec:
    """One document's dimensions, each drawn independently (reproducible for ``seed``)."""
    rnd = random.Random(seed)
    return DrawnSpec(
        seed=seed, fmt_name=rnd.choice(("2021", "2021", "2019", "hybrid")), blank=rnd.choice(BLANKS),
        ruling=rnd.choice(RULINGS), shading=rnd.random() < 0.4, watermark=rnd.choice(WATERMARKS),
        watermark_angle=rnd.choice((45, 30, -35, 0)), running=rnd.random() < 0.5, signature=rnd.random() < 0.5,
        blank_row=rnd.random() < 0.35, t3_break=rnd.choice((0, 0, rnd.randint(1, 20))),
        repeat_header=rnd.random() < 0.5, font_pt=rnd.choice((9.0, 9.0, 10.0)), paragraphs=rnd.randint(1, 6),
        error="t4_total" if rnd.random() < 0.15 else None,
        # (drawn from a stream of its own, so adding the dimension left the other draws as they were)
        t4_blank_row=random.Random(seed + 1).random() < 0.2, furniture_first=random.Random(seed + 2).random() < 0.5,
        bars_one_path=random.Random(seed + 3).random() < 0.5)


# --- the truth ---------------------------------------------------------------------------------------

def drawn_truth(spec: DrawnSpec) -> dict[str, Any]:
    """``make_truth`` for the spec, with the all-blank table-3 row when the spec asks for one."""
    truth = make_truth(spec.seed, spec.fmt_name, spec.blank, spec.error)
    if spec.blank != "zeros":
        blank_zeros(truth, random.Random(spec.seed + 5), {"blank": "", "slash": "/", "dash": "—"}[spec.blank])
    if spec.blank_row:
        truth["blank_row"] = blank_row(truth, random.Random(spec.seed + 7), "/" if spec.blank == "slash" else "—")
    if spec.t4_blank_row:
        mark = "/" if spec.blank == "slash" else "—"
        for d in fmt.t4_cells():
            truth["cells"][d.key] = None
            truth["raw_tokens"][d.key] = mark
        truth["deliberate_errors"] = [e for e in truth["deliberate_errors"] if not e["rule"].startswith("T4.")]
    truth["drawn"] = spec.describe()
    return truth


def blank_zeros(truth: dict[str, Any], rnd: random.Random, token: str) -> None:
    """Zeros of tables 2 and 4 printed as the blank token too, about half of them (make_truth blanks
    table 3's detail only). Table 4's 复议 group stays printed when it carries a deliberate error."""
    keep = "4|R." if truth["deliberate_errors"] else None
    for key, value in list(truth["cells"].items()):
        if (key.startswith(("2.", "4|")) and value == 0 and not isinstance(value, float)
                and not (keep and key.startswith(keep)) and rnd.random() < 0.5):
            truth["cells"][key] = None
            truth["raw_tokens"][key] = token


def blank_row(truth: dict[str, Any], rnd: random.Random, mark: str) -> str:
    """Print one outcome row of table 3 as nothing but ``mark``: its counts move to another outcome
    row first (every column's sums stay), so the truth still obeys the rules. Returns the row code."""
    single = truth["table_formats"]["T3"] in ("2019", "hybrid")
    leaves = [r.code for r in fmt.t3_data_rows(single) if r.code.startswith("3.3.") and r.code != "3.3.7"]
    row, other = rnd.sample(leaves, 2)
    cells = truth["cells"]
    for a in fmt.T3_APPLICANT_COLUMNS:
        moved = cells[f"{row}|{a}"] or 0
        if moved:
            cells[f"{other}|{a}"] = (cells[f"{other}|{a}"] or 0) + moved
            truth["raw_tokens"].pop(f"{other}|{a}", None)
    cells[f"{other}|total"] = sum(cells[f"{other}|{a}"] or 0 for a in fmt.T3_APPLICANT_COLUMNS)
    for c in fmt.t3_columns():
        cells[f"{row}|{c.code}"] = None
        truth["raw_tokens"][f"{row}|{c.code}"] = mark
    return row


def expected_violations(truth: dict[str, Any]) -> list[tuple[str, list[str], float, float]]:
    """Worked out by hand: a rule-obeying truth breaks nothing; ``t4_total`` prints 行政复议's 总计 two
    short of its four parts (cells listed parts first, then the total, as the report reads them)."""
    if not any(e["rule"] == "T4.review_total" for e in truth["deliberate_errors"]):
        return []
    c = truth["cells"]
    parts = [f"4|R.{k}" for k in ("maintain", "correct", "other", "pending")]
    return [("T4.review_total", [*parts, "4|R.total"], float(sum(c[k] for k in parts)), float(c["4|R.total"]))]


# --- drawing -----------------------------------------------------------------------------------------

Op = Callable[[canvas.Canvas], None]


def _width(text: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, FONT, size)


def _wrap(text: str, width: float, size: float) -> list[str]:
    """Greedy character wrap (CJK text breaks anywhere; a number is never cut)."""
    if not text:
        return []
    if _width(text, size) <= width or not any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return [text]
    lines, line = [], ""
    for ch in text:
        if line and _width(line + ch, size) > width:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line] if line else lines


@dataclass
class _Cell:
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str


def _cells(layout: Layout) -> list[_Cell]:
    out, occupied = [], set()
    for r, row in enumerate(layout):
        c = 0
        for text, rs, cs in row:
            while (r, c) in occupied:
                c += 1
            out.append(_Cell(r, c, rs, cs, text))
            occupied |= {(r + dr, c + dc) for dr in range(rs) for dc in range(cs)}
            c += cs
    return out


class _Flow:
    """Pages as lists of drawing operations, filled top-down; page furniture is added at the end."""

    def __init__(self, spec: DrawnSpec) -> None:
        self.spec = spec
        self.size = spec.font_pt
        self.leading = spec.font_pt * 1.3
        self.pages: list[list[Op]] = [[]]
        self.y = PAGE_H - MARGIN_TOP  # the top of free space, in PDF coordinates (origin bottom-left)

    def new_page(self) -> None:
        self.pages.append([])
        self.y = PAGE_H - MARGIN_TOP

    def room(self) -> float:
        return self.y - MARGIN_BOTTOM

    def draw(self, op: Op) -> None:
        self.pages[-1].append(op)

    def text_line(self, text: str, x: float, size: float, centred: bool = False) -> None:
        if self.room() < size * 1.3:
            self.new_page()
        y = self.y - size

        def op(cv: canvas.Canvas, text: str = text, x: float = x, y: float = y) -> None:
            cv.setFont(FONT, size)
            (cv.drawCentredString if centred else cv.drawString)(x, y, text)
        self.draw(op)
        self.y -= size * 1.3

    def paragraph(self, text: str) -> None:
        for line in _wrap(text, PAGE_W - 2 * MARGIN_X - 2 * self.size, self.size):
            self.text_line(line, MARGIN_X + (2 * self.size if line == text[: len(line)] else 0), self.size)
        self.y -= self.leading * 0.4

    def gap(self, pt: float) -> None:
        self.y -= pt

    # -- tables --------------------------------------------------------------------------------
    def table(self, name: str, layout: Layout, header_rows: int, label_cols: int, break_before: int = 0,
              keep_together: bool = False) -> None:
        widths = WIDTHS[name]
        xs = [MARGIN_X]
        for w in widths:
            xs.append(xs[-1] + w)
        cells = _cells(layout)
        n_rows = len(layout)
        heights = [self.leading + 2 * PAD] * n_rows
        for cell in cells:
            lines = _wrap(cell.text, xs[cell.col + cell.colspan] - xs[cell.col] - 2 * PAD, self.size)
            need = len(lines) * self.leading + 2 * PAD
            if cell.rowspan == 1:
                heights[cell.row] = max(heights[cell.row], need)
            elif need > sum(heights[cell.row:cell.row + cell.rowspan]):
                heights[cell.row + cell.rowspan - 1] += need - sum(heights[cell.row:cell.row + cell.rowspan])
        if keep_together and sum(heights) > self.room():
            self.new_page()
        # rows → (page index, top y) with page breaks where a row does not fit, or where forced
        placed: list[tuple[int, float]] = []
        parts: list[tuple[int, int]] = []  # (first row, last row + 1) per page
        start = 0
        r = 0
        while r < n_rows:
            forced = break_before and r == header_rows + break_before - 1 and r > start
            if (heights[r] > self.room() and r > start) or forced:
                parts.append((start, r))
                self.new_page()
                start = r
                if self.spec.repeat_header and name == "T3" and r >= header_rows:
                    self._repeat_header(cells, xs, heights, header_rows)
            elif heights[r] > self.room():  # nothing of the table on this page yet: start it on the next
                self.new_page()
            placed.append((len(self.pages) - 1, self.y))
            self.y -= heights[r]
            r += 1
        parts.append((start, n_rows))
        for first, end in parts:
            self._draw_part(cells, xs, heights, placed, first, end, header_rows, label_cols)
        self.y -= self.leading

    def _repeat_header(self, cells: list[_Cell], xs: list[float], heights: list[float], header_rows: int) -> None:
        top = self.y
        tops = [top - sum(heights[:k]) for k in range(header_rows)]
        page = len(self.pages) - 1
        placed = [(page, t) for t in tops]
        self._draw_part([c for c in cells if c.row < header_rows], xs, heights, placed, 0, header_rows, header_rows, 0)
        self.y -= sum(heights[:header_rows])

    def _draw_part(self, cells: list[_Cell], xs: list[float], heights: list[float], placed: list[tuple[int, float]],
                   first: int, end: int, header_rows: int, label_cols: int) -> None:
        """The rows ``first``…``end``-1 (all on one page): shading, text, then rulings."""
        page = placed[first][0]
        spec, size, leading = self.spec, self.size, self.leading
        top_y = placed[first][1]
        bottom_y = placed[end - 1][1] - heights[end - 1]
        ops: list[Op] = []
        boxes: list[tuple[float, float, float, float]] = []
        for cell in cells:
            r0, r1 = max(cell.row, first), min(cell.row + cell.rowspan, end)
            if r0 >= r1:
                continue
            x0, x1 = xs[cell.col], xs[cell.col + cell.colspan]
            y_top, y_bottom = placed[r0][1], placed[r1 - 1][1] - heights[r1 - 1]
            boxes.append((x0, y_top, x1, y_bottom))
            if spec.shading and (cell.row < header_rows or (cell.row - header_rows) % 2 == 1):
                grey = 0.85 if cell.row < header_rows else 0.93
                ops.insert(0, lambda cv, b=(x0, y_bottom, x1 - x0, y_top - y_bottom), g=grey: _fill(cv, b, g))
            lines = _wrap(cell.text, x1 - x0 - 2 * PAD, size)
            if not lines or not self._text_here(cell, first, end, heights):
                continue
            block = len(lines) * leading
            y = (y_top + y_bottom) / 2 + block / 2 - size  # centred vertically in the part
            is_label = cell.row >= header_rows and cell.col < label_cols
            for line in lines:
                x = x0 + PAD if is_label else (x0 + x1) / 2

                def op(cv: canvas.Canvas, line: str = line, x: float = x, y: float = y, left: bool = is_label) -> None:
                    cv.setFont(FONT, size)
                    (cv.drawString if left else cv.drawCentredString)(x, y + 0.2 * size, line)
                ops.append(op)
                y -= leading
        ops += self._rulings(boxes, xs, placed, heights, first, end, header_rows, top_y, bottom_y)
        self.pages[page] += ops

    def _text_here(self, cell: _Cell, first: int, end: int, heights: list[float]) -> bool:
        """A merged cell cut by a page break prints its text in the taller of its parts."""
        if first <= cell.row and cell.row + cell.rowspan <= end:
            return True
        span = range(cell.row, cell.row + cell.rowspan)
        here = sum(heights[r] for r in span if first <= r < end)
        return here * 2 >= sum(heights[r] for r in span) and (here * 2 > sum(heights[r] for r in span) or first > cell.row)

    def _rulings(self, boxes: list[tuple[float, float, float, float]], xs: list[float], placed: list[tuple[int, float]],
                 heights: list[float], first: int, end: int, header_rows: int, top_y: float, bottom_y: float) -> list[Op]:
        ruling = self.spec.ruling
        if ruling == "none":
            return []
        if ruling == "three_line":
            rules = [(top_y, 1.5), (bottom_y, 1.5)]
            if first < header_rows <= end:
                rules.append((placed[header_rows - 1][1] - heights[header_rows - 1], 0.75))
            return [lambda cv, y=y, w=w: _hline(cv, xs[0], xs[-1], y, w) for y, w in rules]
        if ruling == "rects" and self.spec.bars_one_path:
            return [lambda cv, boxes=list(boxes): _bars_path(cv, boxes)]
        ops: list[Op] = []
        for x0, y_top, x1, y_bottom in boxes:
            if ruling == "lines":
                ops.append(lambda cv, b=(x0, y_top, x1, y_bottom): _stroke_box(cv, b))
            else:  # each border a thin filled rectangle, as some PDF writers draw table borders
                ops.append(lambda cv, b=(x0, y_top, x1, y_bottom): _rect_box(cv, b))
        return ops


def _fill(cv: canvas.Canvas, box: tuple[float, float, float, float], grey: float) -> None:
    cv.setFillGray(grey)
    cv.rect(*box, stroke=0, fill=1)
    cv.setFillGray(0)


def _hline(cv: canvas.Canvas, x0: float, x1: float, y: float, width: float) -> None:
    cv.setLineWidth(width)
    cv.line(x0, y, x1, y)


def _stroke_box(cv: canvas.Canvas, box: tuple[float, float, float, float]) -> None:
    x0, y_top, x1, y_bottom = box
    cv.setLineWidth(0.5)
    for a, b in (((x0, y_top), (x1, y_top)), ((x0, y_bottom), (x1, y_bottom)), ((x0, y_top), (x0, y_bottom)),
                 ((x1, y_top), (x1, y_bottom))):
        cv.line(*a, *b)


def _rect_box(cv: canvas.Canvas, box: tuple[float, float, float, float]) -> None:
    x0, y_top, x1, y_bottom = box
    t = 0.6
    cv.setFillGray(0)
    cv.rect(x0 - t / 2, y_top - t / 2, x1 - x0 + t, t, stroke=0, fill=1)
    cv.rect(x0 - t / 2, y_bottom - t / 2, x1 - x0 + t, t, stroke=0, fill=1)
    cv.rect(x0 - t / 2, y_bottom - t / 2, t, y_top - y_bottom + t, stroke=0, fill=1)
    cv.rect(x1 - t / 2, y_bottom - t / 2, t, y_top - y_bottom + t, stroke=0, fill=1)


def _bars_path(cv: canvas.Canvas, boxes: list[tuple[float, float, float, float]]) -> None:
    """Every border of a table part as a bar, all in one filled path (as some PDF writers emit a grid)."""
    t = 0.6
    path = cv.beginPath()
    for x0, y_top, x1, y_bottom in boxes:
        for bar in ((x0 - t / 2, y_top - t / 2, x1 - x0 + t, t), (x0 - t / 2, y_bottom - t / 2, x1 - x0 + t, t),
                    (x0 - t / 2, y_bottom - t / 2, t, y_top - y_bottom + t), (x1 - t / 2, y_bottom - t / 2, t, y_top - y_bottom + t)):
            path.rect(*bar)
    cv.setFillGray(0)
    cv.drawPath(path, stroke=0, fill=1)


def _watermark(cv: canvas.Canvas, text: str, angle: int) -> None:
    cv.saveState()
    cv.setFillGray(0.75)
    cv.setFillAlpha(0.35)
    cv.translate(PAGE_W / 2, PAGE_H / 2)
    cv.rotate(angle)
    size = min(72.0, (PAGE_W * 0.9) / max(len(text), 1))
    cv.setFont(FONT, size)
    cv.drawCentredString(0, -size / 2, text)
    cv.drawCentredString(0, PAGE_H / 4, text)
    cv.drawCentredString(0, -PAGE_H / 4, text)
    cv.restoreState()


def signature_date(truth: dict[str, Any], rnd: random.Random) -> str:
    return f"{truth['year'] + 1} 年 {rnd.randint(1, 3)} 月 {rnd.randint(1, 28)} 日"


def render_pdf(truth: dict[str, Any], spec: DrawnSpec) -> bytes:
    rnd = random.Random(spec.seed + 11)
    flow = _Flow(spec)
    head = title(truth)
    for line in _wrap(head, PAGE_W - 2 * MARGIN_X, 16):
        flow.text_line(line, PAGE_W / 2, 16, centred=True)
    flow.gap(8)
    for s in ("S1", "S2", "S3", "S4", "S5", "S6"):
        flow.text_line(HEADINGS[s], MARGIN_X, spec.font_pt + 1)
        for x in NARRATIVE.get(s, "").split("\n") if s in NARRATIVE else []:
            flow.paragraph(x)
        if s == "S1":
            for _ in range(spec.paragraphs - 1):
                flow.paragraph(LONG_PARAGRAPH)
        if s == "S2":
            flow.table("T2", t2_layout(truth), 0, 1)
        if s == "S3":
            flow.table("T3", t3_layout(truth), T3_HEADER_ROWS, 3, break_before=spec.t3_break)
        if s == "S4":
            flow.table("T4", t4_layout(truth), 3, 0, keep_together=True)
            if spec.signature:
                flow.gap(rnd.choice((0.0, 6.0, 14.0)))
                right = PAGE_W - MARGIN_X - 20
                for line in (truth["agency"], signature_date(truth, rnd)):
                    width = _width(line, spec.font_pt + 1)
                    flow.text_line(line, right - width, spec.font_pt + 1)
                flow.gap(flow.leading)
    buf = io.BytesIO()
    cv = canvas.Canvas(buf, pagesize=(PAGE_W, PAGE_H), invariant=1, pageCompression=0)
    cv.setTitle("")
    total = len(flow.pages)
    mark = truth["agency"] if spec.watermark == "agency" else spec.watermark
    for n, ops in enumerate(flow.pages, start=1):
        if not spec.furniture_first:
            for op in ops:
                op(cv)
        if spec.running:
            cv.setFont(FONT, 8)
            cv.drawString(MARGIN_X, PAGE_H - 40, f"{truth['agency']} {truth['year']} 年政府信息公开工作年度报告")
            _hline(cv, MARGIN_X, PAGE_W - MARGIN_X, PAGE_H - 45, 0.5)
            cv.setFont(FONT, 9)
            cv.drawCentredString(PAGE_W / 2, 35, f"第 {n} 页 共 {total} 页")
        if mark:
            _watermark(cv, mark, spec.watermark_angle)
        if spec.furniture_first:
            for op in ops:
                op(cv)
        cv.showPage()
    cv.save()
    return buf.getvalue()


def drawn_document(seed: int, **overrides: Any) -> tuple[bytes, dict[str, Any]]:
    """The PDF and its truth for ``seed`` (dimensions drawn from it, or as overridden)."""
    spec = draw_spec(seed)
    if overrides:
        spec = DrawnSpec(**{**spec.describe(), **overrides})
    truth = drawn_truth(spec)
    return render_pdf(truth, spec), truth
