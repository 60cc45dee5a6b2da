"""Reports whose tables are pictures (pipelines/parse/pictures.py) on the committed picture set
(tests/fixtures/forge-pictures, made by tests/forge/pictures.py from forged PDFs whose every cell is
known): a web page of page images, a web page with table screenshots inlined, a Word file with
pasted table pictures. Every cell against its truth, provenance to the picture, no silent misread,
the crawler fetching a page's pictures with it, and no OCR without an engine."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from pipelines.parse import ocr
from pipelines.parse.pictures import PictureSource
from pipelines.parse.report import parse_bytes, parse_path
from pipelines.validate import ValidatedReport, validate
from tests.conftest import REPO
from tests.forge.pictures import PICTURES, SOURCES, build
from tests.ocr_sets import assert_accuracy, assert_no_silent_misread
from tests.portal import Portal

# The first test to use ``read`` also OCRs every picture document (20–30 s each: docs/ocr.md)
pytestmark = pytest.mark.timeout(900)

FOLDER = REPO / "tests" / "fixtures" / PICTURES
DOCUMENTS = [FOLDER / json.loads((FOLDER / "manifest.json").read_text(encoding="utf-8"))[i]["file"] for i in range(len(SOURCES))]


def _truth(path: Path) -> dict:
    return json.loads((FOLDER / f"{path.stem}.truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def read() -> dict[str, ValidatedReport]:
    assert ocr.available(), "the OCR engine (rapidocr-onnxruntime) is a locked dependency"
    return {p.name: validate(parse_path(p)) for p in DOCUMENTS}


def test_the_committed_set_is_what_the_forge_makes(tmp_path: Path) -> None:
    manifest = json.loads((FOLDER / "manifest.json").read_text(encoding="utf-8"))
    assert [m["file"].rsplit(".", 1)[1] for m in manifest] == ["html", "html", "docx"]
    rebuilt = build(tmp_path)
    assert rebuilt == manifest
    for m in manifest:
        for rel, sha in m["files"].items():
            assert hashlib.sha256((FOLDER / rel).read_bytes()).hexdigest() == sha, rel


def test_every_cell_of_every_picture_document_against_its_truth(read: dict[str, ValidatedReport]) -> None:
    assert_accuracy(read, {p.name: _truth(p) for p in DOCUMENTS}, "ocr-pictures-accuracy.txt")


def test_no_misread_is_silent(read: dict[str, ValidatedReport]) -> None:
    assert_no_silent_misread(read, {p.name: _truth(p) for p in DOCUMENTS})


def test_cells_keep_their_picture_box_and_confidence(read: dict[str, ValidatedReport]) -> None:
    pages = read["picture-01-pages-html.html"]
    assert pages.result.ocr_pages == 3  # the three page images, not the logo or the 纠错 badge
    cell = pages.result.cells["3.1|total"]
    assert cell.image.endswith("picture-01-pages-html/page-2.jpg") or cell.image.endswith("page-1.jpg")
    inline = read["picture-02-tables-html.html"]
    assert inline.result.cells["3.1|total"].image.startswith("data:image/png;base64, ")
    word = read["picture-03-tables-docx.docx"]
    assert word.result.cells["3.1|total"].image.startswith("/word/media/image")
    for vr in read.values():
        for key, c in vr.result.cells.items():
            if c.raw.strip():
                assert c.image and c.page and c.bbox and c.confidence is not None and 0 <= c.confidence <= 1, (
                    vr.result.document, key)
                x0, top, x1, bottom = c.bbox  # in the picture's own pixels
                assert 0 <= x0 < x1 and 0 <= top < bottom, (vr.result.document, key, c.bbox)
        # a broken identity on a picture is a possible misread: a parser issue, never the publisher's
        assert not [i for i in vr.issues if i.origin == "publisher" and i.severity == "error"], vr.result.document
    t3err = {i.rule: i for i in inline.issues}
    assert t3err["T3.row_total"].origin == "parser" and t3err["T3.row_total"].message.startswith("read by OCR")


def test_a_page_with_its_tables_as_html_reads_no_picture(tmp_path: Path) -> None:
    """Pictures are read only when the page's own tables do not hold tables 2–4."""
    forged = REPO / "pipelines" / "samples" / "forge-01-2021.html"
    page = forged.read_bytes().replace(b"</body>", b'<p><img src="big.png"></p></body>')
    (tmp_path / "big.png").write_bytes((FOLDER / "picture-01-pages-html" / "page-2.jpg").read_bytes())
    (tmp_path / "page.html").write_bytes(page)
    result = parse_path(tmp_path / "page.html")
    assert result.status == "parsed" and result.ocr_pages == 0


def test_a_local_page_never_reads_a_file_outside_its_folder(tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes((FOLDER / "picture-01-pages-html" / "page-1.jpg").read_bytes())
    (tmp_path / "site").mkdir()
    source = PictureSource(str(tmp_path / "site" / "page.html"))
    assert source.get("../secret.png") is None and source.get(str(secret)) is None
    assert source.get("file://" + str(secret)) is None


def test_without_the_engine_picture_tables_fail_needs_ocr() -> None:
    env = {**os.environ, "NIANBAO_OCR": "off"}
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", "parse", str(DOCUMENTS[2])], capture_output=True,
                          text=True, env=env)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "needs_ocr" in proc.stderr and "5 picture(s)" in proc.stderr and "Traceback" not in proc.stderr


@pytest.fixture
def portal() -> Iterator[Portal]:
    p = Portal().start()
    yield p
    p.stop()


def test_the_crawler_fetches_a_report_pages_pictures_and_the_warehouse_has_their_numbers(portal: Portal,
                                                                                         tmp_path: Path) -> None:
    page = DOCUMENTS[0]
    truth = _truth(page)
    title = f"{truth['agency']}{truth['year']}年政府信息公开工作年度报告"
    portal.set("/xxgk/nb/index.html", f'<html><body><ul><li><a href="t1.html" title="{title}">{title}</a></li>'
               f'<li><a href="guide.html">政府信息公开指南</a></li></ul></body></html>'.encode())
    portal.set("/xxgk/nb/t1.html", page.read_bytes())
    images = sorted((FOLDER / page.stem).glob("*.jpg"))
    for image in images:
        portal.set(f"/xxgk/nb/{page.stem}/{image.name}", image.read_bytes(), "image/jpeg")
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(f"""
user_agent: "nianbao-test/0.1 (+tests)"
retries: 1
retry_wait_seconds: 0.01
sources:
  - name: pictures
    start_urls: ["{portal.base}/xxgk/nb/index.html"]
    allowed_domains: ["127.0.0.1"]
    allow_private_addresses: true
""", encoding="utf-8")
    db, data = tmp_path / "w.duckdb", tmp_path / "data"
    run = [sys.executable, "-m", "pipelines.cli", "ingest", "--catalog", str(catalog), "--data-dir", str(data), "--db", str(db)]
    first = subprocess.run(run, capture_output=True, text=True)
    assert first.returncode in (0, 1), first.stdout + first.stderr
    assert "scans read by OCR: 1 document(s), 3 page(s)" in first.stdout.splitlines(), first.stdout
    # every page image fetched once with the page; the logo and the 纠错 badge never
    for image in images:
        assert len(portal.hits_for(f"/xxgk/nb/{page.stem}/{image.name}")) == 1, image.name
    assert not portal.hits_for("/images/logo.png") and not portal.hits_for("/images/jiucuo.png")
    with duckdb.connect(str(db), read_only=True) as conn:
        pictures = conn.execute("SELECT url, role, embedded_in, media_type, sha256 FROM documents WHERE role = 'page_image' "
                                "ORDER BY url").fetchall()
        assert [(u.rsplit("/", 1)[1], e.endswith("/xxgk/nb/t1.html"), m) for u, _r, e, m, _s in pictures] == [
            (i.name, True, "image") for i in images]
        assert [s for *_, s in pictures] == [hashlib.sha256(i.read_bytes()).hexdigest() for i in images]
        assert conn.execute("SELECT agency_id, year, media_type, ocr_pages FROM reports").fetchall() == [
            (truth["agency"], truth["year"], "html", 3)]
        got = dict(conn.execute("SELECT category_code || '|' || applicant_code, value FROM fact_applications").fetchall())
        assert got == {k: v for k, v in truth["cells"].items() if k[0] == "3"}
        where = conn.execute("SELECT count(*), count(*) FILTER (WHERE image LIKE ? AND bbox IS NOT NULL AND "
                             "ocr_confidence IS NOT NULL) FROM cell_provenance WHERE raw_token <> ''",
                             [f"{portal.base}/xxgk/nb/{page.stem}/page-%.jpg"]).fetchone()
        assert where[0] > 0 and where[0] == where[1]
    again = subprocess.run(run, capture_output=True, text=True)
    assert "parsed now: 0" in again.stdout.splitlines()[0], again.stdout
    assert all(h.status == 304 for image in images for h in portal.hits_for(f"/xxgk/nb/{page.stem}/{image.name}")[1:])


def test_an_image_published_as_the_report_is_read_as_a_scan(tmp_path: Path) -> None:
    """A report attached as one JPG (here a page image of the set): OCR'd like a one-page scan."""
    data = (FOLDER / "picture-01-pages-html" / "page-1.jpg").read_bytes()
    result = parse_bytes(data, "report-page-1.jpg")
    assert result.media_type == "image" and result.ocr_pages == 1
    truth = _truth(DOCUMENTS[0])
    assert (result.status, result.agency, result.year) == ("parsed", truth["agency"], truth["year"]), result.error
    page_one = {k: v for k, v in result.cell_values().items() if v is not None}
    assert page_one and all(truth["cells"][k] == v for k, v in page_one.items())
