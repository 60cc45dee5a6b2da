"""Plain functions behind the Dagster assets and the CLI: find documents, parse + validate the new
ones, and turn the outcomes into one load batch. No Dagster imports here, so tests call them as is."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.folder import list_folder, skipped_lines
from pipelines.isolation import Job, Limits, ParseFn, parse_isolated
from pipelines.markdown import markdown_table
from pipelines.parse.report import PARSER_VERSION, IdentityHint
from pipelines.validate import ValidatedReport, finish
from warehouse import health
from warehouse.db import sql_named
from warehouse.documents import ensure_documents_schema, skipped_files
from warehouse.faults import crash_point
from warehouse.load import LoadBatch
from warehouse.publish import published_path_for

SAMPLES_DIR = Path(__file__).parent / "samples"
VALIDATION_BATCH = 500  # reports whose frames are validated together (bounded: frames of 500 reports ≈ 10^5 rows)


@dataclass(frozen=True)
class DocumentRef:
    """A document to ingest: ``source`` names it (a URL for crawled documents, else the path),
    ``path`` is where its bytes are (the raw archive, or the folder)."""

    source: str
    path: str
    sha256: str
    size: int
    hint: IdentityHint | None = None  # what the portal listing said the document is
    catalog_source: str | None = None  # the catalogue source that found it (for health per source)
    pictures: tuple[tuple[str, str], ...] = ()  # a report page's table pictures: (URL, archived file)
    region: str | None = None  # the catalogue's region (GB/T 2260) of the source's agencies: places their names


def discover_local(source_dir: str | Path) -> list[DocumentRef]:
    """The documents of a folder (its skipped files: ``pipelines.folder.list_folder``)."""
    return [DocumentRef(f.path, f.path, f.sha256, f.size) for f in list_folder(source_dir).files]


def present_and_gone(refs: list[DocumentRef]) -> tuple[list[DocumentRef], list[tuple[DocumentRef, str]]]:
    """Documents to re-parse split into those whose bytes are still there and those gone, with what
    was found (a folder file moved or deleted, an archived copy lost). A gone document is never
    parsed: reading nothing would load a failed version over its last good one."""
    present, gone = [], []
    for ref in refs:
        if Path(ref.path).is_file():
            present.append(ref)
        else:
            what = "file" if ref.path == ref.source else "archived copy"
            gone.append((ref, f"{what} not found: {ref.path}"))
    return present, gone


def parse_new(refs: list[DocumentRef], skip_sha256: set[str], limits: Limits | None = None,
              parse_fn: ParseFn | None = None) -> list[ValidatedReport]:
    """Parse and validate every document whose bytes were not yet loaded by this parser version, in
    worker processes under ``limits`` (time, memory). The same bytes under two names are parsed
    once. Results come back in the order of ``refs`` (later versions after earlier ones)."""
    jobs, seen = [], set(skip_sha256)
    for ref in refs:
        if ref.sha256 in seen:
            continue
        seen.add(ref.sha256)
        jobs.append(Job(ref.path, ref.source, ref.sha256, ref.hint, ref.pictures))
    order = {job: i for i, job in enumerate(jobs)}
    done = []
    for job_report in parse_isolated(jobs, limits, parse_fn, finish_each=False):
        done.append(job_report)
        crash_point("parse")  # (the crash-safety test: killed with documents half parsed)
    done.sort(key=lambda jr: order[jr[0]])
    # the pandera checks over many reports at once (per report they cost more than parsing)
    for start in range(0, len(done), VALIDATION_BATCH):
        finish([report for _job, report in done[start:start + VALIDATION_BATCH]])
    origin = {ref.sha256: ref for ref in refs if ref.catalog_source or ref.region}
    out = []
    for job, document in done:
        for report in document.reports():  # a collection (汇编) loads as one report per agency-year
            ref = origin.get(job.sha256)
            report.catalog_source, report.catalog_region = (ref.catalog_source, ref.region) if ref else (None, None)
            out.append(report)
    return out


def failed_document_refs(conn: duckdb.DuckDBPyConnection) -> list[DocumentRef]:
    """Documents whose latest parse failed, with their bytes in the raw archive (or their folder):
    what a re-parse after a parser fix needs."""
    rows = conn.execute("SELECT source, sha256, bytes_at, catalog_source, catalog_region FROM outstanding_failures "
                        "ORDER BY ingested_at, source").fetchall()
    return _refs(conn, rows)


def document_refs(conn: duckdb.DuckDBPyConnection, keys: list[str]) -> list[DocumentRef]:
    """Loaded documents named by source (URL or path) or by a sha256 prefix — to re-parse one on its own."""
    rows = conn.execute("""SELECT source, sha256, bytes_at, catalog_source, catalog_region FROM report_documents
                           WHERE source IN (SELECT unnest($keys)) OR list_has_any([sha256[:length(k)] for k in $keys], $keys)
                           ORDER BY ingested_at, source""", {"keys": keys}).fetchall()
    return _refs(conn, rows)


def _refs(conn: duckdb.DuckDBPyConnection, rows: list[tuple[str, str, str, str | None, str | None]]) -> list[DocumentRef]:
    ensure_documents_schema(conn)
    pictures: dict[str, list[tuple[str, str]]] = {}
    for page, url, path in conn.execute(sql_named("ingest.sql")["page_pictures"], {"pages": [r[0] for r in rows]}).fetchall():
        pictures.setdefault(page, []).append((url, path))
    refs = []
    for source, sha, path, catalog_source, region in rows:
        size = Path(path).stat().st_size if Path(path).exists() else 0
        refs.append(DocumentRef(source, path, sha, size, catalog_source=catalog_source,
                                pictures=tuple(pictures.get(source, ())), region=region))
    return refs


def run_summary_markdown(conn: duckdb.DuckDBPyConnection, batch: LoadBatch, run_id: str | None = None) -> str:
    """One run at a glance: documents parsed by status, the most frequent failing rules, documents
    judged not to be reports (with the title that decided it), what is failing in the warehouse now,
    the files folders hold that are not documents, documents gone or retired, and health per source."""
    r = batch.reports
    by_status = r["status"].value_counts().rename_axis("status").reset_index(name="documents") if not r.empty else pd.DataFrame()
    issues = batch.issues if batch.issues is not None else pd.DataFrame(columns=["rule", "severity", "origin"])
    bad = issues[issues["severity"].isin(["error", "warning"])]
    rules = (bad.groupby(["rule", "origin", "severity"]).size().sort_values(ascending=False).head(10)
             .rename("count").reset_index()) if not bad.empty else pd.DataFrame()
    failing = health.failures(conn, run_id)[["state", "source", "error_type", "failing_since"]]
    others = health.not_a_report(conn, run_id)
    sources = health.source_status(conn)
    return "\n\n".join([f"### Documents parsed in this run, by status\n{markdown_table(by_status)}",
                         f"### Top failing rules\n{markdown_table(rules)}",
                         f"### Failing now (new and outstanding)\n{markdown_table(failing)}",
                         f"### Not a report (title that decided it)\n{markdown_table(others)}",
                         f"### Files skipped (latest look at each folder)\n{markdown_table(health.skipped_files(conn))}",
                         f"### Gone or retired documents\n{markdown_table(health.gone_or_retired(conn))}",
                         f"### Sources\n{markdown_table(sources)}"])


def _issue_rows(vr: ValidatedReport) -> list[dict]:
    rows = [{"report_id": vr.report_id, "rule": i.rule, "severity": i.severity, "origin": i.origin, "cells": i.cells,
             "expected": i.expected, "found": i.found, "message": i.message} for i in vr.issues]
    rows += [{"report_id": vr.report_id, "rule": s.rule, "severity": "info", "origin": "publisher", "cells": s.skipped_cells,
              "expected": None, "found": None, "message": s.message} for s in vr.skipped]
    if vr.result.status == "failed":
        rows.append({"report_id": vr.report_id, "rule": f"parse.{vr.result.error_type}", "severity": "error",
                     "origin": "parser", "cells": [], "expected": None, "found": None, "message": vr.result.error or ""})
    return rows


def is_failing(vr: ValidatedReport) -> bool:
    """A failed parse, or a parse that left cells it could not place (parser errors)."""
    return vr.status == "failed" or any(i.origin == "parser" and i.severity == "error" for i in vr.issues)


def to_load_batch(validated: list[ValidatedReport], run_id: str | None = None) -> LoadBatch:
    """One load batch from a run's outcomes; ``run_id`` (the Dagster run) marks what this run parsed,
    so checks can tell new failures from outstanding ones."""
    now = datetime.now(UTC)
    report_rows, issues, prov, sections = [], [], [], []
    facts: dict[str, list[pd.DataFrame]] = {"applications": [], "proactive": [], "review_litigation": []}
    for vr in validated:
        r = vr.result
        rows = _issue_rows(vr)
        sev = Counter(i["severity"] for i in rows)
        report_rows.append({
            "report_id": vr.report_id, "agency_id": vr.agency_id, "year": r.year, "source": r.document,
            "sha256": r.sha256, "media_type": r.media_type, "t2_format": r.table_formats.get("T2"),
            "t3_format": r.table_formats.get("T3"), "t4_format": r.table_formats.get("T4"), "status": vr.status,
            "error_type": r.error_type, "error": r.error, "title": r.title, "encoding": r.encoding,
            "n_errors": sev["error"], "n_warnings": sev["warning"], "parser_version": r.parser_version, "ingested_at": now,
            "parser_errors": sum(1 for i in rows if i["origin"] == "parser" and i["severity"] == "error"),
            "parsed_at": now, "run_id": run_id, "failing_since": now if is_failing(vr) else None,
            "failing_since_run": run_id if is_failing(vr) else None, "catalog_source": vr.catalog_source,
            "part": r.part, "page_first": r.pages[0] if r.pages else None, "page_last": r.pages[1] if r.pages else None,
            "ocr_pages": r.ocr_pages, "catalog_region": vr.catalog_region, "site": r.site,
            "published_at": r.published_at,
        })
        issues += rows
        sections += [{"report_id": vr.report_id, "section_code": k, "text": v} for k, v in r.sections.items()]
        if vr.status in ("valid", "invalid"):
            facts["applications"].append(vr.applications)
            facts["proactive"].append(vr.proactive)
            facts["review_litigation"].append(vr.review_litigation)
            prov.append(vr.provenance)
    reports = pd.DataFrame(report_rows)
    if not reports.empty:
        for column in ("year", "part", "page_first", "page_last"):
            reports[column] = reports[column].astype("Int64")
        reports["published_at"] = pd.to_datetime(reports["published_at"], format="ISO8601")
    return LoadBatch(
        reports=reports,
        facts={k: pd.concat(v, ignore_index=True) if v else pd.DataFrame() for k, v in facts.items()},
        issues=pd.DataFrame(issues, columns=["report_id", "rule", "severity", "origin", "cells", "expected", "found", "message"]),
        provenance=pd.concat(prov, ignore_index=True) if prov else None,
        sections=pd.DataFrame(sections, columns=["report_id", "section_code", "text"]),
    )


@dataclass
class IngestSummary:
    documents_seen: int = 0
    parsed_now: int = 0
    skipped_unchanged: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    fact_rows: dict[str, int] = field(default_factory=dict)
    db_path: str = ""
    ocr_documents: int = 0  # scans read by OCR this run, and their pages
    ocr_pages: int = 0
    # the warehouse's state after the run, not only this run's batch: what is failing now
    failing: pd.DataFrame | None = None  # health.failures: state, error_type, how_to_fix …
    sql_db: str | None = None  # `nianbao sql --db` to read it (None: the default published copy)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason) of folder files not read

    def lines(self) -> list[str]:
        s = self.by_status
        return [
            f"documents seen: {self.documents_seen} (parsed now: {self.parsed_now}, unchanged: {self.skipped_unchanged})",
            f"valid: {s.get('valid', 0)}  invalid: {s.get('invalid', 0)}  failed: {s.get('failed', 0)}  "
            f"not a report: {s.get('not_a_report', 0)}",
            *([f"scans read by OCR: {self.ocr_documents} document(s), {self.ocr_pages} page(s)"] if self.ocr_documents else []),
            *skipped_lines(self.skipped),
            "rows loaded: " + ", ".join(f"{k}={v}" for k, v in self.fact_rows.items()) if self.fact_rows else "rows loaded: 0",
            *self.failing_lines(),
            f"database: {self.db_path}",
            f"analysts read: {published_path_for(self.db_path)} (read-only copy, replaced atomically after each load)",
        ]

    def failing_lines(self) -> list[str]:
        """How many documents are failing now (new in this run or outstanding), where to look, and per
        error type what fixes it."""
        if self.failing is None:
            return []
        if self.failing.empty:
            return ["failing now: 0 documents"]
        new = int((self.failing["state"] == "new").sum())
        db = f" --db {self.sql_db}" if self.sql_db else ""
        lines = [f"failing now: {len(self.failing)} document(s), {new} new this run — see "
                 f"`nianbao sql{db} \"SELECT * FROM outstanding_failures\"` or check no_failed_parses in the UI"]
        by_type = self.failing.groupby("error_type", dropna=False, sort=True)
        for error_type, group in by_type:
            fix = group["how_to_fix"].iloc[0]
            lines.append(f"  {error_type}: {len(group)} — {fix if isinstance(fix, str) else 'no how-to-fix recorded'}")
        return lines


def failing_now(db_path: str, run_id: str | None) -> pd.DataFrame | None:
    """What is failing in the warehouse after a run, read from the published copy (what the
    summary's `nianbao sql` hint reads; never locked by a writer), else the warehouse file; None
    when neither answers (the summary then leaves the count out rather than fail a finished run)."""
    for path in (published_path_for(db_path), Path(db_path)):
        if not path.exists():
            continue
        try:
            with duckdb.connect(str(path), read_only=True) as conn:
                return health.failures(conn, run_id)
        except duckdb.Error:
            continue
    return None


def summarize(refs: list[DocumentRef], validated: list[ValidatedReport], fact_rows: dict[str, int], db_path: str,
              failing: pd.DataFrame | None = None, sql_db: str | None = None,
              crawl_id: str | None = None) -> IngestSummary:
    """``crawl_id``: the run's look at its sources, whose skipped folder files are listed."""
    documents = len({v.result.sha256 for v in validated})  # a collection's reports share their document
    scans = {v.result.sha256: v.result.ocr_pages for v in validated if v.result.ocr_pages}
    skipped = []
    if crawl_id and Path(db_path).exists():
        with duckdb.connect(db_path, read_only=True) as conn:
            skipped = skipped_files(conn, crawl_id)
    return IngestSummary(
        documents_seen=len(refs), parsed_now=documents, skipped_unchanged=len(refs) - documents,
        by_status=dict(Counter(v.status for v in validated)), fact_rows=fact_rows, db_path=db_path,
        ocr_documents=len(scans), ocr_pages=sum(scans.values()), failing=failing, sql_db=sql_db, skipped=skipped,
    )


__all__ = ["PARSER_VERSION", "DocumentRef", "IngestSummary", "discover_local", "failed_document_refs", "failing_now", "parse_new",
           "present_and_gone",
           "run_summary_markdown", "summarize", "to_load_batch"]
