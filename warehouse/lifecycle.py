"""Documents whose bytes are gone, and documents an operator retired: recorded with since when, who
and why (tables gone_documents and retired_documents; the SQL is in ``sql/lifecycle.sql``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pandas as pd

from warehouse.db import sql_named, transaction

SQL = sql_named("lifecycle.sql")


@dataclass(frozen=True)
class DocumentState:
    source: str
    sha256: str
    bytes_at: str  # the file, or the archived copy, a re-parse reads
    state: str  # present | gone | retired
    gone_since: datetime | None
    gone_evidence: str | None
    retired_at: datetime | None
    retired_by: str | None
    retired_why: str | None


def mark_gone(conn: duckdb.DuckDBPyConnection, gone: list[tuple[str, str, str]], noticed_in: str) -> None:
    """``gone``: (source, sha256, evidence) of documents whose bytes are missing. A document already
    gone keeps the time it was first noticed."""
    if not gone:
        return
    conn.register("gone_batch", pd.DataFrame(gone, columns=["source", "sha256", "evidence"]))
    try:
        conn.execute(SQL["mark_gone"], {"now": datetime.now(UTC), "noticed_in": noticed_in})
    finally:
        conn.unregister("gone_batch")


def clear_gone(conn: duckdb.DuckDBPyConnection, sources: list[str]) -> None:
    """These documents' files are there again."""
    if sources:
        conn.execute(SQL["clear_gone"], {"sources": sources})


def folder_documents(conn: duckdb.DuckDBPyConnection, catalog_source: str) -> dict[str, str]:
    """source → sha256 of the latest loaded documents that a folder source found (none before the
    warehouse tables exist: a crawl alone, `nianbao crawl`, on a fresh archive index)."""
    if not conn.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'reports'").fetchall()[0][0]:
        return {}
    return dict(conn.execute(SQL["folder_documents"], {"source": catalog_source}).fetchall())


def archived_urls(conn: duckdb.DuckDBPyConnection, urls: list[str]) -> dict[str, str]:
    """url → latest archived sha256, for the URLs the archive holds."""
    return dict(conn.execute(SQL["archived_urls"], {"urls": urls}).fetchall()) if urls else {}


def resolve(conn: duckdb.DuckDBPyConnection, keys: list[str]) -> list[tuple[str, str]]:
    """(source, latest sha256) of the loaded documents named by URL, path or sha256 prefix."""
    return conn.execute(SQL["resolve"], {"keys": keys}).fetchall()


def states(conn: duckdb.DuckDBPyConnection, sources: list[str]) -> list[DocumentState]:
    return [DocumentState(*row) for row in conn.execute(SQL["states"], {"sources": sources}).fetchall()]


def retire(conn: duckdb.DuckDBPyConnection, source: str, sha256: str, by: str, why: str) -> datetime:
    """Retire one document (retiring it again replaces who, why and when); returns when."""
    now = datetime.now(UTC)
    with transaction(conn):
        conn.execute(SQL["retire"], {"source": source, "sha256": sha256, "now": now, "by": by, "why": why})
    return now


def gone_failing(conn: duckdb.DuckDBPyConnection) -> list[tuple[str, str, datetime, str]]:
    """(source, sha256, gone_since, bytes_at) of the failing documents noticed gone."""
    return conn.execute(SQL["gone_failing"]).fetchall()
