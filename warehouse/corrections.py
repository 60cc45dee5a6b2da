"""Reviewed corrections of published numbers, from a YAML file in git, applied in views only."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field

from warehouse.db import sql_named, transaction

CORRECTIONS = Path(__file__).parent / "reference" / "corrections.yaml"
SQL = sql_named("corrections.sql")


class Correction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agency: str = Field(min_length=2)
    year: int = Field(ge=2008, le=2100)
    cell: str = Field(pattern=r"^[0-9.]+\|[A-Za-z_.]+$")
    value: float
    reason: str = Field(min_length=2)
    source: str = Field(min_length=2)


def load_corrections(path: Path = CORRECTIONS) -> list[Correction]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [Correction.model_validate(e) for e in data.get("corrections") or []]


def refresh(conn: duckdb.DuckDBPyConnection, path: Path = CORRECTIONS) -> int:
    """Replace ``corrections`` with the file's entries as they apply now; returns how many apply."""
    frame = pd.DataFrame([c.model_dump() for c in load_corrections(path)], columns=list(Correction.model_fields))
    conn.register("correction_entries", frame)
    try:
        with transaction(conn):
            conn.execute(SQL["replace"])
    finally:
        conn.unregister("correction_entries")
    return conn.execute("SELECT count(*) FROM corrections WHERE applied").fetchall()[0][0]
