"""Transactional, idempotent loading of a batch of reports.

One batch = one transaction. For every document version the batch replaces its rows in
``reports`` / ``validation_issues`` / ``cell_provenance`` / ``report_sections``; for every
agency-year that gains a loadable report (valid or invalid) the fact rows are deleted and inserted
again from the newest version, which becomes ``is_current``. Loading the same batch twice leaves the
same rows. Everything goes in as whole DataFrames, never row by row.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from warehouse.db import insert_frame, sql_named, transaction
from warehouse.faults import crash_point

SQL = sql_named("load.sql")
FACT_TABLES = {
    "applications": "fact_applications",
    "proactive": "fact_proactive_disclosure",
    "review_litigation": "fact_review_litigation",
}


@dataclass
class LoadBatch:
    """What one load writes. ``reports`` has the columns of the ``reports`` table except
    ``is_current``; fact frames carry report_id, agency_id and year on every row."""

    reports: pd.DataFrame
    facts: dict[str, pd.DataFrame] = field(default_factory=dict)  # keys of FACT_TABLES
    issues: pd.DataFrame | None = None
    provenance: pd.DataFrame | None = None
    sections: pd.DataFrame | None = None


@dataclass
class LoadSummary:
    reports: int = 0
    current_agency_years: int = 0
    fact_rows: dict[str, int] = field(default_factory=dict)


def already_loaded(conn: duckdb.DuckDBPyConnection, parser_version: str) -> set[str]:
    """sha256 of every document version loaded by this parser version (to skip re-parsing)."""
    rows = conn.execute("SELECT sha256 FROM reports WHERE parser_version = ?", [parser_version]).fetchall()
    return {r[0] for r in rows}


def load_batch(conn: duckdb.DuckDBPyConnection, batch: LoadBatch) -> LoadSummary:
    with transaction(conn):
        return load_batch_in_transaction(conn, batch)


def load_batch_in_transaction(conn: duckdb.DuckDBPyConnection, batch: LoadBatch) -> LoadSummary:
    """The load inside a transaction the caller holds (the staged loader adds its crawl record and
    the unit's ``staged_loads`` row to the same transaction)."""
    summary = LoadSummary()
    if batch.reports.empty:
        return summary
    reports = batch.reports.drop_duplicates("report_id", keep="last").reset_index(drop=True)
    loadable = reports[reports["status"].isin(["valid", "invalid"]) & reports["agency_id"].notna()]
    # The newest loadable version of each agency-year in this batch becomes current.
    current = loadable.drop_duplicates(["agency_id", "year"], keep="last")
    conn.register("batch_reports", reports)
    conn.register("batch_current", current[["report_id", "agency_id", "year"]])
    try:
        for table in ("validation_issues", "cell_provenance", "report_sections"):
            conn.execute(SQL["delete_report_children"].format(table=table))
        for step in ("stage_reports", "replace_reports", "mark_current"):
            conn.execute(SQL[step])
        for table in FACT_TABLES.values():
            conn.execute(SQL["delete_agency_year_facts"].format(table=table))
        crash_point("load:after_delete")
        for key, table in FACT_TABLES.items():
            frame = batch.facts.get(key)
            if frame is not None and not frame.empty:
                frame = frame[frame["report_id"].isin(current["report_id"])]
            summary.fact_rows[table] = insert_frame(conn, table, frame)
        insert_frame(conn, "validation_issues", batch.issues)
        insert_frame(conn, "cell_provenance", batch.provenance)
        insert_frame(conn, "report_sections", batch.sections)
        conn.execute(SQL["upsert_agencies"])
        crash_point("load:before_commit")
    finally:
        for name in ("batch_reports", "batch_current"):
            with contextlib.suppress(duckdb.Error):  # cleanup only
                conn.unregister(name)
    summary.reports = len(reports)
    summary.current_agency_years = len(current)
    return summary
