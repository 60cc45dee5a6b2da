"""The archive index in DuckDB: what the crawler knew before (for conditional requests and change
detection) and recording one crawl's outcome in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from warehouse.db import insert_frame, sql_named, sql_text, transaction


@dataclass(frozen=True)
class KnownDocument:
    url: str
    version: int
    sha256: str
    etag: str | None
    last_modified: str | None


def ensure_documents_schema(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(sql_text("documents.sql"))


def known_documents(conn: duckdb.DuckDBPyConnection) -> dict[str, KnownDocument]:
    """The latest version of every URL fetched so far."""
    ensure_documents_schema(conn)
    rows = conn.execute("SELECT url, version, sha256, etag, last_modified FROM current_documents").fetchall()
    return {r[0]: KnownDocument(*r) for r in rows}


def previous_reports_found(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Per source, the most reports any earlier crawl found (a source dropping to zero is a failure)."""
    ensure_documents_schema(conn)
    return dict(conn.execute("SELECT source, max(reports_found) FROM crawl_runs GROUP BY 1").fetchall())


def record_crawl(conn: duckdb.DuckDBPyConnection, documents: pd.DataFrame, seen: pd.DataFrame,
                 failures: pd.DataFrame, runs: pd.DataFrame, skipped: pd.DataFrame | None = None) -> None:
    """One transaction: new document versions inserted, re-seen versions' last_seen/etag updated,
    failures, per-source run rows and the folder files skipped appended."""
    ensure_documents_schema(conn)
    with transaction(conn):
        insert_frame(conn, "documents", documents)
        if not seen.empty:
            conn.register("seen_documents", seen)
            conn.execute(sql_named("load.sql")["touch_seen_documents"])
            conn.unregister("seen_documents")
        insert_frame(conn, "fetch_failures", failures)
        insert_frame(conn, "crawl_runs", runs)
        insert_frame(conn, "skipped_files", skipped)


def skipped_files(conn: duckdb.DuckDBPyConnection, crawl_id: str) -> list[tuple[str, str]]:
    """(path, reason) of the files one look at the folder sources skipped, by path (read-only)."""
    return conn.execute("SELECT path, reason FROM skipped_files WHERE crawl_id = $c ORDER BY source, path",
                        {"c": crawl_id}).fetchall()


def record_publishers(conn: duckdb.DuckDBPyConnection, publishers: pd.DataFrame, sources: list[str],
                      regions: pd.DataFrame | None = None) -> None:
    """What the catalogue says of ``sources`` beyond where to crawl — its roster (source, name,
    since_year) and each source's region (source, region) — replacing what it said before."""
    ensure_documents_schema(conn)
    with transaction(conn):
        for table in ("catalog_publishers", "catalog_regions"):
            conn.execute(f"DELETE FROM {table} WHERE source IN (SELECT unnest($s))", {"s": sources})
        insert_frame(conn, "catalog_publishers", publishers)
        insert_frame(conn, "catalog_regions", regions)
