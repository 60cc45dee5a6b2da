"""Crawler text whose table cells ran together (../shared/corpus/damaged): every cell is the truth's,
or left blank and flagged as ambiguous with the printed digits — never placed wrongly."""

from __future__ import annotations

import pytest

from pipelines.parse.report import parse_path
from pipelines.parse.runs import cuts
from pipelines.validate import validate
from tests.conftest import CORPUS, corpus_or_skip, truth

# Read by hand from each text: the table-2 rows whose digits allow more than one cut (table 2 has no
# identity to choose one). 2019/2020 print the 2019 table 2 (3 columns in 2.5/2.6, 2 in 2.8/2.9);
# "000" and "007" (规章) cut one way only, as does 2020's 行政事业性收费 "35-15" (35 | -15) and
# 行政处罚's first number 2648 before the sign.
T2_AMBIGUOUS = {
    2019: {"2.1.2": 3, "2.5.1": 3, "2.5.2": 3, "2.6.1": 3, "2.6.2": 3, "2.8.1": 2, "2.9.1": 2},
    2020: {"2.1.2": 3, "2.5.1": 3, "2.5.2": 3, "2.6.1": 2, "2.6.2": 3, "2.9.1": 2},
    2021: {"2.1.2": 3},
    2022: {"2.1.2": 3},
}


@pytest.mark.parametrize("year", [2019, 2020, 2021, 2022])
def test_run_together_cells_are_the_truths_or_flagged(year: int) -> None:
    corpus_or_skip()
    t = truth(f"pingtan-{year}")
    vr = validate(parse_path(CORPUS / "damaged" / f"pingtan-{year}-crawl.txt"))
    r = vr.result
    assert r.status == "parsed", r.error
    assert (r.agency, r.year, r.table_formats) == (t["agency"], t["year"], t["table_formats"])
    got = r.cell_values()
    assert set(got) == set(t["cells"])
    flagged = {k: i for i in vr.issues if i.rule == "ambiguous_segmentation" for k in i.cells}
    assert all(i.severity == "error" and i.origin == "parser" for i in flagged.values())
    wrong = {k: (v, got[k]) for k, v in t["cells"].items() if got[k] != v and not (k in flagged and got[k] is None)}
    assert wrong == {}
    # tables 3 and 4 are fixed by their identities: every cell read
    assert {k for k in flagged if not k.startswith("2.")} == set()
    rows: dict[str, int] = {}
    for k in flagged:
        rows[k.split("|")[0]] = rows.get(k.split("|")[0], 0) + 1
    assert rows == T2_AMBIGUOUS[year]
    raw, printed = r.raw_tokens(), (CORPUS / "damaged" / f"pingtan-{year}-crawl.txt").read_text(encoding="utf-8")
    for k in flagged:  # the printed digits are kept on each blank cell
        assert raw[k] and raw[k] in printed


@pytest.mark.parametrize("year", [2019, 2020, 2021, 2022])
def test_run_together_publisher_errors_are_the_truths(year: int) -> None:
    corpus_or_skip()
    t = truth(f"pingtan-{year}")
    vr = validate(parse_path(CORPUS / "damaged" / f"pingtan-{year}-crawl.txt"))
    found = sorted((i.rule, i.found, i.expected) for i in vr.issues
                   if i.origin == "publisher" and not i.rule.startswith(("prose.", "X.")))
    assert found == sorted((v["rule"], float(v["lhs"]), float(v["rhs"])) for v in t["rule_check"]["strict"])


def test_cuts_follow_printed_numbers() -> None:
    """Hand-enumerated: no leading zeros, a space is a boundary, a point only in a decimal column,
    a sign only in a signed one."""
    assert cuts("105", ["int", "int"]) == [["10", "5"]]
    assert cuts("100", ["int", "int"]) == [["10", "0"]]
    assert cuts("1 23", ["int"] * 3) == [["1", "2", "3"]]
    assert cuts("123", ["int"] * 2) == [["1", "23"], ["12", "3"]]
    assert cuts("12.5", ["int", "decimal"]) == [["1", "2.5"]]
    assert cuts("12.5", ["int", "int"]) == []
    assert cuts("3-2", ["int", "signed_int"]) == [["3", "-2"]]
    assert cuts("3-2", ["int", "int"]) == []
    assert cuts("0000000", ["int"] * 7) == [["0"] * 7]
