"""Labels as printed, not as specified: typos, doubled or dropped characters and scrambled glyphs are
read as the row they clearly mean, with a warning; a label about as near to two rows is never read.

The documents are the real 平潭 2022 page with its labels misprinted by hand; the expected cells are
the hand-checked truth of the page as published."""

from __future__ import annotations

from pipelines.parse import labels as lab
from pipelines.parse.report import parse_bytes
from pipelines.validate import validate
from tests.conftest import CORPUS, corpus_or_skip, truth

MISPRINTS = {  # as published → as some office printed it
    "3.补正后申请内容仍不明确": "3.补证后申请内容仍不明确",  # 补证 for 补正
    "（二）部分公开": "（二）部部分公开",  # OCR-like doubled character
    "行政规范性文件": "行政规范文件",  # a dropped character
    "1.属于国家秘密": "1.密秘家国于属",  # a merged cell's glyphs read in another order
    "3.其他": "3.其它",  # the other written form of 其他: no warning
}
WARNED = {"3.3.4.3", "3.3.2", "2.1.2", "3.3.3.1"}


def _misprinted(replacements: dict[str, str]) -> bytes:
    page = (CORPUS / "real" / "pingtan-2022.html").read_text(encoding="utf-8")
    for printed, misprint in replacements.items():
        assert printed in page, printed
        page = page.replace(printed, misprint)
    return page.encode("utf-8")


def test_misprinted_labels_read_as_their_rows_with_warnings() -> None:
    corpus_or_skip()
    t = truth("pingtan-2022")
    vr = validate(parse_bytes(_misprinted(MISPRINTS), "pingtan-2022-misprinted.html"))
    got = vr.result.cell_values()
    assert {k: (v, got.get(k)) for k, v in t["cells"].items() if got.get(k) != v} == {}
    parser = [i for i in vr.issues if i.origin == "parser"]
    assert {(i.rule, i.severity) for i in parser} == {("label_variant", "warning")}
    assert {c for i in parser for c in i.cells} == WARNED
    by_row = {i.cells[0]: i.message for i in parser}
    assert "'3.补证后申请内容仍不明确'" in by_row["3.3.4.3"] and "1 character edit away" in by_row["3.3.4.3"]
    assert "'行政规范文件'" in by_row["2.1.2"] and "行政规范性文件" in by_row["2.1.2"]


def test_a_label_near_two_rows_is_not_read() -> None:
    """本年结转 is one edit from 上年结转 (3.2) and two from 本年新收 (3.1): too close to call."""
    corpus_or_skip()
    t = truth("pingtan-2022")
    vr = validate(parse_bytes(_misprinted({"二、上年结转": "二、本年结转"}), "pingtan-2022-close.html"))
    got = vr.result.cell_values()
    row_32 = [k for k in t["cells"] if k.startswith("3.2|")]
    assert row_32 and all(got.get(k) is None for k in row_32)
    assert all(got[k] == t["cells"][k] for k in t["cells"] if k.startswith("3.1|"))
    assert any(i.rule == "row_unmatched" and "本年结转" in i.message for i in vr.issues)
    assert any(i.rule == "cell_missing" and set(row_32) <= set(i.cells) for i in vr.issues)
    assert vr.status != "valid"


def test_nearest_row_demands_a_margin() -> None:
    assert lab.nearest_t3_row("3.补证后申请内容仍不明确").code == "3.3.4.3"
    assert lab.nearest_t3_row("上年新收政府信息公开申请数量") is None  # 1 edit from 3.1, 2 from 3.2
    assert lab.nearest_t3_row("属于四类内部信息") is None  # 3 edits from both 3.3.3.5 and 3.3.3.6
    assert lab.nearest_t2_row("行政许") is None  # short labels only as printed
    assert lab.nearest_t3_row("（七）总计") is None  # printed as specified: no "nearest" needed
