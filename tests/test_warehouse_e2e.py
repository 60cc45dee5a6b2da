"""End to end: ingest the real corpus (and the forge corpus) into a temporary DuckDB file through
the Dagster job, then assert exact rows by SQL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.definitions import build_defs
from tests.conftest import FORGE, SAMPLES, forge_doc, q, truth, warehouse_copy
from tests.forge.render import render_html

COUNT_TABLES = ("reports", "fact_applications", "fact_proactive_disclosure", "fact_review_litigation",
                "validation_issues", "cell_provenance", "report_sections", "dim_agency")


def run_job(source: Path, db: Path):
    result = build_defs(str(db), str(source)).resolve_job_def("nightly_ingest").execute_in_process(raise_on_error=False)
    assert result.success
    return result


def counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as c:
        return {t: c.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNT_TABLES}


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory, real_corpus_warehouse: Path) -> Path:
    """The real corpus and ``broken.html`` after one night (ingested once per test run: conftest)."""
    return warehouse_copy(real_corpus_warehouse, tmp_path_factory.mktemp("wh"))


@pytest.fixture(scope="module")
def corpus(request):
    from tests.conftest import corpus_or_skip
    return corpus_or_skip()


def test_pingtan_2021_new_applications_by_applicant(corpus_db: Path) -> None:
    rows = q(corpus_db, """SELECT applicant_code, value, raw_token FROM fact_applications
                           WHERE agency_id = '平潭综合实验区' AND year = 2021 AND category_code = '3.1'
                           ORDER BY applicant_code""")
    assert rows == [("lp_com", 0, "0"), ("lp_law", 0, "0"), ("lp_ngo", 2, "2"), ("lp_oth", 4, "4"),
                    ("lp_res", 0, "0"), ("np", 64, "64"), ("total", 70, "70")]


def test_every_fact_equals_truth(corpus_db: Path) -> None:
    for name, agency in [("pingtan-2019", "平潭综合实验区"), ("pingtan-2020", "平潭综合实验区"), ("pingtan-2021", "平潭综合实验区"),
                         ("pingtan-2022", "平潭综合实验区"), ("shanghai-office-2019", "上海市人民政府办公厅"),
                         ("fengqiu-2022", "封丘县科技和工业信息化局"), ("huaian-2024", "淮安市人民政府"),
                         ("hongze-2023", "洪泽区人民政府")]:
        t = truth(name)
        got = dict(q(corpus_db, "SELECT category_code || '|' || applicant_code, value FROM fact_applications WHERE agency_id=? AND year=?",
                     [agency, t["year"]]))
        got |= dict(q(corpus_db, "SELECT '4|' || col_code, value FROM fact_review_litigation WHERE agency_id=? AND year=?", [agency, t["year"]]))
        got |= {k: float(v) if v is not None else None for k, v in
                q(corpus_db, "SELECT row_code || '|' || col_code, value FROM fact_proactive_disclosure WHERE agency_id=? AND year=?",
                  [agency, t["year"]])}
        expected = {k: (float(v.rstrip("元")) if isinstance(v, str) else v) for k, v in t["cells"].items()}
        assert got == expected, name


def test_blank_cells_are_null_with_raw_token(corpus_db: Path) -> None:
    rows = q(corpus_db, """SELECT value, raw_token FROM fact_applications
                           WHERE agency_id='上海市人民政府办公厅' AND year=2019 AND category_code='3.3.1' AND applicant_code='total'""")
    assert rows == [(None, "")]


def test_reports_statuses_and_failures(corpus_db: Path) -> None:
    rows = q(corpus_db, "SELECT regexp_extract(source, '[^/]+$'), status, error_type, agency_id, year, is_current FROM reports ORDER BY 1")
    assert rows == [
        ("broken.html", "failed", "binary_content", None, None, False),
        ("fengqiu-2022.txt", "valid", None, "封丘县科技和工业信息化局", 2022, True),
        ("hongze-2023.pdf", "invalid", None, "洪泽区人民政府", 2023, True),
        ("hongze-2024.pdf", "valid", None, "淮安市洪泽区人民政府", 2024, True),
        ("huaian-2024.pdf", "valid", None, "淮安市人民政府", 2024, True),
        ("pingtan-2019.html", "valid", None, "平潭综合实验区", 2019, True),
        ("pingtan-2020.html", "invalid", None, "平潭综合实验区", 2020, True),
        ("pingtan-2021.html", "valid", None, "平潭综合实验区", 2021, True),
        ("pingtan-2022.html", "valid", None, "平潭综合实验区", 2022, True),
        ("shanghai-office-2019.html", "valid", None, "上海市人民政府办公厅", 2019, True),
    ]
    # the two 洪泽 names as printed, one agency (agency_reports / agency_aliases, issue #10)
    assert q(corpus_db, """SELECT DISTINCT agency_key FROM agency_reports
                           WHERE agency_id IN ('洪泽区人民政府', '淮安市洪泽区人民政府')""") == [("320813/人民政府",)]
    failures = q(corpus_db, "SELECT regexp_extract(source, '[^/]+$'), error_type FROM parse_failures WHERE source LIKE '%broken%'")
    assert failures == [("broken.html", "binary_content")]


def test_publisher_issues_view(corpus_db: Path) -> None:
    rows = q(corpus_db, """SELECT agency_id, year, rule, cells[1], found, expected FROM publisher_issues ORDER BY found, expected DESC""")
    assert rows == [("洪泽区人民政府", 2023, "T4.review_total", "4|R.maintain", 0.0, 11.0),
                    ("洪泽区人民政府", 2023, "T4.after_review_total", "4|LA.maintain", 0.0, 5.0),
                    ("封丘县科技和工业信息化局", 2022, "prose.applications", "3.1|total", 0.0, 1.0),
                    ("淮安市洪泽区人民政府", 2024, "prose.applications", "3.1|total", 17.0, 95.0),
                    ("平潭综合实验区", 2020, "T3.results_total", "3.3.1|np", 20.0, 26.0),
                    ("平潭综合实验区", 2020, "T3.results_total", "3.3.1|total", 21.0, 27.0)]


def test_provenance_points_back_to_the_cell(corpus_db: Path) -> None:
    rows = q(corpus_db, """SELECT p.grid_index, p.raw_token FROM cell_provenance p JOIN reports r USING (report_id)
                           WHERE r.source LIKE '%pingtan-2021.html' AND p.cell_key = '2.8.1|fee_wan'""")
    assert rows == [(0, "24252.311082")]
    assert q(corpus_db, """SELECT value FROM fact_proactive_disclosure WHERE agency_id='平潭综合实验区' AND year=2021
                           AND row_code='2.8.1'""") == [(__import__("decimal").Decimal("24252.311082"),)]


def test_ingest_twice_is_idempotent(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(FORGE, src)
    shutil.copytree(SAMPLES, src, dirs_exist_ok=True)
    db = tmp_path / "w.duckdb"
    run_job(src, db)
    first = counts(db)
    first_rows = q(db, "SELECT * FROM fact_applications ORDER BY ALL")
    second = run_job(src, db)
    assert second.output_for_node("parsed_reports") == []  # unchanged bytes are not parsed again
    assert counts(db) == first
    assert q(db, "SELECT * FROM fact_applications ORDER BY ALL") == first_rows
    import json
    truths = [json.loads(p.read_text(encoding="utf-8")) for p in FORGE.glob("*.truth.json")]
    agency_years = {(t["agency"], t["year"]) for t in truths}
    assert first["reports"] == len(truths) + 1  # + the guide (not_a_report)
    assert q(db, "SELECT count(*) FROM reports WHERE is_current") == [(len(agency_years),)]
    assert q(db, "SELECT sum(CASE t3_format WHEN '2021' THEN 175 ELSE 161 END) FROM reports WHERE is_current") == [
        (first["fact_applications"],)]


def test_new_version_replaces_facts_and_keeps_history(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    doc = (forge_doc("forge-01-2021.html")).read_text(encoding="utf-8")
    (src / "report.html").write_text(doc, encoding="utf-8")
    db = tmp_path / "w.duckdb"
    run_job(src, db)
    truth = json.loads((FORGE / "forge-01-2021.truth.json").read_text(encoding="utf-8"))
    old = {c: truth["cells"][f"4|{c}"] for c in ("R.maintain", "R.total")}
    assert dict(q(db, "SELECT col_code, value FROM fact_review_litigation WHERE col_code IN ('R.maintain', 'R.total')")) == old
    # the publisher re-issues the page with table 4 changed: two more reviews upheld
    truth["cells"]["4|R.maintain"] += 2
    truth["cells"]["4|R.total"] += 2
    (src / "report.html").write_bytes(render_html(truth))
    run_job(src, db)
    assert q(db, "SELECT count(*), count(*) FILTER (WHERE is_current) FROM reports") == [(2, 1)]
    new = dict(q(db, "SELECT col_code, value FROM fact_review_litigation WHERE col_code IN ('R.maintain', 'R.total')"))
    assert new == {c: v + 2 for c, v in old.items()}  # the re-issued numbers replace the old ones
    assert q(db, "SELECT count(*) FROM fact_applications") == [(175,)]
    assert q(db, "SELECT count(DISTINCT report_id) FROM fact_applications") == [(1,)]
    current = q(db, "SELECT report_id FROM reports WHERE is_current")[0][0]
    assert q(db, "SELECT DISTINCT report_id FROM fact_applications") == [(current,)]
