"""Every table and view of the warehouse as files for people who do not use DuckDB: Parquet (a
relation with a year column is partitioned by year, hive-style ``name/year=2024/…``) or CSV, with
the data dictionary and a manifest of row counts beside them. Reads a read-only connection, so the
nightly writer is never blocked (export the published copy)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from warehouse.dictionary import build, relations

FORMATS = ("parquet", "csv")


@dataclass
class Exported:
    name: str
    kind: str  # table | view
    rows: int
    path: str  # relative to the export folder
    partitioned_by_year: bool


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def export(db_path: str | Path, out: str | Path, fmt: str = "parquet") -> list[Exported]:
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: one of {', '.join(FORMATS)}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    done: list[Exported] = []
    with duckdb.connect(str(db_path), read_only=True) as conn:
        for name, kind, cols in relations(conn):
            rows = conn.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0]
            by_year = fmt == "parquet" and rows > 0 and any(c == "year" for c, _ in cols)
            if by_year:
                target = out / name
                conn.execute(f'COPY (SELECT * FROM "{name}") TO {_quote(target)} '
                             "(FORMAT parquet, PARTITION_BY (year), OVERWRITE_OR_IGNORE true, WRITE_PARTITION_COLUMNS true)")
            else:
                target = out / f"{name}.{fmt}"
                options = "FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER true"
                conn.execute(f'COPY (SELECT * FROM "{name}") TO {_quote(target)} ({options})')
            done.append(Exported(name, "view" if kind == "VIEW" else "table", rows, target.name, by_year))
        (out / "DATA_DICTIONARY.md").write_text(build(conn), encoding="utf-8")
    (out / "manifest.json").write_text(json.dumps({"format": fmt, "source": str(db_path),
                                                   "relations": [asdict(e) for e in done]}, ensure_ascii=False, indent=1),
                                       encoding="utf-8")
    return done


def read_back(out: str | Path, item: Exported, fmt: str) -> str:
    """A DuckDB expression reading an exported relation back (for checks and for users)."""
    path = Path(out) / item.path
    if item.partitioned_by_year:
        return f"read_parquet({_quote(path / '**' / '*.parquet')}, hive_partitioning = false)"
    return f"read_parquet({_quote(path)})" if fmt == "parquet" else f"read_csv({_quote(path)}, header = true)"
