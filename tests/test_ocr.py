"""Scanned reports read by OCR (pipelines/parse/ocr.py) on the committed scanned test set
(tests/fixtures/forge-scans, made by tests/forge/scan.py from forged PDFs whose every cell is
known): every cell compared with its truth, no misread left silent, provenance with the engine's
confidence, and scans without an engine still failing ``needs_ocr``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pypdfium2 as pdfium
import pytest

from pipelines.parse import ocr
from pipelines.parse.report import ParseResult, parse_bytes
from pipelines.validate import ValidatedReport, validate
from tests.conftest import REPO
from tests.forge.scan import SCANS, SOURCES, build

FOLDER = REPO / "tests" / "fixtures" / SCANS
SCANNED = sorted(FOLDER.glob("scan-*.pdf"))
MIN_ACCURACY = 0.99


def _truth(path: Path) -> dict:
    return json.loads((FOLDER / f"{path.stem}.truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def read() -> dict[str, ValidatedReport]:
    assert ocr.available(), "the OCR engine (rapidocr-onnxruntime) is a locked dependency"
    return {p.name: validate(parse_bytes(p.read_bytes(), p.name)) for p in SCANNED}


def _wrong(result: ParseResult, truth: dict) -> dict[str, tuple]:
    got = result.cell_values() if result.status == "parsed" else {}
    return {k: (v, got.get(k)) for k, v in truth["cells"].items() if got.get(k) != v}


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
    total = exact = 0
    lines = []
    for path in SCANNED:
        vr, truth = read[path.name], _truth(path)
        assert vr.result.status == "parsed", (path.name, vr.result.error)
        assert (vr.result.agency, vr.result.year) == (truth["agency"], truth["year"]), path.name
        wrong = _wrong(vr.result, truth)
        total += len(truth["cells"])
        exact += len(truth["cells"]) - len(wrong)
        lines.append(f"{path.name}: {len(truth['cells']) - len(wrong)}/{len(truth['cells'])} exact, wrong {wrong}")
    accuracy = exact / total
    report = "\n".join(lines)
    (REPO / "test-artifacts").mkdir(exist_ok=True)
    (REPO / "test-artifacts" / "ocr-accuracy.txt").write_text(f"{exact}/{total} = {accuracy:.4f}\n{report}\n", encoding="utf-8")
    assert accuracy >= MIN_ACCURACY, f"{exact}/{total} = {accuracy:.4f}\n{report}"


def test_no_misread_is_silent(read: dict[str, ValidatedReport]) -> None:
    """A scan with any wrong cell carries a parser-origin error and is not valid."""
    for path in SCANNED:
        vr = read[path.name]
        if _wrong(vr.result, _truth(path)):
            assert vr.status != "valid", path.name
            assert any(i.origin == "parser" and i.severity == "error" for i in vr.issues), path.name


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
