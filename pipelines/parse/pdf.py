"""PDF reports with a text layer, through pdfplumber's table finder.

Merged cells come back as ``None`` and are skipped (their text sits in the top-left cell); wrapped
and one-character-per-line labels are joined by label normalisation; a table continued on the next
page is simply read on (rows are processed in document order, so group context carries over).
A PDF without a usable text layer fails as ``needs_ocr`` / ``unreadable_text`` — never guessed.
"""

from __future__ import annotations

import io
import re

import pdfplumber
from pdfminer.pdfparser import PDFSyntaxError
from pdfplumber.utils.exceptions import PdfminerException

from pipelines.parse.base import ExtractedDocument, Grid, GridCell, ParseError
from pipelines.parse.normalize import clean_cell

_CID = re.compile(r"\(cid:\d+\)")
_PAGE_FOOTER = re.compile(r"^[-—–\s]*\d+[-—–\s]*$")
MIN_TEXT_CHARS_PER_PAGE = 20


def _pdf_text_problem(text: str, pages: int) -> str | None:
    visible = re.sub(r"\s", "", text)
    if len(visible) < MIN_TEXT_CHARS_PER_PAGE * max(pages, 1) / 4:
        return "needs_ocr"
    cid_chars = sum(len(m) for m in _CID.findall(visible))
    private = sum(1 for ch in visible if "\ue000" <= ch <= "\uf8ff")
    if cid_chars * 3 > len(visible) or private * 10 > len(visible):
        return "unreadable_text"
    return None


class PdfParser:
    media_type = "pdf"

    def extract(self, data: bytes, name: str, declared_charset: str | None = None) -> ExtractedDocument:
        grids: list[Grid] = []
        texts: list[str] = []
        try:
            with pdfplumber.open(io.BytesIO(data)) as pdf:
                n_pages = len(pdf.pages)
                for page_no, page in enumerate(pdf.pages, start=1):
                    page_text = page.extract_text() or ""
                    texts.append(page_text)
                    for table in page.find_tables():
                        grid = Grid(index=len(grids))
                        for r, row in enumerate(table.rows):
                            cells: list[GridCell] = []
                            for c, bbox in enumerate(row.cells):
                                if bbox is None:
                                    continue  # covered by a merged cell to the left/above
                                text = page.crop(bbox).extract_text() or ""
                                cells.append(GridCell(clean_cell(text.replace("\n", "")) if _is_label(text) else clean_cell(text),
                                                      r, c, page=page_no, bbox=tuple(round(v, 1) for v in bbox)))
                            grid.rows.append(cells)
                        grids.append(grid)
        except (PdfminerException, PDFSyntaxError, ValueError, KeyError, TypeError) as err:
            raise ParseError("corrupt_pdf", f"pdfplumber could not read the file ({type(err).__name__}: {err})", name) from err
        full = "\n".join(texts)
        problem = _pdf_text_problem(full, n_pages)
        if problem == "needs_ocr":
            raise ParseError("needs_ocr", f"no usable text layer on {n_pages} page(s) (scanned?); OCR needed", name)
        if problem == "unreadable_text":
            raise ParseError("unreadable_text", "the text layer is (cid:N) glyphs or private-use characters", name)
        lines = [ln for ln in full.splitlines() if not _PAGE_FOOTER.match(ln)]
        titles = [clean_cell(x) for x in lines[:15] if x.strip()]
        # Title lines are often wrapped: also offer the first lines joined.
        titles.insert(0, "".join(titles[:4]).replace(" ", ""))
        return ExtractedDocument("pdf", titles, "\n".join(lines), grids)


def _is_label(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))
