"""Identity (issue #26, point 1): the agency and year of a report whose title names no agency, a
preamble that quotes the provincial notice about preparing the reports, years in Chinese numerals
or full-width digits, titles wrapped over the lines of a scan, and sources that disagree.

Every document is built here from a forged truth (its tables) with the identity parts written in
by hand; the expected agency and year below are those written in, never read back from the code.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import docx
import pytest

from pipelines.parse.base import ExtractedDocument
from pipelines.parse.identify import find_title, identify, page_title_candidates
from pipelines.parse.pdf import PdfParser
from pipelines.parse.report import IdentityHint, ParseResult, _interpret, parse_bytes
from pipelines.parse.text import TextParser
from pipelines.validate import validate
from tests.forge.render import render_html, render_text
from tests.forge.truths import make_truth
from tests.forge.word import render_docx

AGENCY = "青石县统计局"
GENERIC = "2023年度政府信息公开工作年度报告"
NOTICE = ("根据《福建省人民政府办公厅关于做好2023年政府信息公开工作年度报告编制发布工作的通知》"
          "（闽政办〔2023〕12号）要求，编制本报告。")
NOT_THE_AGENCY = "福建省人民政府办公厅关于做好"


def _truth() -> dict:
    """A forged report's tables under no agency: rendered, its title reads "2023年政府信息公开工作年度报告"."""
    truth = make_truth(9, "2021")
    truth["agency"], truth["year"] = "", 2023
    return truth


def _text(title: Sequence[str], preamble: Sequence[str] = (), ending: Sequence[str] = ()) -> bytes:
    """The forged text report with its title line replaced by ``title`` (one line or a wrapped
    title), ``preamble`` after it and ``ending`` (e.g. a signature block) at the end."""
    lines = render_text(_truth()).decode("utf-8").split("\n")
    assert lines[0] == "2023年政府信息公开工作年度报告"
    return "\n".join([*title, *preamble, *lines[1:], *ending]).encode("utf-8")


def _html(page_title: str, heading: str | None, meta: dict[str, str] | None = None, preamble: str = "",
          ending: str = "") -> bytes:
    """The forged web page with its <title>, its <h1> (None: no heading at all), <meta> tags, a first
    paragraph and what follows the report (signature, portal chrome)."""
    page = render_html(_truth()).decode("utf-8")
    tags = "".join(f'<meta name="{k}" content="{v}"/>' for k, v in (meta or {}).items())
    page = re.sub(r"<title>.*?</title>", f"{tags}<title>{page_title}</title>", page, count=1)
    h1 = f'<h1 class="title">{heading}</h1>' if heading is not None else ""
    page = re.sub(r'<h1 class="title">.*?</h1>', h1 + preamble, page, count=1)
    return page.replace("</body>", ending + "</body>").encode("utf-8")


def _rules(result: ParseResult) -> list[tuple[str, str, str]]:
    return [(i.rule, i.severity, i.origin) for i in result.issues if i.rule.startswith("identity")]


# --- a generic title, the agency printed elsewhere ------------------------------------------------

def test_generic_title_agency_from_the_signature_block_text() -> None:
    data = _text([GENERIC], ending=["", AGENCY, "2024年1月15日"])
    vr = validate(parse_bytes(data, "nb.txt"))
    r = vr.result
    assert (r.status, r.agency, r.year, r.title) == ("parsed", AGENCY, 2023, GENERIC)
    assert _rules(r) == [("identity_agency_from_signature", "warning", "parser")]
    assert "signature" in r.issues[-1].message and AGENCY in r.issues[-1].message
    assert vr.status == "valid" and r.cell_values() == _truth()["cells"]


def test_signature_date_whose_year_came_out_as_a_line_of_its_own() -> None:
    """A PDF writer drew the date's year digits as a run of their own: "2024" / agency / "年1月15日"
    (seen on a page printed turned, 9975-051). The bare year is the date's year, not a page number."""
    data = _text([GENERIC], ending=["", "2024", AGENCY, "年 1 月 15 日"])
    r = parse_bytes(data, "nb.txt")
    assert (r.status, r.agency, r.year) == ("parsed", AGENCY, 2023)
    assert _rules(r) == [("identity_agency_from_signature", "warning", "parser")]
    # a date without its year and no year line near it signs nothing
    r = parse_bytes(_text([GENERIC], ending=["", AGENCY, "年 1 月 15 日"]), "nb.txt")
    assert (r.status, r.agency) == ("failed", None)


def test_generic_title_agency_from_the_signature_block_of_a_web_page_before_its_chrome() -> None:
    """Signed with a date in Chinese numerals; the portal's footer (主办单位, 版权所有) follows."""
    ending = (f'<p style="text-align:right">{AGENCY}</p><p style="text-align:right">二〇二四年一月十五日</p>'
              '<div class="footer"><p>主办单位：青石县人民政府办公室</p><p>版权所有：青石县人民政府</p></div>')
    r = parse_bytes(_html(f"{GENERIC}_政府信息公开年报", GENERIC, ending=ending), "nb.html")
    assert (r.status, r.agency, r.year) == ("parsed", AGENCY, 2023)
    assert _rules(r) == [("identity_agency_from_signature", "warning", "parser")]


def test_generic_title_agency_from_the_article_title_meta_tag() -> None:
    meta = {"SiteName": "青石县人民政府", "SiteIDCode": "3300000001", "ColumnName": "政府信息公开年报",
            "ArticleTitle": f"{AGENCY}2023年度政府信息公开工作年度报告"}
    r = parse_bytes(_html(f"{GENERIC}_政府信息公开年报_青石县人民政府", GENERIC, meta), "nb.html")
    # not 青石县人民政府: the site's name at the end of <title> is no first line of a wrapped title
    assert (r.status, r.agency, r.year) == ("parsed", AGENCY, 2023)
    assert _rules(r) == [("identity_agency_from_metadata", "warning", "parser")]
    assert "ArticleTitle" in r.issues[-1].message


def test_generic_title_agency_from_the_site_name_only_and_said_so() -> None:
    """SiteName names the site's owner: used only when it names an agency and nothing else does."""
    r = parse_bytes(_html(f"{GENERIC}_政府信息公开年报", GENERIC, {"SiteName": "青石县人民政府"}), "nb.html")
    assert (r.status, r.agency, r.year) == ("parsed", "青石县人民政府", 2023)
    assert _rules(r) == [("identity_agency_from_site_name", "warning", "parser")]
    assert "site" in r.issues[-1].message
    portal = parse_bytes(_html(f"{GENERIC}_政府信息公开年报", GENERIC, {"SiteName": "青石门户网站"}), "nb.html")
    assert (portal.status, portal.error_type, portal.agency) == ("failed", "unidentified", None)


def _docx_with_header(header: str, ending: Sequence[str] = ()) -> bytes:
    document = docx.Document(io.BytesIO(render_docx(_truth())))
    assert document.paragraphs[0].text == "2023年政府信息公开工作年度报告"
    document.sections[0].header.is_linked_to_previous = False
    document.sections[0].header.paragraphs[0].text = header
    for line in ending:
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_generic_title_agency_from_the_word_page_header() -> None:
    r = parse_bytes(_docx_with_header(AGENCY), "nb.docx")
    assert (r.status, r.agency, r.year, r.title) == ("parsed", AGENCY, 2023, "2023年政府信息公开工作年度报告")
    assert _rules(r) == [("identity_agency_from_page_header", "warning", "parser")]


def _pdf_document(pages: list[str]) -> ExtractedDocument:
    """What the PDF parser makes of pages with these text layers (its own line assembly, title
    candidates and running-header detection), with the forged report's tables as its grids."""
    grids = TextParser().extract(_text(["2023年政府信息公开工作年度报告"]), "nb.txt").grids
    return PdfParser._document(pages, grids, {})


def test_generic_title_agency_from_the_running_header_of_pdf_pages() -> None:
    """Built from page texts, not a rendered PDF (no CJK font on the test machines to print one)."""
    pages = [f"{AGENCY}\n{GENERIC}\n一、总体情况\n本年度，我局持续推进政务公开工作。\n— 1 —",
             f"{AGENCY}\n二、主动公开政府信息情况\n第二十条第（一）项\n— 2 —",
             f"{AGENCY}\n三、收到和处理政府信息公开申请情况\n— 3 —"]
    r = _interpret(_pdf_document(pages), "nb.pdf", "0" * 64)
    assert (r.status, r.agency, r.year, r.title) == ("parsed", AGENCY, 2023, GENERIC)
    assert _rules(r) == [("identity_agency_from_page_header", "warning", "parser")]
    # printed over the title on the first page only, the agency is the title's first line (洪泽区人民政府 / 2023年…)
    once = [pages[0], "二、主动公开政府信息情况\n— 2 —", "三、收到和处理政府信息公开申请情况\n— 3 —"]
    r = _interpret(_pdf_document(once), "nb.pdf", "0" * 64)
    assert (r.status, r.agency, r.year, r.title) == ("parsed", AGENCY, 2023, AGENCY + GENERIC)
    assert _rules(r) == []


# --- a notice quoted in the preamble is not the title ----------------------------------------------

@pytest.mark.parametrize("sentence", [
    NOTICE,
    "按照省政府办公厅关于做好2023年政府信息公开工作年度报告编制发布工作的通知要求，现将有关情况报告如下：",
    "现将《青石县人民政府办公室关于印发青石县统计局2023年政府信息公开工作年度报告的通知》转发给你们。",
])
def test_a_sentence_quoting_a_notice_is_never_a_title(sentence: str) -> None:
    assert identify([sentence]) == (None, None, None)
    assert identify([sentence, f"{AGENCY}2023年政府信息公开工作年度报告"]) == (
        AGENCY, 2023, f"{AGENCY}2023年政府信息公开工作年度报告")


def test_notice_in_the_first_paragraph_and_the_real_title_outside_the_headings() -> None:
    """The page's title sits in a <div> (no heading), the notice in its first paragraph."""
    title = f"{AGENCY}2023年政府信息公开工作年度报告"
    r = parse_bytes(_html("政府信息公开年报", None, preamble=f'<div class="bt">{title}</div><p>{NOTICE}</p>'), "nb.html")
    assert (r.status, r.agency, r.year, r.title) == ("parsed", AGENCY, 2023, title)
    assert r.agency != NOT_THE_AGENCY and "《" not in r.title
    assert _rules(r) == []


def test_notice_without_a_real_title_is_not_loaded_under_the_notice() -> None:
    page = parse_bytes(_html("政府信息公开年报", None, preamble=f"<p>{NOTICE}</p>"), "nb.html")
    assert (page.status, page.error_type, page.agency, page.year) == ("failed", "unidentified", None, None)
    text = parse_bytes(_text([GENERIC], preamble=[NOTICE]), "nb.txt")
    assert (text.status, text.error_type, text.agency) == ("failed", "unidentified", None)
    assert GENERIC in text.error  # what was found is said


# --- years in Chinese numerals and full-width digits -----------------------------------------------

@pytest.mark.parametrize("title", [
    f"{AGENCY}二〇二三年度政府信息公开工作年度报告",  # 〇 U+3007
    f"{AGENCY}二○二三年政府信息公开工作年度报告",  # ○ U+25CB, as typed on many pages
    f"二零二三年{AGENCY}政府信息公开工作年度报告",
    f"{AGENCY}２０２３年政府信息公开工作年度报告",  # full-width digits
])
def test_title_year_in_chinese_numerals_or_full_width_digits(title: str) -> None:
    r = parse_bytes(_text([title]), "nb.txt")
    assert (r.status, r.agency, r.year, r.title) == ("parsed", AGENCY, 2023, title)
    assert _rules(r) == []


@pytest.mark.parametrize("period", [
    "本报告中所列数据的统计期限自二〇二三年一月一日起至二〇二三年十二月三十一日止。",
    "本报告中所列数据的统计期限自２０２３年１月１日起至２０２３年１２月３１日止。",
])
def test_year_from_the_statistics_period_when_the_title_prints_none(period: str) -> None:
    r = parse_bytes(_text([f"{AGENCY}政府信息公开工作年度报告"], preamble=[period]), "nb.txt")
    assert (r.status, r.agency, r.year) == ("parsed", AGENCY, 2023)
    assert _rules(r) == [("identity_year_from_period", "warning", "parser")]


def test_generic_title_in_chinese_numerals_with_a_signature() -> None:
    r = parse_bytes(_text(["二〇二三年度政府信息公开工作年度报告"], ending=["", AGENCY, "二〇二四年一月十日"]), "nb.txt")
    assert (r.status, r.agency, r.year) == ("parsed", AGENCY, 2023)


def test_title_year_and_period_year_that_disagree_are_flagged() -> None:
    period = "本报告中所列数据的统计期限自2022年1月1日起至2022年12月31日止。"
    vr = validate(parse_bytes(_text([f"{AGENCY}2023年政府信息公开工作年度报告"], preamble=[period]), "nb.txt"))
    assert (vr.result.agency, vr.result.year) == (AGENCY, 2023)
    assert _rules(vr.result) == [("identity_year_conflict", "error", "parser")]
    assert "2022" in vr.result.issues[-1].message and vr.status == "invalid"


# --- wrapped titles on scanned pages ---------------------------------------------------------------

@pytest.mark.parametrize(("ocr_lines", "agency", "year"), [
    # the title starts below the page's index lines and wraps over three letter-spaced lines
    (["索引号：11320800014/2024-00012", "发布日期：2024-01-20", "淮 安 市 洪 泽 区", "人 民 政 府 2 0 2 4 年 政 府",
      "信 息 公 开 工 作 年 度 报 告", "一、总体情况"], "淮安市洪泽区人民政府", 2024),
    (["青 石 县 统 计 局", "二 〇 二 三 年 度 政 府 信 息", "公 开 工 作 年 度 报 告", "一、总体情况"], AGENCY, 2023),
])
def test_title_wrapped_over_lines_of_a_scan(ocr_lines: list[str], agency: str, year: int) -> None:
    """OCR text lines as the image/PDF parsers turn them into title candidates (no scan is rendered
    and read here: OCR on the shared test machines costs minutes)."""
    assert identify(page_title_candidates(ocr_lines))[:2] == (agency, year)
    grids = TextParser().extract(_text(["2023年政府信息公开工作年度报告"]), "nb.txt").grids
    doc = ExtractedDocument("image", page_title_candidates(ocr_lines), "\n".join(ocr_lines), grids)
    r = _interpret(doc, "scan.png", "0" * 64)
    assert (r.status, r.agency, r.year) == ("parsed", agency, year)


# --- uncertain: never loaded under a guessed agency ------------------------------------------------

def test_sources_that_disagree_leave_the_report_unidentified() -> None:
    data = _docx_with_header(AGENCY, ending=["", "青石县财政局", "2024年1月15日"])
    hint = IdentityHint("青石县教育局", 2023, "青石县教育局2023年政府信息公开工作年度报告")
    for r in (parse_bytes(data, "nb.docx"), parse_bytes(data, "nb.docx", hint=hint)):
        assert (r.status, r.error_type, r.agency, r.year) == ("failed", "unidentified", None, None)
        assert AGENCY in r.error and "青石县财政局" in r.error


def test_a_sentence_naming_the_report_is_read_and_flagged() -> None:
    """"现将青石县统计局2023年度…报告如下" names this report (real excerpts 021, 026 do so), but is no
    title line: read, with the sentence recorded."""
    found = find_title(["现将青石县统计局2023年度政府信息公开工作报告如下："])
    assert found is not None and (found.agency, found.year, found.whole_line) == (AGENCY, 2023, False)
    r = parse_bytes(_text(["现将青石县统计局2023年度政府信息公开工作报告如下："]), "nb.txt")
    assert (r.status, r.agency, r.year) == ("parsed", AGENCY, 2023)
    assert _rules(r) == [("identity_from_sentence", "warning", "parser")]
