"""The command line's arguments checked before any Dagster run starts: a missing folder, an
unreadable catalogue or a re-parse key naming nothing ends in one line and exit 2, not in a step
failure with retries and a failed run recorded in the instance."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from pipelines.scrape.catalog import CatalogError, load_catalog
from warehouse.db import sql_named

if TYPE_CHECKING:
    from warehouse.assessment import AssessmentConfig


class BadArgument(ValueError):
    """An argument the command cannot run with; the message names it and the path, on one line."""


def one_line(text: str) -> str:
    return " ".join(text.split())


def ingest_inputs(folder: str | None, catalog: str) -> None:
    """The documents' origin the run would use (the folder when given, else the catalogue) exists and
    reads; so do the catalogue's folder sources."""
    if folder:
        if not Path(folder).is_dir():
            raise BadArgument(f"--source: no such folder: {folder}")
        return
    try:
        cat = load_catalog(catalog)
    except CatalogError as err:
        raise BadArgument(f"--catalog: {one_line(str(err))}") from None
    for s in cat.enabled():
        if s.kind == "folder" and not Path(s.path or ".").is_dir():
            raise BadArgument(f"--catalog: {catalog}: source {s.name}: no such folder: {s.path}")


def reparse_keys(db_path: str | Path, keys: list[str]) -> None:
    """Every key names a loaded document of the warehouse at ``db_path`` (which must exist: a re-parse
    never creates a warehouse)."""
    if not Path(db_path).is_file():
        raise BadArgument(f"--db: no warehouse at {db_path}: nothing to re-parse")
    try:
        with duckdb.connect(str(db_path), read_only=True) as conn:
            unmatched = [k for (k,) in conn.execute(sql_named("ingest.sql")["unmatched_keys"], {"keys": keys}).fetchall()]
    except duckdb.Error as err:
        raise BadArgument(f"--db: cannot read {db_path}: {one_line(str(err))}") from None
    if unmatched:
        raise BadArgument(f"no loaded document in {db_path} has the source or sha256 prefix: {', '.join(unmatched)}")


def query_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        why = err.strerror if isinstance(err, OSError) and err.strerror else type(err).__name__
        raise BadArgument(f"--file: cannot read {path} ({why})") from None


def assessment_config(path: Path | None, weights: list[str]) -> AssessmentConfig:
    """The assessment parameters (the reviewed file, or ``--config``) with ``--weight indicator=W``
    overrides, validated (warehouse/assessment.py)."""
    from warehouse import assessment

    parsed: dict[str, float] = {}
    for spec in weights:
        name, _, value = spec.partition("=")
        try:
            parsed[name.strip()] = float(value)
        except ValueError:
            raise BadArgument(f"--weight: {spec!r} is not indicator=number (e.g. substance=40)") from None
    try:
        return assessment.load_config(path or assessment.ASSESSMENT, parsed)
    except assessment.AssessmentError as err:
        raise BadArgument(f"--config: {one_line(str(err))}" if path or not parsed else f"--weight: {one_line(str(err))}") from None


def assessment_scope(db_path: str | Path, year: int, province: str | None, level: str | None) -> None:
    """The warehouse exists and the scope holds at least one assessed agency-year (a province spelled
    otherwise than the division library writes it would give an empty report)."""
    from warehouse.assessment_report import scope_rows

    if not Path(db_path).is_file():
        raise BadArgument(f"--db: no warehouse at {db_path} (run `make ingest` first)")
    try:
        with duckdb.connect(str(db_path), read_only=True) as conn:
            if scope_rows(conn, year, province, level):
                return
            provinces = [p for (p,) in conn.execute("SELECT DISTINCT province FROM agency_reports WHERE year = ? "
                                                     "AND province IS NOT NULL ORDER BY 1", [year]).fetchall()]
            years = [y for (y,) in conn.execute("SELECT DISTINCT year FROM agency_reports ORDER BY 1").fetchall()]
    except duckdb.Error as err:
        raise BadArgument(f"--db: cannot read {db_path}: {one_line(str(err))}") from None
    where = " ".join(f"{k} {v}" for k, v in (("--province", province), ("--level", level)) if v)
    raise BadArgument(f"no assessed agency-year for --year {year} {where}".strip()
                      + f" (years: {', '.join(map(str, years)) or 'none'}; provinces of {year}: {', '.join(provinces) or 'none'})")
