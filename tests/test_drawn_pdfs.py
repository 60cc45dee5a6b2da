"""PDFs drawn straight on a reportlab canvas (tests/forge/drawn_pdf.py) — another generator than the
forge's LibreOffice prints: ruling as lines, as thin filled bars, 三线表 or none; shaded cells; diagonal
and level watermarks over the tables; running headers and footers (第 N 页 共 M 页); a signature date
under table 4; blanks as nothing, '—' or '/'; a row of blank marks; page breaks inside table 3.
Expected cells are the truth the document was drawn from; expected violations are worked out by
hand in the generator (none for a rule-obeying truth)."""

from __future__ import annotations

import re
from typing import Any

import pypdfium2 as pdfium
import pytest

from pipelines.parse.report import parse_bytes
from pipelines.validate import validate
from schemas import format as fmt
from tests.forge.drawn_pdf import RULINGS, draw_spec, drawn_document, expected_violations

SEEDS = list(range(300, 332))  # fixed: every dimension below is drawn in at least one of them


def _check_exact(data: bytes, truth: dict[str, Any]) -> None:
    vr = validate(parse_bytes(data, "drawn.pdf"))
    r = vr.result
    assert (r.status, r.agency, r.year, r.table_formats) == ("parsed", truth["agency"], truth["year"], truth["table_formats"])
    assert r.cell_values() == truth["cells"]
    assert r.raw_tokens() == truth["raw_tokens"]
    found = sorted((i.rule, i.cells, i.expected, i.found) for i in vr.issues if i.origin == "publisher"
                   and i.severity in ("error", "warning"))
    assert found == expected_violations(truth)
    assert [i for i in vr.issues if i.origin == "parser"] == []
    assert vr.status == ("invalid" if found else "valid")


def test_seeds_cover_every_dimension() -> None:
    specs = [draw_spec(s) for s in SEEDS]
    assert len(specs) >= 24
    assert {s.ruling for s in specs} == set(RULINGS)
    assert {s.blank for s in specs} == {"zeros", "blank", "dash", "slash"}
    assert {s.fmt_name for s in specs} == {"2021", "2019", "hybrid"}
    assert {s.watermark for s in specs} == {None, "仅供参考", "agency"}
    assert {s.watermark_angle == 0 for s in specs if s.watermark} == {True, False}
    for flag in ("shading", "running", "signature", "blank_row", "repeat_header", "t4_blank_row", "furniture_first"):
        assert {getattr(s, flag) for s in specs} == {True, False}, flag
    assert {s.bars_one_path for s in specs if s.ruling == "rects"} == {True, False}
    assert any(s.t3_break for s in specs) and any(s.error for s in specs)
    # combined: furniture over unruled tables, signatures under tables without rulings
    assert any(s.running and s.ruling == "none" for s in specs)
    assert any(s.signature and s.ruling in ("none", "three_line") and s.blank == "blank" for s in specs)


@pytest.mark.parametrize("seed", SEEDS)
def test_drawn_document_exact(seed: int) -> None:
    data, truth = drawn_document(seed)
    _check_exact(data, truth)


def _page_text(data: bytes) -> list[str]:
    pdf = pdfium.PdfDocument(data)
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


@pytest.mark.parametrize("angle", [45, 0])
def test_watermark_over_table_three_is_not_read_into_cells(angle: int) -> None:
    """仅供参考 in 60–70 pt grey type across every page (diagonal, or level) over ruled table 3."""
    data, truth = drawn_document(41, fmt_name="2021", ruling="lines", watermark="仅供参考", watermark_angle=angle,
                                 shading=False, blank="dash", running=False, signature=False)
    t3_pages = [i for i, t in enumerate(_page_text(data)) if "本年新收" in t or "结转下年度" in t]
    assert t3_pages and all("仅供参考" in _page_text(data)[i] for i in t3_pages)  # the watermark is there
    _check_exact(data, truth)


@pytest.mark.parametrize("ruling", ["none", "three_line"])
def test_signature_date_under_table_four_is_not_its_values(ruling: str) -> None:
    """The agency and "YYYY 年 M 月 D 日" right under an unruled table 4 whose blanks print nothing."""
    data, truth = drawn_document(52, fmt_name="2021", ruling=ruling, signature=True, blank="blank", error=None)
    text = "".join(_page_text(data))
    date = re.search(r"(\d{4}) 年 (\d{1,2}) 月 (\d{1,2}) 日", text)
    assert date is not None and int(date.group(1)) == truth["year"] + 1
    assert any(truth["cells"][d.key] is None for d in fmt.t4_cells())  # blank cells: 15 columns, fewer values
    r = parse_bytes(data, "signed.pdf")
    assert {d.key: r.cell_values().get(d.key) for d in fmt.t4_cells()} == {d.key: truth["cells"][d.key] for d in fmt.t4_cells()}
    _check_exact(data, truth)


@pytest.mark.parametrize(("blank", "mark"), [("dash", "—"), ("blank", "—"), ("slash", "/")])
def test_a_row_of_blank_marks_is_a_row_of_nulls(blank: str, mark: str) -> None:
    data, truth = drawn_document(63, fmt_name="2021", ruling="none", blank=blank, blank_row=True)
    row = truth["blank_row"]
    r = parse_bytes(data, "marks.pdf")
    cells = {c.code: r.cells[f"{row}|{c.code}"] for c in fmt.t3_columns()}
    assert {code: (c.value, c.raw) for code, c in cells.items()} == {c.code: (None, mark) for c in fmt.t3_columns()}
    _check_exact(data, truth)


@pytest.mark.parametrize("ruling", ["none", "three_line"])
def test_table_four_of_blank_marks_over_a_signature_date_is_a_row_of_nulls(ruling: str) -> None:
    """Table 4's one row printed '—' in all 15 columns, the signature's date right under it: the
    row is 15 nulls with their '—', not dropped, and the date's numbers are nobody's values."""
    data, truth = drawn_document(85, fmt_name="2021", ruling=ruling, blank="zeros", t4_blank_row=True, signature=True)
    assert re.search(r"\d{4} 年 \d{1,2} 月 \d{1,2} 日", "".join(_page_text(data)))
    r = parse_bytes(data, "nothing.pdf")
    assert {d.key: (r.cells[d.key].value, r.cells[d.key].raw) for d in fmt.t4_cells() if d.key in r.cells} == {
        d.key: (None, "—") for d in fmt.t4_cells()}
    _check_exact(data, truth)


def test_blank_columns_keep_their_place_in_unruled_tables() -> None:
    """Blanks printed as nothing in tables without rulings: every value sits under its header."""
    data, truth = drawn_document(74, fmt_name="2021", ruling="none", blank="blank", running=True, watermark=None)
    assert sum(v is None for k, v in truth["cells"].items() if k.startswith(("2.", "4|"))) >= 3
    _check_exact(data, truth)


@pytest.mark.parametrize("angle", [30, 0])
def test_pdfminer_pages_leave_out_the_watermark_too(angle: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """pdfplumber's own pages (rotated pages, ``NIANBAO_PDF_ENGINE=pdfminer``) read what PDFium's do."""
    data, truth = drawn_document(96, fmt_name="2021", ruling="lines", watermark="agency", watermark_angle=angle,
                                 shading=False)
    monkeypatch.setenv("NIANBAO_PDF_ENGINE", "pdfminer")
    _check_exact(data, truth)
