"""PDF reports (pdfplumber): real reports exact, scanned / (cid:N) PDFs fail with a typed error."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.parse import ocr
from pipelines.parse.report import parse_bytes, parse_path
from pipelines.validate import validate
from tests.conftest import CORPUS, FORGE, SAMPLES, corpus_files, corpus_or_skip, forge_doc, truth
from tests.pdfs import cid_only_pdf, image_only_pdf


@pytest.mark.parametrize("name", ["huaian-2024", "hongze-2023"])
def test_real_pdf_every_cell_equals_truth(name: str) -> None:
    t = truth(name)
    vr = validate(parse_path(CORPUS / "real" / f"{name}.pdf"))
    r = vr.result
    assert (r.status, r.agency, r.year, r.table_formats) == ("parsed", t["agency"], t["year"], t["table_formats"])
    got = r.cell_values()
    assert set(got) == set(t["cells"])
    assert {k: got[k] for k in t["cells"]} == t["cells"]
    assert [i for i in vr.issues if i.origin == "parser"] == []
    found = sorted((i.rule, i.found, i.expected) for i in vr.issues if i.origin == "publisher")
    assert found == sorted((v["rule"], float(v["lhs"]), float(v["rhs"])) for v in t["rule_check"]["strict"])


def test_hongze_2023_published_t4_errors_make_it_invalid() -> None:
    truth("hongze-2023")
    vr = validate(parse_path(CORPUS / "real" / "hongze-2023.pdf"))
    assert vr.status == "invalid"
    assert vr.result.table_formats["T3"] == "hybrid"
    review = next(i for i in vr.issues if i.rule == "T4.review_total")
    assert (review.origin, review.found, review.expected) == ("publisher", 0.0, 11.0)


def test_hongze_2024_generalises_without_parser_issues() -> None:
    truth("hongze-2023")  # skips when the corpus is absent
    vr = validate(parse_path(CORPUS / "real" / "hongze-2024.pdf"))
    r = vr.result
    assert (r.status, r.agency, r.year, r.table_formats["T3"]) == ("parsed", "淮安市洪泽区人民政府", 2024, "hybrid")
    assert [i for i in vr.issues if i.origin == "parser"] == []
    assert vr.status == "valid"
    assert r.cell_values()["3.1|total"] == 95  # the table says 95 (the narrative's 17 is another matter)


def test_provenance_has_page_and_bbox() -> None:
    truth("huaian-2024")
    r = parse_path(CORPUS / "real" / "huaian-2024.pdf")
    cell = r.cells["3.1|total"]
    assert cell.raw == "3119" and cell.page == 4 and cell.bbox is not None and len(cell.bbox) == 4


def test_image_only_pdf_needs_ocr_without_an_engine_and_fails_typed_with_one(monkeypatch: pytest.MonkeyPatch) -> None:
    r = parse_bytes(image_only_pdf(), "scan.pdf")  # a blank page: OCR reads nothing
    assert (r.status, r.error_type) == ("failed", "ocr_unreadable")
    assert "scan.pdf" in r.error
    monkeypatch.setattr(ocr, "available", lambda: False)
    r = parse_bytes(image_only_pdf(), "scan.pdf")
    assert (r.status, r.error_type) == ("failed", "needs_ocr")
    assert "scan.pdf" in r.error


def test_cid_glyph_pdf_is_unreadable(monkeypatch: pytest.MonkeyPatch) -> None:
    r = parse_bytes(cid_only_pdf(), "cid.pdf")  # OCR'd: its glyphs render as nothing that is a table
    assert (r.status, r.error_type) == ("failed", "unreadable_text") and "OCR" in r.error
    monkeypatch.setattr(ocr, "available", lambda: False)
    r = parse_bytes(cid_only_pdf(), "cid.pdf")
    assert (r.status, r.error_type) == ("failed", "unreadable_text") and "no OCR engine" in r.error


def test_corrupt_pdf_is_a_typed_failure() -> None:
    r = parse_bytes(b"%PDF-1.4 this is not really a pdf", "bad.pdf")
    assert (r.status, r.error_type) == ("failed", "corrupt_pdf")


PDFS = sorted([*FORGE.glob("*.pdf"), *SAMPLES.glob("*.pdf")])


@pytest.mark.parametrize("path", PDFS + corpus_files("real", "*.pdf"), ids=lambda p: p.name)
def test_pdfium_pages_read_what_pdfminer_pages_read(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast engine (PDFium chars/lines into pdfplumber's table finder) gives the same cells,
    raw tokens and provenance as pdfplumber's own pdfminer pages."""
    if path.name == "(corpus missing)":
        corpus_or_skip()
    fast = parse_path(path)
    monkeypatch.setenv("NIANBAO_PDF_ENGINE", "pdfminer")
    slow = parse_path(path)
    assert fast.status == slow.status == "parsed"
    assert fast.cell_values() == slow.cell_values() and fast.raw_tokens() == slow.raw_tokens()
    assert {k: c.page for k, c in fast.cells.items()} == {k: c.page for k, c in slow.cells.items()}
    for k, c in fast.cells.items():
        if c.bbox and slow.cells[k].bbox:
            # ruled cells match exactly; word boxes differ by the font metrics each engine uses (≤ 3 pt)
            assert all(abs(a - b) <= 3.0 for a, b in zip(c.bbox, slow.cells[k].bbox, strict=True)), k


def test_table_three_across_a_page_break_is_read_from_both_pages() -> None:
    r = parse_path(forge_doc("forge-19-2021-long.pdf"))
    t3_pages = {c.page for k, c in r.cells.items() if k.startswith("3.")}
    assert len(t3_pages) >= 2
    assert [i for i in r.issues if i.origin == "parser"] == []


def test_borderless_table_cells_have_word_boxes() -> None:
    r = parse_path(FORGE / "forge-26-2021-noborder.pdf")
    assert r.status == "parsed" and r.cells["3.1|total"].bbox is not None


def test_extract_table_reads_every_cell_as_pdfplumber_does() -> None:
    """``extract_table`` (characters bisected by their vertical centre) gives ``Table.extract()``'s
    text for every cell of every ruled table in the real PDFs and every forged layout PDF (rotated
    pages, repeated headers, wrapped labels, split tables, fonts)."""
    import pypdfium2 as pdfium

    from pipelines.parse.pdf_pages import PdfiumPage, extract_table

    files = [*sorted((corpus_or_skip() / "real").glob("*.pdf")),
             *sorted((Path(__file__).parent / "fixtures" / "forge-layouts").glob("*.pdf"))]
    assert len(files) >= 40
    tables = 0
    for path in files:
        doc = pdfium.PdfDocument(str(path))
        try:
            for i in range(len(doc)):
                for table in PdfiumPage(doc[i], i + 1).find_tables():
                    assert extract_table(table) == table.extract(), (path.name, i + 1, table.bbox)
                    tables += 1
        finally:
            doc.close()
    assert tables >= 100
