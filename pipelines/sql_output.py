"""How `nianbao sql` prints a result: a table (Rich, the default), CSV, JSON (a list of objects with
native types) or one ``column = value`` line per column and row (sqlite's ``.mode line``, for wide rows)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Any


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    line = "line"


def _native(value: Any) -> Any:
    """A JSON value: numbers stay numbers (a DECIMAL a float), dates ISO 8601, lists and structs as such,
    the rest text."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _native(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_native(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _text(value: Any) -> str:
    return "NULL" if value is None else str(value)


def render(columns: list[str], rows: list[tuple], fmt: OutputFormat) -> str:
    """The result as text in ``fmt`` (all but ``table``, which Rich prints itself)."""
    if fmt is OutputFormat.csv:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(["" if v is None else v for v in row] for row in rows)  # NULL: an empty field
        return out.getvalue()
    if fmt is OutputFormat.json:
        return json.dumps([dict(zip(columns, map(_native, row), strict=True)) for row in rows],
                          ensure_ascii=False, indent=1) + "\n"
    if fmt is OutputFormat.line:
        width = max((len(c) for c in columns), default=0)
        blocks = ["\n".join(f"{c:>{width}} = {_text(v)}" for c, v in zip(columns, row, strict=True)) for row in rows]
        return "\n\n".join(blocks) + ("\n" if blocks else "")
    raise ValueError(f"render does not print {fmt}")
