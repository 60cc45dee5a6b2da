"""The built site catalogue in the warehouse (``catalogue_sites``, warehouse/sql/catalogue.sql) and
its coverage per province (``catalogue_coverage_by_province``). The rows come from
``pipelines.sites.coverage`` (which knows what a built site is); this module only stores them."""

from __future__ import annotations

import duckdb
import pandas as pd

from warehouse.agencies import region_names
from warehouse.db import insert_frame, sql_text, transaction

COLUMNS = ["source", "url", "name", "site_code", "level", "region", "province_code", "province", "status", "meta",
           "columns", "listed_reports", "admitted", "verified_at"]


def ensure_catalogue_schema(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(sql_text("catalogue.sql"))


def province_of(region: str | None, listed: str | None) -> tuple[str | None, str | None]:
    """(province code, province name) of a site: from its GB/T 2260 region through the division
    library (so 江西 and 江西省 are one province); the list's own words only when the library has no
    name for it; (None, listed) without a region."""
    if not region:
        return None, listed
    code = region[:2] + "0000"
    return code, region_names(code)[0] or listed


def record_catalogue_sites(conn: duckdb.DuckDBPyConnection, sites: pd.DataFrame) -> int:
    """Replace the stored built catalogue with ``sites`` (columns ``COLUMNS``, ``province_code`` and
    ``province`` filled here from ``region``); one transaction. Returns the rows stored."""
    ensure_catalogue_schema(conn)
    frame = sites.copy()
    placed = [province_of(r, p) for r, p in zip(frame["region"], frame["province"], strict=True)]
    frame["province_code"] = [c for c, _ in placed]
    frame["province"] = [n for _, n in placed]
    with transaction(conn):
        conn.execute("DELETE FROM catalogue_sites")
        return insert_frame(conn, "catalogue_sites", frame[COLUMNS])
