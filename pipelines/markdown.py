"""Markdown tables for Dagster metadata (check details, run summaries, per-source crawl results)."""

from __future__ import annotations

import pandas as pd

from schemas.numbers import number_text

MAX_ROWS = 50


def markdown_table(frame: pd.DataFrame, max_rows: int = MAX_ROWS) -> str:
    """A frame as a Markdown table; '|' inside values becomes '/' (cell keys such as 4|R.total); a
    missing value shows as '-'."""
    if frame.empty:
        return "(none)"
    # a count stored as DOUBLE shows as printed: 1191, not 1191.0
    head_rows = frame.head(max_rows).astype(object).map(lambda v: number_text(v) if isinstance(v, float) and v == v else v)
    shown = head_rows.where(head_rows.notna(), "-").astype(str).replace({"\\|": "/"}, regex=True)
    head = "| " + " | ".join(map(str, shown.columns)) + " |\n|" + "---|" * len(shown.columns) + "\n"
    more = f"\n… and {len(frame) - max_rows} more" if len(frame) > max_rows else ""
    return head + "\n".join("| " + " | ".join(r) + " |" for r in shown.itertuples(index=False)) + more
