"""The warehouse's operational state, for checks, the run summary and the UI: what is failing now
(new in a run or outstanding from earlier ones), current publisher issues, documents by status per
source and per year, files skipped, documents gone or retired. Read-only queries over the views; the SQL lives in ``sql/health.sql``."""

from __future__ import annotations

import duckdb
import pandas as pd

from warehouse.db import sql_named

SQL = sql_named("health.sql")


def _frame(conn: duckdb.DuckDBPyConnection, name: str, run_id: str | None = None) -> pd.DataFrame:
    params = {"run_id": run_id} if "$run_id" in SQL[name] else {}
    return conn.execute(SQL[name], params).fetchdf()


def failures(conn: duckdb.DuckDBPyConnection, run_id: str | None) -> pd.DataFrame:
    """Every document failing now; ``state`` is ``new`` (first failing in ``run_id``) or ``outstanding``."""
    return _frame(conn, "failures", run_id)


def publisher_issues(conn: duckdb.DuckDBPyConnection, run_id: str | None) -> pd.DataFrame:
    """Current reports' publisher inconsistencies; ``state`` is ``new`` (parsed in ``run_id``) or ``current``."""
    return _frame(conn, "publisher_issues", run_id)


def status_counts(conn: duckdb.DuckDBPyConnection, run_id: str | None) -> dict[str, int]:
    frame = _frame(conn, "status_counts", run_id)
    return {k: int(v) for k, v in frame.iloc[0].items()}


def not_a_report(conn: duckdb.DuckDBPyConnection, run_id: str | None) -> pd.DataFrame:
    return _frame(conn, "not_a_report", run_id)


def source_status(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _frame(conn, "source_status")


def year_status(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _frame(conn, "year_status")


def retired_failures(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Failing documents retired by an operator (who, why, when): listed, not counted."""
    return _frame(conn, "retired_failures")


def gone_or_retired(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _frame(conn, "gone_or_retired")


def skipped_files(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _frame(conn, "skipped_files")
