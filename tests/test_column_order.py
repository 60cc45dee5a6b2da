"""Columns are what their headers say; numbers are what they print (issue #26, point 7).

A report whose applicant columns (table 3), review/litigation columns (table 4) or table-2 columns
(本年制发件数 / 本年废止件数 / 现行有效件数) are printed in another order than the format's, headers printed with them, is read by its headers in every medium
(HTML, text, Word, and PDF printed by LibreOffice, ruled and unruled): every number lands in its own
column. A table without headers is read by position with a warning; headers that contradict the
format's order without naming every column are flagged and not loaded. A cell token is a number
only as printed: footnote marks and units are stripped with a warning, never folded into digits.

The expected cells come from a truth generated here: random numbers from a seeded generator that
obey the format's arithmetic by construction (sums built up, not checked), every applicant column of
a row holding a different number, so that any permutation shows.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pytest

from pipelines.parse.legacy import convert_with_soffice
from pipelines.parse.report import parse_bytes
from pipelines.parse.tokens import parse_token
from pipelines.validate import validate
from schemas import format as fmt
from tests.forge import layouts
from tests.forge.layouts import LayoutSpec

APPLICANTS = ("np", "lp_com", "lp_res", "lp_ngo", "lp_law", "lp_oth")
RESULTS = ("maintain", "correct", "other", "pending")


def _distinct(rng: random.Random, n: int, top: int) -> list[int]:
    return rng.sample(range(top), n)


def make_report(seed: int) -> dict[str, Any]:
    """A 2021-format report's every cell: table 3's leaf rows and carried/forwarded counts six
    different numbers a row; 本年新收 = 办理结果总计 + 结转下年 − 上年结转 per column; 总计 columns and
    rows the sums; table 4's twelve results all different, each proceeding's 总计 their sum."""
    rng = random.Random(seed)
    cells: dict[str, Any] = {}
    for d in fmt.t2_cells("2021"):
        cells[d.key] = round(rng.uniform(0, 900), 2) if d.kind == "decimal" else rng.randint(0, 400)
    for row in ("2.1.1", "2.1.2"):  # 本年制发件数 / 本年废止件数 / 现行有效件数: three different numbers
        for col, v in zip(("made", "repealed", "valid"), _distinct(rng, 3, 400), strict=True):
            cells[f"{row}|{col}"] = v
    rows = [r.code for r in fmt.t3_data_rows(False)]
    leaves = [r for r in rows if r.startswith("3.3.") and r != "3.3.7"]
    for leaf in leaves:
        for a, v in zip(APPLICANTS, _distinct(rng, 6, 40), strict=True):
            cells[f"{leaf}|{a}"] = v
    for a, carried, forward in zip(APPLICANTS, _distinct(rng, 6, 6), _distinct(rng, 6, 30), strict=True):
        handled = sum(cells[f"{leaf}|{a}"] for leaf in leaves)
        cells[f"3.2|{a}"], cells[f"3.4|{a}"], cells[f"3.3.7|{a}"] = carried, forward, handled
        cells[f"3.1|{a}"] = handled + forward - carried
    for r in rows:
        cells[f"{r}|total"] = sum(cells[f"{r}|{a}"] for a in APPLICANTS)
    results = iter(_distinct(rng, 12, 60))
    for g in ("R", "LD", "LA"):
        for k in RESULTS:
            cells[f"4|{g}.{k}"] = next(results)
        cells[f"4|{g}.total"] = sum(cells[f"4|{g}.{k}"] for k in RESULTS)
    return {"agency": "青石县交通运输局", "year": 2023, "table_formats": {"T2": "2021", "T3": "2021", "T4": "2021"},
            "cells": cells, "raw_tokens": {}}


def _shuffled(rng: random.Random, items: tuple[str, ...]) -> tuple[str, ...]:
    while True:
        out = tuple(rng.sample(items, len(items)))
        if out != items:
            return out


def t3_order(rng: random.Random) -> tuple[str, ...]:
    """Applicant columns in a new order: 自然人, the five 法人或其他组织 columns (kept side by side
    under their group header, shuffled among themselves) and 总计, shuffled."""
    legal = _shuffled(rng, APPLICANTS[1:])
    units = _shuffled(rng, ("np", "legal", "total"))
    return tuple(c for u in units for c in (legal if u == "legal" else (u,)))


GROUP_ORDERS = (("LD", "LA", "R"), ("R", "LA", "LD"), ("LA", "LD", "R"))  # 行政诉讼's two stay side by side

# (medium, layout): permutations combined with other layout dimensions
CASES = [
    ("html", LayoutSpec(ruling="full", repeat_header=True)),
    ("html", LayoutSpec(ruling="none", t4_split=True)),
    ("text", LayoutSpec(repeat_header=True)),
    ("text", LayoutSpec(t4_split=True)),
    ("docx", LayoutSpec(ruling="full", label_mm=16)),
    ("docx", LayoutSpec(ruling="three_line", t4_split=True)),
    ("pdf", LayoutSpec(ruling="full", narrative_paragraphs=9, repeat_header=True)),  # table 3 over a page break
    ("pdf", LayoutSpec(ruling="none", label_mm=12, valign="top", narrative_paragraphs=3)),  # read from word positions
    ("pdf", LayoutSpec(ruling="frame", t4_split=True, narrative_paragraphs=5)),
]


def permuted(k: int, spec: LayoutSpec) -> LayoutSpec:
    rng = random.Random(7000 + k)
    return LayoutSpec(**{**spec.__dict__, "t2_columns": ((2, 0, 1), (1, 2, 0), (2, 1, 0))[k % 3],
                         "t3_columns": t3_order(rng), "t4_groups": GROUP_ORDERS[k % 3],
                         "t4_results": _shuffled(rng, (*RESULTS, "total"))})


def render(truth: dict[str, Any], medium: str, spec: LayoutSpec, break_at: int = 8) -> bytes:
    if medium == "html":
        return layouts.render_html(truth, spec, break_at)
    if medium == "text":
        return layouts.render_text(truth, spec, break_at)
    data = layouts.render_docx(truth, spec)
    if medium == "docx":
        return data
    printed = convert_with_soffice(data, "docx", "pdf", "permuted")
    return layouts.rotate_pages(printed, spec.rotate) if spec.rotate else printed


EXT = {"html": "html", "text": "txt", "docx": "docx", "pdf": "pdf"}


@pytest.mark.parametrize(("k", "medium", "spec"), [(k, m, s) for k, (m, s) in enumerate(CASES)],
                         ids=[f"{m}-{s.ruling}{'-t4split' if s.t4_split else ''}" for m, s in CASES])
def test_permuted_columns_land_in_their_own_columns(k: int, medium: str, spec: LayoutSpec) -> None:
    truth = make_report(100 + k)
    spec = permuted(k, spec)
    assert spec.t3_columns != tuple(c.code for c in fmt.t3_columns())
    assert spec.t4_results != layouts.T4_RESULT_CODES and spec.t2_columns != (0, 1, 2)
    vr = validate(parse_bytes(render(truth, medium, spec), f"permuted.{EXT[medium]}"))
    r = vr.result
    assert (r.status, r.agency, r.year, r.table_formats) == ("parsed", truth["agency"], truth["year"], truth["table_formats"])
    got = r.cell_values()
    wrong = {key: (v, got.get(key)) for key, v in truth["cells"].items() if got.get(key) != v}
    assert wrong == {}
    assert set(got) == set(truth["cells"])
    assert [(i.rule, i.message) for i in vr.issues if i.origin == "parser"] == []
    assert [i.rule for i in vr.issues if i.severity == "error"] == []
    assert vr.status == "valid"


DRAWN = layouts.draw_specs(2027, 8, column_orders=True)
DRAWN_MEDIA = ("html", "text", "docx", "pdf")


@pytest.mark.parametrize("i", range(len(DRAWN)),
                         ids=[f"drawn-{i}-{DRAWN_MEDIA[i % 4]}" for i in range(len(DRAWN))])
def test_drawn_column_orders_with_drawn_layouts(i: int) -> None:
    """The column orders as a forge dimension drawn with every other one (rulings, rotated pages,
    wrapped labels, split table 4, repeated headers, fonts)."""
    spec, medium = DRAWN[i], DRAWN_MEDIA[i % 4]
    truth = make_report(200 + i)
    vr = validate(parse_bytes(render(truth, medium, spec, 1 + 3 * i), f"drawn.{EXT[medium]}"))
    assert vr.result.cell_values() == truth["cells"]
    assert [(x.rule, x.message) for x in vr.issues if x.origin == "parser"] == []
    assert vr.status == "valid"


def _drop_t3_header(data: bytes, medium: str) -> bytes:
    """The document without table 3's three header rows (a table printed without its header)."""
    text = data.decode("utf-8")
    if medium == "text":
        keep = [ln for ln in text.split("\n") if not any(w in ln for w in ("申请人情况", "自然人", "商业企业"))]
        return "\n".join(keep).encode("utf-8")
    start = text.rindex("<tr>", 0, text.index(layouts.T3_NOTE))
    end = text.index("</tr>", text.index("商业企业")) + len("</tr>")
    return (text[:start] + text[end:]).encode("utf-8")


@pytest.mark.parametrize("medium", ["html", "text"])
def test_headerless_table_read_by_position_with_a_warning(medium: str) -> None:
    truth = make_report(31)
    data = _drop_t3_header(render(truth, medium, LayoutSpec()), medium)
    assert "自然人" not in data.decode("utf-8")
    vr = validate(parse_bytes(data, f"headerless.{EXT[medium]}"))
    assert vr.result.cell_values() == truth["cells"]
    parser = [i for i in vr.issues if i.origin == "parser"]
    assert [(i.rule, i.severity) for i in parser] == [("columns_by_position", "warning")]
    assert parser[0].message.startswith("T3: no headers of the applicant columns were read")
    assert sorted(parser[0].cells) == sorted(d.key for d in fmt.t3_cells(False))
    assert vr.status == "valid"


def test_headers_contradicting_the_format_are_flagged_not_loaded() -> None:
    """Six of seven headers readable, in an order the format's does not allow: no guess."""
    truth = make_report(32)
    spec = LayoutSpec(t3_columns=("total", "lp_com", "lp_res", "lp_ngo", "lp_law", "lp_oth", "np"))
    data = render(truth, "html", spec).decode("utf-8").replace("科研机构", "科研单位").encode("utf-8")
    vr = validate(parse_bytes(data, "garbled.html"))
    [flag] = [i for i in vr.issues if i.rule == "columns_ambiguous"]
    assert (flag.severity, flag.origin) == ("error", "parser")
    assert not any(k.startswith("3.") for k in vr.result.cells)  # no table-3 number loaded
    assert sorted(flag.cells) == sorted(d.key for d in fmt.t3_cells(False))
    assert {k: v for k, v in vr.result.cell_values().items() if not k.startswith("3.")} == {
        k: v for k, v in truth["cells"].items() if not k.startswith("3.")}
    assert vr.status == "invalid"


@pytest.mark.parametrize(("raw", "value", "unit", "marks"), [
    ("42①", Decimal(42), None, "①"), ("42 ①", Decimal(42), None, "①"), ("7¹", Decimal(7), None, "¹"),
    ("42*", Decimal(42), None, "*"), ("42※", Decimal(42), None, "※"), ("42注1", Decimal(42), None, "注1"),
    ("42（注①）", Decimal(42), None, "（注①）"), ("12件", Decimal(12), "件", ""), ("１２", Decimal(12), None, ""),
    ("１２件②", Decimal(12), "件", "②"),
])
def test_tokens_are_numbers_only_as_printed(raw: str, value: Decimal, unit: str | None, marks: str) -> None:
    tok = parse_token(raw)
    assert (tok.raw, tok.value, tok.unit, tok.marks) == (raw, value, unit, marks)


@pytest.mark.parametrize("raw", ["4①2", "①", "*", "⑿"])
def test_marks_are_never_digits(raw: str) -> None:
    assert parse_token(raw) is None  # no number as printed: the row is flagged by its shape


def test_marks_and_units_in_a_report_are_stripped_with_a_warning() -> None:
    truth = make_report(33)
    lines = render(truth, "text", LayoutSpec()).decode("utf-8").split("\n")
    k = next(i for i, ln in enumerate(lines) if "（一）予以公开" in ln.split("\t"))
    cells = lines[k].split("\t")
    cells[-7] += "①"  # 自然人 of 予以公开: a footnote mark
    cells[-1] += "件"  # its 总计: a unit
    lines[k] = "\t".join(cells)
    vr = validate(parse_bytes("\n".join(lines).encode("utf-8"), "marks.txt"))
    r = vr.result
    assert r.cell_values() == truth["cells"]  # 42① is 42, never 421
    assert (r.cells["3.3.1|np"].raw, r.cells["3.3.1|total"].raw) == (
        f"{truth['cells']['3.3.1|np']}①", f"{truth['cells']['3.3.1|total']}件")
    parser = sorted((i.rule, i.severity, i.cells) for i in vr.issues if i.origin == "parser")
    assert parser == [("footnote_mark", "warning", ["3.3.1|np"]), ("unit_stripped", "warning", ["3.3.1|total"])]
    assert vr.status == "valid"
