"""PDF reports with a text layer: a cheap text pass over every page, pdfplumber's table finder only
where tables are.

pypdfium2 reads every page's text in ~2 ms (pdfplumber's layout pass costs 25–90 ms a page); that
text gives the title, the narrative sections and the OCR check, and picks the pages worth
pdfplumber's table finder: pages naming rows of the format, and a page after a table page that
still holds a row of numbers. Merged cells come back as ``None`` and are skipped (their text sits
in the top-left cell); a row cut by a page break is joined; pages with table text but no ruling
lines are read from word positions (``pdf_words``). A PDF without a usable text layer fails as
``needs_ocr`` / ``unreadable_text`` — never guessed.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from typing import Any

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfminer.pdfparser import PDFSyntaxError
from pdfplumber.table import Table
from pdfplumber.utils.exceptions import PdfminerException

from pipelines.parse import labels as lab
from pipelines.parse import ocr
from pipelines.parse.base import ExtractedDocument, Grid, GridCell, ParseError
from pipelines.parse.columns import header_word_start
from pipelines.parse.identify import page_title_candidates, title_line
from pipelines.parse.identity_sources import names_agency
from pipelines.parse.identity_sources import running_lines as page_header_lines
from pipelines.parse.normalize import clean_cell, normalise_label
from pipelines.parse.pdf_line_order import page_text
from pipelines.parse.pdf_pages import PdfiumPage, drop_oversized, extract_table
from pipelines.parse.pdf_words import (
    HEADER_SET,
    HEADER_VOCABULARY,
    ORDINAL,
    PAGE_FOOTER,
    furniture_key,
    is_furniture,
    page_has_table_text,
    running_lines,
    t4_list_label,
    word_grids,
)
from pipelines.parse.tokens import parse_token
from schemas import labels as L

_CID = re.compile(r"\(cid:\d+\)")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Header words and row starts that only the report's tables print (narratives do say 结果维持 72 件).
_TABLE_WORDS = re.compile(r"信息内容|申请人情况|本年制发件数|本年新收|上年结转|商业企业|未经复议直接起诉")
# A line that ends in numbers only: a table row as a text layer gives it, not a sentence. Its label
# may start with an ordinal ("2.重复申请 0 1 0"): a page holding only such rows of table 3 is one.
_ROW_LINE = re.compile(r"(?m)^(?:\d{1,2}[.、．](?!\d))?[^\d\n]{0,40}?(?:\s|^)(?:\d+(?:\.\d+)?|/|—)(?:\s+(?:\d+(?:\.\d+)?|/|—))*\s*$")
MIN_TEXT_CHARS_PER_PAGE = 20
TITLE_LINES = 5  # the first page's first lines hold the title, even when it reads like a running header
Box = tuple[float, float, float, float]


def _pdf_text_problem(text: str, pages: int) -> str | None:
    visible = re.sub(r"\s", "", text)
    if len(visible) < MIN_TEXT_CHARS_PER_PAGE * max(pages, 1) / 4:
        return "needs_ocr"
    cid_chars = sum(len(m) for m in _CID.findall(visible))
    private = sum(1 for ch in visible if "\ue000" <= ch <= "\uf8ff")
    if cid_chars * 3 > len(visible) or private * 10 > len(visible) or len(_CJK.findall(visible)) * 20 < len(visible):
        return "unreadable_text"
    return None


def page_texts(data: bytes, name: str) -> list[str]:
    """Every page's text by pypdfium2 (fast; no layout analysis but each line's glyphs left to right)."""
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        raise ParseError("corrupt_pdf", f"not a readable PDF ({err})", name) from err
    try:
        return [page_text(pdf[i].get_textpage()) for i in range(len(pdf))]
    finally:
        pdf.close()


def table_pages(texts: list[str]) -> list[int]:
    """0-based pages worth pdfplumber's table finder: pages with table header words or several
    lines that end in bare numbers, and a page right after a table page that still has such a line
    (a table going on over the page break)."""
    chosen: list[int] = []
    for i, text in enumerate(texts):
        rows = len(_ROW_LINE.findall(text))
        if _TABLE_WORDS.search(text) or rows >= 3 or (chosen and chosen[-1] == i - 1 and rows >= 1):
            chosen.append(i)
    return chosen


class PdfParser:
    media_type = "pdf"

    def extract(self, data: bytes, name: str, declared_charset: str | None = None) -> ExtractedDocument:
        texts = page_texts(data, name)
        problem = _pdf_text_problem("\n".join(texts), len(texts))
        if problem == "unreadable_text":
            # pdfium maps glyphs without a Unicode map to stray Latin-1 characters; pdfminer's view
            # ('(cid:N)') tells a broken text layer from a PDF that is simply not Chinese.
            texts = self._plumber_texts(data, name)
            problem = _pdf_text_problem("\n".join(texts), len(texts))
        if problem is not None:
            if not ocr.available():
                why = (f"no usable text layer on {len(texts)} page(s) (scanned?)" if problem == "needs_ocr" else
                       "the text layer is (cid:N) glyphs or private-use characters")
                raise ParseError(problem, f"{why}; OCR needed and no OCR engine is installed (or NIANBAO_OCR=off)", name)
            doc = self._scanned(data, name, len(texts))  # (a page image reads what broken glyphs do not)
            if problem == "unreadable_text" and not doc.grids:
                raise ParseError("unreadable_text", "the text layer is (cid:N) glyphs or private-use characters, and OCR "
                                 "of the rendered pages found no table either", name)
            return doc
        broken = broken_pages(data, texts) if ocr.available() else []
        with _TablePages(data, name) as pages:
            if not broken:
                grids, turned = self._grids(pages, texts)
                return self._document(texts, grids, turned)
            # A partly broken text layer (a table pasted as a picture, a page of unmapped glyphs):
            # those pages only are read by OCR; the rest keep their text layer.
            ocr.announce(len(broken))
            scanned = ocr.ocr_pages(data, broken)
            texts = [scanned[i].text() if i in scanned else t for i, t in enumerate(texts)]
            grids, turned = self._grids(_MixedPages(pages, scanned), texts, sorted(set(table_pages(texts)) | set(broken)))
            set_confidences(grids, scanned)
            doc = self._document(texts, grids, turned)
            doc.ocr_pages = len(broken)
            return doc

    def _scanned(self, data: bytes, name: str, page_count: int) -> ExtractedDocument:
        """A scan: the pages that matter OCR'd (all of them, or for a long scan the title page and
        the pages with tables), then the same table finder and word grids."""
        chosen = list(range(page_count)) if page_count <= ocr.MAX_PAGES else scan_table_pages(data)
        if len(chosen) > ocr.MAX_PAGES:
            raise ParseError("needs_ocr", f"{page_count} scanned pages, {len(chosen)} of them with tables: more than the "
                             f"{ocr.MAX_PAGES}-page OCR cap (NIANBAO_OCR_MAX_PAGES)", name)
        ocr.announce(len(chosen))
        scanned = ocr.ocr_pages(data, chosen)
        texts = [scanned[i].text() if i in scanned else "" for i in range(page_count)]
        if _pdf_text_problem("\n".join(texts), len(chosen)) == "needs_ocr":
            raise ParseError("ocr_unreadable", f"OCR found no readable text on {len(chosen)} scanned page(s)", name)
        # every page read of a scan is looked at: OCR'd text is too uneven to pick table pages from
        grids, turned = self._grids(_MixedPages(None, scanned), texts, chosen)
        set_confidences(grids, scanned)
        doc = self._document(texts, grids, turned)
        doc.ocr_pages = len(chosen)
        return doc

    @staticmethod
    def _document(texts: list[str], grids: list[Grid], turned: dict[int, Callable[[Box], Box]]) -> ExtractedDocument:
        grids = join_rows_split_by_page_break(grids)  # (in the upright frame: labels line up by x)
        for cell in (c for g in grids for row in g.rows for c in row if c.page in turned and c.bbox):
            cell.upright = cell.bbox  # (the table's columns run left to right in this frame)
            cell.bbox = turned[cell.page](cell.bbox)  # provenance in the page's own coordinates
        running = running_lines(texts)
        # Page furniture leaves the text (a running header is no second report's title), except the
        # first page's first lines: the title itself may read like the running header.
        numbered = [(ln.strip(), i + 1) for i, t in enumerate(texts) for k, ln in enumerate(t.splitlines())
                    if not PAGE_FOOTER.match(ln) and (i == 0 and k < TITLE_LINES or not is_furniture(ln, running))]
        lines = [ln for ln, _ in numbered]
        marks = running_lines(texts, numbered=False)  # (a watermark drawn first heads every page's text)
        # A running header or footer ("青石县统计局" on every page) is no part of the title below it.
        headers = page_header_lines(["\n".join(ln for ln in t.splitlines() if not PAGE_FOOTER.match(ln)) for t in texts])
        titles = page_title_candidates([x for x in lines if (x not in headers or title_line(x)) and not _is_mark(x, marks)])
        doc = ExtractedDocument("pdf", titles, "\n".join(lines), grids, line_pages=[p for _, p in numbered])
        doc.page_headers = headers
        return doc

    @staticmethod
    def _plumber_texts(data: bytes, name: str) -> list[str]:
        try:
            with pdfplumber.open(io.BytesIO(data)) as pdf:
                return [page.extract_text() or "" for page in pdf.pages]
        except (PdfminerException, PDFSyntaxError, ValueError, KeyError, TypeError) as err:
            raise ParseError("corrupt_pdf", f"pdfplumber could not read the file ({type(err).__name__}: {err})", name) from err

    @staticmethod
    def _grids(pages: _TablePages | _MixedPages, texts: list[str],
               candidates: list[int] | None = None) -> tuple[list[Grid], dict[int, Callable[[Box], Box]]]:
        """Grids in reading order, and for pages read turned upright (a rotated table) the mapping of
        their boxes back to the page's own coordinates."""
        grids: list[Grid] = []
        turned: dict[int, Callable[[Box], Box]] = {}
        in_table, bands, previous = False, [], -2
        running, marks = running_lines(texts), running_lines(texts, numbered=False)
        # A running header without digits is kept in a table (a table's header repeated on every page
        # reads the same), except one that names an agency ("白沙市人民政府办公室" atop each page): no
        # table prints one, and over a page break it would join the label or header cut there.
        running |= {key for key in marks if names_agency(key)}
        for i in table_pages(texts) if candidates is None else candidates:
            page, page_no = pages.page(i), i + 1
            after_gap = previous != i - 1
            if after_gap:
                in_table, bands = False, []
            previous = i
            tables = [(t, rows) for t in page.find_tables() if _fully_ruled(rows := extract_table(t))]
            if not tables and (in_table or page_has_table_text(texts[i])):
                if after_gap and i > 0 and _names_table(above := _last_line(texts[i - 1], marks)):
                    # a heading or caption at the foot of a page read for no table: the table under it
                    # is this page's first (as a ruled table's caption above, on the page before)
                    grids.append(Grid(len(grids), [[GridCell(above, 0, 0, page=i)]]))
                found, bands = word_grids(page, page_no, len(grids), bands, running)  # no ruling lines
                grids += found
                in_table = bool(found)  # a borderless table may go on over the next page
            else:
                in_table, bands = bool(tables), []
            for t, rows in tables:
                grid = _table_grid(t, rows, len(grids), page_no)
                grid.caption = caption_above(page.chars, t.bbox)
                if is_furniture(grid.caption, running) or is_furniture(grid.caption, marks):
                    grid.caption = ""  # (a running header "某局" over a table is no caption of it)
                if not grid.caption and i > 0 and _first_on_page(page.chars, t.bbox, page.height):
                    grid.caption = _last_line(texts[i - 1], marks)  # the caption stayed on the page before
                grids.append(grid)
            if getattr(page, "rotated", 0):
                turned[page_no] = page.page_bbox
        return grids, turned


def _names_table(line: str) -> bool:
    """A section heading, a table-2 block's caption or a table-4 proceeding's caption (short: a
    sentence of prose that names 行政复议 is none)."""
    return bool(line and len(line) <= MAX_CAPTION_CHARS
                and (lab.section_code(line) or lab.t2_caption_block(line) or lab.t4_parts([line]) - {"L"}))


MAX_CAPTION_CHARS = 30


def _is_mark(line: str, marks: frozenset[str]) -> bool:
    """A line of text repeated at the edges of pages (a watermark's copies, side by side or alone)."""
    parts = line.split()
    return bool(parts) and (furniture_key(line) in marks or all(furniture_key(p) in marks for p in parts))


class _MixedPages:
    """OCR'd pages where there are some, else the text layer's pages (``_TablePages``)."""

    def __init__(self, text_pages: _TablePages | None, scanned: dict[int, ocr.OcrPage]) -> None:
        self.text_pages, self.scanned = text_pages, scanned

    def page(self, i: int) -> Any:
        if i in self.scanned or self.text_pages is None:
            return self.scanned[i]
        return self.text_pages.page(i)


def set_confidences(grids: list[Grid], scanned: dict[int, ocr.OcrPage]) -> None:
    """Each cell read by OCR keeps the engine's lowest confidence for its text."""
    for cell in (c for g in grids for row in g.rows for c in row if c.bbox and c.page and c.page - 1 in scanned):
        cell.confidence = scanned[cell.page - 1].confidence(cell.bbox)


def scanned_grids(scanned: dict[int, ocr.OcrPage]) -> tuple[list[Grid], list[str]]:
    """Grids and texts of pages that are all OCR'd (pictures of tables): the scan path without a
    PDF around it. Tables cut between two pictures are joined as at a page break."""
    texts = [scanned[i].text() for i in range(len(scanned))]
    grids, _turned = PdfParser._grids(_MixedPages(None, scanned), texts, list(range(len(scanned))))
    set_confidences(grids, scanned)
    return join_rows_split_by_page_break(grids), texts


# A page without a text layer of its own: fewer visible characters than this
BROKEN_PAGE_CHARS = 20
PICTURE_SHARE = 0.15  # ... and a picture over this share of the page (a blank page is not OCR'd)


def broken_pages(data: bytes, texts: list[str]) -> list[int]:
    """0-based pages of a PDF with a usable text layer overall whose own text is missing or
    unreadable: a page that is one picture (a table pasted as an image, a scanned page among typed
    ones) or a page of unmapped glyphs."""
    out = []
    pdf = pdfium.PdfDocument(data)
    try:
        for i, text in enumerate(texts):
            visible = re.sub(r"\s", "", text)
            if len(visible) >= BROKEN_PAGE_CHARS:
                if _pdf_text_problem(text, 1) == "unreadable_text":
                    out.append(i)
                continue
            page = pdf[i]
            width, height = page.get_size()
            covered = 0.0
            for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2):
                left, bottom, right, top = obj.get_bounds()
                covered += max(0.0, right - left) * max(0.0, top - bottom)
            if covered >= PICTURE_SHARE * width * height:
                out.append(i)
    finally:
        pdf.close()
    return out


SCAN_FINDER_DPI = 60  # ruling lines show at this resolution; a page renders in ~20 ms


def scan_table_pages(data: bytes) -> list[int]:
    """For a long scan, the pages worth OCR: the first (the title), pages with a ruled grid, and
    the page after each (a table going on). Found from ruling lines of a coarse render; a scan with
    no ruled page is searched by OCR of coarse renders for the table's words."""
    pdf = pdfium.PdfDocument(data)
    try:
        ruled = []
        for i in range(len(pdf)):
            grey, _w, _h = ocr.render_grey(pdf, i, SCAN_FINDER_DPI)
            lines = ocr.ruling_lines(grey, SCAN_FINDER_DPI)
            if sum(o == "h" for o, *_ in lines) >= 4 and sum(o == "v" for o, *_ in lines) >= 2:
                ruled.append(i)
        if not ruled:
            ruled = [i for i in range(len(pdf)) if _table_text(ocr.coarse_text(pdf, i))]
        return sorted({0} | set(ruled) | {i + 1 for i in ruled if i + 1 < len(pdf)})
    finally:
        pdf.close()


def _table_text(text: str) -> bool:
    return bool(_TABLE_WORDS.search(text)) or len(_ROW_LINE.findall(text)) >= 3


class _TablePages:
    """Pages for the table finder: PDFium-read pages by default (``pdf_pages``), pdfplumber's own
    pdfminer pages where the adapter does not model a page (rotation) or when
    ``NIANBAO_PDF_ENGINE=pdfminer`` asks for them (to compare the two)."""

    def __init__(self, data: bytes, name: str) -> None:
        self.data, self.name = data, name
        self.use_pdfminer = os.environ.get("NIANBAO_PDF_ENGINE", "pdfium") == "pdfminer"
        self._pdfium: pdfium.PdfDocument | None = None
        self._plumber: pdfplumber.PDF | None = None

    def __enter__(self) -> _TablePages:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pdfium is not None:
            self._pdfium.close()
        if self._plumber is not None:
            self._plumber.close()

    def page(self, i: int) -> Any:
        if not self.use_pdfminer:
            if self._pdfium is None:
                self._pdfium = pdfium.PdfDocument(self.data)
            fast = PdfiumPage(self._pdfium[i], i + 1)
            if fast.supported:
                return fast
        try:
            if self._plumber is None:
                self._plumber = pdfplumber.open(io.BytesIO(self.data))
            return _without_watermarks(self._plumber.pages[i])
        except (PdfminerException, PDFSyntaxError, ValueError, KeyError, TypeError) as err:
            raise ParseError("corrupt_pdf", f"pdfplumber could not read the file ({type(err).__name__}: {err})", self.name) from err


def _without_watermarks(page: pdfplumber.page.Page) -> Any:
    """A pdfminer page less its watermark characters, as ``PdfiumPage`` reads one: glyphs on a
    slanted baseline and glyphs far larger than the page's text (``drop_oversized``)."""
    chars = page.chars
    level = [c for c in chars if (m := c.get("matrix")) is None or abs(m[1]) < 0.1 * abs(m[0]) or abs(m[0]) < 0.1 * abs(m[1])]
    keep = {id(c) for c in drop_oversized(level)}
    if len(keep) == len(chars):
        return page
    return page.filter(lambda obj: obj.get("object_type") != "char" or id(obj) in keep)


def _fully_ruled(rows: list[list[str | None]]) -> bool:
    """A table whose ruling separates every value: no cell holds two numbers. A frame drawn only
    around the table, or a 三线表's few horizontal rules, give the line finder "tables" whose cells
    hold whole rows or columns of numbers; those pages are read from word positions instead."""
    for row in rows:
        for text in row:
            if text and sum(1 for part in text.split() if parse_token(part) is not None and not _is_label(part)) >= 2:
                return False
    return True


CAPTION_GAP = 30.0  # pt: a caption sits right above its table


def caption_above(chars: list[dict[str, Any]], bbox: tuple[float, float, float, float]) -> str:
    """The line of text just above a ruled table and overlapping it horizontally (e.g. 行政复议 over
    one of table 4's sub-tables), or '' — from the page's characters (cheaper than its words)."""
    x0, top, x1, _ = bbox
    above = [c for c in chars if c["bottom"] <= top + 1 and top - c["bottom"] < CAPTION_GAP and c["x1"] > x0 and c["x0"] < x1]
    if not above:
        return ""
    last = max(c["bottom"] for c in above)
    line = sorted((c for c in above if abs(c["bottom"] - last) < 3), key=lambda c: c["x0"])
    text = clean_cell("".join(c["text"] for c in line))
    return "" if PAGE_FOOTER.match(text) else text


def _first_on_page(chars: list[dict[str, Any]], bbox: tuple[float, float, float, float], height: float) -> bool:
    """Nothing but the page's top margin above the table."""
    return not any(c["bottom"] <= bbox[1] + 1 and c["top"] > height * 0.08 for c in chars)


def _last_line(text: str, running: frozenset[str] = frozenset()) -> str:
    lines = [clean_cell(x) for x in text.splitlines()
             if x.strip() and not PAGE_FOOTER.match(x.strip()) and not is_furniture(x, running)]
    return lines[-1] if lines else ""


def _table_grid(table: Table, extracted: list[list[str | None]], index: int, page_no: int) -> Grid:
    grid = Grid(index=index)
    # extract() assigns chars to cells by their centre, so text touching a ruling line is not read
    # into the neighbouring row; row.cells gives the bboxes for provenance.
    for r, (row, texts_row) in enumerate(zip(table.rows, extracted, strict=True)):
        cells: list[GridCell] = []
        for c, (bbox, text) in enumerate(zip(row.cells, texts_row, strict=True)):
            if bbox is None:
                continue  # covered by a merged cell to the left/above
            text = text or ""
            cells.append(GridCell(clean_cell(text.replace("\n", "")) if _is_label(text) else clean_cell(text),
                                  r, c, page=page_no, bbox=tuple(round(v, 1) for v in bbox)))
        grid.rows.append(cells)
    return grid


def _is_label(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


def _is_continuation(row: list[GridCell]) -> bool:
    """The lower part of a table row that Word/WPS split at a page break: no values, and label text
    that does not start a row of its own (no ordinal, caption, heading or header word). Text that
    reads as a label by itself ("无法提供" under "（四）") may still be a lower part: the join decides
    by what is above it (``_completes``)."""
    labels = [c.text for c in row if c.text and parse_token(c.text) is None]
    if not labels or any(parse_token(c.text) is not None and not parse_token(c.text).blank for c in row if c.text):
        return False
    for text in labels:
        n = normalise_label(text)
        if ORDINAL.match(n) or lab.t2_caption_block(text) or lab.section_code(text) or lab.has_any([text], HEADER_VOCABULARY):
            return False
    return True


def _label_code(text: str) -> str | None:
    near = lab.nearest_t3_row(text) or lab.nearest_t2_row(text)  # a misprinted label names its row too
    return lab.t3_row_code(text, None) or lab.t3_group_code(text) or lab.t2_row_code(text) or (near and near.code)


def _completes(pairs: list[tuple[GridCell, GridCell]]) -> bool:
    """Joining never glues two different labels of the format ("2.没有现成信息需要" + "另行制作" name
    one row and are joined; "（二）部分公开…" + "无法提供" would name two)."""
    codes = [(_label_code(upper.text), _label_code(lower.text)) for upper, lower in pairs]
    return not any(a and b and a != b for a, b in codes)


def join_rows_split_by_page_break(grids: list[Grid]) -> list[Grid]:
    """Join a row cut in half by a page break: the top of a page's first table continues the last
    row of the previous page's last table when it only carries the rest of the labels. Rows above
    it that repeat the table's header (Word's 重复标题行) are skipped in the search, so the label is
    joined across them; values stay where they were printed (the upper part)."""
    out: list[Grid] = []
    for grid in grids:
        prev = out[-1] if out else None
        if prev and prev.rows and grid.rows and _first_page(grid) == _last_page(prev) + 1:
            for i, row in enumerate(grid.rows):
                if _has_values(row):
                    break  # the first data row: nothing above it continued the last page's row
                # (the rows above are looked through for a label merged down over them only when the
                # last row alone does not place the rest: as first read, it stays as it was)
                tries = (_continuation_pairs(prev.rows[-1], row), _continuation_pairs(prev.rows[-1], row, prev.rows[:-1])) \
                    if _is_continuation(row) else ()
                pairs = next((p for p in tries if p is not None and _completes(p)
                              and not _never_continued(prev.rows[-1], p)), None)
                if pairs is not None:
                    for upper, lower in pairs:
                        upper.text = upper.text + lower.text
                    del grid.rows[i]
                    break
                if i == 0 and not _is_header_row(row):
                    break  # a table that starts with something else than a repeated header
        if grid.rows:
            out.append(grid)
    for i, g in enumerate(out):
        g.index = i
    return out


def _never_continued(upper: list[GridCell], pairs: list[tuple[GridCell, GridCell]]) -> bool:
    """A section heading is never continued on the next page (the words under it are its table's),
    nor a header row by whole header words of their own (总计 printed lower in its merged cell), nor
    by words that would not make a header word of the piece above them (复议后起诉 + the next
    column's 总计, in a table read from word positions): the rest of a wrapped header word
    ("结果" / "维持") does continue it."""
    texts = [c.text for c in upper if c.text]
    if _has_values(upper):
        # (a row of table 4 printed as a list — 总计 | 6 — has a whole label of its own)
        return any(t4_list_label(t) for t in texts if parse_token(t) is None)
    if any(lab.section_code(t) for t in texts):
        return True
    if not lab.has_any(texts, HEADER_VOCABULARY):
        return False
    return all(normalise_label(lower.text) in HEADER_SET for _, lower in pairs) or not all(
        header_word_start(upper.text + lower.text) for upper, lower in pairs)


def _has_values(row: list[GridCell]) -> bool:
    return any((t := parse_token(c.text)) is not None and not t.blank for c in row if c.text)


def _is_header_row(row: list[GridCell]) -> bool:
    """A row of the table's header (repeated at the top of a continuation page): header words, the
    table-3 note, or wrapped fragments of them — no values and no row label of the format."""
    texts = [c.text for c in row if c.text]
    if not texts or _has_values(row):
        return False
    return lab.has_any(texts, L.T3_HEADER_WORDS + L.T4_HEADER_WORDS + L.T2_HEADERS_ANY) or not any(
        lab.names_format_row(t) for t in texts)


def _continuation_pairs(upper: list[GridCell], lower: list[GridCell],
                        earlier: list[list[GridCell]] = ()) -> list[tuple[GridCell, GridCell]] | None:
    """(upper label cell, lower cell) pairs to join, or None when the rows do not line up.
    ``earlier``: the rows above ``upper`` in its table, where a label merged down over several rows
    (（三）不予公开 over its items) has its one cell."""
    upper_labels = [c for c in upper if parse_token(c.text) is None]
    if not upper_labels:
        return None
    if len(lower) == 1 and lower[0].col == 0 and lower[0].bbox is None:
        # a table read from word positions: the rest of the leaf label, alone on the next page
        return [(upper_labels[-1], lower[0])]
    if all(c.bbox is not None for c in upper_labels + lower) and any(c.text for c in lower):
        # by position: each piece of text under the label cell it continues (same column on the page)
        pairs = []
        for c in (c for c in lower if c.text):
            above = [u for u in upper_labels if _same_column(u, c)] or _merged_above(c, earlier)
            if not above:
                break
            pairs.append((above[-1], c))
        else:
            return pairs
    # Under a vertically merged label the upper part has no cell (None); the lower part, on a new
    # page, repeats that column as an empty cell.
    lower_cols = {c.col: c for c in lower}
    upper_cols = {c.col for c in upper}
    if not upper_cols <= set(lower_cols) or any(c.text for col, c in lower_cols.items() if col not in upper_cols):
        return None
    return [(c, lower_cols[c.col]) for c in upper_labels if lower_cols[c.col].text]


def _same_column(upper: GridCell, lower: GridCell) -> bool:
    return upper.bbox is not None and lower.bbox is not None and (
        abs(upper.bbox[0] - lower.bbox[0]) <= 6 or upper.bbox[0] - 6 <= lower.bbox[0] < upper.bbox[2])


def _merged_above(cell: GridCell, earlier: list[list[GridCell]]) -> list[GridCell]:
    """The label cell above ``cell`` in the nearest earlier row that has one in its column, when
    the rows in between have nothing there (a label merged down over them): [] when none. Only
    rows of values are looked through: a merged label spans data rows, never the header above."""
    for row in reversed(earlier):
        if not _has_values(row):
            return []
        here = [u for u in row if u.text and _same_column(u, cell)]
        if here:
            return [u for u in here if parse_token(u.text) is None]
    return []


def _first_page(grid: Grid) -> int:
    return next((c.page or 0 for row in grid.rows for c in row), 0)


def _last_page(grid: Grid) -> int:
    return next((c.page or 0 for row in reversed(grid.rows) for c in row), 0)
