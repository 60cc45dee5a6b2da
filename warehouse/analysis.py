"""What the warehouse derives after every load, over all of it: agencies under all their names
(``agencies.refresh``), reviewed corrections (``corrections.refresh``), the checks that compare an
agency's years (``sql/cross_year.sql``) and the assessment's parameters (``assessment.refresh``).
Recomputed whole each time, so a finding stays until the reports change and an edit of the alias
file reaches every year."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse import agencies, assessment, corrections
from warehouse.db import sql_named, transaction
from warehouse.faults import crash_point

CROSS_YEAR = sql_named("cross_year.sql")


@dataclass
class AnalysisSummary:
    agency_names: int
    agencies: int
    unresolved: int
    cross_year_checks: int
    cross_year_findings: int
    corrections_applied: int


def refresh(conn: duckdb.DuckDBPyConnection, aliases: Path = agencies.ALIASES,
            corrections_file: Path = corrections.CORRECTIONS,
            assessment_file: Path = assessment.ASSESSMENT) -> AnalysisSummary:
    names = agencies.refresh(conn, aliases)
    crash_point("analysis:after_agencies")
    applied = corrections.refresh(conn, corrections_file)
    with transaction(conn):
        conn.execute(sql_named("metrics_refresh.sql")["refresh"])  # (uses the corrections just applied)
        conn.execute(CROSS_YEAR["record"])
    assessment.refresh(conn, assessment_file)
    one = lambda sql: conn.execute(sql).fetchall()[0][0]  # noqa: E731 - four counts below
    return AnalysisSummary(
        agency_names=names,
        agencies=one("SELECT count(*) FROM agencies"),
        unresolved=one("SELECT count(*) FROM unresolved_agencies"),
        cross_year_checks=one("SELECT count(*) FROM cross_year_checks"),
        cross_year_findings=one("SELECT count(*) FROM cross_year_checks WHERE violated"),
        corrections_applied=applied,
    )
