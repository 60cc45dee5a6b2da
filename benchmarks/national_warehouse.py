"""The warehouse at national size for `make bench-national`: 250,000 agencies × 7 years of reports
drawn from the forge's truth generator (no document rendered), staged as Parquet the way the
partitioned runs stage theirs, bulk-loaded into the warehouse's own DDL, then the analyst queries
of ``national_queries.sql`` timed cold and warm.

The truth generator makes ~3,000 truths a second, so a pool of distinct truths (half in the 2019
format for 2019–2020, half in the 2021 format after) is drawn and every agency-year takes one by a
hash of (agency, year): the numbers, blanks and printed tokens are the forge's, the volume national.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from schemas import format as fmt
from tests.forge.truths import make_truth
from warehouse.db import ensure_schema, sql_named

PROVINCES = ["北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽", "福建", "江西",
             "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南", "西藏", "陕西", "甘肃",
             "青海", "宁夏", "新疆"]
UNITS = ["人民政府", "人民政府办公室", "教育局", "公安局", "民政局", "司法局", "财政局", "人力资源和社会保障局", "自然资源局",
         "生态环境局", "住房和城乡建设局", "交通运输局", "农业农村局", "卫生健康委员会", "市场监督管理局", "应急管理局"]
LEVELS = ["county"] * 7 + ["prefecture"] * 2 + ["township"]


def truth_frames(truth: dict, pool: int) -> dict[str, list[dict]]:
    """A truth's cells as fact rows (the same split as ``pipelines.validate.build_frames``)."""
    out: dict[str, list[dict]] = {"T2": [], "T3": [], "T4": []}
    raw = truth["raw_tokens"]
    for d in fmt.cells_for(truth["table_formats"]):
        v = truth["cells"].get(d.key)
        number = _number(v)
        out[d.table].append({"pool": pool, "row_code": d.row_code, "col_code": d.col_code,
                             "value": number, "raw_token": raw.get(d.key, None if v is None else str(v))})
    return out


def _number(v: object) -> float | None:
    """The number a printed cell holds ("6655019.34元" → 6655019.34), as the parser stores it."""
    if v is None or isinstance(v, (int, float)):
        return v
    m = re.match(r"-?\d+(\.\d+)?", str(v).replace(",", ""))
    return float(m.group()) if m else None


@dataclass
class WarehouseFigures:
    agency_years: int = 0
    fact_rows: dict[str, int] = field(default_factory=dict)
    generate_s: float = 0.0
    load_s: float = 0.0
    refresh_s: float = 0.0
    profiles: dict[str, str] = field(default_factory=dict)  # query → its costliest operators, for those over 1 s warm
    fact_scan_s: float = 0.0  # the year × category roll-up straight from fact_applications, warm
    fact_scan_profile: str = ""
    rollup_agrees: bool = False  # the materialised roll-up gives the fact scan's rows
    size_bytes: int = 0
    staged_bytes: int = 0
    queries: list[tuple[str, float, float, int]] = field(default_factory=list)  # name, cold s, warm s, rows

    @property
    def rows(self) -> int:
        return sum(self.fact_rows.values())


def generate(stage: Path, agencies: int, years: int, pool_size: int) -> float:
    """Stage the national warehouse's rows as Parquet; returns seconds."""
    start = time.perf_counter()
    stage.mkdir(parents=True, exist_ok=True)
    rows: dict[str, list[dict]] = {"T2": [], "T3": [], "T4": []}
    half = pool_size // 2
    for p in range(pool_size):
        truth = make_truth(1_000_000 + p, "2019" if p < half else ("hybrid" if p % 20 == 0 else "2021"),
                           ("zeros", "blank", "slash", "dash")[p % 4] if p % 3 == 0 else "zeros",
                           "t3_total" if p % 23 == 0 else None)
        for table, r in truth_frames(truth, p).items():
            rows[table] += r
    # Agencies numbered province by province: rows land clustered by region, as they do when the
    # loader appends staged units source by source (a source is one region's portal).
    per_province = -(-agencies // len(PROVINCES))
    with duckdb.connect() as gen:
        gen.execute("SET preserve_insertion_order = true")
        for table, r in rows.items():
            gen.register(f"pool_{table}", pd.DataFrame(r))
        gen.execute(f"""
            CREATE TABLE agency AS
            WITH n AS (SELECT i, i // {per_province} AS p, i % {per_province} AS k FROM range({agencies}) t(i))
            SELECT i AS agency_no,
                   {PROVINCES!r}[1 + p] AS province_name,
                   printf('%02d%02d%02d', 11 + p, 1 + k % 20, 1 + (k // 20) % 90) AS adcode,
                   {UNITS!r}[1 + (k // 1800) % 16] AS unit,
                   {LEVELS!r}[1 + (hash(i) % 10)::BIGINT] AS level
            FROM n""")
        gen.execute(f"""
            CREATE TABLE agency_year AS
            SELECT a.*, province_name || '省第' || substr(adcode, 3, 2) || '市第' || substr(adcode, 5, 2) || '县'
                          || unit || CASE WHEN agency_no % {per_province} >= 1800 * 16 THEN agency_no::VARCHAR ELSE '' END
                          AS agency_id,
                   y AS year, md5(agency_no::VARCHAR || '-' || y::VARCHAR)[:16] AS report_id,
                   CASE WHEN y < 2021 THEN (hash(agency_no, y) % $half)::BIGINT ELSE $half + (hash(agency_no, y) % $half)::BIGINT END AS pool
            FROM agency a, range(2019, 2019 + $years) r(y)
            WHERE hash(agency_no * 7 + y) % 50 <> 0   -- one agency-year in 50 missing: the roster has gaps
            ORDER BY agency_no, y""", {"half": half, "years": years})
        gen.execute(f"""COPY (SELECT y.agency_id, y.year, p.row_code AS category_code, p.col_code AS applicant_code,
                                     p.value::BIGINT AS value, p.raw_token, y.report_id
                              FROM agency_year y JOIN pool_T3 p USING (pool))
                        TO '{stage}/fact_applications.parquet' (FORMAT parquet, ROW_GROUP_SIZE 122880)""")
        gen.execute(f"""COPY (SELECT y.agency_id, y.year, CASE WHEN y.year < 2021 THEN '2019' ELSE '2021' END AS table_format,
                                     p.row_code, p.col_code, p.value::DECIMAL(20, 6) AS value, p.raw_token, y.report_id
                              FROM agency_year y JOIN pool_T2 p USING (pool))
                        TO '{stage}/fact_proactive_disclosure.parquet' (FORMAT parquet)""")
        gen.execute(f"""COPY (SELECT y.agency_id, y.year, p.col_code, split_part(p.col_code, '.', 1) AS proceeding,
                                     split_part(p.col_code, '.', 2) AS outcome, p.value::BIGINT AS value, p.raw_token, y.report_id
                              FROM agency_year y JOIN pool_T4 p USING (pool))
                        TO '{stage}/fact_review_litigation.parquet' (FORMAT parquet)""")
        gen.execute(f"""COPY (SELECT report_id, agency_id, year, 'https://example.gov.cn/' || report_id || '.html' AS source,
                                     report_id || repeat('0', 48) AS sha256, 'html' AS media_type,
                                     CASE WHEN year < 2021 THEN '2019' ELSE '2021' END AS t2_format,
                                     CASE WHEN year < 2021 THEN '2019' ELSE '2021' END AS t3_format,
                                     CASE WHEN year < 2021 THEN '2019' ELSE '2021' END AS t4_format,
                                     CASE WHEN pool % 23 = 0 THEN 'invalid' ELSE 'valid' END AS status,
                                     'bench' AS parser_version, TRUE AS is_current, now() AS ingested_at, now() AS parsed_at,
                                     0 AS n_errors, 0 AS n_warnings, 0 AS parser_errors
                              FROM agency_year ORDER BY agency_no, year) TO '{stage}/reports.parquet' (FORMAT parquet)""")
        gen.execute(f"""COPY (SELECT DISTINCT adcode || '/' || unit AS agency_key, agency_id AS canonical_name, adcode,
                                     province_name AS province, NULL AS prefecture, NULL AS county, level,
                                     CASE WHEN unit LIKE '人民政府%' THEN 'government' ELSE 'department' END AS kind,
                                     'division_library' AS resolved_by, agency_id AS name
                              FROM agency_year) TO '{stage}/agencies.parquet' (FORMAT parquet)""")
    return time.perf_counter() - start


FACT_FILES = ("fact_applications", "fact_proactive_disclosure", "fact_review_litigation")


def load(stage: Path, db: Path) -> tuple[float, dict[str, int]]:
    """Bulk-load the staged files into a new warehouse (its own DDL); returns (seconds, rows per table)."""
    with duckdb.connect(str(db)) as conn:
        ensure_schema(conn)
        start = time.perf_counter()
        counts = {}
        conn.execute("BEGIN")
        for table in FACT_FILES:
            conn.execute(f"INSERT INTO {table} BY NAME SELECT * FROM read_parquet('{stage}/{table}.parquet')")
            counts[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        conn.execute(f"INSERT INTO reports BY NAME SELECT * FROM read_parquet('{stage}/reports.parquet')")
        conn.execute(f"INSERT INTO agencies BY NAME SELECT * EXCLUDE (name) FROM read_parquet('{stage}/agencies.parquet')")
        conn.execute(f"""INSERT INTO agency_aliases SELECT name, agency_key, resolved_by
                         FROM read_parquet('{stage}/agencies.parquet')""")
        conn.execute("COMMIT")
        conn.execute("CHECKPOINT")
        return time.perf_counter() - start, counts


def run_queries(db: Path) -> list[tuple[str, float, float, int]]:
    queries = sql_named_file(QUERIES)
    out = []
    with duckdb.connect(str(db), read_only=True) as conn:
        agency = conn.execute("SELECT agency_id FROM reports WHERE year = 2023 ORDER BY report_id LIMIT 1").fetchall()[0][0]
    for name, sql in queries.items():
        params = {"agency": agency} if "$agency" in sql else None
        with duckdb.connect(str(db), read_only=True) as conn:  # a new connection: nothing of it cached
            t = time.perf_counter()
            rows = len(conn.execute(sql, params).fetchall())
            cold = time.perf_counter() - t
            warm = []
            for _ in range(2):
                t = time.perf_counter()
                conn.execute(sql, params).fetchall()
                warm.append(time.perf_counter() - t)
        out.append((name, cold, min(warm), rows))
    return out


def sql_named_file(path: Path) -> dict[str, str]:
    """``-- name:`` sections of a .sql file outside the warehouse package (same format as sql_named)."""
    out: dict[str, str] = {}
    key = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-- name:"):
            key = line.split(":", 1)[1].strip()
            out[key] = ""
        elif key:
            out[key] += line + "\n"
    return out


def measure(tmp: Path, agencies: int, years: int, pool_size: int) -> WarehouseFigures:
    stage, db = tmp / "stage", tmp / "national.duckdb"
    f = WarehouseFigures()
    f.generate_s = generate(stage, agencies, years, pool_size)
    f.staged_bytes = sum(p.stat().st_size for p in stage.glob("*.parquet"))
    f.load_s, f.fact_rows = load(stage, db)
    with duckdb.connect(str(db)) as conn:  # what analysis.refresh materialises after every load
        t = time.perf_counter()
        conn.execute(sql_named("metrics_refresh.sql")["refresh"])
        conn.execute("CHECKPOINT")
        f.refresh_s = time.perf_counter() - t
    f.size_bytes = db.stat().st_size
    with duckdb.connect(str(db), read_only=True) as conn:
        f.agency_years = conn.execute("SELECT count(*) FROM reports").fetchall()[0][0]
    f.queries = run_queries(db)
    f.profiles = {name: profile(db, sql_named_file(QUERIES)[name])[1] for name, _cold, warm, _rows in f.queries if warm >= 1.0}
    with duckdb.connect(str(db), read_only=True) as conn:
        expected = conn.execute(FACT_SCAN).fetchall()  # (also warms the file cache for the timing below)
        f.rollup_agrees = conn.execute(sql_named_file(QUERIES)["year_category_rollup"]).fetchall() == expected
    f.fact_scan_s, f.fact_scan_profile = profile(db, FACT_SCAN)
    return f


QUERIES = Path(__file__).with_name("national_queries.sql")
# The year × category roll-up from the fact rows themselves: the reference for metric_t3_rollup
# (every current report of the bench has a resolved agency, so both give the same rows).
FACT_SCAN = """SELECT year, category_code, applicant_code, sum(value) AS value, count(value) AS printed,
                      count(*) - count(value) AS blank
               FROM fact_applications GROUP BY ALL ORDER BY ALL"""


def profile(db: Path, sql: str, top: int = 6) -> tuple[float, str]:
    """(the query's time, its costliest operators) from DuckDB's JSON profile, one line each: time
    summed over threads, rows, operator and what it works on (an EXPLAIN ANALYZE box tree is too wide
    to read at this size)."""
    with tempfile.TemporaryDirectory() as t, duckdb.connect(str(db), read_only=True) as conn:
        agency = conn.execute("SELECT agency_id FROM reports WHERE year = 2023 ORDER BY report_id LIMIT 1").fetchall()[0][0]
        out = Path(t) / "profile.json"
        conn.execute("PRAGMA enable_profiling = 'json'")
        conn.execute(f"SET profiling_output = '{out}'")
        conn.execute(sql, {"agency": agency} if "$agency" in sql else None).fetchall()
        conn.execute("PRAGMA disable_profiling")
        tree = json.loads(out.read_text(encoding="utf-8"))
    ops: list[dict] = []
    stack = list(tree["operator"])  # (DuckDB 2.x: the plan under "operator", the query's totals under "query")
    while stack:
        op = stack.pop()
        ops.append(op)
        stack += op.get("children", [])
    lines = [f"total {tree['query']['total_time']:.2f} s, {tree['query']['total_rows_scanned']:,} rows scanned, "
             f"peak buffer memory {tree['system']['peak_buffer_memory'] / 2**20:.0f} MB"]
    for op in sorted(ops, key=lambda o: -o["timing"])[:top]:
        info = op.get("extra_info", {})
        what = "; ".join(f"{k}: {', '.join(v) if isinstance(v, list) else v}" for k, v in info.items()
                         if k in ("Table", "Groups", "Aggregates", "Conditions", "Join Type"))
        lines.append(f"{op['timing']:6.2f} s  {op['name']:<22} {op.get('intermediate_rows', 0):>13,} rows  {what[:140]}")
    return tree["query"]["total_time"], "\n".join(lines)


__all__ = ["WarehouseFigures", "measure"]
