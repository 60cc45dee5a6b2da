"""PDF reports (pdfplumber): real reports exact, scanned / (cid:N) PDFs fail with a typed error."""

from __future__ import annotations

import pytest

from pipelines.parse.report import parse_bytes, parse_path
from pipelines.validate import validate
from tests.conftest import CORPUS, truth
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


def test_image_only_pdf_needs_ocr() -> None:
    r = parse_bytes(image_only_pdf(), "scan.pdf")
    assert (r.status, r.error_type) == ("failed", "needs_ocr")
    assert "scan.pdf" in r.error


def test_cid_glyph_pdf_is_unreadable() -> None:
    r = parse_bytes(cid_only_pdf(), "cid.pdf")
    assert (r.status, r.error_type) == ("failed", "unreadable_text")


def test_corrupt_pdf_is_a_typed_failure() -> None:
    r = parse_bytes(b"%PDF-1.4 this is not really a pdf", "bad.pdf")
    assert (r.status, r.error_type) == ("failed", "corrupt_pdf")
