"""The 19 real page excerpts (truncated, no truths): every one ends in a typed outcome — never a
crash — and the identities they do print are read (traditional characters, sentence-style titles)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.parse.report import parse_path
from tests.conftest import corpus_files, corpus_or_skip

EXCERPTS = corpus_files("excerpts", "*.txt")


# Each excerpt's outcome, checked by hand against the excerpt (they are the first ~2 KB of a page):
# titled pages with tables parse; pages cut before their title fail `unidentified` (tables but no
# agency/year); report bodies cut before their tables fail `no_report_tables`, never `not_a_report`.
OUTCOMES = {
    "012.txt": ("failed", "unidentified", None, None), "013.txt": ("failed", "no_report_tables", None, None),
    "014.txt": ("failed", "no_report_tables", None, None), "015.txt": ("failed", "unidentified", None, None),
    "016.txt": ("parsed", None, "麻阳苗族自治县板栗树乡人民政府", 2022),  # traditional characters from a mirror site
    "017.txt": ("failed", "unidentified", None, None), "018.txt": ("parsed", None, "马水镇", 2019),
    "019.txt": ("parsed", None, "岳阳市信访局", 2021), "020.txt": ("parsed", None, "西安市高陵区行政审批服务局", 2021),
    "021.txt": ("parsed", None, "区统计局", 2023),  # "现公布区统计局2023年…报告"
    "022.txt": ("failed", "unidentified", None, None), "023.txt": ("failed", "unidentified", None, None),
    "024.txt": ("failed", "unidentified", None, None), "025.txt": ("failed", "unidentified", None, None),
    "026.txt": ("parsed", None, "信访局", 2021),  # "现将信访局2021年度…"
    "027.txt": ("failed", "no_report_tables", None, None),
    "028.txt": ("failed", "no_report_tables", None, None),  # 上海市 2022, narrative only
    "029.txt": ("failed", "unidentified", None, None), "030.txt": ("failed", "no_report_tables", None, None),
}


def test_every_excerpt_has_an_expected_outcome() -> None:
    corpus_or_skip()
    assert [p.name for p in EXCERPTS] == sorted(OUTCOMES)


@pytest.mark.parametrize("path", EXCERPTS, ids=lambda p: p.name)
def test_excerpt_outcome(path: Path) -> None:
    corpus_or_skip()
    r = parse_path(path)
    assert (r.status, r.error_type, r.agency, r.year) == OUTCOMES[path.name], r.error
    if r.status == "parsed":
        # truncated pages: what is missing is reported, never filled in
        assert any(i.rule == "cell_missing" for i in r.issues) or not r.cells
