"""Software-defined assets — thin wrappers over ``pipelines.ingest`` / ``warehouse.load``."""


from collections import Counter

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from pipelines.defs.resources import DocumentSource
from pipelines.defs.run_tags import sources_named, tag_discovery
from pipelines.ingest import (
    DocumentRef,
    document_refs,
    failed_document_refs,
    parse_new,
    present_and_gone,
    run_summary_markdown,
    to_load_batch,
)
from pipelines.isolation import Limits
from pipelines.markdown import markdown_table
from pipelines.parse.report import PARSER_VERSION
from pipelines.scrape.catalog import CatalogError
from pipelines.scrape.crawl import CrawlResult, crawl, record
from pipelines.sites.coverage import record_built_beside
from pipelines.validate import ValidatedReport
from warehouse import analysis, health
from warehouse.db import ensure_schema
from warehouse.documents import known_documents, previous_reports_found
from warehouse.lifecycle import mark_gone
from warehouse.load import LoadBatch, already_loaded, load_batch
from warehouse.publish import publish

WRITER_POOL = "duckdb_writer"  # DuckDB allows one writing process: every writer step takes this pool


def crawl_metadata(result: CrawlResult) -> dict[str, dg.MetadataValue]:
    """Per-source results for the UI: pages fetched, reports found, failures, silent sources."""
    sources = pd.DataFrame([{"source": name, **o.counts()} for name, o in result.sources.items()])
    failures = pd.DataFrame([{"source": f.source, "stage": f.stage, "url": f.url, "error": f.error_type}
                             for f in result.failures])
    skipped = pd.DataFrame([{"source": name, "path": k.path, "reason": k.reason, "detail": k.detail}
                            for name, o in result.sources.items() for k in o.skipped])
    return {
        "crawl_id": dg.MetadataValue.text(result.crawl_id),
        "documents": dg.MetadataValue.int(len(result.reports)),
        "failures": dg.MetadataValue.int(len(result.failures)),
        "sources": dg.MetadataValue.md(markdown_table(sources)),
        "failed_fetches": dg.MetadataValue.md(markdown_table(failures)),
        "silent_sources": dg.MetadataValue.json(result.silent_sources()),
        # a folder's files that are not documents, each with its reason (nothing skipped silently)
        "files_skipped": dg.MetadataValue.int(len(skipped)),
        "skipped_files": dg.MetadataValue.md(markdown_table(skipped)),
    }


class DiscoveryConfig(dg.Config):
    reparse_failed: bool = False  # instead of crawling: the documents whose last parse failed (from the archive)
    reparse: list[str] = []  # instead of crawling: these documents (source URL/path or sha256 prefix)
    # Backfills: at most this many not-yet-loaded documents per run (0 = all); the rest wait for the
    # next run, so 10^6 documents are ceil(10^6 / max_documents) runs of bounded memory.
    max_documents: int = 0


class ParseConfig(dg.Config):
    force: bool = False  # parse even documents already loaded by this parser version


# Network trouble is worth a retry later; a bad catalogue is not (dg.Failure(allow_retries=False)).
NETWORK_RETRY = dg.RetryPolicy(max_retries=2, delay=60, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)


@dg.asset(group_name="ingest", pool=WRITER_POOL, retry_policy=NETWORK_RETRY,
          description="Discovery: crawl the catalogue's sources (or read a folder); new and changed documents "
                      "are archived by sha256 and indexed in the documents table; a folder's files that are not "
                      "documents are listed with their reason (skipped_files).")
def source_documents(context: dg.AssetExecutionContext, config: DiscoveryConfig, documents: DocumentSource,
                     duckdb: DuckDBResource) -> list[DocumentRef]:
    if config.reparse_failed or config.reparse:
        with duckdb.get_connection() as conn:
            ensure_schema(conn)
            refs = failed_document_refs(conn) if config.reparse_failed else document_refs(conn, config.reparse)
            # a document whose bytes are gone is not parsed (that would load an empty failure over its
            # last good version): it is recorded gone, since the first time this was noticed
            refs, gone = present_and_gone(refs)
            mark_gone(conn, [(ref.source, ref.sha256, why) for ref, why in gone], f"run {context.run.run_id}")
        source = "re-parse of " + ("failed documents" if config.reparse_failed else ", ".join(config.reparse))
        tag_discovery(context, source, len(refs))
        context.add_output_metadata({
            "source": source, "documents": len(refs), "gone_not_reparsed": len(gone),
            "gone": dg.MetadataValue.md(markdown_table(pd.DataFrame(
                [{"source": ref.source, "sha256": ref.sha256[:12], "evidence": why} for ref, why in gone]))),
        })
        return refs
    try:
        catalog = documents.load_catalog()
    except CatalogError as err:
        raise dg.Failure(description=str(err), allow_retries=False) from err
    with duckdb.get_connection() as conn:  # read the archive index, then let go of the file while crawling
        ensure_schema(conn)
        known, previous = known_documents(conn), previous_reports_found(conn)
    result = crawl(catalog, documents.data_dir, known, previous, progress=lambda s, m: context.log.debug(f"{s}: {m}"))
    with duckdb.get_connection() as conn:
        record(conn, result)
        sites = record_built_beside(conn, documents.catalog) if not documents.folder else None
        refs = result.refs()
        deferred = 0
        if config.max_documents:
            loaded = already_loaded(conn, PARSER_VERSION)
            pending = [r for r in refs if r.sha256 not in loaded]
            refs, deferred = pending[: config.max_documents], max(0, len(pending) - config.max_documents)
    context.add_output_metadata({"source": documents.describe(), "deferred_to_next_run": deferred, **crawl_metadata(result),
                                 **({"catalogue_sites": sites} if sites is not None else {})})
    named = "" if documents.folder else ": " + sources_named([s.name for s in catalog.enabled()])
    tag_discovery(context, documents.describe() + named, len(refs))
    return refs


@dg.asset(group_name="ingest", pool=WRITER_POOL,
          description="New or changed documents parsed and validated (unchanged bytes are skipped).")
def parsed_reports(
    context: dg.AssetExecutionContext, config: ParseConfig, source_documents: list[DocumentRef], duckdb: DuckDBResource
) -> list[ValidatedReport]:
    with duckdb.get_connection() as conn:
        ensure_schema(conn)
        known = set() if config.force else already_loaded(conn, PARSER_VERSION)
    # Each document in a worker process under a time and memory limit (pipelines.isolation).
    validated = parse_new(source_documents, known, Limits())
    statuses = Counter(v.status for v in validated)
    documents = len({v.result.sha256 for v in validated})  # a collection (汇编) gives several reports
    context.add_output_metadata({"parsed": documents, "reports": len(validated), "unchanged": len(source_documents) - documents,
                                 **{f"status_{k}": v for k, v in statuses.items()}})
    return validated


@dg.asset(group_name="ingest", description="Fact, issue and provenance frames, pandera-validated, ready to load.")
def validated_facts(context: dg.AssetExecutionContext, parsed_reports: list[ValidatedReport]) -> LoadBatch:
    batch = to_load_batch(parsed_reports, run_id=context.run.run_id)
    context.add_output_metadata({
        "reports": len(batch.reports),
        **{f"rows_{k}": len(v) for k, v in batch.facts.items()},
        "issues": 0 if batch.issues is None else len(batch.issues),
    })
    return batch


@dg.asset(group_name="warehouse", pool=WRITER_POOL,
          description="DuckDB tables: reports, facts, validation_issues (one transaction per run). Its metadata "
                      "plots the warehouse by status night after night and shows health per source and per year.")
def warehouse_tables(context: dg.AssetExecutionContext, validated_facts: LoadBatch, duckdb: DuckDBResource) -> None:
    run_id = context.run.run_id
    with duckdb.get_connection() as conn:
        ensure_schema(conn)
        summary = load_batch(conn, validated_facts)
        totals = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
                  for t in ("reports", "fact_applications", "fact_proactive_disclosure", "fact_review_litigation")}
        counts = health.status_counts(conn, run_id)
        summary_md = run_summary_markdown(conn, validated_facts, run_id)
        sources, years = health.source_status(conn), health.year_status(conn)
    context.add_output_metadata({
        # numeric series: the UI plots each across materializations (asset page → Plots)
        "documents_valid": counts["valid"], "documents_invalid": counts["invalid"],
        "documents_failing": counts["failing"], "documents_not_a_report": counts["not_a_report"],
        "new_documents": counts["parsed_this_run"], "outstanding_failures": counts["outstanding_failures"],
        "run_summary": dg.MetadataValue.md(summary_md),
        "sources": dg.MetadataValue.md(markdown_table(sources)),
        "years": dg.MetadataValue.md(markdown_table(years)),
        "reports_loaded": summary.reports,
        **{f"loaded_{k}": v for k, v in summary.fact_rows.items()},
        **{f"total_{k}": v for k, v in totals.items()},
    })


@dg.asset(group_name="warehouse", pool=WRITER_POOL, deps=[warehouse_tables, dg.AssetKey("staged_warehouse")],
          description="What the warehouse derives over all its reports after each load: one agency under all its "
                      "names (region, level, kind), reviewed corrections and the cross-year checks.")
def analyst_tables(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> None:
    with duckdb.get_connection() as conn:
        ensure_schema(conn)
        summary = analysis.refresh(conn)
        unresolved = conn.execute("SELECT name, years, reports FROM unresolved_agencies ORDER BY name").df()
    context.add_output_metadata({
        "agency_names": summary.agency_names, "agencies": summary.agencies, "unresolved_agencies": summary.unresolved,
        "cross_year_checks": summary.cross_year_checks, "cross_year_findings": summary.cross_year_findings,
        "corrections_applied": summary.corrections_applied,
        "unresolved": dg.MetadataValue.md(markdown_table(unresolved)),
    })


@dg.asset(group_name="warehouse", pool=WRITER_POOL, deps=[analyst_tables],
          description="The read-only copy analysts query (atomically replaced after each load; never half-loaded).")
def published_warehouse(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> None:
    path = publish(duckdb.database)
    context.add_output_metadata({"path": dg.MetadataValue.path(str(path)), "bytes": path.stat().st_size})
