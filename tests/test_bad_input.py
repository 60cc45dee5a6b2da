"""Bad input gives a typed status naming the document; nothing crashes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pipelines.parse.report import parse_bytes, parse_path
from pipelines.validate import validate
from tests.conftest import FORGE, forge_doc


def test_empty_file(tmp_path: Path) -> None:
    p = tmp_path / "empty.html"
    p.write_bytes(b"")
    r = parse_path(p)
    assert (r.status, r.error_type) == ("failed", "empty_document")
    assert str(p) in r.error


def test_binary_named_html(tmp_path: Path) -> None:
    p = tmp_path / "image.html"
    p.write_bytes(bytes(range(256)) * 20)
    r = parse_path(p)
    assert (r.status, r.error_type) == ("failed", "binary_content")
    assert "image.html" in r.error


def test_html_without_tables_titled_as_report_fails(tmp_path: Path) -> None:
    p = tmp_path / "notables.html"
    p.write_text("<html><head><title>青石县交通运输局2022年政府信息公开工作年度报告</title></head>"
                 "<body><p>一、总体情况</p><p>本年度……</p></body></html>", encoding="utf-8")
    r = parse_path(p)
    assert (r.status, r.error_type) == ("failed", "no_report_tables")
    assert "notables.html" in r.error


def test_guide_is_not_a_report() -> None:
    r = parse_path(forge_doc("guide-not-a-report.html"))
    assert r.status == "not_a_report"
    assert validate(r).status == "not_a_report"


def test_truncated_table_reports_missing_cells_and_keeps_the_rest() -> None:
    data = (forge_doc("forge-01-2021.html")).read_bytes()
    cut = data[: data.index("不予处理".encode())]  # the page ends inside table 3
    r = parse_bytes(cut, "truncated.html")
    vr = validate(r)
    assert r.status == "parsed"
    missing = next(i for i in vr.issues if i.rule == "cell_missing")
    assert missing.origin == "parser" and "3.4|np" in missing.cells and "4|R.total" in missing.cells
    truth = json.loads((FORGE / "forge-01-2021.truth.json").read_text(encoding="utf-8"))
    got = r.cell_values()
    assert got["3.1|np"] == truth["cells"]["3.1|np"]
    assert got["2.8.1|fee_wan"] == truth["cells"]["2.8.1|fee_wan"]
    assert got["3.4|np"] is None and "3.4|np" not in r.raw_tokens()  # missing, not blank
    assert vr.status == "invalid"


def test_cli_failed_exit_code_and_one_line_error(tmp_path: Path) -> None:
    p = tmp_path / "broken.html"
    p.write_bytes(b"\x00\x01\x02" * 100)
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", "parse", str(p), "--json"], capture_output=True, text=True)
    assert proc.returncode != 0
    assert proc.stderr.strip().count("\n") == 0 and "binary_content" in proc.stderr and "broken.html" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert json.loads(proc.stdout)["status"] == "failed"


def test_cli_parse_json_contract() -> None:
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", "parse", str(forge_doc("forge-07-2021-t3err.html")), "--json"],
                          capture_output=True, text=True, check=True)
    out = json.loads(proc.stdout)
    truth = json.loads((FORGE / "forge-07-2021-t3err.truth.json").read_text(encoding="utf-8"))
    assert out["status"] == "parsed" and out["error"] is None
    assert out["cells"] == truth["cells"]
    assert {v["rule"] for v in out["violations"]} == {"T3.balance", "T3.results_total", "T3.row_total"}
    v = next(v for v in out["violations"] if v["rule"] == "T3.results_total")
    assert v["origin"] == "publisher" and v["found"] == truth["cells"]["3.3.7|np"] and v["expected"] == truth["cells"]["3.3.7|np"] - 3


def _cells_before(truth: dict, keys: list[str]) -> dict:
    return {k: truth["cells"][k] for k in keys}


def test_page_cut_off_inside_a_row_loses_that_row_flagged_never_as_blanks() -> None:
    """A truncated download that stops inside the last cell of row 3.3.1: the row is not read (its
    cut cell would read as a printed blank) and its cells are flagged missing, by the parser."""
    data = forge_doc("forge-01-2021.html").read_bytes()
    label = data.index("（一）予以公开".encode())
    seventh = label
    for _ in range(7):  # the 7th value cell of the row (合计)
        seventh = data.index(b"<td>", seventh + 1)
    r = parse_bytes(data[: seventh + len(b"<td><p><span sty")], "cut.html")
    vr = validate(r)
    assert r.status == "parsed"
    row = [f"3.3.1|{c}" for c in ("np", "lp_com", "lp_res", "lp_ngo", "lp_law", "lp_oth", "total")]
    got = r.cell_values()
    assert {k: got[k] for k in row} == dict.fromkeys(row)
    assert not set(row) & set(r.raw_tokens())  # missing, not printed blank
    missing = next(i for i in vr.issues if i.rule == "cell_missing")
    assert missing.origin == "parser" and set(row) <= set(missing.cells)
    truth = json.loads((FORGE / "forge-01-2021.truth.json").read_text(encoding="utf-8"))
    before = [f"3.2|{c}" for c in ("np", "lp_com", "lp_res", "lp_ngo", "lp_law", "lp_oth", "total")]
    assert {k: got[k] for k in before} == _cells_before(truth, before)  # the row above is read as printed


def test_page_cut_off_before_table_3_keeps_the_2019_layout_and_flags_row_six() -> None:
    """A 2019-format page cut inside table 2 (in the middle of 行政许可's "1063"): nothing of table 3
    was read, so its layout goes by table 2's (2019: one row (六)) and both layouts' row (六) cells
    are flagged; the cut row is not read (no "10")."""
    data = forge_doc("forge-03-2019.html").read_bytes()
    r = parse_bytes(data[: data.index(b"1063") + 2], "cut-2019.html")
    vr = validate(r)
    assert r.status == "parsed"
    assert r.table_formats == {"T2": "2019", "T3": "2019", "T4": "2019"}
    unread = next(i for i in vr.issues if i.rule == "t3_layout_unread")
    assert (unread.origin, unread.severity) == ("parser", "error")
    assert {"3.3.6|np", "3.3.6|total", "3.3.6.1|np", "3.3.6.3|total"} <= set(unread.cells)
    got = r.cell_values()
    assert [got[k] for k in ("2.5.1|prev_items", "2.5.1|delta", "2.5.1|decisions")] == [None, None, None]
    missing = next(i for i in vr.issues if i.rule == "cell_missing")
    assert {"2.5.1|prev_items", "2.5.1|delta", "2.5.1|decisions", "3.3.6|np"} <= set(missing.cells)
