"""Word reports (.docx), read from the document XML rather than python-docx's cell view.

python-docx's ``row.cells`` repeats a merged cell once per grid column / row it covers, which
would read one printed number as several. Here each ``w:tc`` is placed on the grid by hand:
``w:gridBefore`` and ``w:gridSpan`` move the column, ``w:vMerge`` continuation cells are the
lower part of a merged cell above and are skipped, so every printed cell is read exactly once.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import docx
from docx.opc.exceptions import PackageNotFoundError
from lxml import etree

from pipelines.parse.base import ExtractedDocument, Grid, GridCell, ParseError
from pipelines.parse.normalize import clean_cell
from pipelines.parse.pictures import MAX_PICTURES, Picture, holds_report_tables, read_pictures
from pipelines.parse.sniff import is_image

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"  # a picture (DrawingML)
IMAGEDATA = "{urn:schemas-microsoft-com:vml}imagedata"  # a picture (VML, older Word and WPS)
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_CELLS = etree.XPath("./w:tc | ./w:sdt/w:sdtContent/w:tc", namespaces={"w": W[1:-1]})


def _val(el: etree._Element | None, default: str | None = None) -> str | None:
    return default if el is None else el.get(f"{W}val", default)


def _int_val(el: etree._Element | None, default: int) -> int:
    raw = _val(el)
    return int(raw) if raw is not None and raw.isdigit() else default


def paragraph_text(p: etree._Element) -> str:
    """A paragraph's visible text: runs, tabs and line breaks (not deleted revisions)."""
    out: list[str] = []
    for el in p.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}delText"):
        if el.tag == f"{W}t":
            out.append(el.text or "")
        elif el.tag == f"{W}tab":
            out.append("\t")
        elif el.tag in (f"{W}br", f"{W}cr"):
            out.append("\n")
    return "".join(out)


def _cell_text(tc: etree._Element) -> str:
    # Paragraphs inside one cell are one printed value or label wrapped by hand: join them.
    return clean_cell("".join(paragraph_text(p) for p in tc.iter(f"{W}p")).replace("\n", ""))


def _row_cells(tr: etree._Element) -> list[etree._Element]:
    # Cells may sit inside content controls (w:sdt) in templates filled by forms.
    return _CELLS(tr)


def table_to_grid(tbl: etree._Element, index: int) -> Grid:
    grid = Grid(index=index)
    starts: dict[int, GridCell] = {}  # grid column → the cell whose vertical merge is open there
    for r, tr in enumerate(tbl.findall(f"{W}tr")):
        row: list[GridCell] = []
        col = _int_val(tr.find(f"{W}trPr/{W}gridBefore"), 0)
        for tc in _row_cells(tr):
            pr = tc.find(f"{W}tcPr")
            span = max(1, _int_val(pr.find(f"{W}gridSpan") if pr is not None else None, 1))
            vmerge = pr.find(f"{W}vMerge") if pr is not None else None
            if vmerge is not None and _val(vmerge, "continue") == "continue" and col in starts:
                starts[col].rowspan += 1  # covered by the merged cell above: not a cell of its own
                col += span
                continue
            cell = GridCell(_cell_text(tc), r, col, 1, span)
            row.append(cell)
            for c in range(col, col + span):
                starts.pop(c, None)
            if vmerge is not None:
                starts[col] = cell
            col += span
        grid.rows.append(row)
    return grid


def _leaf_tables(body: etree._Element) -> list[etree._Element]:
    return [t for t in body.iter(f"{W}tbl") if t.find(f".//{W}tbl") is None]


def _captions(body: etree._Element) -> dict[etree._Element, str]:
    """Each top-level table's caption: the last non-empty paragraph line right above it."""
    out: dict[etree._Element, str] = {}
    last = ""
    for el in body:
        if el.tag == f"{W}p":
            text = [clean_cell(x) for x in paragraph_text(el).split("\n") if x.strip()]
            last = text[-1] if text else last
        elif el.tag == f"{W}tbl":
            out[el] = last
            last = ""
    return out


def _body_lines(body: etree._Element, pictured: dict[etree._Element, str] | None = None) -> list[str]:
    """Document text in reading order; table rows as tab-separated lines; a paragraph holding
    pictures of tables followed by what OCR read in them."""
    lines: list[str] = []
    pictured = pictured or {}
    for el in body:
        if el.tag == f"{W}p":
            lines.extend(paragraph_text(el).split("\n"))
            if el in pictured:
                lines.extend(pictured[el].split("\n"))
        elif el.tag == f"{W}tbl":
            for tr in el.iter(f"{W}tr"):
                lines.append("\t".join(_cell_text(tc) for tc in _row_cells(tr)))
        elif el.tag == f"{W}sdt":
            content = el.find(f"{W}sdtContent")
            lines.extend(_body_lines(content, pictured) if content is not None else [])
    return lines


def header_footer_lines(document: Any) -> list[str]:
    """The text lines of the document's page headers and footers (printed on every page; Word
    keeps them apart from the body). Headers that a section only inherits are not read twice."""
    out: list[str] = []
    for section in document.sections:
        for part in (section.header, section.first_page_header, section.footer, section.first_page_footer):
            if part.is_linked_to_previous:
                continue  # (no header of its own: reading it would only add an empty one)
            for paragraph in part.paragraphs:
                line = clean_cell(paragraph.text)
                if line and line not in out:
                    out.append(line)
    return out


class DocxParser:
    media_type = "docx"

    def extract(self, data: bytes, name: str, declared_charset: str | None = None) -> ExtractedDocument:
        try:
            document = docx.Document(io.BytesIO(data))
        except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as err:
            raise ParseError("corrupt_docx", f"not a readable Word document ({type(err).__name__}: {err})", name) from err
        body = document.element.body
        captions = _captions(body)
        tables = _leaf_tables(body)
        grids = [table_to_grid(t, i) for i, t in enumerate(tables)]
        for grid, t in zip(grids, tables, strict=True):
            grid.caption = captions.get(t, "")
        pictures = [] if holds_report_tables(grids) else _pictures(document, body)
        pictured: dict[etree._Element, str] = {}
        if pictures:
            grids, pictured = _with_pictures(body, dict(zip(tables, grids, strict=True)), pictures, name)
        lines = _body_lines(body, pictured)
        titles = [clean_cell(x) for x in lines if x.strip() and "\t" not in x][:10]
        grids = [g for g in grids if any(g.rows)]
        for i, g in enumerate(grids):
            g.index = i
        doc = ExtractedDocument(self.media_type, titles, "\n".join(lines), grids)
        doc.ocr_pages = len(pictures)
        doc.page_headers = header_footer_lines(document)
        return doc


def _pictures(document: Any, body: etree._Element) -> list[tuple[etree._Element, Picture]]:
    """Every picture of the body in reading order (its element, its image part)."""
    parts = document.part.related_parts
    out = []
    for el in body.iter(BLIP, IMAGEDATA):
        rid = el.get(f"{R}embed") if el.tag == BLIP else el.get(f"{R}id")
        part = parts.get(rid) if rid else None
        if part is not None and is_image(part.blob[:32]):
            out.append((el, Picture(str(part.partname), part.blob)))
    return out[:MAX_PICTURES]


def _with_pictures(body: etree._Element, table_grids: dict[etree._Element, Grid],
                   pictures: list[tuple[etree._Element, Picture]], name: str) -> tuple[list[Grid], dict[etree._Element, str]]:
    """The document's grids and its pictures' grids in reading order, and each picture's text by
    the top-level paragraph (or content control) that holds it."""
    reading = read_pictures([p for _, p in pictures], name)
    by_picture = reading.grids_of()
    index = {el: k for k, (el, _) in enumerate(pictures)}
    ordered: list[Grid] = []
    for el in body.iter(f"{W}tbl", BLIP, IMAGEDATA):
        if el in table_grids:
            ordered.append(table_grids[el])
        elif el in index:
            ordered += by_picture.get(index[el], [])
    pictured: dict[etree._Element, str] = {}
    for el, k in index.items():
        holder = el
        while holder.getparent() is not None and holder.getparent() is not body:
            holder = holder.getparent()
        if holder.tag == f"{W}p":
            pictured[holder] = "\n".join(filter(None, (pictured.get(holder), reading.texts[k])))
    return ordered, pictured
