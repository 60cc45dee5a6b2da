"""The report format as data: tables, rows, columns and cell keys for the 2021 format, the 2019
(trial) format and the hybrid seen in real reports.

Everything here is derived from ``format_2021.json`` — the project's own copy of
``shared/spec/format_2021.json`` — so that codes used in the warehouse are exactly the spec's.
Reading that package file is the only file access in ``schemas``; no document I/O lives here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

FormatName = Literal["2021", "2019", "hybrid"]
TableName = Literal["T2", "T3", "T4"]
TABLES: tuple[TableName, ...] = ("T2", "T3", "T4")


@dataclass(frozen=True)
class Column:
    code: str
    label: str
    kind: str = "int"  # int | signed_int | decimal | text_amount


@dataclass(frozen=True)
class Row:
    code: str
    label: str
    parent: str | None
    kind: str  # leaf | group | total


@dataclass(frozen=True)
class T2Block:
    code: str
    caption: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


@cache
def spec() -> dict:
    """The raw spec document (parsed once)."""
    text = resources.files("schemas").joinpath("format_2021.json").read_text(encoding="utf-8")
    return json.loads(text)


def _t2_blocks(raw_blocks: list[dict], year_format: str) -> tuple[T2Block, ...]:
    blocks = []
    for b in raw_blocks:
        cols = []
        for c in b["columns"]:
            kind = c.get("type", "int")
            if kind == "decimal":
                kind = "decimal"
            elif c["code"] == "delta":
                kind = "signed_int"
            elif c["code"] == "amount":
                kind = "text_amount"
            else:
                kind = "int"
            cols.append(Column(c["code"], c["label"], kind))
        rows = tuple(Row(r["code"], r["label"], b["code"], "leaf") for r in b["rows"])
        blocks.append(T2Block(b["code"], b["caption"], tuple(cols), rows))
    return tuple(blocks)


@cache
def t2_blocks(fmt: str) -> tuple[T2Block, ...]:
    """Table 2 blocks; ``fmt`` is '2021' or '2019' (hybrid reports use the 2021 table 2)."""
    if fmt == "2019":
        return _t2_blocks(spec()["format_2019"]["T2_blocks"], "2019")
    return _t2_blocks(spec()["tables"]["T2"]["blocks"], "2021")


@cache
def t3_columns() -> tuple[Column, ...]:
    return tuple(Column(c["code"], c["label"]) for c in spec()["tables"]["T3"]["columns"])


@cache
def t3_rows_all() -> tuple[Row, ...]:
    """Every table-3 row code of either format, including group rows (for dimensions)."""
    rows = [Row(r["code"], r["label"], r["parent"], r["kind"]) for r in spec()["tables"]["T3"]["rows"]]
    return tuple(rows)


@cache
def t3_data_rows(single_other_row: bool) -> tuple[Row, ...]:
    """Rows that carry numbers. 2021: 25 rows with 3.3.6.1-3; 2019/hybrid: 23 rows with one 3.3.6."""
    out = []
    for r in t3_rows_all():
        if r.code == "3.3.6":
            if single_other_row:
                out.append(Row(r.code, r.label, r.parent, "leaf"))
            continue
        if r.parent == "3.3.6" and single_other_row:
            continue
        if r.kind in ("leaf", "total"):
            out.append(r)
    return tuple(out)


@cache
def t4_columns() -> tuple[Column, ...]:
    return tuple(Column(c["code"], c["label"]) for c in spec()["tables"]["T4"]["columns"])


T4_GROUPS: dict[str, str] = {"R": "行政复议", "LD": "未经复议直接起诉", "LA": "复议后起诉"}
T3_APPLICANT_COLUMNS: tuple[str, ...] = ("np", "lp_com", "lp_res", "lp_ngo", "lp_law", "lp_oth")


def t3_format_name(single_other_row: bool, t2_format: str | None) -> FormatName:
    """Name of a table-3 layout. A single (六) row is the 2019 layout; inside an otherwise-2021 report
    (2021 table 2) it is the 'hybrid' seen in 洪泽 2023/2024."""
    if not single_other_row:
        return "2021"
    return "hybrid" if t2_format == "2021" else "2019"


@dataclass(frozen=True)
class CellDef:
    key: str  # "<row_code>|<col_code>"
    table: TableName
    row_code: str
    col_code: str
    kind: str  # int | signed_int | decimal | text_amount


def cell_key(row_code: str, col_code: str) -> str:
    return f"{row_code}|{col_code}"


@cache
def t2_cells(fmt: str) -> tuple[CellDef, ...]:
    return tuple(
        CellDef(cell_key(r.code, c.code), "T2", r.code, c.code, c.kind)
        for b in t2_blocks(fmt)
        for r in b.rows
        for c in b.columns
    )


@cache
def t3_cells(single_other_row: bool) -> tuple[CellDef, ...]:
    return tuple(
        CellDef(cell_key(r.code, c.code), "T3", r.code, c.code, "int")
        for r in t3_data_rows(single_other_row)
        for c in t3_columns()
    )


@cache
def t4_cells() -> tuple[CellDef, ...]:
    return tuple(CellDef(cell_key("4", c.code), "T4", "4", c.code, "int") for c in t4_columns())


def cells_for(table_formats: dict[str, str]) -> tuple[CellDef, ...]:
    """All cells of a report whose tables have the given formats ('2021' / '2019' / 'hybrid')."""
    out: list[CellDef] = []
    if "T2" in table_formats:
        out += t2_cells("2019" if table_formats["T2"] == "2019" else "2021")
    if "T3" in table_formats:
        out += t3_cells(table_formats["T3"] in ("2019", "hybrid"))
    if "T4" in table_formats:
        out += t4_cells()
    return tuple(out)


@cache
def all_cell_defs() -> dict[str, CellDef]:
    """Every known cell key of every format (for code-set checks)."""
    out: dict[str, CellDef] = {}
    for d in (*t2_cells("2021"), *t2_cells("2019"), *t3_cells(False), *t3_cells(True), *t4_cells()):
        out.setdefault(d.key, d)
    return out


SECTION_CODES: tuple[str, ...] = ("S1", "S2", "S3", "S4", "S5", "S6")


def sections() -> list[dict]:
    return spec()["sections"]
