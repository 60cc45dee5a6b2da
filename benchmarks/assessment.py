"""The assessment views at 10^4 agency-years (issue #28's target: < 5 s on 2 cores).

    uv run python -m benchmarks.assessment WAREHOUSE [--agency-years 10000]

WAREHOUSE is a loaded warehouse (e.g. the real corpus's, as tests/conftest.py builds it); it is
copied, never changed. Its current reports are cloned by SQL to N agency-years — 7 years of N/7
agencies of every kind, level and province — with their cells, provenance, parts and findings, and
every assessment view is then timed on DuckDB limited to 2 threads.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from warehouse import assessment
from warehouse.db import connect

VIEWS = ("assessment_on_time", "assessment_changed", "assessment_publication", "assessment_complete",
         "assessment_accuracy_consistency", "assessment_substance", "assessment_fees", "assessment_totals", "assessment_scorecards", "assessment_league", "assessment_distribution")
CHILDREN = ("fact_applications", "fact_proactive_disclosure", "fact_review_litigation", "cell_provenance",
            "report_sections", "validation_issues")


def forge(db: Path, n: int) -> None:
    """N agency-years cloned from the warehouse's current reports (SQL only: seconds, not a night)."""
    conn = connect(db)
    conn.execute("""CREATE TEMP TABLE src AS SELECT row_number() OVER (ORDER BY report_id) - 1 AS idx, report_id
                    FROM reports WHERE is_current""")
    k = conn.execute("SELECT count(*) FROM src").fetchall()[0][0]
    conn.execute(f"""CREATE TEMP TABLE plan AS
        SELECT 'bench-' || i AS report_id, s.report_id AS src, 'bench/' || (i // 7) || '/单位' AS agency_key,
               2019 + i % 7 AS year, (i // 7) AS agency
        FROM range({n}) t(i) JOIN src s ON s.idx = i % {k}""")
    conn.execute("""INSERT INTO reports SELECT r.* REPLACE (p.report_id AS report_id, md5(p.report_id) || md5(p.src) AS sha256,
                        p.agency_key AS identity_key, p.year AS year, p.agency_key AS agency_id, true AS is_current,
                        'bench/' || p.report_id AS source)
                    FROM plan p JOIN reports r ON r.report_id = p.src""")
    for table in CHILDREN:
        cols = [c for (c,) in conn.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]).fetchall()]
        replace = ["p.report_id AS report_id"] + (["p.agency_key AS agency_id"] if "agency_id" in cols else []) \
            + (["p.year AS year"] if "year" in cols else [])
        conn.execute(f"INSERT INTO {table} SELECT t.* REPLACE ({', '.join(replace)}) FROM plan p JOIN {table} t ON t.report_id = p.src")
    conn.execute("""INSERT INTO agencies
        SELECT DISTINCT agency_key, '单位' || agency, NULL,
               ['江苏省', '河南省', '福建省', '上海市', '浙江省'][agency % 5 + 1], NULL, NULL,
               ['province', 'prefecture', 'county', 'township'][agency % 4 + 1],
               ['department', 'government', 'general_office', 'township', 'special_zone'][agency % 5 + 1], NULL, 'alias_file'
        FROM plan""")
    assessment.refresh(conn)
    conn.close()


def time_views(db: Path, threads: int = 2) -> tuple[int, list[tuple[str, int, float]]]:
    """The agency-years assessed, and each view's rows and seconds, read-only on DuckDB limited to
    ``threads`` (also what ``make bench-site`` reports next to the explorer)."""
    timings = []
    with duckdb.connect(str(db), read_only=True) as conn:
        conn.execute(f"SET threads = {threads}")
        years = conn.execute("SELECT count(*) FROM assessment_reports").fetchall()[0][0]
        for view in VIEWS:
            t0 = time.perf_counter()
            # every column materialised (a count alone would let DuckDB skip the evidence texts)
            conn.execute(f"CREATE OR REPLACE TEMP TABLE bench_out AS SELECT * FROM {view}")
            rows = conn.execute("SELECT count(*) FROM bench_out").fetchall()[0][0]
            timings.append((view, rows, time.perf_counter() - t0))
    return years, timings


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("warehouse", type=Path)
    ap.add_argument("--agency-years", type=int, default=10_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-assessment-") as tmp:
        db = Path(shutil.copy(args.warehouse, Path(tmp) / "warehouse.duckdb"))
        t0 = time.perf_counter()
        forge(db, args.agency_years)
        print(f"forged {args.agency_years} agency-years in {time.perf_counter() - t0:.1f} s")
        agency_years, timings = time_views(db)
        print(f"{agency_years} agency-years assessed")
        for view, rows, seconds in timings:
            print(f"{view:32s} {rows:7d} rows  {seconds:6.2f} s")


if __name__ == "__main__":
    main()
