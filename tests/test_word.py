"""Word reports: .docx read from the XML (merged cells once), .doc/.wps through LibreOffice."""

from __future__ import annotations

import io
import json
import os

import docx
import pytest

from pipelines.parse import legacy
from pipelines.parse.docx import DocxParser
from pipelines.parse.report import parse_bytes, parse_path
from tests.conftest import FORGE, forge_doc

# CI installs LibreOffice and sets NIANBAO_REQUIRE_SOFFICE=1 so these tests cannot silently skip there.
needs_soffice = pytest.mark.skipif(legacy.soffice_path() is None and os.environ.get("NIANBAO_REQUIRE_SOFFICE") != "1",
                                   reason="LibreOffice (soffice) not installed; `make system-deps` installs it")


def test_python_docx_repeats_merged_cells_but_we_read_each_once() -> None:
    data = forge_doc("forge-13-2021.docx").read_bytes()
    t3 = docx.Document(io.BytesIO(data)).tables[1]
    # The trap: python-docx's row view repeats the 7-column '申请人情况' header 7 times.
    assert [c.text for c in t3.rows[0].cells].count("申请人情况") == 7
    doc = DocxParser().extract(data, "forge-13-2021.docx")
    header = doc.grids[1].rows[0]
    assert [(c.text, c.col, c.colspan, c.rowspan) for c in header] == [
        ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 0, 3, 3), ("申请人情况", 3, 7, 1)]
    # the vertically merged group label '三、本年度办理结果' starts once and spans its rows
    group = [c for row in doc.grids[1].rows for c in row if c.text == "三、本年度办理结果"]
    assert [(c.col, c.rowspan) for c in group] == [(0, 22)]


def test_docx_cells_carry_table_row_column_provenance() -> None:
    r = parse_path(forge_doc("forge-13-2021.docx"))
    truth = json.loads((FORGE / "forge-13-2021.truth.json").read_text(encoding="utf-8"))
    cell = r.cells["3.1|total"]
    assert (r.media_type, cell.grid, cell.row, cell.col, cell.page) == ("docx", 1, 3, 9, None)
    assert cell.value == truth["cells"]["3.1|total"]
    assert r.cells["4|LA.total"].grid == 2 and r.cells["4|LA.total"].col == 14


@needs_soffice
def test_legacy_doc_converts_through_libreoffice_exactly() -> None:
    r = parse_path(forge_doc("forge-17-2021.doc"))
    truth = json.loads((FORGE / "forge-17-2021.truth.json").read_text(encoding="utf-8"))
    assert (r.status, r.media_type, r.agency, r.year) == ("parsed", "doc", truth["agency"], truth["year"])
    assert r.cell_values() == truth["cells"] and r.raw_tokens() == truth["raw_tokens"]


def test_doc_without_libreoffice_is_converter_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(legacy, "soffice_path", lambda: None)
    r = parse_bytes(forge_doc("forge-17-2021.doc").read_bytes(), "old.doc")
    assert (r.status, r.error_type) == ("failed", "converter_missing")
    assert r.error.startswith("old.doc: ") and "libreoffice" in r.error.lower()


def test_wps_by_name_and_ole_magic_goes_the_legacy_way(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(legacy, "soffice_path", lambda: None)
    r = parse_bytes(forge_doc("forge-17-2021.doc").read_bytes(), "年报.wps")
    assert (r.media_type, r.error_type) == ("wps", "converter_missing")


def test_corrupt_docx_is_a_typed_failure() -> None:
    r = parse_bytes(b"PK\x03\x04 truncated zip", "broken.docx")
    assert (r.status, r.error_type) == ("failed", "corrupt_docx")
    assert r.error.startswith("broken.docx: ")


@needs_soffice
def test_garbage_ole_file_fails_conversion_not_the_run() -> None:
    r = parse_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "junk.doc")
    assert r.status == "failed" and r.error_type in ("conversion_failed", "corrupt_docx")
