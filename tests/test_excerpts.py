"""The 19 real page excerpts (truncated, no truths): every one ends in a typed outcome — never a
crash — and the identities they do print are read (traditional characters, sentence-style titles)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.parse.report import parse_path
from tests.conftest import CORPUS

EXCERPTS = sorted((CORPUS / "excerpts").glob("*.txt"))


@pytest.mark.parametrize("path", EXCERPTS, ids=lambda p: p.name)
def test_excerpt_ends_typed(path: Path) -> None:
    r = parse_path(path)
    assert r.status in ("parsed", "not_a_report", "failed")
    assert r.error_type not in ("parser_crash",), r.error
    if r.status == "parsed":
        # truncated pages: what is missing is reported, never filled in
        assert any(i.rule == "cell_missing" for i in r.issues) or not r.cells


@pytest.mark.parametrize(("name", "agency", "year"), [
    ("016.txt", "麻阳苗族自治县板栗树乡人民政府", 2022),  # traditional characters from a mirror site
    ("019.txt", "岳阳市信访局", 2021),
    ("020.txt", "西安市高陵区行政审批服务局", 2021),
    ("021.txt", "区统计局", 2023),  # "现公布区统计局2023年…报告"
    ("026.txt", "信访局", 2021),  # "现将信访局2021年度…"
])
def test_excerpt_identity(name: str, agency: str, year: int) -> None:
    if not EXCERPTS:
        pytest.skip("shared corpus not found")
    r = parse_path(CORPUS / "excerpts" / name)
    assert (r.agency, r.year) == (agency, year)
