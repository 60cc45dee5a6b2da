"""``nianbao assess``: the assessment of one scope (a year, optionally a province and a level) as CSV
files and one printable HTML report, read from the warehouse alone (a read-only connection; the
parameters of assessment.yaml, or the file and weights given, apply on that connection only)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import jinja2

from warehouse import assessment

TEMPLATES = Path(__file__).parent / "templates"

# The scope's rows: agency-years of the year (and province, level) ranked by total within the scope.
SCOPE = """
SELECT t.*, rank() OVER (ORDER BY t.total DESC NULLS LAST) AS rank
FROM assessment_totals t
WHERE t.year = $year AND ($province IS NULL OR t.province = $province) AND ($level IS NULL OR t.level = $level)
"""


@dataclass
class AssessmentReport:
    scope: str
    agency_years: int
    files: list[Path]


def scope_rows(conn: duckdb.DuckDBPyConnection, year: int, province: str | None, level: str | None) -> int:
    return conn.execute(f"SELECT count(*) FROM ({SCOPE})", {"year": year, "province": province, "level": level}).fetchall()[0][0]


def _records(conn: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    cur = conn.execute(sql, params)
    names = [d[0] for d in cur.description or []]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _copy(conn: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any], path: Path) -> Path:
    conn.execute(f"CREATE OR REPLACE TEMP TABLE assessment_out AS {sql}", params)
    conn.execute(f"COPY assessment_out TO '{str(path).replace(chr(39), chr(39) * 2)}' (HEADER, DELIMITER ',')")
    return path


def write(db: str | Path, out: str | Path, year: int, province: str | None = None, level: str | None = None,
          config: assessment.AssessmentConfig | None = None) -> AssessmentReport:
    """Scorecards (wide), every indicator with its evidence (long), the distribution — as CSV — and the
    printable report of the scope, into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    stem = "_".join(["assessment", str(year)] + [p for p in (province, level) if p])
    scope = " · ".join([f"{year} 年度"] + [p for p in (province, level) if p])
    params = {"year": year, "province": province, "level": level}
    with duckdb.connect(str(db), read_only=True) as conn:
        assessment.use_config(conn, config or assessment.load_config())
        in_scope = f"SELECT report_id, rank FROM ({SCOPE})"
        files = [
            _copy(conn, f"SELECT s.rank, c.* FROM assessment_scorecards c JOIN ({in_scope}) s USING (report_id) "
                        "ORDER BY s.rank, c.canonical_name", params, out / f"{stem}_scorecards.csv"),
            _copy(conn, f"SELECT s.rank, i.* FROM assessment_indicators i JOIN ({in_scope}) s USING (report_id) "
                        "ORDER BY s.rank, i.canonical_name, i.position", params, out / f"{stem}_indicators.csv"),
        ]
        distribution_sql = (f"SELECT indicator, position, name_zh, name_en, result, count(*) AS agency_years, "
                            f"round(count(*) / sum(count(*)) OVER (PARTITION BY indicator), 4) AS share, "
                            f"round(avg(score), 4) AS mean_score "
                            f"FROM assessment_indicators WHERE report_id IN (SELECT report_id FROM ({in_scope})) "
                            f"GROUP BY indicator, position, name_zh, name_en, result ORDER BY position, result")
        files.append(_copy(conn, distribution_sql, params, out / f"{stem}_distribution.csv"))
        league = _records(conn, f"{SCOPE} ORDER BY rank, canonical_name", params)
        cards: dict[str, dict[str, dict[str, Any]]] = {}
        for r in _records(conn, f"SELECT report_id, indicator, result, score, evidence FROM assessment_indicators "
                                f"WHERE report_id IN (SELECT report_id FROM ({in_scope}))", params):
            cards.setdefault(r["report_id"], {})[r["indicator"]] = r
        indicators = _records(conn, "SELECT * FROM assessment_indicator_config ORDER BY position", {})
        distribution = _records(conn, distribution_sql, params)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True, lstrip_blocks=True)
    html = env.get_template("assessment_report.html").render(
        title=f"政府信息公开工作年度报告评估 {scope}", scope=scope, agency_years=len(league), league=league,
        cards=cards, indicators=indicators, distribution=distribution)
    page = out / f"{stem}.html"
    page.write_text(html, encoding="utf-8")
    return AssessmentReport(scope=scope, agency_years=len(league), files=[*files, page])
