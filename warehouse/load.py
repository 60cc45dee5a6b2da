"""Transactional, idempotent loading of a batch of reports.

One batch = one transaction. For every document version the batch replaces its rows in
``reports`` / ``validation_issues`` / ``cell_provenance`` / ``report_sections``. Every report is
keyed by the agency it belongs to (``identity_key``, warehouse/identity.py: not by its printed name,
which two counties' 县信访局 share); for every agency-year that gains a loadable report (valid or
invalid) the current version is chosen among all its versions by the publication date they state,
then when they were first fetched (``sql/load.sql`` choose_current), and the agency-year's fact rows
are those of that version. Loading the same batch twice leaves the same rows. Everything goes in as
whole DataFrames, never row by row.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from warehouse.db import insert_frame, sql_named, transaction
from warehouse.faults import crash_point
from warehouse.identity import identity_keys

SQL = sql_named("load.sql")
FACT_TABLES = {
    "applications": "fact_applications",
    "proactive": "fact_proactive_disclosure",
    "review_litigation": "fact_review_litigation",
}


@dataclass
class LoadBatch:
    """What one load writes. ``reports`` has the columns of the ``reports`` table except
    ``is_current`` and those the load computes (``identity_key``, ``identity_by``,
    ``first_seen_at``); fact frames carry report_id, agency_id and year on every row."""

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
    reports = keyed_reports(conn, batch.reports.drop_duplicates("report_id", keep="last").reset_index(drop=True))
    conn.register("batch_reports", reports)
    try:
        for table in ("validation_issues", "cell_provenance", "report_sections"):
            conn.execute(SQL["delete_report_children"].format(table=table))
        for step in ("stage_reports", "replace_reports", "choose_current", "touched_versions", "mark_current"):
            conn.execute(SQL[step])
        for table in FACT_TABLES.values():
            conn.execute(SQL["delete_superseded_facts"].format(table=table))
        crash_point("load:after_delete")
        current = {r[0] for r in conn.execute("SELECT report_id FROM batch_current WHERE in_batch").fetchall()}
        for key, table in FACT_TABLES.items():
            frame = batch.facts.get(key)
            if frame is not None and not frame.empty:
                frame = frame[frame["report_id"].isin(current)]
            summary.fact_rows[table] = insert_frame(conn, table, frame)
        insert_frame(conn, "validation_issues", batch.issues)
        insert_frame(conn, "cell_provenance", batch.provenance)
        insert_frame(conn, "report_sections", batch.sections)
        conn.execute(SQL["upsert_agencies"])
        crash_point("load:before_commit")
    finally:
        with contextlib.suppress(duckdb.Error):  # cleanup only
            conn.unregister("batch_reports")
    summary.reports = len(reports)
    summary.current_agency_years = len(current)  # made current by this batch
    return summary


STATED = ("catalog_region", "site", "published_at")  # what older batches (staged before them) lack


def keyed_reports(conn: duckdb.DuckDBPyConnection, reports: pd.DataFrame) -> pd.DataFrame:
    """The batch's reports with the agency each belongs to (``identity_key``, ``identity_by``) and
    when its version was first seen: first fetched by the crawler (the archive's index), else now
    (a folder's file is first seen when first loaded; a reload keeps the first time)."""
    reports = reports.copy()
    for column in STATED:
        if column not in reports:
            reports[column] = pd.Series([None] * len(reports), index=reports.index,
                                        dtype="datetime64[us]" if column == "published_at" else "object")
    reports[["identity_key", "identity_by"]] = identity_keys(reports)
    first_seen: dict[tuple[str, str], object] = {}
    if conn.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'documents'").fetchall()[0][0]:
        rows = conn.execute(SQL["first_seen"], {"shas": reports["sha256"].unique().tolist()}).fetchall()
        first_seen = {(url, sha): seen for url, sha, seen in rows}
    fetched = pd.Series([first_seen.get((s, h)) for s, h in zip(reports["source"], reports["sha256"], strict=True)],
                        index=reports.index, dtype="object")
    reports["first_seen_at"] = pd.to_datetime(fetched, utc=True).fillna(reports["ingested_at"])
    return reports
