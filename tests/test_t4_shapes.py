"""Table 4 printed long (issue #26, point 2): as a vertical list — one row per proceeding × result
with one value column, the proceeding's label merged over its rows, repeated on every row, or a
caption over each proceeding's list — or turned, the results as rows and the proceedings as columns.
Read in every medium (HTML, text, Word, and PDF printed by LibreOffice, ruled and unruled) by the
labels, never by position while labels are printed.

Expected cells come from the forge's truths (tests/forge/truths.py, table 4's zero results printed
blank as well) and the hand-typed values of one hand-written report; expected violations from the
forge's own checker (tests/forge/oracle.py) or typed by hand.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from pipelines.parse.base import Grid, GridCell
from pipelines.parse.cells import extract_cells
from pipelines.parse.report import parse_bytes, parse_path
from pipelines.validate import ValidatedReport, validate
from tests.conftest import REPO
from tests.forge import layouts, oracle
from tests.forge.__main__ import convert_with_soffice
from tests.forge.truths import make_truth

SEED = 2611
# (shape, t4_split): the list with its labels merged, repeated, or as captions over three lists; turned
SHAPES = (("vertical", False), ("vertical_repeated", False), ("vertical", True), ("transposed", False))
MEDIA = ("html", "text", "docx")
EXTENSIONS = {"html": "html", "text": "txt", "docx": "docx", "pdf": "pdf"}
ERRORS = (None, "t4_total", "t4_litigation_totals")
# every dimension drawn (column orders, printed labels, ruling …); the shape is then set per case
DRAWN = layouts.draw_specs(SEED, len(SHAPES) * len(MEDIA) + 5, column_orders=True, labels=True, t4_shapes=True)
# PDFs (LibreOffice takes seconds each): every shape once, ruled and unruled
PDF_CASES = (("vertical", False, "none"), ("vertical_repeated", False, "full"), ("vertical", True, "frame"),
             ("transposed", False, "none"), ("transposed", False, "three_line"))
FIXTURE = REPO / "tests" / "fixtures" / "t4-shapes" / "vertical-list.html"


def _t4(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k.startswith("4|")}


def _publisher(vr: ValidatedReport) -> list[tuple[str, list[str], float | None, float | None]]:
    return sorted((i.rule, sorted(i.cells), i.expected, i.found) for i in vr.issues
                  if i.origin == "publisher" and i.severity in ("error", "warning") and not i.rule.startswith("prose."))


def _check(truth: dict[str, Any], spec: layouts.LayoutSpec, vr: ValidatedReport) -> None:
    r = vr.result
    assert (r.status, r.agency, r.year, r.table_formats) == ("parsed", truth["agency"], truth["year"], truth["table_formats"])
    # every cell of table 4 (and of the rest of the report), each blank with its printed token
    assert _t4(r.cell_values()) == _t4(truth["cells"])
    assert _t4(r.raw_tokens()) == _t4(truth["raw_tokens"])
    assert r.cell_values() == truth["cells"]
    assert r.raw_tokens() == truth["raw_tokens"]
    found = _publisher(vr)
    assert found == oracle.violations(truth["cells"], truth["table_formats"])
    # the deliberate errors of table 4 come out on their own proceeding's cells (where none is blank)
    for err in _checkable_t4_errors(truth):
        assert any(rule == err["rule"] and set(err["cells"]) <= set(cells) for rule, cells, _, _ in found), err
    parser = {(i.rule, i.severity) for i in vr.issues if i.origin == "parser"}
    assert parser <= ({("label_variant", "warning")} if spec.labels_seed else set())


def _checkable_t4_errors(truth: dict[str, Any]) -> list[dict[str, Any]]:
    """Table 4's deliberate errors whose proceeding prints no blank (a blank is not 0: not checked)."""
    return [e for e in truth["deliberate_errors"] if e["rule"].startswith("T4.")
            and all(v is not None for k, v in truth["cells"].items() if k.startswith(e["cells"][0].split(".")[0] + "."))]


def _case(k: int, shape: str, split: bool, medium: str, ruling: str | None = None) -> tuple[layouts.LayoutDoc, dict[str, Any]]:
    spec = replace(DRAWN[k], t4_shape=shape, t4_split=split)
    if ruling is not None:
        # (labels letter-spaced character by character are not yet joined in a PDF's rows — the PDF
        # row finder's own work, not table 4's: docs/decisions.md)
        spec = replace(spec, ruling=ruling, labels_seed=0)
    doc = layouts.LayoutDoc(f"t4-{shape}{'-split' if split else ''}-{medium}-{k}", 26_000 + k, layouts.FORMATS[k % 3],
                            ("zeros", "slash", "zeros", "dash", "blank")[k % 5], ERRORS[k % 3], spec, medium, 1 + k % 20)
    truth = make_truth(doc.seed, doc.fmt_name, doc.blank, doc.error, t4_blanks=True)
    return doc, truth


CASES = [(k, shape, split, medium) for k, ((shape, split), medium) in
         enumerate((s, m) for s in SHAPES for m in MEDIA)]


def test_the_cases_cover_blanks_errors_and_orders() -> None:
    """The fresh cases print table 4 with blank marks, with errors in each proceeding, and in other
    column orders than the format's (else the tests below would prove less than they say)."""
    truths = [_case(k, shape, split, medium)[1] for k, shape, split, medium in CASES]
    assert sum(len(_t4(t["raw_tokens"])) for t in truths) >= 10
    rules = {e["rule"] for t in truths for e in _checkable_t4_errors(t)}
    assert {"T4.review_total", "T4.direct_total", "T4.after_review_total"} <= rules
    specs = [_case(k, shape, split, medium)[0].spec for k, shape, split, medium in CASES]
    assert any(s.t4_groups and s.t4_groups[0] != "R" for s in specs) and any(s.t4_results for s in specs)
    assert any(s.labels_seed for s in specs)
    assert {d.t4_shape for d in layouts.draw_specs(SEED, 40, t4_shapes=True)} == set(layouts.T4_SHAPES)
    assert all(s.t4_shape == "wide" for s in layouts.draw_specs(SEED, 40))  # the committed corpus stays wide


@pytest.mark.parametrize(("k", "shape", "split", "medium"), CASES, ids=[f"{s}{'-split' if p else ''}-{m}" for _, s, p, m in CASES])
def test_table4_printed_long_is_read_exactly(k: int, shape: str, split: bool, medium: str) -> None:
    doc, truth = _case(k, shape, split, medium)
    vr = validate(parse_bytes(layouts.render_doc(truth, doc), f"{doc.name}.{EXTENSIONS[medium]}"))
    _check(truth, doc.spec, vr)


@pytest.mark.parametrize(("shape", "split", "ruling"), PDF_CASES, ids=[f"{s}{'-split' if p else ''}-{r}" for s, p, r in PDF_CASES])
def test_table4_printed_long_in_a_pdf(shape: str, split: bool, ruling: str, tmp_path: Path) -> None:
    if shutil.which("soffice") is None:
        pytest.fail("LibreOffice (soffice) is needed to print the forged report to PDF")
    k = len(CASES) + PDF_CASES.index((shape, split, ruling))
    doc, truth = _case(k, shape, split, "pdf", ruling)
    pdf = convert_with_soffice(layouts.render_doc(truth, doc), "docx", "pdf", doc.name)
    if doc.spec.rotate:
        pdf = layouts.rotate_pages(pdf, doc.spec.rotate)
    path = tmp_path / f"{doc.name}.pdf"
    path.write_bytes(pdf)
    _check(truth, doc.spec, validate(parse_path(path)))


def test_hand_written_vertical_list() -> None:
    """tests/fixtures/t4-shapes/vertical-list.html, values typed from the page: labels merged over
    their rows (行政诉讼 over 未经复议直接起诉 and 复议后起诉), results letter-spaced, traditional and
    written 其它, blanks '/', '' and '—', and the publisher's own error in 未经复议直接起诉."""
    vr = validate(parse_path(FIXTURE))
    r = vr.result
    assert (r.status, r.agency, r.year, r.table_formats["T4"]) == ("parsed", "云岭区自然资源局", 2023, "2021")
    assert _t4(r.cell_values()) == {
        "4|R.maintain": 3, "4|R.correct": 1, "4|R.other": 0, "4|R.pending": 2, "4|R.total": 6,
        "4|LD.maintain": 0, "4|LD.correct": 4, "4|LD.other": 1, "4|LD.pending": 0, "4|LD.total": 7,
        "4|LA.maintain": 1, "4|LA.correct": None, "4|LA.other": None, "4|LA.pending": None, "4|LA.total": 1,
    }
    assert _t4(r.raw_tokens()) == {"4|LA.correct": "/", "4|LA.other": "", "4|LA.pending": "—"}
    assert [v for v in _publisher(vr) if v[0].startswith("T4.")] == [
        ("T4.direct_total", ["4|LD.correct", "4|LD.maintain", "4|LD.other", "4|LD.pending", "4|LD.total"], 5.0, 7.0)]
    # (the fixture prints no table 3: only that is missing)
    assert not [i for i in vr.issues if i.origin == "parser" and any(c.startswith("4|") for c in i.cells)]


LIST_HEAD = '<p>四、政府信息公开行政复议、行政诉讼情况</p><table border="1">'
RESULT_LABELS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


def _report(table4: str) -> bytes:
    return ('<html><head><meta charset="utf-8"></head><body><h1>东湖镇人民政府2022年政府信息公开工作年度报告</h1>'
            '<p>二、主动公开政府信息情况</p><table border="1"><tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td>'
            '<td>现行有效件数</td></tr><tr><td>规章</td><td>0</td><td>0</td><td>0</td></tr></table>'
            f"{LIST_HEAD}{table4}</table></body></html>").encode()


def _rows(values: list[list[int]]) -> str:
    return "".join(f"<tr><td>{label}</td>{''.join(f'<td>{v}</td>' for v in row)}</tr>"
                   for label, row in zip(RESULT_LABELS, values, strict=True))


def test_a_list_naming_no_proceeding_is_read_in_the_formats_order_with_a_warning() -> None:
    """Fifteen result rows and no proceeding label: three runs, taken as 行政复议, 直接起诉, 复议后起诉."""
    rows = "".join(f"<tr><td>{label}</td><td>{10 * g + k}</td></tr>" for g in range(3) for k, label in enumerate(RESULT_LABELS))
    vr = validate(parse_bytes(_report(rows), "list.html"))
    cells = _t4(vr.result.cell_values())
    assert cells == {f"4|{g}.{r}": 10 * i + k for i, g in enumerate(("R", "LD", "LA"))
                     for k, r in enumerate(("maintain", "correct", "other", "pending", "total"))}
    warned = [i for i in vr.issues if i.rule == "columns_by_position"]
    assert len(warned) == 1 and warned[0].severity == "warning" and sorted(warned[0].cells) == sorted(cells)


def test_a_list_run_without_its_proceeding_is_not_placed() -> None:
    """Two runs named (复议后起诉 first, then 行政复议) and one not: that one is not guessed."""
    named = {"LA": "行政诉讼（复议后起诉）", "R": "行政复议"}
    rows = ""
    for g, base in (("LA", 20), ("R", 0), (None, 10)):
        for k, label in enumerate(RESULT_LABELS):
            lead = f'<td rowspan="5">{named[g]}</td>' if g and k == 0 else "<td></td>" if not g and k == 0 else ""
            rows += f"<tr>{lead}<td>{label}</td><td>{base + k}</td></tr>"
    vr = validate(parse_bytes(_report(rows), "runs.html"))
    cells = _t4(vr.result.cell_values())
    assert cells == {**{f"4|LA.{r}": 20 + k for k, r in enumerate(("maintain", "correct", "other", "pending", "total"))},
                     **{f"4|R.{r}": k for k, r in enumerate(("maintain", "correct", "other", "pending", "total"))},
                     **{f"4|LD.{r}": None for r in ("maintain", "correct", "other", "pending", "total")}}
    assert _t4(vr.result.raw_tokens()) == {}  # (not found, not blank: no printed token)
    assert len([i for i in vr.issues if i.rule == "row_unmatched" and "no proceeding label" in i.message]) == 5
    assert any(i.rule == "cell_missing" and "4|LD.total" in i.cells for i in vr.issues)


def test_turned_table_is_read_by_its_proceeding_headers() -> None:
    """Results as rows, proceedings as columns printed 复议后起诉 / 行政复议 / 未经复议直接起诉: each
    column read by its header; without headers, by position in the format's order with a warning."""
    values = [[1, 2, 3], [4, 5, 6], [7, 8, 9], [0, 1, 0], [12, 16, 18]]
    head = "<tr><td>项目</td><td>行政诉讼（复议后起诉）</td><td>行政复议</td><td>行政诉讼（未经复议直接起诉）</td></tr>"
    vr = validate(parse_bytes(_report(head + _rows(values)), "turned.html"))
    results = ("maintain", "correct", "other", "pending", "total")
    assert _t4(vr.result.cell_values()) == {f"4|{g}.{r}": row[c] for r, row in zip(results, values, strict=True)
                                            for c, g in enumerate(("LA", "R", "LD"))}
    assert [i for i in vr.issues if i.origin == "parser" and any(c.startswith("4|") for c in i.cells)] == []
    vr = validate(parse_bytes(_report(_rows(values)), "turned-bare.html"))
    assert _t4(vr.result.cell_values()) == {f"4|{g}.{r}": row[c] for r, row in zip(results, values, strict=True)
                                            for c, g in enumerate(("R", "LD", "LA"))}
    warned = [i for i in vr.issues if i.rule == "columns_by_position"]
    assert len(warned) == 1 and warned[0].severity == "warning" and len(warned[0].cells) == 15


def test_turned_table_goes_on_under_a_repeated_header_that_lost_its_second_row() -> None:
    """A turned table broken over a page, its header repeated with only its first row (行政复议 /
    行政诉讼): the rows below are still read under the proceedings named above (复议后起诉 printed
    before 未经复议直接起诉), never by position."""
    values = [[1, 2, 3], [4, 5, 6], [7, 8, 9], [0, 1, 0], [12, 16, 18]]
    top = '<tr><td rowspan="2">项目</td><td rowspan="2">行政复议</td><td colspan="2">行政诉讼</td></tr>'
    head = top + "<tr><td>复议后起诉</td><td>未经复议直接起诉</td></tr>"
    rows = _rows(values).split("</tr>")
    table = head + "</tr>".join(rows[:3]) + "</tr>" + top.replace(' rowspan="2"', "") + "</tr>".join(rows[3:])
    vr = validate(parse_bytes(_report(table), "turned-broken.html"))
    results = ("maintain", "correct", "other", "pending", "total")
    assert _t4(vr.result.cell_values()) == {f"4|{g}.{r}": row[c] for r, row in zip(results, values, strict=True)
                                            for c, g in enumerate(("R", "LA", "LD"))}
    assert [i for i in vr.issues if i.origin == "parser" and any(c.startswith("4|") for c in i.cells)] == []



def _grid(index: int, caption: str, rows: list[list[str]]) -> Grid:
    return Grid(index, [[GridCell(t, r, c) for c, t in enumerate(row)] for r, row in enumerate(rows)], caption)


def test_a_row_of_empty_cells_under_a_repeated_header_outranks_no_long_table() -> None:
    """Table 4 printed long and broken over a page whose repeated header is followed by a row of
    empty cells (what a ruled PDF's table finder yields for labels merged down from the page before):
    the numbers are the list's or the turned rows', not that row's blanks. The list's grids are the
    ones read from the forge's layout-wild-06-pdf (typed from its pages); values typed by hand."""
    results = ("maintain", "correct", "other", "pending", "total")
    head = ["案件类型", "办理结果", "数量"]
    above = [head, ["行政复议", "尚未审结", "0"], ["结果纠正", "0"], ["其他结果", "4"], ["結果維持", "7"], ["总 计", "11"],
             ["行政诉讼", "未经复议直接起诉", "尚 未 审 结", "0"], ["结果纠正", "0"], ["其 他 结 果", "0"], ["结果维持", "2"]]
    below = [head, ["", "", "", ""], ["总 计", "2"], ["复议后起诉", "尚 未 审 结", "0"], ["结 果 纠 正", "0"],
             ["其他结果", "0"], ["结 果 维 持", "0"], ["總計", "0"]]
    out = extract_cells([_grid(0, "四、政府信息公开行政复议、行政诉讼情况", above), _grid(1, "结果维持 2", below)])
    printed = {"R": (7, 0, 4, 0, 11), "LD": (2, 0, 0, 0, 2), "LA": (0, 0, 0, 0, 0)}
    assert {k: v.value for k, v in out.cells.items() if k.startswith("4|")} == {
        f"4|{g}.{r}": n for g, ns in printed.items() for r, n in zip(results, ns, strict=True)}
    assert not [i for i in out.issues if any(c.startswith("4|") for c in i.cells)]
    # turned: the empty row after the last result, under the header repeated on the next page
    empty = "<tr><td></td><td></td><td></td><td></td></tr>"
    values = [[1, 2, 3], [4, 5, 6], [7, 8, 9], [0, 1, 0], [12, 16, 18]]
    top = "<tr><td>项目</td><td>行政复议</td><td>行政诉讼（未经复议直接起诉）</td><td>行政诉讼（复议后起诉）</td></tr>"
    vr = validate(parse_bytes(_report(top + _rows(values) + top + empty), "turned-broken-empty.html"))
    assert _t4(vr.result.cell_values()) == {f"4|{g}.{r}": row[c] for r, row in zip(results, values, strict=True)
                                            for c, g in enumerate(("R", "LD", "LA"))}
    assert [i for i in vr.issues if i.origin == "parser" and any(c.startswith("4|") for c in i.cells)] == []
