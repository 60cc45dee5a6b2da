"""Opening the warehouse: DDL from the .sql files, dimension tables from ``schemas``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources
from pathlib import Path

import duckdb
import pandas as pd

from schemas import error_types
from schemas import format as fmt


def sql_text(name: str) -> str:
    return resources.files("warehouse").joinpath("sql", name).read_text(encoding="utf-8")


@cache
def sql_named(name: str) -> dict[str, str]:
    """The statements of a .sql file split at its ``-- name: <key>`` lines."""
    out: dict[str, str] = {}
    key = None
    for line in sql_text(name).splitlines():
        m = re.match(r"--\s*name:\s*(\w+)", line)
        if m:
            key = m.group(1)
            out[key] = ""
        elif key:
            out[key] += line + "\n"
    return out


def connect(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = duckdb.connect(str(path), read_only=read_only)
    if not read_only:
        ensure_schema(conn)
    return conn


def ensure_schema(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(sql_text("schema.sql"))
    conn.execute(sql_text("documents.sql"))
    conn.execute(sql_text("views.sql"))
    conn.execute(sql_named("cross_year.sql")["views"])
    conn.execute(sql_named("corrections.sql")["views"])
    conn.execute(sql_text("metrics.sql"))
    conn.execute(sql_text("roster.sql"))
    conn.execute(sql_text("catalogue.sql"))
    conn.execute(sql_named("assessment.sql")["tables"])
    conn.execute(sql_named("assessment.sql")["views"])
    _seed_dimensions(conn)


def dimension_frames() -> dict[str, pd.DataFrame]:
    cats = []
    in_2021 = {r.code for r in fmt.t3_data_rows(False)}
    in_2019 = {r.code for r in fmt.t3_data_rows(True)}
    for r in fmt.t3_rows_all():
        formats = "all" if r.code in in_2021 and r.code in in_2019 else "2021" if r.code in in_2021 else (
            "2019/hybrid" if r.code in in_2019 else "none (group)")
        cats.append({"category_code": r.code, "label": r.label, "parent_code": r.parent, "kind": r.kind, "formats": formats})
    applicants = [{"applicant_code": c.code, "label": c.label,
                   "group_label": "法人或其他组织" if c.code.startswith("lp_") else None} for c in fmt.t3_columns()]
    items = [{"table_format": f, "block_code": b.code, "caption": b.caption, "row_code": r.code, "row_label": r.label,
              "col_code": c.code, "col_label": c.label, "value_kind": c.kind}
             for f in ("2021", "2019") for b in fmt.t2_blocks(f) for r in b.rows for c in b.columns]
    outcomes = {"maintain": "结果维持", "correct": "结果纠正", "other": "其他结果", "pending": "尚未审结", "total": "总计"}
    t4 = [{"col_code": c.code, "proceeding": c.code.split(".")[0], "proceeding_label": fmt.T4_GROUPS[c.code.split(".")[0]],
           "outcome": c.code.split(".")[1], "outcome_label": outcomes[c.code.split(".")[1]]} for c in fmt.t4_columns()]
    return {
        "dim_application_category": pd.DataFrame(cats),
        "dim_applicant_type": pd.DataFrame(applicants),
        "dim_proactive_item": pd.DataFrame(items),
        "dim_review_litigation_column": pd.DataFrame(t4),
        "dim_error_types": pd.DataFrame(error_types.rows()),
    }


@contextmanager
def transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: COMMIT when the block ends, ROLLBACK when it raises."""
    conn.execute("BEGIN TRANSACTION")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def insert_frame(conn: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame | None) -> int:
    """Insert a whole DataFrame by column name (never row by row); returns the rows inserted."""
    if frame is None or frame.empty:
        return 0
    conn.register("frame_src", frame)
    try:
        conn.execute(f"INSERT INTO {table} BY NAME SELECT * FROM frame_src")
    finally:
        conn.unregister("frame_src")
    return len(frame)


def _seed_dimensions(conn: duckdb.DuckDBPyConnection) -> None:
    with transaction(conn):
        for table, frame in dimension_frames().items():
            conn.execute(f"DELETE FROM {table}")
            insert_frame(conn, table, frame)
