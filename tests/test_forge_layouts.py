"""Layouts as offices print them (tests/forge/layouts.py): the listed variants in every medium and
random combinations of ruling, repeated headers, wrapped labels and where their values sit, split
table 4, wrapped titles, fonts and line spacing, blank tokens and media. Every cell, raw token and
publisher violation (rule, cells, expected, found) is compared; PDF provenance points at the
printed number."""

from __future__ import annotations

import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from pipelines.parse.report import parse_path
from pipelines.validate import validate
from tests.conftest import REPO
from tests.forge import expect
from tests.forge.__main__ import EXTENSIONS, MANIFEST, generate_layouts
from tests.forge.layouts import MEDIA, NAMED, RANDOM_COUNT, WILD_COUNT, collections, plan

LAYOUTS = REPO / "tests" / "fixtures" / "forge-layouts"
PLAN = plan()


def _doc(name: str) -> Path:
    return next(p for p in LAYOUTS.glob(f"{name}.*") if not p.name.endswith(".json"))


def test_layout_corpus_present() -> None:
    names = {d.name for d in PLAN} | {c.name for c in collections()}  # (collections: tests/test_collections.py)
    assert {p.name.removesuffix(".truth.json") for p in LAYOUTS.glob("*.truth.json")} == names
    assert len([d for d in PLAN if d.name.startswith("layout-random-")]) == RANDOM_COUNT >= 60
    assert {(v, m) for v in NAMED for m in MEDIA} <= {(d.name.split("-", 1)[1].rsplit("-", 1)[0], d.medium) for d in PLAN}
    for d in PLAN:
        assert _doc(d.name).suffix == f".{EXTENSIONS[d.medium]}"


@pytest.mark.parametrize("doc", PLAN, ids=lambda d: d.name)
def test_layout_document_exact(doc) -> None:  # noqa: ANN001 - a LayoutDoc
    """Every cell and raw token as the truth has it, the violations the forge's own checker finds, the
    agency and year (or ``unidentified`` where nothing printed names the agency), cells of a paste no
    identity places left blank and flagged, and nothing else said by the parser than what a drawn
    dimension calls for (tests/forge/expect.py)."""
    truth = json.loads((LAYOUTS / f"{doc.name}.truth.json").read_text(encoding="utf-8"))
    vr = validate(parse_path(_doc(doc.name)))
    assert expect.problems(truth, doc.spec, doc.medium, vr.result, vr.issues, vr.status) == {}
    if not doc.name.startswith("layout-wild-"):  # (the first corpus: official labels, nothing to warn of)
        assert [i for i in vr.issues if i.origin == "parser"] == []


def test_the_wild_block_draws_every_dimension_and_enough_pdfs() -> None:
    """Issue #26: the committed random set holds every dimension at once and ≥ 40 % PDFs."""
    wild_docs = [d for d in PLAN if d.name.startswith("layout-wild-")]
    specs = [d.spec for d in wild_docs]
    assert len(wild_docs) == WILD_COUNT >= 40
    assert {s.t4_shape for s in specs} >= {"vertical", "transposed"} and any(s.paste_dropped for s in specs)
    assert any(s.labels_seed for s in specs) and any(s.t3_columns for s in specs)
    assert {s.agency_at for s in specs} >= {"title", "signature", "page_header", "nowhere"}
    assert any(s.watermark for s in specs) and any(s.running for s in specs) and any(s.marks_seed for s in specs)
    assert any(s.html_cells != "table" for s, d in zip(specs, wild_docs, strict=True) if d.medium == "html")
    assert any(d.spec.paste_dropped for d in wild_docs if d.medium == "text")
    pdfs = sum(d.medium == "pdf" for d in PLAN)
    assert len(PLAN) >= 150 and pdfs / len(PLAN) >= 0.40, (len(PLAN), pdfs)


@pytest.mark.parametrize("name", ["layout-rephead-ruled-pdf", "layout-rephead-unruled-pdf", "layout-frame-pdf",
                                  "layout-wrap-first-pdf", "layout-wrap-middle-pdf", "layout-wrap-last-pdf",
                                  "layout-rotated-pdf", "layout-rotated-cw-unruled-pdf"])
def test_pdf_provenance_points_at_the_printed_number(name: str) -> None:
    """Every value cell's page and bounding box (in the page's own coordinates) hold its printed
    token — including the first data row after a page break under a repeated header, rows whose
    labels wrap, and tables printed turned by 90° on a portrait page."""
    path = _doc(name)
    result = parse_path(path)
    pdf = pdfium.PdfDocument(path.read_bytes())
    pages_with_t3 = set()
    checked = 0
    for key, cell in result.cells.items():
        if not cell.raw.strip():
            continue
        assert cell.page is not None and cell.bbox is not None, key
        page = pdf[cell.page - 1]
        x0, top, x1, bottom = cell.bbox
        height = page.get_height()
        printed = page.get_textpage().get_text_bounded(left=x0 - 0.5, bottom=height - bottom - 0.5, right=x1 + 0.5,
                                                       top=height - top + 0.5)
        assert "".join(printed.split()) == "".join(cell.raw.split()), (key, cell.page, cell.bbox)
        checked += 1
        if key.startswith("3."):
            pages_with_t3.add(cell.page)
    assert checked >= 100 and len(pages_with_t3) >= 2  # table 3 crosses a page break in each of these
    if "rotated" in name:
        assert all(pdf[p - 1].get_size()[0] < pdf[p - 1].get_size()[1] for p in pages_with_t3)  # portrait pages
    pdf.close()


def test_layouts_regenerate_identically(tmp_path: Path) -> None:
    """The committed layout corpus is what `make forge` writes (PDFs: the .docx they are printed from)."""
    generate_layouts(tmp_path, convert=False)
    printed = json.loads((LAYOUTS / MANIFEST).read_text(encoding="utf-8"))
    assert json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8")) == printed
    for p in tmp_path.iterdir():
        assert p.read_bytes() == (LAYOUTS / p.name).read_bytes(), p.name
    assert {p.name for p in tmp_path.iterdir()} | set(printed) == {p.name for p in LAYOUTS.iterdir()}
