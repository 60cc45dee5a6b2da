"""Forge dimensions of issue #26 ("read what nobody showed you"): what real reports print around and
inside their tables that the format never shows, each drawn as an independent dimension of a layout
(tests/forge/layouts.py ``LayoutSpec``, drawn only when ``draw_specs(wild=True)`` asks).

Identity: where the agency is printed — in the title, or the title is generic (2023年度政府信息公开
工作年度报告) and the agency is only in the signature block at the end, only in the page header
(DOCX header → PDF page header), only in the HTML page's metadata (ArticleTitle / SiteName), or
nowhere; a preamble sentence quoting the provincial notice about preparing reports; years printed
in Chinese numerals (二〇二三 / 二○二三) or full-width digits (２０２３) in the title and the 统计期限
sentence. Where the medium has no place for the agency's only source (a page header in HTML or
text, metadata outside HTML) the identity is unrecoverable and the oracle expects ``unidentified``.

HTML tables that are not ``<table>``: ``<div>`` grids (display:table classes, flex rows, ARIA roles)
and one ``<span>`` per character. Page furniture (DOCX and the PDF printed from it): a running
footer 第 N 页 共 M 页 and the agency in the running header, a diagonal watermark (a VML shape in
the header, printed by LibreOffice on every page), shaded cells. Geometry: a table-3 row printed as
nothing but blank marks (— or /), a signature date printed right under table 4. Tokens: cells
printed with a unit (12件) or a footnote mark (42①, 42*, 42注) — the value is the number printed.

Every expected answer comes from the truth and the drawn spec, never from ``pipelines/``.
"""

from __future__ import annotations

import html as h
import random
from typing import Any

from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn

AGENCY_PLACES = ("title", "signature", "page_header", "meta_article", "meta_site", "nowhere")
AGENCY_WEIGHTS = (45, 20, 15, 7, 5, 8)
YEAR_STYLES = ("arabic", "zh_ling", "zh_circle", "fullwidth")
HTML_CELLS = ("table", "display_table", "flex", "aria")
RUNNING = ("", "page_of", "agency", "both")
WATERMARKS = ("", "仅供参考", "agency")
BLANK_ROW_TOKENS = ("", "—", "/")
MARKS = ("件", "①", "*", "注", "※", "个")
MARKED_CELLS = 3
PROVINCE = "云川省"


def draw(seed: int, n: int) -> list[dict[str, Any]]:
    """The issue-#26 fields of ``n`` layouts: each group from a stream of its own (K = 13…17)."""
    ident, web, furniture, geometry, tokens = (random.Random(seed + k) for k in (13, 14, 15, 16, 17))
    out = []
    for _ in range(n):
        out.append({
            "agency_at": ident.choices(AGENCY_PLACES, AGENCY_WEIGHTS)[0],
            "preamble": ident.random() < 0.4,
            "year_style": ident.choice(YEAR_STYLES),
            "period_sentence": ident.random() < 0.5,
            "html_cells": web.choice(HTML_CELLS),
            "char_spans": web.random() < 0.3,
            "running": furniture.choice(RUNNING),
            "watermark": furniture.choice(WATERMARKS),
            "shaded": furniture.random() < 0.4,
            "blank_row": geometry.choice(BLANK_ROW_TOKENS),
            "t4_date": geometry.random() < 0.4,
            "marks_seed": tokens.choice((0, tokens.randint(1, 10**6))),
        })
    drawn_text = random.Random(seed + 18)  # (added later: a stream of its own leaves the draws above as they were)
    for fields in out:
        fields["watermark_text"] = drawn_text.random() < 0.5
    return out


# --- identity ----------------------------------------------------------------------------------------

_ZH = dict(zip("0123456789", "〇一二三四五六七八九", strict=True))


def year_text(year: int, style: str) -> str:
    if style == "zh_ling":
        return "".join(_ZH[d] for d in str(year))
    if style == "zh_circle":
        return "".join(_ZH[d] for d in str(year)).replace("〇", "○")
    if style == "fullwidth":
        return "".join(chr(0xFF10 + int(d)) for d in str(year))
    return str(year)


def agency_in_title(spec: Any) -> bool:
    return spec.agency_at == "title"


def header_agency(spec: Any) -> bool:
    """The agency printed in the running header (DOCX, and the PDF printed from it)."""
    return spec.agency_at == "page_header" or spec.running in ("agency", "both")


def watermark_text(truth: dict[str, Any], spec: Any) -> str:
    """The watermark's words: the agency's name, or 仅供参考 — always so where the agency is printed
    nowhere (a name over every page would print it)."""
    return truth["agency"] if spec.watermark == "agency" and spec.agency_at != "nowhere" else spec.watermark.replace(
        "agency", "仅供参考")


def identity_recoverable(spec: Any, medium: str) -> bool:
    """Whether the printed document names its agency anywhere a reader (and the parser's documented
    sources) can find it: else the only right answer is ``unidentified``. The year is always printed
    (a generic title still prints it)."""
    if spec.agency_at in ("title", "signature"):
        return True
    if medium in ("docx", "pdf") and header_agency(spec):
        return True
    if medium == "pdf" and spec.watermark == "agency" and spec.agency_at != "nowhere" and spec.watermark_text:
        # the name as a text watermark over every page is printed in the PDF's text layer, and read as a
        # page header is (docs/decisions.md); a WordArt watermark is drawn as shapes, not text
        return True
    return medium == "html" and spec.agency_at in ("meta_article", "meta_site")


def title_lines(truth: dict[str, Any], spec: Any) -> list[str]:
    year = year_text(truth["year"], spec.year_style)
    if agency_in_title(spec):
        if not spec.title_wrap:
            return [f"{truth['agency']}{year}年政府信息公开工作年度报告"]
        return [f"{year} 年{truth['agency']}政府信息公开工作", "年度报告"]
    if not spec.title_wrap:
        return [f"{year}年度政府信息公开工作年度报告"]
    return [f"{year} 年度政府信息公开工作", "年度报告"]


def preamble(truth: dict[str, Any], spec: Any) -> list[str]:
    """The paragraph right under the title quoting the provincial notice: a report title inside 《》
    (…关于做好2023年政府信息公开工作年度报告编制发布工作的通知) that is never this report's."""
    if not spec.preamble:
        return []
    year = truth["year"]
    return [f"根据《中华人民共和国政府信息公开条例》和《{PROVINCE}人民政府办公厅关于做好{year}年政府信息公开工作"
            f"年度报告编制发布工作的通知》要求，编制本报告。"]


def intro_paragraphs(truth: dict[str, Any], spec: Any) -> list[str]:
    """Paragraphs before 一、总体情况's own text: the statistics-period sentence."""
    if not spec.period_sentence:
        return []
    y = year_text(truth["year"], spec.year_style)
    if spec.year_style.startswith("zh"):
        return [f"本报告中所列数据的统计期限自{y}年一月一日起至{y}年十二月三十一日止。"]
    return [f"本报告中所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。"]


def date_line(truth: dict[str, Any]) -> str:
    return f"{truth['year'] + 1} 年 1 月 11 日"


def signature_lines(truth: dict[str, Any], spec: Any) -> list[str]:
    """The signature block closing the report (after 六、), when the agency is printed there."""
    return [truth["agency"], date_line(truth).replace(" ", "")] if spec.agency_at == "signature" else []


def html_meta(truth: dict[str, Any], spec: Any) -> str:
    if spec.agency_at == "meta_article":
        return (f'<meta name="ArticleTitle" content="{h.escape(truth["agency"])}{truth["year"]}年度政府信息公开工作年度报告">'
                '<meta name="ColumnName" content="政府信息公开年报">')
    if spec.agency_at == "meta_site":
        return f'<meta name="SiteName" content="{h.escape(truth["agency"])}">'
    return ""


# --- geometry and tokens: the truth as printed --------------------------------------------------------

def apply_to_truth(truth: dict[str, Any], spec: Any) -> dict[str, Any]:
    """The truth with a table-3 row printed as nothing but blank marks: a row of zeros in the drawn
    truth (so every total still holds) whose seven cells are printed ``spec.blank_row`` instead."""
    if not getattr(spec, "blank_row", ""):
        return truth
    cells = truth["cells"]
    rows = sorted({k.split("|")[0] for k in cells if k.startswith("3.3.") and not k.startswith("3.3.7")})
    zero = [r for r in rows if all(cells.get(f"{r}|{c}") in (0, None) for c in _T3_COLS)]
    if not zero:
        return truth
    row = random.Random(f"{truth['seed']}/blank-row").choice(zero)
    for c in _T3_COLS:
        cells[f"{row}|{c}"] = None
        truth["raw_tokens"][f"{row}|{c}"] = spec.blank_row
    truth["blank_row"] = row
    return truth


_T3_COLS = ("np", "lp_com", "lp_res", "lp_ngo", "lp_law", "lp_oth", "total")


def marked_cells(truth: dict[str, Any], spec: Any) -> dict[str, str]:
    """Count cells (tables 2, 3 and 4) printed with a unit or a footnote mark: key → the printed text."""
    if not getattr(spec, "marks_seed", 0):
        return {}
    rnd = random.Random(spec.marks_seed)
    keys = sorted(k for k, v in truth["cells"].items() if isinstance(v, int) and not isinstance(v, bool) and v >= 0)
    return {k: f"{truth['cells'][k]}{rnd.choice(MARKS)}" for k in rnd.sample(keys, min(MARKED_CELLS, len(keys)))}


def printed_truth(truth: dict[str, Any], spec: Any) -> dict[str, Any]:
    """A copy of the truth whose cells are the texts printed (marks and units included)."""
    marks = marked_cells(truth, spec)
    return {**truth, "cells": {**truth["cells"], **marks}} if marks else truth


# --- HTML: tables drawn without <table>, a <span> per character ----------------------------------------

DIV_CSS = "<style>.t{display:table}.tr{display:table-row}.td{display:table-cell}</style>"


def cell_html(text: str, char_spans: bool) -> str:
    if not text:
        return "&nbsp;"
    return "".join(f"<span>{h.escape(ch)}</span>" for ch in text) if char_spans else h.escape(text)


def div_table(rows: list[list[tuple[str, int, int]]], style: str, char_spans: bool) -> str:
    """A table as <div> rows and cells, drawn so that a reader sees the grid, in each style's own means:
    display:table cells cannot merge, so every grid position is a cell (a merged cell's text in its
    first, the positions it covers empty); a flex row widens a cell over N columns with ``flex: N``
    (a row-merged cell's lower positions empty); ARIA cells carry ``aria-colspan`` / ``aria-rowspan``
    and are printed once, where they start (as <td> are)."""
    row_attr = {"display_table": 'class="tr"', "flex": 'style="display:flex"', "aria": 'role="row"'}[style]
    table_attr = {"display_table": 'class="t"', "flex": 'class="box"', "aria": 'role="table"'}[style]
    covered: dict[tuple[int, int], bool] = {}  # position -> True where a merged cell starts a row below
    out = []
    for r, row in enumerate(rows):
        cells, c = [], 0
        pending = list(row)
        while pending or (r, c) in covered:
            if (r, c) in covered:
                if style != "aria":
                    cells.append(_div_cell("", 1, 1, style, char_spans))
                c += 1
                continue
            text, rs, cs = pending.pop(0)
            for dr in range(rs):
                for dc in range(cs):
                    if dr or dc:
                        covered[(r + dr, c + dc)] = True
            cells.append(_div_cell(text, rs, cs, style, char_spans))
            c += 1 if style == "display_table" else cs
        out.append(f"<div {row_attr}>" + "".join(cells) + "</div>")
    return f"<div {table_attr}>" + "".join(out) + "</div>"


def _div_cell(text: str, rs: int, cs: int, style: str, char_spans: bool) -> str:
    if style == "display_table":
        attrs = 'class="td"'
    elif style == "flex":
        attrs = f'style="flex:{cs}"'
    else:
        attrs = 'role="cell"' + (f' aria-rowspan="{rs}"' if rs > 1 else "") + (f' aria-colspan="{cs}"' if cs > 1 else "")
    return f"<div {attrs}>{cell_html(text, char_spans)}</div>"


# --- DOCX: page furniture ----------------------------------------------------------------------------

def _field(paragraph: Any, instr: str) -> None:
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instr)
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    run.append(t)
    fld.append(run)
    paragraph._p.append(fld)


def page_of_footer(section: Any) -> None:
    """'第 N 页 共 M 页' centred in the footer (replacing the '— N —' one)."""
    p = section.footer.paragraphs[0]
    for child in list(p._p):
        if child.tag != qn("w:pPr"):
            p._p.remove(child)
    p.add_run("第 ")
    _field(p, "PAGE")
    p.add_run(" 页 共 ")
    _field(p, "NUMPAGES")
    p.add_run(" 页")


_VML = ('<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">'
        '<w:pict><v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
        'path="m@7,l@8,m@5,21600l@6,21600e"><v:path textpathok="t" o:connecttype="custom"/>'
        '<v:textpath on="t" fitshape="t"/><o:lock v:ext="edit" text="t" shapetype="t"/></v:shapetype>'
        '<v:shape id="PowerPlusWaterMarkObject1" o:spid="_x0000_s2049" type="#_x0000_t136" '
        'style="position:absolute;margin-left:0;margin-top:0;width:400pt;height:100pt;rotation:315;'
        'z-index:-251657216;mso-position-horizontal:center;mso-position-horizontal-relative:margin;'
        'mso-position-vertical:center;mso-position-vertical-relative:margin" o:allowincell="f" '
        'fillcolor="silver" stroked="f"><v:fill opacity=".5"/>'
        '<v:textpath style="font-family:&quot;SimSun&quot;;font-size:1pt" string="{text}"/></v:shape></w:pict></w:r>')


# A watermark drawn as text: a DrawingML shape with text in the header, behind the page's text — its
# characters (48 pt, grey) are in the PDF's text layer over the tables, unlike the VML WordArt one, which
# LibreOffice prints as outlines. (LibreOffice prints this one level: it does not turn the shape's text.)
_TEXT_BOX = ('<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
             'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
             'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
             'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><w:drawing>'
             '<wp:anchor behindDoc="1" distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="2" '
             'locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
             '<wp:positionH relativeFrom="page"><wp:posOffset>1200000</wp:posOffset></wp:positionH>'
             '<wp:positionV relativeFrom="page"><wp:posOffset>4200000</wp:posOffset></wp:positionV>'
             '<wp:extent cx="5200000" cy="1000000"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>'
             '<wp:docPr id="900" name="Watermark"/><wp:cNvGraphicFramePr/>'
             '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
             '<wps:wsp><wps:cNvSpPr/><wps:spPr><a:xfrm rot="18900000"><a:off x="0" y="0"/>'
             '<a:ext cx="5200000" cy="1000000"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/>'
             '<a:ln><a:noFill/></a:ln></wps:spPr><wps:txbx><w:txbxContent><w:p><w:pPr><w:jc w:val="center"/></w:pPr>'
             '<w:r><w:rPr><w:color w:val="C0C0C0"/><w:sz w:val="96"/></w:rPr><w:t>{text}</w:t></w:r></w:p>'
             '</w:txbxContent></wps:txbx><wps:bodyPr rot="0" wrap="square" anchor="ctr"/></wps:wsp>'
             '</a:graphicData></a:graphic></wp:anchor></w:drawing></w:r>')


def furnish(section: Any, truth: dict[str, Any], spec: Any) -> None:
    """The section's running header (the agency), footer (第 N 页 共 M 页) and watermark."""
    if spec.running in ("page_of", "both"):
        page_of_footer(section)
    if not (header_agency(spec) or spec.watermark):
        return  # (looking at a header creates one: a layout without furniture keeps its bytes)
    p = section.header.paragraphs[0]
    if header_agency(spec):
        p.alignment = 1
        p.add_run(truth["agency"])
    if spec.watermark:
        shape = _TEXT_BOX if spec.watermark_text else _VML
        p._p.append(parse_xml(shape.replace("{text}", h.escape(watermark_text(truth, spec)))))


def shade(cell: Any, fill: str = "D9D9D9") -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)
