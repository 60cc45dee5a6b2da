"""A failure is typed by what failed: a reading library's own exception class on bad bytes is
``corrupt_<medium>``; anything else — even raised inside pdfplumber or lxml, because our code
passed it something wrong — is ``parser_crash``, with its trace in the log (issue #27, point 12)."""

from __future__ import annotations

import io
import logging
import zipfile

import pytest
from lxml import etree
from pdfplumber.table import TableFinder

from pipelines.parse import docx as docx_parser
from pipelines.parse import pdf as pdf_parser
from pipelines.parse.report import crash_type, parse_bytes
from tests.conftest import FORGE

PDF = FORGE / "forge-26-2021-noborder.pdf"
DOCX = FORGE / "forge-14-2019-blank.docx"


def test_attribute_error_inside_pdfplumber_from_our_bug_is_a_parser_crash(monkeypatch: pytest.MonkeyPatch,
                                                                           caplog: pytest.LogCaptureFixture) -> None:
    # our table-page picker "forgets" to pass the page: pdfplumber's TableFinder reads None.edges
    def buggy_table_pages(texts: list[str]) -> list[int]:
        return [len(TableFinder(None).tables)]  # type: ignore[arg-type]

    monkeypatch.setattr(pdf_parser, "table_pages", buggy_table_pages)
    with caplog.at_level(logging.ERROR, logger="pipelines.parse.report"):
        r = parse_bytes(PDF.read_bytes(), "report.pdf")
    assert (r.status, r.error_type) == ("failed", "parser_crash")
    assert r.error.startswith("report.pdf: AttributeError: 'NoneType' object has no attribute 'edges' (at table.py:")
    [record] = [rec for rec in caplog.records if rec.name == "pipelines.parse.report"]
    assert record.getMessage() == "parser_crash on report.pdf" and record.exc_info is not None
    logged = caplog.text
    assert "Traceback" in logged and "buggy_table_pages" in logged and "pdfplumber/table.py" in logged


def test_type_error_inside_lxml_from_our_bug_is_a_parser_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    # our table finder hands lxml an element where it wants bytes
    monkeypatch.setattr(docx_parser, "_leaf_tables", lambda body: [etree.fromstring(body)])
    r = parse_bytes(DOCX.read_bytes(), "report.docx")
    assert (r.status, r.error_type) == ("failed", "parser_crash")
    assert r.error.startswith("report.docx: TypeError: memoryview: a bytes-like object is required, not 'CT_Body' (at parser.pxi:")


def test_truncated_pdf_is_corrupt_pdf() -> None:
    data = PDF.read_bytes()
    r = parse_bytes(data[: len(data) // 3], "truncated.pdf")
    assert (r.status, r.error_type) == ("failed", "corrupt_pdf")
    assert r.error.startswith("truncated.pdf: ")


def test_broken_docx_zip_is_corrupt_docx() -> None:
    data = DOCX.read_bytes()
    r = parse_bytes(data[: len(data) // 2], "broken.docx")  # the central directory is cut off
    assert (r.status, r.error_type) == ("failed", "corrupt_docx")
    assert r.error.startswith("broken.docx: ")


def test_docx_with_broken_document_xml_is_corrupt_docx() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(DOCX.read_bytes())) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = src.read(item)
            dst.writestr(item, body[: len(body) // 2] if item.filename == "word/document.xml" else body)
    r = parse_bytes(out.getvalue(), "half.docx")
    assert (r.status, r.error_type) == ("failed", "corrupt_docx")


def _raised(fn) -> BaseException:  # noqa: ANN001 - a callable that raises
    try:
        fn()
    except Exception as err:  # noqa: BLE001 - the exception is the result
        return err
    raise AssertionError("did not raise")


def test_crash_type_by_the_libraries_own_classes() -> None:
    import pypdfium2
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from PIL import Image

    assert crash_type(_raised(lambda: PDFDocument(PDFParser(io.BytesIO(b"%PDF-1.4 junk")))), "pdf") == "corrupt_pdf"
    assert crash_type(_raised(lambda: pypdfium2.PdfDocument(b"%PDF-1.4 junk")), "pdf") == "corrupt_pdf"
    assert crash_type(_raised(lambda: etree.fromstring(b"<w:document><w:body>")), "docx") == "corrupt_docx"
    assert crash_type(_raised(lambda: zipfile.ZipFile(io.BytesIO(b"PK\x03\x04junk"))), "docx") == "corrupt_docx"
    assert crash_type(_raised(lambda: Image.open(io.BytesIO(b"\x89PNG junk"))), "image") == "corrupt_image"
    assert crash_type(MemoryError(), "pdf") == "too_large"
    # the builtins a library raises when we call it wrongly are ours, wherever they surface
    assert crash_type(_raised(lambda: TableFinder(None)), "pdf") == "parser_crash"  # type: ignore[arg-type]
    assert crash_type(_raised(lambda: etree.fromstring(12)), "docx") == "parser_crash"  # type: ignore[arg-type]
    assert crash_type(KeyError("T3"), "html") == "parser_crash"


def test_the_named_ocr_errors_exist() -> None:
    """The OCR engine's classes are matched by name (not imported): a rename would drop one silently."""
    import importlib

    from pipelines.parse.reader_errors import OCR_ERRORS

    for module, name in OCR_ERRORS:
        cls = getattr(importlib.import_module(module), name)
        assert issubclass(cls, BaseException) and (cls.__module__, cls.__qualname__) == (module, name)
