"""The 19 real page excerpts (truncated, no truths): every one ends in a typed outcome — never a
crash — the identities they do print are read (traditional characters, sentence-style titles), and
every table cell they print in full is read as printed.

The cells are held against tests/fixtures/excerpt_cells.yaml, transcribed by hand from the excerpts
(never from the parser). Where the cells are compared:
- excerpts that parse: the result of ``parse_path``;
- excerpts that fail ``unidentified`` (tables read, no agency/year printed): a failed result holds no
  cells, so they are parsed with ``parse_bytes`` and an ``IdentityHint`` standing in for the portal
  listing's title (LISTING_HINTS) — the route a crawled page takes; the hint only names the report,
  the cells are still read from the excerpt. 029 prints no year: its hint year is a stand-in.
- 013 and 030 (2019 table 2s, one cell a line) read their tables since a '|' ending a line is a
  terminator and are `unidentified` like the other titleless excerpts. 014 prints no cell whose
  column can be told; 027 and 028 print no table.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipelines.parse.report import IdentityHint, ParseResult, parse_bytes, parse_path
from tests.conftest import REPO, SHARED, corpus_files, corpus_or_skip

EXCERPTS = corpus_files("excerpts", "*.txt")
TRANSCRIPTION = REPO / "tests" / "fixtures" / "excerpt_cells.yaml"


# Each excerpt's outcome, checked by hand against the excerpt (they are the first ~2 KB of a page):
# titled pages with tables parse; pages cut before their title fail `unidentified` (tables but no
# agency/year); report bodies cut before their tables fail `no_report_tables`, never `not_a_report`.
OUTCOMES = {
    "012.txt": ("failed", "unidentified", None, None), "013.txt": ("failed", "unidentified", None, None),
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
    "029.txt": ("failed", "unidentified", None, None), "030.txt": ("failed", "unidentified", None, None),
}

# The excerpts whose transcription holds cells: all but 014 (no placeable cell), 027 and 028 (no table).
WITH_CELLS = {f"{n:03d}.txt" for n in range(12, 31)} - {"014.txt", "027.txt", "028.txt"}

# What a portal listing would title the `unidentified` excerpts (agency from ../shared/corpus/MANIFEST.csv).
LISTING_HINTS = {
    "012.txt": ("深圳市龙岗区", 2024), "015.txt": ("新疆某镇", 2023), "017.txt": ("某区某局", 2021),
    "022.txt": ("长春市退役军人事务局", 2023), "023.txt": ("石家庄市长安区统计局", 2023),
    "024.txt": ("武汉市汉阳区人民政府办公室", 2022), "025.txt": ("威县商务局", 2022),
    "029.txt": ("徐闻县司法局", 2022),  # the excerpt prints no year: a stand-in
    "013.txt": ("岳阳市南湖新区某局", 2019), "030.txt": ("某县某局", 2023),
}

# Cells the parser reads differently from the transcription, each re-read in the excerpt and judged a
# parser error (issue #26 report): cell → what the parser gives. Held by a strict xfail, so the day
# the parser reads a file's cells right, its entry must go.
ABSENT = "no cell"
BLANK = "null, token ''"


def _row(row: str, what: str) -> dict[str, str]:
    return {f"{row}|{c}": what for c in ("np", "lp_com", "lp_res", "lp_ngo", "lp_law", "lp_oth", "total")}


def _t2(what_21: str, rows: tuple[str, ...] = ("2.1.1", "2.1.2")) -> dict[str, str]:
    return {f"{r}|{c}": what_21 for r in rows for c in ("made", "repealed", "valid")}


PARSER_DISAGREES: dict[str, dict[str, str]] = {
    # (none left: one-cell-per-line rows ('label |' then 'value |' lines) were read as separate rows and
    # the single-value rows of (五)(六)(八) as printed blanks — a '|' ending a line is a terminator now;
    # a first table-3 row printed straight after its header cells was merged into the header — a row
    # label starts a row now; pinyin printed after each character ("規(guī)章") is no part of a label)
}
# Printed cells whose place the text does not tell, left unplaced and flagged (a parser error naming them),
# never guessed: a row cut off by the excerpt's end, rows whose empty cells the crawler dropped (the
# values' columns are lost), a junk glyph before a value ('? 0').
FLAGGED: dict[str, list[str]] = {
    "012.txt": [k for k in _row("3.3.3.7", "") if not k.endswith("total")],  # cut after its sixth value
    "017.txt": [*_t2(""), "3.1|np"],  # '? 0' tokens
    "021.txt": [*_row("3.1", ""), *_row("3.2", ""), *_row("3.3.1", "")],  # empty cells dropped
    "024.txt": list(_t2("", ("2.1.1",))),  # 规章 0 0 and an empty cell dropped
    # (016, one header a line: no longer flagged — a header regrouped from one cell a line is not read
    # for the columns' order, whose reading order it is not; its full rows are read by position)
}
# Cells the parser reads that the excerpt does not print (judged parser errors): cell → what it gives.
PARSER_INVENTS: dict[str, dict[str, str]] = {}  # (024's header cell 总计 was read as row (七)总计: no longer)


def _ambiguous(r: ParseResult, key: str) -> bool:
    """A cell of a row whose empty cells were dropped that no placement tells (pipelines/parse/dropped.py):
    blank, its raw token the row's printed values (never '' — not a printed blank), and flagged."""
    cell = r.cells.get(key)
    return cell is not None and cell.value is None and cell.raw != "" and any(
        i.rule == "ambiguous_placement" and key in i.cells for i in r.issues)


def _unread(r: ParseResult, key: str) -> bool:
    return key not in r.cells or _ambiguous(r, key)


@cache
def _transcription() -> dict[str, Any]:
    return yaml.safe_load(TRANSCRIPTION.read_text(encoding="utf-8"))


@cache
def _result(name: str) -> ParseResult:
    """The parser's reading of an excerpt; for an `unidentified` one, with its listing's identity."""
    path = corpus_or_skip() / "excerpts" / name
    if name not in LISTING_HINTS:
        return parse_path(path)
    agency, year = LISTING_HINTS[name]
    hint = IdentityHint(agency=agency, year=year, title=f"{agency}{year}年政府信息公开工作年度报告")
    return parse_bytes(path.read_bytes(), name, hint=hint)


def _differences(expected: dict[str, Any], tokens: dict[str, str], r: ParseResult) -> dict[str, str]:
    """Each transcribed cell the parser does not read as printed → what it reads."""
    out = {}
    for key, value in expected.items():
        cell = r.cells.get(key)
        if cell is None:
            out[key] = f"expected {value if value is not None else repr(tokens[key])}, parser: no cell"
        elif value is None and (cell.value is not None or cell.raw != tokens[key]):
            out[key] = f"expected null {tokens[key]!r}, parser: {cell.value!r} raw {cell.raw!r}"
        elif value is not None and (cell.value is None or cell.value != value):
            out[key] = f"expected {value!r}, parser: {cell.value!r} raw {cell.raw!r}"
    return out


def _xfail(table: dict[str, dict[str, str]], what: str) -> list[Any]:
    params = []
    for name in sorted(WITH_CELLS):
        marks = []
        if name in table:
            cells = "; ".join(f"{k}: {v}" for k, v in table[name].items())
            marks = [pytest.mark.xfail(strict=True, reason=f"parser error ({what}): {cells}")]
        params.append(pytest.param(name, marks=marks, id=name))
    return params


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


def test_every_excerpt_is_transcribed() -> None:
    """No excerpt drops out silently: each has a transcription, the ones with cells are exactly the
    expected ones, and every transcribed key is a cell of the format (../shared/spec)."""
    corpus_or_skip()
    t = _transcription()
    assert sorted(t) == sorted(OUTCOMES)
    assert {name for name, e in t.items() if e["cells"]} == WITH_CELLS
    assert set(LISTING_HINTS) == {n for n, o in OUTCOMES.items() if o[1] == "unidentified"}
    assert {n for n in WITH_CELLS if OUTCOMES[n][1] == "no_report_tables"} == set()  # every excerpt with cells exposes them
    spec = json.loads((SHARED / "spec" / "format_2021.json").read_text(encoding="utf-8"))
    t2 = spec["tables"]["T2"]["blocks"] + spec["format_2019"]["T2_blocks"]
    keys = {f"{r['code']}|{c['code']}" for b in t2 for r in b["rows"] for c in b["columns"]}
    keys |= {f"{r['code']}|{c['code']}" for r in spec["tables"]["T3"]["rows"] for c in spec["tables"]["T3"]["columns"]}
    for name, e in t.items():
        assert set(e["cells"]) | set(e["cut"]) <= keys, name
        assert not set(e["cells"]) & set(e["cut"]), name
        assert set(e["raw_tokens"]) == {k for k, v in e["cells"].items() if v is None}, name


@pytest.mark.parametrize("name", _xfail({}, ""))
def test_excerpt_cells(name: str) -> None:
    """Every cell the excerpt prints in full is read as printed — except the known parser errors
    (PARSER_DISAGREES, held by the next test) — and the table formats the excerpt shows are detected."""
    e = _transcription()[name]
    r = _result(name)
    assert r.status == "parsed", (r.error_type, r.error)
    known = PARSER_DISAGREES.get(name, {})
    flagged = set(FLAGGED.get(name, []))
    assert flagged <= set(e["cells"])
    expected = {k: v for k, v in e["cells"].items() if k not in known and k not in flagged}
    assert _differences(expected, e["raw_tokens"], r) == {}
    errors = {c for i in r.issues if i.origin == "parser" and i.severity == "error" for c in i.cells}
    # not read: absent, or (a row whose empty cells were dropped) kept blank with the row's printed values
    assert {k for k in flagged if _unread(r, k) and k in errors} == flagged
    assert {t: r.table_formats.get(t) for t in e["format"]} == e["format"]


@pytest.mark.parametrize("name", _xfail(PARSER_DISAGREES, "cells read differently from the excerpt"))
def test_excerpt_cells_parser_disagrees(name: str) -> None:
    """The cells of PARSER_DISAGREES, read as printed (fails while the parser errs: strict xfail)."""
    e = _transcription()[name]
    known = PARSER_DISAGREES.get(name, {})
    assert set(known) <= set(e["cells"])
    expected = {k: e["cells"][k] for k in known}
    assert _differences(expected, e["raw_tokens"], _result(name)) == {}


@pytest.mark.parametrize("name", _xfail(PARSER_INVENTS, "cells the excerpt does not print"))
def test_excerpt_prints_no_other_cells(name: str) -> None:
    """The parser reads no cell the excerpt does not print: none of a row cut off at the excerpt's end
    (`cut`), none of a row never reached — a missing cell is reported missing, never a printed blank."""
    e = _transcription()[name]
    r = _result(name)
    extra = {k: (c.value, c.raw) for k, c in r.cells.items() if k not in e["cells"] and not _ambiguous(r, k)}
    assert extra == {}, f"cut cells among them: {sorted(set(extra) & set(e['cut']))}"
