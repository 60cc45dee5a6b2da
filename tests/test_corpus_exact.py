"""Every cell of every real HTML/text report with a truth equals the truth (agency and year too)."""

from __future__ import annotations

import pytest

from pipelines.parse.report import parse_path
from pipelines.validate import validate
from tests.conftest import CORPUS, truth

REAL_HTML_TEXT = ["fengqiu-2022.txt", "pingtan-2019.html", "pingtan-2020.html", "pingtan-2021.html",
                  "pingtan-2022.html", "shanghai-office-2019.html"]


@pytest.mark.parametrize("doc", REAL_HTML_TEXT)
def test_every_cell_equals_truth(doc: str) -> None:
    t = truth(doc.rsplit(".", 1)[0])
    vr = validate(parse_path(CORPUS / "real" / doc))
    r = vr.result
    assert r.status == "parsed", r.error
    assert r.agency == t["agency"]
    assert r.year == t["year"]
    assert r.table_formats == t["table_formats"]
    got = r.cell_values()
    assert set(got) == set(t["cells"])
    # 0 == 0.0 for the 万元 fee; strings (2019 采购总金额) must match exactly
    wrong = {k: (v, got[k]) for k, v in t["cells"].items() if got[k] != v or isinstance(got[k], str) != isinstance(v, str)}
    assert wrong == {}
    assert r.raw_tokens() == t["raw_tokens"]
    assert [i for i in vr.issues if i.origin == "parser"] == []


@pytest.mark.parametrize("doc", REAL_HTML_TEXT)
def test_publisher_violations_match_truth_rule_check(doc: str) -> None:
    t = truth(doc.rsplit(".", 1)[0])
    vr = validate(parse_path(CORPUS / "real" / doc))
    found = sorted((i.rule, i.found, i.expected) for i in vr.issues if i.origin == "publisher" and not i.rule.startswith("prose."))
    expected = sorted((v["rule"], float(v["lhs"]), float(v["rhs"])) for v in t["rule_check"]["strict"])
    assert found == expected
    assert vr.rules_checked == t["rule_check"]["checked"]
    assert len(vr.skipped) == t["rule_check"]["skipped_strict"]
    assert vr.status == ("invalid" if expected else "valid")


PROSE_FINDINGS = {  # checked by hand against each report's narrative and tables
    "fengqiu-2022.txt": [("prose.applications", ["3.1|total"], 1.0, 0.0, "（二）依申请公开方面2022年我局未收到依申请公开事项")],
    "hongze-2024.pdf": [("prose.applications", ["3.1|total"], 95.0, 17.0,
                         "2024年，区政府办代表区政府受理政府信息公开申请17件，均已在法定期限内予以答复")],
}


@pytest.mark.parametrize("doc", [*REAL_HTML_TEXT, "hongze-2023.pdf", "hongze-2024.pdf", "huaian-2024.pdf"])
def test_prose_contradicting_the_tables_is_a_publisher_warning(doc: str) -> None:
    """封丘 2022 says it received no applications (table 3: one); 洪泽 2024's narrative says 17 (table:
    95). Every other real report's statements agree with its tables (平潭 2022's 75 = 74 new + 1
    carried over; 淮安's 行政诉讼 46 = 26 + 20)."""
    vr = validate(parse_path(CORPUS / "real" / doc))
    found = [(i.rule, i.cells, i.expected, i.found, i.message.split("「")[1].rstrip("」"))
             for i in vr.issues if i.rule.startswith("prose.")]
    assert found == PROSE_FINDINGS.get(doc, [])
    assert all(i.severity == "warning" and i.origin == "publisher" for i in vr.issues if i.rule.startswith("prose."))


def test_pingtan_2020_published_error_is_reported_with_cells() -> None:
    vr = validate(parse_path(CORPUS / "real" / "pingtan-2020.html"))
    np_issue = next(i for i in vr.issues if i.rule == "T3.results_total" and "3.3.7|np" in i.cells)
    assert (np_issue.origin, np_issue.severity, np_issue.found, np_issue.expected) == ("publisher", "error", 20.0, 26.0)
    assert "3.3.6|np" in np_issue.cells and "3.3.1|np" in np_issue.cells
    # the published numbers are kept as printed, not "fixed"
    assert vr.result.cell_values()["3.3.7|np"] == 20


def test_sections_are_kept(corpus) -> None:
    r = parse_path(corpus / "real" / "fengqiu-2022.txt")
    assert list(r.sections) == ["S1", "S2", "S3", "S4", "S5", "S6"]
    assert "2022年我局未收到依申请公开事项" in r.sections["S1"]
    assert r.sections["S6"].endswith("本年度我局无信息公开收费情况。")
