"""The analyst's warehouse: one agency under all its names with region, level and kind; metrics
with their formulas; prose-vs-table and cross-year checks; the roster. Exact rows from DuckDB,
over the real corpus and over forged agencies whose truths give the expected findings."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipelines.definitions import build_defs
from tests.conftest import corpus_or_skip, q, warehouse_copy
from tests.forge.render import render_text
from tests.forge.truths import make_truth


def _ingest(src: Path, db: Path) -> None:
    assert build_defs(str(db), str(src)).resolve_job_def("nightly_ingest").execute_in_process(raise_on_error=False).success


@pytest.fixture(scope="module")
def real_db(tmp_path_factory, real_corpus_warehouse: Path) -> Path:
    """The real corpus after one night (ingested once per test run: conftest; its one failed file,
    broken.html, has no agency and no facts)."""
    return warehouse_copy(real_corpus_warehouse, tmp_path_factory.mktemp("wh"))


# --- agency identity -----------------------------------------------------------------------------

def test_every_real_agency_resolves_to_one_agency_with_region_level_and_kind(real_db: Path) -> None:
    assert q(real_db, "SELECT * FROM agencies ORDER BY agency_key") == [
        ("310000/人民政府办公厅", "上海市人民政府办公厅", "310000", "上海市", None, None, "province", "general_office", None,
         "division_library"),
        ("320800/人民政府", "淮安市人民政府", "320800", "江苏省", "淮安市", None, "prefecture", "government", None,
         "division_library"),
        ("320813/人民政府", "淮安市洪泽区人民政府", "320813", "江苏省", "淮安市", "洪泽区", "county", "government", None,
         "division_library"),
        ("350128/平潭综合实验区", "平潭综合实验区", "350128", "福建省", None, "平潭县", "prefecture", "special_zone", None,
         "alias_file"),
        ("410727/科技和工业信息化局", "新乡市封丘县科技和工业信息化局", "410727", "河南省", "新乡市", "封丘县", "county",
         "department", "工业信息化", "division_library"),
    ]
    assert q(real_db, "SELECT * FROM unresolved_agencies") == []  # every real-corpus name resolves


def test_hongze_2023_and_2024_are_one_agency(real_db: Path) -> None:
    """Printed as 洪泽区人民政府 (2023) and 淮安市洪泽区人民政府 (2024): the fact tables keep the printed
    names, the agency is one."""
    rows = q(real_db, """SELECT agency_id, year, agency_key, adcode, level, kind FROM agency_reports
                         WHERE agency_key = '320813/人民政府' ORDER BY year""")
    assert rows == [("洪泽区人民政府", 2023, "320813/人民政府", "320813", "county", "government"),
                    ("淮安市洪泽区人民政府", 2024, "320813/人民政府", "320813", "county", "government")]


def test_pingtan_2019_to_2022_is_one_agency_in_fujian(real_db: Path) -> None:
    assert q(real_db, """SELECT list(year ORDER BY year), any_value(province), count(DISTINCT agency_key) FROM agency_reports
                         WHERE canonical_name = '平潭综合实验区'""") == [([2019, 2020, 2021, 2022], "福建省", 1)]


def test_names_no_library_places_are_listed_never_guessed() -> None:
    """cpca reads 青石县 (no such county) as 重庆市's placeholder 县: refused, the name is unresolved."""
    from warehouse.agencies import resolve

    got = {a.name: (a.agency_key, a.adcode, a.resolved_by) for a in resolve(["青石县交通运输局", "洪泽区政府", "上海市"], {})}
    assert got == {"青石县交通运输局": ("?/青石县交通运输局", None, "unresolved"),
                   "洪泽区政府": ("320813/人民政府", "320813", "division_library"),
                   "上海市": ("310000/人民政府", "310000", "division_library")}


# --- prose vs table and cross-year ---------------------------------------------------------------

def test_fengqiu_2022_prose_contradicts_its_table(real_db: Path) -> None:
    rows = q(real_db, """SELECT agency_id, year, rule, severity, origin, cells, expected, found FROM publisher_issues
                         WHERE rule LIKE 'prose.%' ORDER BY year""")
    assert rows == [("封丘县科技和工业信息化局", 2022, "prose.applications", "warning", "publisher", ["3.1|total"], 1.0, 0.0),
                    ("淮安市洪泽区人民政府", 2024, "prose.applications", "warning", "publisher", ["3.1|total"], 95.0, 17.0)]


def test_pingtan_chain_runs_through_the_cross_year_checks(real_db: Path) -> None:
    """Checked by hand against the HTML: 上年结转 is 0 in 2020 and 2021 (2019, 2020 carried 0 forward)
    and 1 (自然人) in 2022 (2021 carried 1 forward); 规范性文件 现行有效 665 (2021) + 88 − 55 = 698
    (2022), 规章 0 + 0 − 0 = 0; 2019/2020 print no 现行有效 (2019 format); tables differ every year."""
    rows = q(real_db, """SELECT year, rule, cells[1], expected, found, violated FROM cross_year_checks
                         WHERE agency_key = '350128/平潭综合实验区' AND cells[1] IN ('3.2|np', '3.2|total', '2.1.1|valid',
                         '2.1.2|valid') OR (agency_key = '350128/平潭综合实验区' AND rule = 'X.copied_forward')
                         ORDER BY year, rule, cells[1]""")
    assert rows == [
        (2020, "X.carry_over", "3.2|np", 0.0, 0.0, False), (2020, "X.carry_over", "3.2|total", 0.0, 0.0, False),
        (2020, "X.copied_forward", None, 176.0, 160.0, False),
        (2021, "X.carry_over", "3.2|np", 0.0, 0.0, False), (2021, "X.carry_over", "3.2|total", 0.0, 0.0, False),
        (2021, "X.copied_forward", None, 169.0, 136.0, False),
        (2022, "X.carry_over", "3.2|np", 1.0, 1.0, False), (2022, "X.carry_over", "3.2|total", 1.0, 1.0, False),
        (2022, "X.copied_forward", None, 190.0, 149.0, False),
        (2022, "X.t2_valid_count", "2.1.1|valid", 0.0, 0.0, False), (2022, "X.t2_valid_count", "2.1.2|valid", 698.0, 698.0, False),
    ]
    assert q(real_db, "SELECT count(*) FROM cross_year_checks WHERE agency_key = '350128/平潭综合实验区'")[0][0] == 3 * 7 + 3 + 2
    assert q(real_db, "SELECT count(*) FROM validation_issues WHERE rule LIKE 'X.%'") == [(0,)]


def _oracle(prev: dict, cur: dict) -> list[tuple]:
    """The cross-year findings two truths imply, computed from the truths (not by the SQL)."""
    out = []
    for a in ("lp_com", "lp_law", "lp_ngo", "lp_oth", "lp_res", "np", "total"):
        if cur["cells"][f"3.2|{a}"] != prev["cells"][f"3.4|{a}"]:
            out.append(("X.carry_over", f"3.2|{a}", float(prev["cells"][f"3.4|{a}"]), float(cur["cells"][f"3.2|{a}"])))
    if prev["table_formats"]["T2"] == cur["table_formats"]["T2"] == "2021":
        for row in ("2.1.1", "2.1.2"):
            c = cur["cells"]
            expected = prev["cells"][f"{row}|valid"] + c[f"{row}|made"] - c[f"{row}|repealed"]
            if expected != c[f"{row}|valid"]:
                out.append(("X.t2_valid_count", f"{row}|valid", float(expected), float(c[f"{row}|valid"])))
    keys = [k for k in cur["cells"] if k.startswith(("3.", "4|"))]
    if all(cur["cells"][k] == prev["cells"][k] for k in keys) and sum(1 for k in keys if cur["cells"][k]) >= 3:
        out.append(("X.copied_forward", None, float(len(keys)), float(len(keys))))
    return sorted(out, key=lambda x: (x[0], x[1] or ""))


def test_forged_agencies_carry_over_mismatch_and_copied_tables_are_flagged(tmp_path: Path) -> None:
    """洪泽区教育局 2022 → 2023: two different reports (their carry-over and 现行有效 counts disagree);
    洪泽区财政局 prints 2022's tables again for 2023."""
    edu = [make_truth(41, "2021"), make_truth(42, "2021")]
    fin = [make_truth(43, "2021"), make_truth(43, "2021")]
    for truths, agency in ((edu, "淮安市洪泽区教育局"), (fin, "淮安市洪泽区财政局")):
        for truth, year in zip(truths, (2022, 2023), strict=True):
            truth["agency"], truth["year"] = agency, year
    src = tmp_path / "src"
    src.mkdir()
    for truths in (edu, fin):
        for truth in truths:
            (src / f"{truth['agency']}-{truth['year']}.txt").write_bytes(render_text(truth))
    db = tmp_path / "w.duckdb"
    _ingest(src, db)
    for truths, key in ((edu, "320813/教育局"), (fin, "320813/财政局")):
        got = q(db, """SELECT rule, cells[1], expected, found FROM validation_issues i JOIN agency_reports r USING (report_id)
                       WHERE rule LIKE 'X.%' AND r.agency_key = ? ORDER BY rule, cells[1] NULLS FIRST""", [key])
        assert got == _oracle(*truths), key
        assert got  # both agencies are flagged
        assert {r[0] for r in q(db, "SELECT year FROM publisher_issues WHERE rule LIKE 'X.%' AND agency_id = ?",
                                 [truths[1]["agency"]])} == {2023}
    assert ("X.copied_forward", None) in {g[:2] for g in q(db, """SELECT rule, cells[1] FROM validation_issues i
                                                                 JOIN agency_reports r USING (report_id)
                                                                 WHERE r.agency_key = '320813/财政局'""")}


# --- metrics -------------------------------------------------------------------------------------

def test_pingtan_2021_and_2022_metrics(real_db: Path) -> None:
    """平潭 2021: 不予公开 8 of 69 handled; 复议 维持 1, 纠正 0, 其他 2 → 纠错率 0. 2022: 不予公开 4 of 75;
    复议 维持 0, 纠正 1, 其他 1 → 纠错率 0.5."""
    rows = q(real_db, """SELECT o.year, o.handled, round(o.withhold_rate, 6), r.maintain, r.correct, r.other, r.correction_rate
                         FROM metric_outcome_shares o JOIN metric_review_litigation r USING (report_id)
                         WHERE o.agency_key = '350128/平潭综合实验区' AND o.year IN (2021, 2022) AND r.proceeding = 'R'
                         ORDER BY o.year""")
    assert rows == [(2021, 69, round(8 / 69, 6), 1, 0, 2, 0.0), (2022, 75, round(4 / 75, 6), 0, 1, 1, 0.5)]


def test_metrics_stay_null_over_blank_cells(real_db: Path) -> None:
    """上海 2019 leaves （一）…（六） of the 总计 column blank: every share is NULL, not 0; its 复议 纠正 is
    blank, so the 纠错率 is NULL too."""
    assert q(real_db, """SELECT handled, disclose_rate, withhold_rate, unable_rate, not_processed_rate, other_share
                         FROM metric_outcome_shares WHERE agency_key = '310000/人民政府办公厅'""") == [
        (805, None, None, None, None, None)]
    assert q(real_db, """SELECT proceeding, maintain, correct, correction_rate FROM metric_review_litigation
                         WHERE agency_key = '310000/人民政府办公厅' ORDER BY proceeding""") == [
        ("LA", None, None, None), ("LD", 8, None, None), ("R", 5, None, None)]


def test_year_over_year_marks_the_format_change(real_db: Path) -> None:
    rows = q(real_db, """SELECT metric, year, value, prev_value, change, comparable FROM metric_yoy
                         WHERE agency_key = '350128/平潭综合实验区' AND metric IN ('new_applications', 'other_share')
                         AND year = 2021 ORDER BY metric""")
    assert [(m, y, v, p, c) for m, y, v, p, c, _ in rows if m == "new_applications"] == [("new_applications", 2021, 70.0, 21.0, 49.0)]
    assert [(m, comparable) for m, *_, comparable in rows] == [("new_applications", True), ("other_share", False)]


# --- roster --------------------------------------------------------------------------------------

def test_roster_lists_who_published_nothing(real_db: Path) -> None:
    rows = q(real_db, "SELECT agency_key, year, status FROM roster WHERE agency_key = '350128/平潭综合实验区' ORDER BY year")
    assert rows == [("350128/平潭综合实验区", 2019, "parsed"), ("350128/平潭综合实验区", 2020, "invalid"),
                    ("350128/平潭综合实验区", 2021, "parsed"), ("350128/平潭综合实验区", 2022, "parsed"),
                    ("350128/平潭综合实验区", 2023, "missing"), ("350128/平潭综合实验区", 2024, "missing")]
    missing_2024 = q(real_db, "SELECT canonical_name FROM roster WHERE year = 2024 AND status = 'missing' ORDER BY 1")
    assert missing_2024 == [("上海市人民政府办公厅",), ("平潭综合实验区",), ("新乡市封丘县科技和工业信息化局",)]


def test_truths_of_the_real_corpus_are_where_the_metrics_read(real_db: Path) -> None:
    """The metric base reads the same numbers as the truths (a guard for the views' joins)."""
    corpus = corpus_or_skip()
    t = json.loads((corpus / "truth" / "huaian-2024.json").read_text(encoding="utf-8"))["cells"]
    assert q(real_db, """SELECT new_applications, carried_over, handled, carried_forward FROM metric_application_volume
                         WHERE agency_key = '320800/人民政府' AND year = 2024""") == [
        (t["3.1|total"], t["3.2|total"], t["3.3.7|total"], t["3.4|total"])]


def test_t3_rollup_sums_every_cell_of_the_truths(real_db: Path) -> None:
    """metric_t3_rollup, summed over regions, levels and kinds, against the truth files: per year and
    cell the sum of the printed numbers, how many reports printed one and how many left it blank."""
    corpus = corpus_or_skip()
    expected: dict[tuple, list[int]] = {}
    for path in sorted((corpus / "truth").glob("*.json")):
        truth = json.loads(path.read_text(encoding="utf-8"))
        for key, value in truth["cells"].items():
            row, col = key.split("|")
            if row.startswith("3."):
                acc = expected.setdefault((truth["year"], row, col), [0, 0, 0])
                acc[0] += value or 0
                acc[1 if value is not None else 2] += 1
    assert len(expected) > 500
    rows = q(real_db, """SELECT year, category_code, applicant_code, sum(value)::BIGINT, sum(printed)::BIGINT, sum(blank)::BIGINT
                         FROM metric_t3_rollup GROUP BY ALL""")
    found = {(y, c, a): [v or 0, p, b] for y, c, a, v, p, b in rows}
    # hongze-2024.pdf has no truth file: 2024 holds huaian's truth plus hongze's published cells
    hongze = q(real_db, """SELECT f.category_code, f.applicant_code, f.value FROM fact_applications f
                           JOIN reports r USING (report_id) WHERE r.source LIKE '%hongze-2024.pdf'""")
    assert len(hongze) == 161  # 23 rows (（六）其他处理 as one row) × 7 columns
    for c, a, v in hongze:
        acc = expected.setdefault((2024, c, a), [0, 0, 0])
        acc[0] += v or 0
        acc[1 if v is not None else 2] += 1
    assert found == expected
    provinces = q(real_db, "SELECT DISTINCT province FROM metric_t3_rollup WHERE year = 2022 ORDER BY 1")
    assert provinces == [("河南省",), ("福建省",)]


# --- corrections ---------------------------------------------------------------------------------

def test_one_correction_changes_one_number_in_the_views_and_is_listed(real_db: Path, tmp_path: Path) -> None:
    """洪泽 2023 printed 复议 总计 0 beside 维持 10 + 纠正 1: a reviewed entry sets it to 11 in the
    corrected views and the metrics; the fact table keeps 0; removing the entry restores 0."""
    from warehouse import analysis
    from warehouse.db import connect

    db = tmp_path / "w.duckdb"
    shutil.copy(real_db, db)
    entry = tmp_path / "corrections.yaml"
    entry.write_text("corrections:\n  - {agency: 洪泽区人民政府, year: 2023, cell: '4|R.total', value: 11,\n"
                     "     reason: 总计 printed 0 beside 维持 10 + 纠正 1, source: the sum of the printed row}\n", encoding="utf-8")
    none = tmp_path / "none.yaml"
    none.write_text("corrections: []\n", encoding="utf-8")

    def corrected_cells() -> set[tuple]:
        return set(q(db, """SELECT 'A', report_id, category_code, applicant_code, value FROM fact_applications_corrected
                            UNION ALL SELECT 'R', report_id, col_code, '', value FROM fact_review_litigation_corrected
                            UNION ALL SELECT 'P', report_id, row_code, col_code, value FROM fact_proactive_disclosure_corrected"""))

    before = corrected_cells()
    with connect(db) as conn:
        assert analysis.refresh(conn, corrections_file=entry).corrections_applied == 1
    after = corrected_cells()
    assert before - after == {("R", q(db, "SELECT report_id FROM reports WHERE agency_id = '洪泽区人民政府'")[0][0], "R.total", "", 0)}
    assert len(after - before) == 1 and next(iter(after - before))[-1] == 11
    assert q(db, """SELECT agency, agency_key, year, cell_key, value, reason, published_value, raw_token, applied
                    FROM corrections""") == [("洪泽区人民政府", "320813/人民政府", 2023, "4|R.total", 11.0,
                                              "总计 printed 0 beside 维持 10 + 纠正 1", 0.0, "0", True)]
    assert q(db, "SELECT value FROM fact_review_litigation WHERE agency_id = '洪泽区人民政府' AND col_code = 'R.total'") == [(0,)]
    assert q(db, """SELECT total, published_value, correction FROM metric_review_litigation m
                    JOIN fact_review_litigation_corrected f ON f.report_id = m.report_id AND f.col_code = 'R.total'
                    WHERE m.agency_id = '洪泽区人民政府' AND m.proceeding = 'R'""") == [(11, 0, "总计 printed 0 beside 维持 10 + 纠正 1")]
    with connect(db) as conn:
        assert analysis.refresh(conn, corrections_file=none).corrections_applied == 0
    assert corrected_cells() == before
    assert q(db, "SELECT count(*) FROM corrections") == [(0,)]


# --- cookbook ------------------------------------------------------------------------------------

COOKBOOK = Path(__file__).resolve().parents[1] / "warehouse" / "cookbook"
COOKBOOK_RESULTS = {
    "01_withhold_rate_counties_jiangsu.sql": [("淮安市洪泽区人民政府", 2023, 21, 0.1429), ("淮安市洪泽区人民政府", 2024, 95, 0.0316)],
    "02_review_correction_rates.sql": [("平潭综合实验区", 2022, 0, 1, 1, 0.5), ("淮安市洪泽区人民政府", 2024, 1, 1, 0, 0.5),
                                       ("淮安市人民政府", 2024, 72, 64, 178, 0.2038), ("淮安市洪泽区人民政府", 2023, 10, 1, 0, 0.0909),
                                       ("平潭综合实验区", 2021, 1, 0, 2, 0.0)],
    "03_missing_2024.sql": [("上海市人民政府办公厅", "province", "general_office", "上海市"),
                            ("平潭综合实验区", "prefecture", "special_zone", "福建省"),
                            ("新乡市封丘县科技和工业信息化局", "county", "department", "河南省")],
    "04_prose_contradicts_tables.sql": [("封丘县科技和工业信息化局", 2022, "prose.applications", ["3.1|total"], 1.0, 0.0),
                                        ("淮安市洪泽区人民政府", 2024, "prose.applications", ["3.1|total"], 95.0, 17.0)],
    "05_arithmetic_errors.sql": [("平潭综合实验区", 2020, "T3.results_total", 2), ("洪泽区人民政府", 2023, "T4.after_review_total", 1),
                                 ("洪泽区人民政府", 2023, "T4.review_total", 1)],
    "06_natural_person_share.sql": [("上海市人民政府办公厅", 2019, 821, 0.9558), ("平潭综合实验区", 2019, 23, 1.0),
                                    ("平潭综合实验区", 2020, 20, 0.9524), ("平潭综合实验区", 2021, 64, 0.9143),
                                    ("平潭综合实验区", 2022, 71, 0.9595), ("新乡市封丘县科技和工业信息化局", 2022, 0, 0.0),
                                    ("淮安市人民政府", 2024, 3001, 0.9622), ("淮安市洪泽区人民政府", 2023, 21, 1.0),
                                    ("淮安市洪泽区人民政府", 2024, 95, 1.0)],
    "07_agency_names.sql": [("310000/人民政府办公厅", "上海市人民政府办公厅", ["上海市人民政府办公厅"], [2019]),
                            ("320800/人民政府", "淮安市人民政府", ["淮安市人民政府"], [2024]),
                            ("320813/人民政府", "淮安市洪泽区人民政府", ["洪泽区人民政府", "淮安市洪泽区人民政府"], [2023, 2024]),
                            ("350128/平潭综合实验区", "平潭综合实验区", ["平潭综合实验区"], [2019, 2020, 2021, 2022]),
                            ("410727/科技和工业信息化局", "新乡市封丘县科技和工业信息化局", ["封丘县科技和工业信息化局"], [2022])],
    "08_most_applications.sql": [("淮安市人民政府", 2024, 3119, 3050, 103), ("上海市人民政府办公厅", 2019, 859, 805, 72),
                                 ("淮安市洪泽区人民政府", 2024, 95, 95, 0), ("平潭综合实验区", 2022, 74, 75, 0),
                                 ("平潭综合实验区", 2021, 70, 69, 1)],
    "09_blank_cells.sql": [("上海市人民政府办公厅", 2019, 135, [""])],
    "10_new_applications_year_over_year.sql": [("平潭综合实验区", 2020, 2019, 21.0, 23.0, -2.0, -0.087),
                                               ("平潭综合实验区", 2021, 2020, 70.0, 21.0, 49.0, 2.3333),
                                               ("平潭综合实验区", 2022, 2021, 74.0, 70.0, 4.0, 0.0571),
                                               ("淮安市洪泽区人民政府", 2024, 2023, 95.0, 21.0, 74.0, 3.5238)],
    "11_lawsuits_by_province.sql": [("上海市", 2019, 9, None, 1, 1), ("江苏省", 2023, 0, 0, 1, 0), ("江苏省", 2024, 27, 23, 2, 0),
                                    ("河南省", 2022, 0, 0, 1, 0), ("福建省", 2019, 0, 0, 1, 0), ("福建省", 2020, 0, 0, 1, 0),
                                    ("福建省", 2021, 12, 0, 1, 0), ("福建省", 2022, 1, 0, 1, 0)],
}


def test_cookbook_is_bilingual_and_complete() -> None:
    files = sorted(p.name for p in COOKBOOK.glob("*.sql"))
    assert files == sorted(COOKBOOK_RESULTS) and 8 <= len(files) <= 12
    for name in files:
        head = (COOKBOOK / name).read_text(encoding="utf-8").splitlines()[:2]
        assert head[0].startswith("-- 问：") and head[1].startswith("-- Q: "), name


@pytest.mark.parametrize("name", sorted(COOKBOOK_RESULTS))
def test_cookbook_query_result(real_db: Path, name: str) -> None:
    assert q(real_db, (COOKBOOK / name).read_text(encoding="utf-8")) == COOKBOOK_RESULTS[name]


def test_blank_cells_query_agrees_with_the_truths(real_db: Path) -> None:
    """Cookbook 09 counts the blanks the hand-checked truths hold (上海 2019 is the real report with blanks)."""
    corpus = corpus_or_skip()
    blanks = {}
    for p in sorted((corpus / "truth").glob("*.json")):
        t = json.loads(p.read_text(encoding="utf-8"))
        n = sum(1 for v in t["cells"].values() if v is None)
        if n:
            blanks[(t["agency"], t["year"])] = n
    assert blanks == {(r[0], r[1]): r[2] for r in COOKBOOK_RESULTS["09_blank_cells.sql"]}


def test_roster_from_the_catalogue_and_listings_and_timeliness(real_db: Path, tmp_path: Path) -> None:
    """The catalogue expects 洪泽区教育局 from 2023; a listing named its 2024 report, fetched but not
    parsed yet → 2023 missing, 2024 found. Timeliness: 封丘's bureau (a department: 31 January) seen
    on 2023-01-15 is on time; 平潭 2022 (a government-level zone: 31 March) first seen 2023-05-01 after a
    crawl of its source on 2023-03-01 is late; reports nobody looked for in time are NULL."""
    from warehouse import analysis
    from warehouse.db import connect

    db = tmp_path / "w.duckdb"
    shutil.copy(real_db, db)
    with connect(db) as conn:
        sha = {r[0]: r[1] for r in conn.execute("SELECT agency_id || year, sha256 FROM reports WHERE is_current").fetchall()}
        conn.execute("INSERT INTO catalog_publishers VALUES ('hongze-portal', '淮安市洪泽区教育局', 2023)")
        doc = ("INSERT INTO documents (url, version, sha256, source, role, title, agency_guess, year_guess, first_seen, last_seen, "
               "archive_path) VALUES (?, 1, ?, ?, 'attachment', ?, ?, ?, ?, ?, 'x')")
        conn.execute(doc, ["http://hz/edu-2024.pdf", "f" * 64, "hongze-portal", "教育局2024年报", "淮安市洪泽区教育局", 2024,
                           "2025-01-20 08:00:00+00", "2025-01-20 08:00:00+00"])
        conn.execute(doc, ["http://fq/2022.html", sha["封丘县科技和工业信息化局2022"], "fengqiu", "年报", None, None,
                           "2023-01-15 08:00:00+00", "2023-01-15 08:00:00+00"])
        conn.execute(doc, ["http://pt/2022.html", sha["平潭综合实验区2022"], "pingtan", "年报", None, None,
                           "2023-05-01 08:00:00+00", "2023-05-01 08:00:00+00"])
        conn.execute("INSERT INTO crawl_runs (crawl_id, source, started_at, finished_at, listing_pages, requests, "
                     "reports_found, documents_new, documents_changed, documents_unchanged, failures) VALUES ('c1', "
                     "'pingtan', '2023-03-01 02:00:00+00', '2023-03-01 02:10:00+00', 1, 1, 0, 0, 0, 0, 0)")
        analysis.refresh(conn)
    assert q(db, "SELECT year, status, in_catalogue, level, kind FROM roster WHERE agency_key = '320813/教育局' ORDER BY year") == [
        (2023, "missing", True, "county", "department"), (2024, "found", True, "county", "department")]
    rows = q(db, """SELECT canonical_name, year, deadline, CAST(first_seen AS DATE), late FROM report_timeliness
                    WHERE canonical_name IN ('新乡市封丘县科技和工业信息化局', '平潭综合实验区') ORDER BY year, canonical_name""")
    import datetime as dt
    assert rows == [
        ("平潭综合实验区", 2019, dt.date(2020, 3, 31), rows[0][3], None),
        ("平潭综合实验区", 2020, dt.date(2021, 3, 31), rows[1][3], None),
        ("平潭综合实验区", 2021, dt.date(2022, 3, 31), rows[2][3], None),
        ("平潭综合实验区", 2022, dt.date(2023, 3, 31), dt.date(2023, 5, 1), True),
        ("新乡市封丘县科技和工业信息化局", 2022, dt.date(2023, 1, 31), dt.date(2023, 1, 15), False),
    ]


def test_names_no_library_knows_take_the_region_of_their_catalogue_source(real_db: Path, tmp_path: Path) -> None:
    """高新区管委会, listed by a source the catalogue places in 淮安市 (320800), is 淮安市's special zone;
    the same name from two sources in different regions is two agencies, each its source's (issue
    #27: source_agencies), while the name alone resolves to neither (agency_aliases)."""
    from pipelines.scrape.catalog import Source
    from warehouse import analysis
    from warehouse.db import connect

    assert Source(name="huaian", start_urls=["http://h.gov.cn/"], allowed_domains=["h.gov.cn"], region="320800").region == "320800"
    with pytest.raises(ValueError, match="region"):
        Source(name="huaian", start_urls=["http://h.gov.cn/"], allowed_domains=["h.gov.cn"], region="淮安市")
    db = tmp_path / "w.duckdb"
    shutil.copy(real_db, db)
    doc = ("INSERT INTO documents (url, version, sha256, source, role, agency_guess, year_guess, first_seen, last_seen, archive_path) "
           "VALUES (?, 1, ?, ?, 'attachment', ?, 2024, now(), now(), 'x')")
    with connect(db) as conn:
        conn.execute("INSERT INTO catalog_regions VALUES ('huaian', '320800'), ('suqian', '321300')")
        conn.execute(doc, ["http://h/1", "a" * 64, "huaian", "高新区管委会"])
        conn.execute(doc, ["http://h/2", "b" * 64, "huaian", "经济技术开发区管委会"])
        conn.execute(doc, ["http://s/2", "c" * 64, "suqian", "经济技术开发区管委会"])
        analysis.refresh(conn)
    assert q(db, "SELECT * FROM agencies WHERE agency_key LIKE '%管委会' ORDER BY agency_key") == [
        ("320800/经济技术开发区管委会", "淮安市经济技术开发区管委会", "320800", "江苏省", "淮安市", None, "prefecture", "special_zone",
         None, "catalogue_region"),
        ("320800/高新区管委会", "淮安市高新区管委会", "320800", "江苏省", "淮安市", None, "prefecture", "special_zone", None,
         "catalogue_region"),
        ("321300/经济技术开发区管委会", "宿迁市经济技术开发区管委会", "321300", "江苏省", "宿迁市", None, "prefecture", "special_zone",
         None, "catalogue_region")]
    assert q(db, "SELECT source, name, agency_key FROM source_agencies WHERE name LIKE '%管委会' ORDER BY 1, 2") == [
        ("huaian", "经济技术开发区管委会", "320800/经济技术开发区管委会"), ("huaian", "高新区管委会", "320800/高新区管委会"),
        ("suqian", "经济技术开发区管委会", "321300/经济技术开发区管委会")]
    assert q(db, "SELECT name, agency_key, resolved_by FROM agency_aliases WHERE name LIKE '%管委会' ORDER BY 1") == [
        ("经济技术开发区管委会", "?/经济技术开发区管委会", "unresolved"), ("高新区管委会", "320800/高新区管委会", "catalogue_region")]


def test_a_warehouse_made_before_the_metric_tables_held_agencies_is_upgraded(real_db: Path, tmp_path: Path) -> None:
    """A warehouse file whose per-report metric tables hold numbers only (before they carried their
    report's agency): the schema step adds the columns, the next refresh fills them, and every metric
    view gives the rows a new warehouse gives."""
    import duckdb

    from warehouse.analysis import refresh
    from warehouse.db import ensure_schema

    views = ("metric_base_t3", "metric_applicant_mix", "metric_review_litigation")
    expected = {v: q(real_db, f"SELECT * FROM {v} ORDER BY ALL") for v in views}
    assert all(expected.values())
    old = {"metric_t3_report": "report_id, new_applications, carried_over, disclosed, partly_disclosed, withheld, "
                               "unable_to_provide, not_processed, other_outcomes, handled, carried_forward",
           "metric_applicant_report": "report_id, applicant_code, new_applications, share",
           "metric_review_report": "report_id, proceeding, maintain, correct, other, pending, total"}
    db = tmp_path / "old.duckdb"
    shutil.copy(real_db, db)
    with duckdb.connect(str(db)) as conn:
        for table, columns in old.items():
            conn.execute(f"CREATE TABLE old_shape AS SELECT {columns} FROM {table}")
            conn.execute(f"DROP TABLE {table}")
            conn.execute(f"ALTER TABLE old_shape RENAME TO {table}")
        ensure_schema(conn)
        assert conn.execute("SELECT count(*) FROM metric_review_report WHERE agency_key IS NULL").fetchone()[0] > 0
        refresh(conn)
    assert {v: q(db, f"SELECT * FROM {v} ORDER BY ALL") for v in views} == expected
