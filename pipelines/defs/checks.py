"""Asset checks judge the warehouse users see, not the batch one run touched: a document that failed
stays red, night after night, until a re-parse fixes it. Metadata tells new failures from
outstanding ones and gives, for each, where it is, since when, the error and the command that
re-parses it, so a person can act from the UI."""


import warnings
from datetime import timedelta
from pathlib import Path

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from pipelines.defs.assets import analyst_tables, source_documents, warehouse_tables
from pipelines.markdown import markdown_table
from schemas.numbers import number_text
from warehouse import health
from warehouse.db import ensure_schema

FAILURE_COLUMNS = ["state", "source", "catalog_source", "agency_id", "year", "status", "error_type", "failing_since",
                   "since_run", "reparse_command", "sha256", "gone_since", "message", "how_to_fix"]
MESSAGE_CHARS = 300  # a crash's message carries a traceback: its head in the table, all of it in SQL
ISSUE_COLUMNS = ["state", "source", "sha256", "agency_id", "year", "rule", "cells", "pages", "expected", "found", "message"]
FIX = ("Each document's how_to_fix says what fixes it: not every failure is a parser bug (a corrupt file needs a "
       "good copy, a missing converter a package; meanings in table dim_error_types). After a parser fix: "
       "`nianbao reparse-failed` (or launch job `reparse_failed` from the Launchpad) re-parses "
       "every failing document from the raw archive; one document: `nianbao reparse <sha256 prefix>`. A document whose "
       "file is gone (gone_since): restore the file, or `nianbao retire <sha256 prefix> --why \"…\"` if it will not "
       "come back (then it is listed as retired, no longer counted).")


def _names(frame: pd.DataFrame, describe) -> str:
    return "; ".join(describe(row) for row in frame.itertuples(index=False))[:600] or "none"


def _one_line(message: object) -> str | None:
    """A message fit for a Markdown table cell: one line, at most MESSAGE_CHARS characters."""
    if not isinstance(message, str):
        return None
    text = " ".join(message.split())
    return text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS - 1] + "…"


def _cells(cells: list[str]) -> str:
    return ", ".join(cells) if len(cells) <= 6 else f"{', '.join(cells[:6])}, … ({len(cells)})"


@dg.asset_check(asset=warehouse_tables, description="No document in the warehouse is failing now: its latest "
                "parse failed or left cells unplaced (ERROR). Stays failed until a re-parse fixes it or an operator "
                "retires the document (`nianbao retire`: listed as retired, no longer counted).")
def no_failed_parses(context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource) -> dg.AssetCheckResult:
    with duckdb.get_connection() as conn:
        ensure_schema(conn)
        failing = health.failures(conn, context.run.run_id)
        retired = health.retired_failures(conn)  # an operator retired them: listed, not counted
    failing["message"] = failing["error"].map(_one_line)
    new = failing[failing["state"] == "new"]
    outstanding = failing[failing["state"] == "outstanding"]
    return dg.AssetCheckResult(
        passed=failing.empty,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "failed_documents": len(failing),
            "new_this_run": len(new),
            "outstanding": len(outstanding),
            # visible without opening the Markdown: which documents, which error, since when
            "summary": dg.MetadataValue.text(_names(failing, lambda r: (
                f"{Path(str(r.source)).name}: {r.error_type} "
                + ("(new)" if r.state == "new" else f"(outstanding since {r.failing_since}, run {r.since_run})")
                + (f" (file gone since {r.gone_since})" if isinstance(r.gone_since, str) else "")))),
            "documents": dg.MetadataValue.md(markdown_table(failing[FAILURE_COLUMNS])),
            "retired": len(retired),
            "retired_documents": dg.MetadataValue.md(markdown_table(retired)),
            "error_types": dg.MetadataValue.json(failing["error_type"].value_counts().to_dict()),
            "how_to_fix": dg.MetadataValue.text(FIX),
        },
    )


@dg.asset_check(asset=analyst_tables, description="Current reports obey the format's own arithmetic, their prose "
                "agrees with their tables and each year follows on from the last; violations are the publisher's "
                "(WARN), loaded as printed, never corrected.")
def publisher_consistency(context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource) -> dg.AssetCheckResult:
    with duckdb.get_connection() as conn:
        ensure_schema(conn)
        issues = health.publisher_issues(conn, context.run.run_id)
    issues["cells"] = issues["cells"].map(_cells)
    return dg.AssetCheckResult(
        passed=issues.empty,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "violations": len(issues),
            "new_this_run": int((issues["state"] == "new").sum()),
            "summary": dg.MetadataValue.text(_names(issues, lambda r: (
                f"{Path(str(r.source)).name}: {r.rule} (found {number_text(r.found)}, expected {number_text(r.expected)})"))),
            "reports_affected": int(issues["source"].nunique()),
            "details": dg.MetadataValue.md(markdown_table(issues[ISSUE_COLUMNS])),
            "rules": dg.MetadataValue.json(issues["rule"].value_counts().to_dict()),
        },
    )


@dg.asset_check(asset=source_documents, description="Every source still yields reports: a source that found "
                "some before and none now has gone silent (ERROR); fetch failures are listed.")
def sources_yield_reports(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    with duckdb.get_connection() as conn:
        ensure_schema(conn)
        health_rows = conn.execute("SELECT * FROM source_health ORDER BY source").fetchdf()
        failures = conn.execute("SELECT source, stage, url, error_type, http_status FROM latest_fetch_failures "
                                "ORDER BY source, url").fetchdf()
    silent = health_rows.loc[health_rows["went_silent"], "source"].tolist() if not health_rows.empty else []
    return dg.AssetCheckResult(
        passed=not silent,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "silent_sources": dg.MetadataValue.json(silent),
            "sources": dg.MetadataValue.md(markdown_table(health_rows.drop(columns=["latest_crawl"])
                                                          if not health_rows.empty else health_rows)),
            "fetch_failures": dg.MetadataValue.md(markdown_table(failures)),
        },
    )


# A missed night is visible: the warehouse must have taken a load within the last 26 hours (the
# nightly run plus slack). The sensor evaluates the check even when no run happens. Dagster calls
# these checks superseded by FreshnessPolicy, which is still a preview feature (off by default, not
# an asset check); the checks are supported, show in the check history and can be tested.
LOAD_FRESHNESS = timedelta(hours=26)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", dg.SupersessionWarning)
    freshness_checks = dg.build_last_update_freshness_checks(
        assets=[warehouse_tables], lower_bound_delta=LOAD_FRESHNESS, severity=dg.AssetCheckSeverity.ERROR)
    freshness_sensor = dg.build_sensor_for_freshness_checks(
        freshness_checks=freshness_checks, name="warehouse_freshness", minimum_interval_seconds=600,
        default_status=dg.DefaultSensorStatus.RUNNING)
