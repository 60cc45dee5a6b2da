"""Render a truth as a Word report laid out like the official template (merged header cells,
vertically merged group labels), and turn it into PDF / .doc through LibreOffice.

Variants exercise what real Word/WPS exports do to the parser: a long narrative pushes table 3
across a page break (group labels not repeated), a landscape section, tables without borders
(no ruling lines for pdfplumber), page-number footers ("— 3 —").
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

import docx
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from tests.forge.render import HEADINGS, LAYOUTS, NARRATIVE, Layout, title

LONG_PARAGRAPH = ("本机关坚持以公开为常态、不公开为例外，围绕重点领域信息公开、政策解读、回应关切等工作，"
                  "完善政府信息公开制度，规范依申请公开办理流程，加强政府网站和政务新媒体管理，"
                  "推动决策、执行、管理、服务、结果公开，保障人民群众的知情权、参与权、表达权和监督权。")


@dataclass(frozen=True)
class WordVariant:
    landscape: bool = False
    borders: bool = True
    narrative_paragraphs: int = 1  # S1 length: more paragraphs push the tables further down the pages
    footer: bool = True


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite a .docx with fixed member timestamps so regeneration is byte-identical."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def _page_footer(section: Any) -> None:
    """'— N —' centred in the footer, as government documents number their pages."""
    p = section.footer.paragraphs[0]
    p.alignment = 1
    p.add_run("— ")
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    run.append(t)
    fld.append(run)
    p._p.append(fld)
    p.add_run(" —")


def _add_table(document: Any, rows: Layout, n_cols: int, borders: bool) -> None:
    table = document.add_table(rows=len(rows), cols=n_cols)
    if borders:
        table.style = "Table Grid"
    occupied: set[tuple[int, int]] = set()
    for r, row in enumerate(rows):
        c = 0
        for text, rs, cs in row:
            while (r, c) in occupied:
                c += 1
            cell = table.cell(r, c)
            if rs > 1 or cs > 1:
                cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
            cell.text = text
            for dr in range(rs):
                for dc in range(cs):
                    occupied.add((r + dr, c + dc))
            c += cs


def render_docx(truth: dict[str, Any], variant: WordVariant = WordVariant()) -> bytes:
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(10)
    normal.font.name = "SimSun"  # creates w:rFonts; East Asian text needs its own attribute
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "SimSun")
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    if variant.landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    if variant.footer:
        _page_footer(section)
    heading = document.add_paragraph()
    heading.alignment = 1
    heading.add_run(title(truth)).font.size = Pt(16)
    for s in ("S1", "S2", "S3", "S4", "S5", "S6"):
        document.add_paragraph(HEADINGS[s])
        paragraphs = NARRATIVE.get(s, "").split("\n") if s in NARRATIVE else []
        if s == "S1":
            paragraphs += [LONG_PARAGRAPH] * (variant.narrative_paragraphs - 1)
        for x in paragraphs:
            document.add_paragraph(x)
        if s in LAYOUTS:
            layout, n_cols = LAYOUTS[s]
            _add_table(document, layout(truth), n_cols, variant.borders)
    buf = io.BytesIO()
    document.save(buf)
    return _fixed_zip(buf.getvalue())
