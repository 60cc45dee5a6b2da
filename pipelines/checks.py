"""Asset checks: failed parses are errors, publisher inconsistencies are warnings. Metadata names
the document, the rule, the cells and expected vs found, so a person can act from the UI."""


from pathlib import Path

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from pipelines.assets import source_documents, validated_facts
from pipelines.markdown import markdown_table
from warehouse.db import ensure_schema
from warehouse.load import LoadBatch

FAILED_COLUMNS = ["source", "sha256", "media_type", "agency_id", "year", "error_type", "error"]
ISSUE_COLUMNS = ["source", "sha256", "agency_id", "year", "rule", "cells", "pages", "expected", "found", "message"]


def failed_documents(batch: LoadBatch) -> pd.DataFrame:
    """Documents that failed to parse, and parsed documents with parser errors (cells the parser
    could not place: an incomplete extraction is a failed parse too, never silent)."""
    r = batch.reports
    if r.empty:
        return pd.DataFrame(columns=FAILED_COLUMNS)
    failed = r.loc[r["status"] == "failed", FAILED_COLUMNS]
    issues = batch.issues if batch.issues is not None else pd.DataFrame(columns=["report_id", "origin", "severity"])
    parser = issues[(issues["origin"] == "parser") & (issues["severity"] == "error")]
    partial = parser.merge(r[r["status"] != "failed"], on="report_id")
    if not partial.empty:
        partial = partial.assign(error_type=partial["rule"], error=partial["message"])[FAILED_COLUMNS]
        failed = pd.concat([failed, partial], ignore_index=True)
    return failed.reset_index(drop=True)


def _pages(batch: LoadBatch) -> dict[tuple[str, str], int]:
    prov = batch.provenance
    if prov is None or prov.empty or "page" not in prov:
        return {}
    known = prov.dropna(subset=["page"])
    return {(r, k): int(p) for r, k, p in zip(known["report_id"], known["cell_key"], known["page"], strict=True)}


def publisher_issues(batch: LoadBatch) -> pd.DataFrame:
    """Publisher violations with everything needed to check them in the document: where it is
    (URL or path, sha256, page of each cell for PDFs), the rule, the cells, expected vs found."""
    if batch.issues is None or batch.issues.empty:
        return pd.DataFrame(columns=ISSUE_COLUMNS)
    i = batch.issues[(batch.issues["origin"] == "publisher") & batch.issues["severity"].isin(["error", "warning"])]
    merged = i.merge(batch.reports[["report_id", "source", "sha256", "agency_id", "year"]], on="report_id")
    pages = _pages(batch)
    merged["pages"] = [", ".join(sorted({str(pages[(r, c)]) for c in cells if (r, c) in pages})) or "-"
                       for r, cells in zip(merged["report_id"], merged["cells"], strict=True)]
    merged["cells"] = merged["cells"].map(lambda c: ", ".join(c) if len(c) <= 6 else f"{', '.join(c[:6])}, … ({len(c)})")
    return merged[ISSUE_COLUMNS].reset_index(drop=True)


@dg.asset_check(asset=validated_facts, description="Every document of the run parsed (status failed = ERROR).")
def no_failed_parses(validated_facts: LoadBatch) -> dg.AssetCheckResult:
    failed = failed_documents(validated_facts)
    return dg.AssetCheckResult(
        passed=failed.empty,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "failed_documents": len(failed),
            # visible without opening the Markdown: which documents, which error type
            "summary": dg.MetadataValue.text("; ".join(f"{Path(str(s)).name}: {e}" for s, e in
                                                       zip(failed["source"], failed["error_type"], strict=True))[:500] or "none"),
            "documents": dg.MetadataValue.md(markdown_table(failed)),
            "error_types": dg.MetadataValue.json(failed["error_type"].value_counts().to_dict()),
        },
    )


@dg.asset_check(asset=validated_facts, description="Reports obey the format's own arithmetic (violations = WARN).")
def publisher_consistency(validated_facts: LoadBatch) -> dg.AssetCheckResult:
    issues = publisher_issues(validated_facts)
    return dg.AssetCheckResult(
        passed=issues.empty,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "violations": len(issues),
            "summary": dg.MetadataValue.text("; ".join(f"{Path(str(s)).name}: {r} (found {f}, expected {e})" for s, r, f, e in
                                                       zip(issues["source"], issues["rule"], issues["found"], issues["expected"],
                                                           strict=True))[:500] or "none"),
            "reports_affected": int(issues["source"].nunique()) if not issues.empty else 0,
            "details": dg.MetadataValue.md(markdown_table(issues)),
            "rules": dg.MetadataValue.json(issues["rule"].value_counts().to_dict() if not issues.empty else {}),
        },
    )


@dg.asset_check(asset=source_documents, description="Every source still yields reports: a source that found "
                "some before and none now has gone silent (ERROR); fetch failures are listed.")
def sources_yield_reports(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    with duckdb.get_connection() as conn:
        ensure_schema(conn)
        health = conn.execute("SELECT * FROM source_health ORDER BY source").fetchdf()
        failures = conn.execute("SELECT source, stage, url, error_type, http_status FROM latest_fetch_failures "
                                "ORDER BY source, url").fetchdf()
    silent = health.loc[health["went_silent"], "source"].tolist() if not health.empty else []
    return dg.AssetCheckResult(
        passed=not silent,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "silent_sources": dg.MetadataValue.json(silent),
            "sources": dg.MetadataValue.md(markdown_table(health.drop(columns=["latest_crawl"]) if not health.empty else health)),
            "fetch_failures": dg.MetadataValue.md(markdown_table(failures)),
        },
    )
