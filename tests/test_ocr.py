"""Scanned reports read by OCR (pipelines/parse/ocr.py) on the committed scanned test set
(tests/fixtures/forge-scans, made by tests/forge/scan.py from forged PDFs whose every cell is
known): every cell compared with its truth, no misread left silent, provenance with the engine's
confidence, and scans without an engine still failing ``needs_ocr``."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pypdfium2 as pdfium
import pytest
from PIL import Image

from pipelines.parse import ocr
from pipelines.parse.report import parse_bytes
from pipelines.validate import ValidatedReport, validate
from tests.conftest import FORGE, REPO
from tests.forge import expect
from tests.forge.layouts import plan
from tests.forge.scan import SCANS, SOURCES, build
from tests.ocr_sets import assert_accuracy, assert_no_silent_misread, wrong_cells

# The first test to use ``read`` also OCRs all 20 scans (≈ 20 s each: docs/ocr.md) within its time limit
pytestmark = pytest.mark.timeout(1800)

FOLDER = REPO / "tests" / "fixtures" / SCANS
SCANNED = sorted(FOLDER.glob("scan-*.pdf"))


def _truth(path: Path) -> dict:
    return json.loads((FOLDER / f"{path.stem}.truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def read() -> dict[str, ValidatedReport]:
    assert ocr.available(), "the OCR engine (rapidocr-onnxruntime) is a locked dependency"
    return {p.name: validate(parse_bytes(p.read_bytes(), p.name)) for p in SCANNED}


def test_the_committed_set_is_what_the_forge_makes(tmp_path: Path) -> None:
    assert len(SCANNED) == len(SOURCES) >= 15
    manifest = json.loads((FOLDER / "manifest.json").read_text(encoding="utf-8"))
    rebuilt = build(tmp_path)
    assert [(m["file"], m["sha256"]) for m in rebuilt] == [(m["file"], m["sha256"]) for m in manifest]
    for m in manifest:
        assert 150 <= m["dpi"] <= 200 and all(abs(s) <= 1.0 for s in m["skew"])
        pdf = pdfium.PdfDocument(FOLDER / m["file"])
        try:  # image-only: no text layer at all
            assert all(not pdf[i].get_textpage().get_text_range().strip() for i in range(len(pdf)))
        finally:
            pdf.close()


def test_every_cell_of_every_scan_against_its_truth(read: dict[str, ValidatedReport]) -> None:
    assert_accuracy(read, {p.name: _truth(p) for p in SCANNED}, "ocr-accuracy.txt")


WILD = [p for p in SCANNED if "-layout-wild-" in p.name]


def test_every_scan_of_a_wild_layout_is_read_exactly(read: dict[str, ValidatedReport]) -> None:
    """Issue #26's every-dimension layouts scanned (watermarks, running headers and footers, shaded
    cells, a row of blank marks, years in Chinese numerals, the agency only in the signature or the
    page header, table 4 as a list or turned, label variants, marks): held to the forge's own
    definition of exact (tests/forge/expect.py) — every cell and raw token, the violations, the
    warnings a drawn dimension calls for — as their text-layer PDFs are; a number the engine read
    with low confidence may be said when every identity it is in holds."""
    specs = {d.name: d.spec for d in plan()}
    assert len(WILD) >= 4
    for path in WILD:
        truth = _truth(path)
        vr = read[path.name]
        assert expect.problems(truth, specs[truth["scanned_from"]], "scan", vr.result, vr.issues, vr.status) == {}, path.name
    drawn = [specs[_truth(p)["scanned_from"]] for p in WILD]
    assert {s.watermark_text for s in drawn if s.watermark} == {True, False}  # a text box and WordArt
    assert {s.running for s in drawn} >= {"both", "page_of"} and any(s.shaded for s in drawn) and any(s.blank_row for s in drawn)
    assert {s.year_style for s in drawn} >= {"zh_ling", "zh_circle"} and any(s.marks_seed for s in drawn)
    assert {s.t4_shape.split("_")[0] for s in drawn} >= {"vertical", "transposed"}
    assert {s.agency_at for s in drawn} >= {"signature", "nowhere"}  # (the agency then only in a signature or page header)


def test_no_misread_is_silent(read: dict[str, ValidatedReport]) -> None:
    assert_no_silent_misread(read, {p.name: _truth(p) for p in SCANNED})


def test_scans_carry_their_ocr_provenance_and_arithmetic_breaks_are_parser_issues(read: dict[str, ValidatedReport]) -> None:
    for path in SCANNED:
        vr = read[path.name]
        pages = len(pdfium.PdfDocument(path))
        assert vr.result.ocr_pages == pages, path.name
        for key, cell in vr.result.cells.items():
            if cell.raw.strip():  # a printed token: read by the engine, with its page and box
                assert cell.page is not None and cell.bbox is not None and 0 < (cell.confidence or 0) <= 1, (path.name, key)
        # on a scan a broken identity is a possible misread for a person, never a publisher finding
        assert not [i for i in vr.issues if i.origin == "publisher" and i.severity == "error"], path.name
    t3err = read["scan-07-forge-25-hybrid-landscape-t3err.pdf"]
    rules = {i.rule: i for i in t3err.issues}
    assert rules["T3.row_total"].origin == "parser" and rules["T3.row_total"].message.startswith("read by OCR from a scan")


def test_the_engine_runs_one_thread_and_recognises_one_line_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The settings that halve OCR time with the same readings (docs/decisions.md, "OCR speed"): one
    inference thread per engine (one parse worker per core), lines recognised singly (no padded batches)."""
    engine = ocr._engine()
    assert engine.text_rec.rec_batch_num == 1
    assert engine.text_det.infer.request.get_compiled_model().get_property("INFERENCE_NUM_THREADS") == 1
    assert engine.text_rec.session.request.get_compiled_model().get_property("INFERENCE_NUM_THREADS") == 1
    monkeypatch.setenv("NIANBAO_OCR_THREADS", "2")
    assert ocr.engine_options()["intra_op_num_threads"] == 2


def test_the_recogniser_runs_on_openvino_in_full_precision() -> None:
    """docs/decisions.md, "OCR speed, session 14": the recogniser's and the detector's models compiled
    by OpenVINO (0.75× and ~0.5× the time, the same readings), in 32-bit floats whatever the CPU offers
    (bfloat16 would read otherwise); ``NIANBAO_OCR_RUNTIME=onnxruntime`` keeps ONNX Runtime, and
    ``NIANBAO_OCR_DETECTOR=onnxruntime`` the detector on it."""
    engine = ocr._engine()
    for compiled in (engine.text_rec.session.request.get_compiled_model(), engine.text_det.infer.request.get_compiled_model()):
        assert compiled.get_property("INFERENCE_PRECISION_HINT").get_type_name() == "f32"
    code = ("from pipelines.parse import ocr; e = ocr._engine(); "
            "print(type(e.text_rec.session).__name__, type(e.text_det.infer).__name__)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "NIANBAO_OCR_DETECTOR": "onnxruntime"}, cwd=REPO)
    assert proc.stdout.split() == ["OpenVinoSession", "OrtInferSession"], proc.stderr
    code = ("from pipelines.parse import ocr; e = ocr._engine(); "
            "print(type(e.text_rec.session).__name__, e.text_rec.session.session.get_session_options().intra_op_num_threads)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "NIANBAO_OCR_RUNTIME": "onnxruntime"}, cwd=REPO)
    assert proc.stdout.split() == ["OrtInferSession", "1"], proc.stderr


def test_without_the_engine_a_scan_still_fails_needs_ocr() -> None:
    env = {**os.environ, "NIANBAO_OCR": "off"}
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", "parse", str(SCANNED[0])], capture_output=True, text=True,
                          env=env)
    assert proc.returncode == 2, proc.stderr
    assert "needs_ocr" in proc.stderr and "Traceback" not in proc.stderr


def test_a_scan_in_the_warehouse(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    scan = FOLDER / "scan-05-forge-23-2021-landscape.pdf"
    (folder / scan.name).write_bytes(scan.read_bytes())
    db = tmp_path / "w.duckdb"
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", "ingest", "--source", str(folder), "--db", str(db)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "scans read by OCR: 1 document(s), 3 page(s)" in proc.stdout.splitlines()
    truth = _truth(scan)
    with duckdb.connect(str(db), read_only=True) as conn:
        assert conn.execute("SELECT agency_id, year, ocr_pages, media_type FROM reports").fetchall() == [
            (truth["agency"], truth["year"], 3, "pdf")]
        missing = conn.execute("SELECT count(*) FROM cell_provenance WHERE raw_token <> '' AND (ocr_confidence IS NULL "
                               "OR page IS NULL OR bbox IS NULL)").fetchone()
        assert missing == (0,)
        got = dict(conn.execute("SELECT category_code || '|' || applicant_code, value FROM fact_applications").fetchall())
        assert {k: v for k, v in got.items()} == {k: v for k, v in truth["cells"].items() if k[0] == "3"}


def _pages(*parts: tuple[Path, list[int]]) -> bytes:
    out = pdfium.PdfDocument.new()
    for path, pages in parts:
        out.import_pages(pdfium.PdfDocument(path), pages)
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def test_a_pdf_whose_table_pages_are_pictures_ocrs_those_pages_only() -> None:
    """A typed first page, then the table pages as scanned images (a partly broken text layer)."""
    truth = json.loads((FORGE / "forge-23-2021-landscape.truth.json").read_text(encoding="utf-8"))
    data = _pages((FORGE / "forge-23-2021-landscape.pdf", [0]), (FOLDER / "scan-05-forge-23-2021-landscape.pdf", [1, 2]))
    vr = validate(parse_bytes(data, "mixed.pdf"))
    assert (vr.result.status, vr.result.agency, vr.result.year, vr.result.ocr_pages) == (
        "parsed", truth["agency"], truth["year"], 2)
    assert wrong_cells(vr.result, truth) == {}
    on_text_page = [c for c in vr.result.cells.values() if c.page == 1 and c.raw.strip()]
    on_scans = [c for c in vr.result.cells.values() if c.page in (2, 3) and c.raw.strip()]
    assert all(c.confidence is None for c in on_text_page) and all(c.confidence is not None for c in on_scans)
    assert on_scans


def test_a_long_scan_ocrs_the_title_page_and_the_table_pages(tmp_path: Path) -> None:
    """17 scanned pages, over the 15-page cap: the title page, the pages with a ruled grid and the
    page after each are OCR'd (found from a coarse render's ruling lines); the 13 pages of text
    after them are not."""
    scan = FOLDER / "scan-05-forge-23-2021-landscape.pdf"
    pdf = pdfium.PdfDocument(scan)
    first = pdf[0].render(scale=150 / 72, grayscale=True).to_pil().convert("L")
    filler = Image.new("L", first.size, 255)
    filler.paste(first.crop((0, 0, first.width, first.height * 2 // 5)), (0, 0))  # title and prose, no table
    pages = [pdf[i].render(scale=150 / 72, grayscale=True).to_pil().convert("L") for i in range(len(pdf))] + [filler] * 14
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:], resolution=150)
    assert len(pages) == 17 > ocr.MAX_PAGES
    vr = validate(parse_bytes(buf.getvalue(), "long-scan.pdf"))
    truth = _truth(scan)
    assert (vr.result.status, vr.result.agency, vr.result.year) == ("parsed", truth["agency"], truth["year"]), vr.result.error
    assert vr.result.ocr_pages == 4  # pages 1–3 and the page after the last table page
    assert wrong_cells(vr.result, truth) == {}


def test_an_empty_openvino_answer_is_a_memory_error_not_lines_read_as_nothing() -> None:
    """OpenVINO answers an allocation it could not make under the parse worker's address-space cap with
    an empty output (measured: shape (0, 0, 6625) for a 48×3200 line), not an error. RapidOCR would then
    leave every line of the batch unread, silently; the session raises MemoryError (→ too_large)."""
    import numpy as np

    class Request:
        def __init__(self, out: np.ndarray) -> None:
            self.out = out

        def infer(self, _inputs: dict) -> list[np.ndarray]:
            return [self.out]

    session = ocr.OpenVinoSession.__new__(ocr.OpenVinoSession)
    batch = np.zeros((1, 3, 48, 3200), dtype=np.float32)
    session.request = Request(np.zeros((0, 0, 6625), dtype=np.float32))
    with pytest.raises(MemoryError):
        session(batch)
    session.request = Request(np.ones((1, 400, 6625), dtype=np.float32))
    assert session(batch)[0].shape == (1, 400, 6625)


def test_openvino_that_cannot_compile_leaves_onnx_runtime_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any failure of the optional runtime (a CPU it does not support) is said and the engine keeps
    ONNX Runtime: it is never every PDF's parser_crash (ocr.available() builds the engine for each)."""
    def broken(*_args: object) -> None:
        raise RuntimeError("Exception from src/inference/src/cpp/core.cpp: unsupported CPU")

    monkeypatch.setattr(ocr, "OpenVinoSession", broken)
    ocr._engine.cache_clear()  # (the engine is built once a process)
    try:
        with pytest.warns(RuntimeWarning, match="OpenVINO unavailable"):
            engine = ocr._engine()
        assert type(engine.text_rec.session).__name__ == "OrtInferSession"
        assert type(engine.text_det.infer).__name__ == "OrtInferSession"
    finally:
        ocr._engine.cache_clear()  # (later tests build the engine as configured)
