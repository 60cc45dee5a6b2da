"""Partitioned ingestion: one catalogue source per run, its outcome staged as Parquet files, and
one serialised loader that bulk-loads every staged run into DuckDB.

Why staging: DuckDB allows one writing process, so N concurrent runs (one per source) must never
open the warehouse for writing. A source's run reads what it needs from the *published* read-only
copy (which documents and versions are known, which bytes are already loaded — read-only
connections never block the writer), crawls and parses on its own, and writes its crawl record and
its load batch under ``<data_dir>/staging/<unit>/``, ``READY`` last. The loader (the Dagster writer
pool's only step) loads every READY unit in the order staged, one transaction each, then removes
it. A unit is recorded in ``staged_loads`` in the same transaction as its facts, so a loader killed
half-way loads nothing twice and loses nothing.

No Dagster imports here: the assets in ``pipelines.defs.partitions`` are thin wrappers.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.ingest import DocumentRef, parse_new, to_load_batch
from pipelines.isolation import Limits
from pipelines.parse.report import PARSER_VERSION
from pipelines.scrape.catalog import Catalog
from pipelines.scrape.crawl import CrawlResult, crawl, crawl_frames
from pipelines.validate import ValidatedReport
from warehouse.db import ensure_schema, insert_frame, sql_named, transaction
from warehouse.documents import KnownDocument, ensure_documents_schema
from warehouse.load import FACT_TABLES, LoadBatch, load_batch_in_transaction
from warehouse.publish import published_path_for

SQL = sql_named("staging.sql")
READY = "READY"  # written last: a unit without it is a run that died while staging (never loaded)
CRAWL_FRAMES = ("documents", "seen", "failures", "runs")
BATCH_FRAMES = ("reports", "issues", "provenance", "sections", *(f"fact_{k}" for k in FACT_TABLES))


def staging_root(data_dir: str | Path) -> Path:
    return Path(data_dir) / "staging"


@dataclass
class SourceState:
    """What a source's run knows before crawling, read from the published copy."""

    known: dict[str, KnownDocument] = field(default_factory=dict)
    previous_reports_found: dict[str, int] = field(default_factory=dict)
    loaded: set[str] = field(default_factory=set)  # sha256 already loaded by this parser version


def read_state(db_path: str | Path) -> SourceState:
    """The archive index and loaded documents as last published (empty before the first load).
    A read-only connection to the published copy: it never blocks the loader, which writes its own
    file; units staged since the last publish are caught by the loader (it skips what it has)."""
    published = published_path_for(db_path)
    if not published.exists():
        return SourceState()
    with duckdb.connect(str(published), read_only=True) as conn:
        known = {r[0]: KnownDocument(*r) for r in conn.execute(SQL["known_documents"]).fetchall()}
        previous = dict(conn.execute(SQL["previous_reports_found"]).fetchall())
        loaded = {r[0] for r in conn.execute(SQL["loaded_sha256"], [PARSER_VERSION]).fetchall()}
    return SourceState(known, previous, loaded)


@dataclass
class DiscoveredSource:
    """One source's crawl: the rows for the archive index and the documents to parse."""

    source: str
    crawl_id: str
    frames: dict[str, pd.DataFrame]
    refs: list[DocumentRef]
    lines: list[str]


def discover_source(catalog: Catalog, name: str, data_dir: str | Path, state: SourceState) -> DiscoveredSource:
    """Crawl one catalogue source (a partition) into the raw archive; nothing is written to DuckDB."""
    return discover_sources(catalog, [name], data_dir, state)[name]


def discover_sources(catalog: Catalog, names: list[str], data_dir: str | Path, state: SourceState) -> dict[str, DiscoveredSource]:
    """Crawl a batch of catalogue sources (the partitions of one run) into the raw archive, together —
    up to the catalogue's ``max_concurrent_sources`` at once, one fetcher and its per-host limits, as
    the single-run night crawls — and give each source's outcome apart, to be staged as its own unit.
    Nothing is written to DuckDB."""
    result: CrawlResult = crawl(catalog.only(*names), data_dir, dict(state.known), state.previous_reports_found)
    out = {}
    for name, outcome in result.sources.items():
        one = CrawlResult(result.crawl_id, {name: outcome}, result.previous_reports_found,
                          {k: v for k, v in result.regions.items() if k == name})
        out[name] = DiscoveredSource(name, result.crawl_id, crawl_frames(one), one.refs(), one.lines())
    return out


@dataclass
class StagedUnit:
    path: Path
    reports: int
    parsed: int
    fact_rows: dict[str, int]
    statuses: dict[str, int]


def _unit_name(run_id: str, source: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    safe = re.sub(r"[^\w.-]", "_", source)
    return f"{stamp}__{safe}__{run_id[:8]}"


def stage_source(discovered: DiscoveredSource, state: SourceState, data_dir: str | Path, run_id: str,
                 limits: Limits | None = None) -> StagedUnit:
    """Parse and validate the source's new documents and stage the crawl record and the load batch
    as Parquet files; ``READY`` goes last, so a unit is whole or ignored."""
    return write_unit(discovered, parse_new(discovered.refs, state.loaded, limits or Limits()), data_dir, run_id)


def write_unit(discovered: DiscoveredSource, validated: list[ValidatedReport], data_dir: str | Path,
               run_id: str) -> StagedUnit:
    """Stage a source's crawl record and its parsed reports as a unit (``READY`` last)."""
    batch = to_load_batch(validated, run_id=run_id)
    root = staging_root(data_dir)
    unit = root / _unit_name(run_id, discovered.source)
    tmp = root / f".{unit.name}.incoming"
    tmp.mkdir(parents=True, exist_ok=True)
    frames = {**{f"crawl_{k}": v for k, v in discovered.frames.items()}, **batch_frames(batch)}
    for key, frame in frames.items():
        if frame is not None and not frame.empty:
            frame.to_parquet(tmp / f"{key}.parquet", index=False)
    manifest = {"source": discovered.source, "crawl_id": discovered.crawl_id, "run_id": run_id,
                "staged_at": datetime.now(UTC).isoformat(), "parser_version": PARSER_VERSION,
                "rows": {k: 0 if v is None else len(v) for k, v in frames.items()}}
    (tmp / READY).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, unit)  # one rename: the loader sees the whole unit or none of it
    statuses = batch.reports["status"].value_counts().to_dict() if not batch.reports.empty else {}
    return StagedUnit(unit, len(batch.reports), len({v.result.sha256 for v in validated}),
                      {t: len(batch.facts.get(k, ())) for k, t in FACT_TABLES.items()}, statuses)


@dataclass
class StagedBatch:
    """A run's sources: the unit each staged, or why it failed."""

    staged: dict[str, StagedUnit] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    # where the run's time went: parse + validate (wall; CPU of this process and of its workers),
    # then writing the units (wall) — Dagster's cost over the plain functions is read from these
    seconds: dict[str, float] = field(default_factory=dict)

    def totals(self) -> dict[str, int]:
        """The batch's sums: sources staged and failed, documents parsed, reports, rows per fact table,
        reports per status."""
        out = {"sources_staged": len(self.staged), "sources_failed": len(self.failed),
               "parsed": sum(u.parsed for u in self.staged.values()), "reports": sum(u.reports for u in self.staged.values())}
        for u in self.staged.values():
            for prefix, counts in (("rows_", u.fact_rows), ("status_", u.statuses)):
                for k, v in counts.items():
                    out[prefix + k] = out.get(prefix + k, 0) + v
        return out

    def table(self) -> pd.DataFrame:
        """One row per source: why it failed (those first), or its unit and figures."""
        return pd.DataFrame([{"source": n, "unit": None, "parsed": 0, "reports": 0, "failed": e} for n, e in self.failed.items()]
                            + [{"source": n, "unit": u.path.name, "parsed": u.parsed, "reports": u.reports, "failed": None}
                               for n, u in self.staged.items()])


def stage_batch(found: dict[str, DiscoveredSource], state: SourceState, data_dir: str | Path, run_id: str,
                limits: Limits | None = None) -> StagedBatch:
    """Parse a batch's new documents together (one pool of workers for the batch: a portal has a
    few new documents on a night, and a pool per portal would cost more than parsing them), then
    stage each source as its own unit. A source whose staging raises is recorded with its error and
    the others are staged: one portal's failure never costs a night's batch the rest. (Parse crashes
    of single documents are already kept per document by ``parse_new``; this catches the rest — a
    full disk, an unreadable archive file, a bug.) The same bytes found by two sources of the batch
    are parsed once and staged with the first, as in the single-run night."""
    t0, cpu0 = time.perf_counter(), cpu_seconds()
    validated = parse_new([r for f in found.values() for r in f.refs], state.loaded, limits or Limits())
    t1, cpu1 = time.perf_counter(), cpu_seconds()
    first: dict[str, str] = {}
    for name, discovered in found.items():
        for ref in discovered.refs:
            first.setdefault(ref.sha256, name)
    by_source: dict[str, list[ValidatedReport]] = {}
    for v in validated:
        by_source.setdefault(first[v.result.sha256], []).append(v)
    out = StagedBatch()
    for name, discovered in found.items():
        try:
            out.staged[name] = write_unit(discovered, by_source.get(name, []), data_dir, run_id)
        except Exception as err:  # noqa: BLE001 - recorded, and the batch goes on (see above)
            out.failed[name] = f"{type(err).__name__}: {err}"
    out.seconds = {"parse_seconds": round(t1 - t0, 2), "parse_cpu_seconds": round(cpu1[0] - cpu0[0], 2),
                   "parse_workers_cpu_seconds": round(cpu1[1] - cpu0[1], 2),
                   "staging_seconds": round(time.perf_counter() - t1, 2)}
    return out


def cpu_seconds() -> tuple[float, float]:
    """CPU seconds of this process, and of its children ended so far (the parse workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def batch_frames(batch: LoadBatch) -> dict[str, pd.DataFrame | None]:
    return {"reports": batch.reports, "issues": batch.issues, "provenance": batch.provenance, "sections": batch.sections,
            **{f"fact_{k}": batch.facts.get(k) for k in FACT_TABLES}}


def ready_units(data_dir: str | Path) -> list[Path]:
    """Staged units waiting for the loader, oldest first (names start with the staging time)."""
    root = staging_root(data_dir)
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and (p / READY).exists())


def _read(unit: Path, key: str) -> pd.DataFrame:
    f = unit / f"{key}.parquet"
    return pd.read_parquet(f) if f.exists() else pd.DataFrame()


def read_batch(unit: Path) -> LoadBatch:
    reports = _read(unit, "reports")
    return LoadBatch(reports=reports, facts={k: _read(unit, f"fact_{k}") for k in FACT_TABLES},
                     issues=_read(unit, "issues"), provenance=_read(unit, "provenance"), sections=_read(unit, "sections"))


@dataclass
class LoadedUnits:
    units: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # loaded before (a loader killed before cleaning up)
    reports: int = 0
    fact_rows: dict[str, int] = field(default_factory=dict)


QUIET_GROUP = 500  # quiet units loaded in one transaction at most (see load_staged)


def _quiet(manifest: dict) -> bool:
    """A unit that holds nothing but the crawl record of a source that found nothing new: no new
    document version, no report (a quiet night's portal)."""
    rows = manifest.get("rows", {})  # (a manifest that does not say is not taken as quiet)
    return rows.get("crawl_documents") == 0 and rows.get("reports") == 0


def load_staged(conn: duckdb.DuckDBPyConnection, data_dir: str | Path) -> LoadedUnits:
    """Load every READY unit, oldest first, each in one transaction (crawl record, load batch and
    the ``staged_loads`` row together), then delete the unit's files. Quiet units of distinct
    sources in a row are loaded together, up to QUIET_GROUP in one transaction (each unit still
    marked in it: the group is loaded whole or not at all): a night of 10^3 unchanged portals is
    10^3 such units, and a transaction each cost more than their rows."""
    ensure_schema(conn)
    ensure_documents_schema(conn)
    out = LoadedUnits()
    quiet: list[tuple[Path, dict]] = []
    for unit in ready_units(data_dir):
        manifest = json.loads((unit / READY).read_text(encoding="utf-8"))
        if conn.execute(SQL["unit_loaded"], [unit.name]).fetchall()[0][0]:
            out.skipped.append(unit.name)
            shutil.rmtree(unit)
            continue
        if _quiet(manifest):
            if len(quiet) >= QUIET_GROUP or manifest["source"] in {m["source"] for _, m in quiet}:
                _load_quiet(conn, quiet, out)
            quiet.append((unit, manifest))
            continue
        _load_quiet(conn, quiet, out)  # (in the order staged)
        batch = read_batch(unit)
        with transaction(conn):
            _record_crawl(conn, *(_read(unit, f"crawl_{k}") for k in ("documents", "seen", "failures", "skipped", "runs")))
            summary = load_batch_in_transaction(conn, batch)
            conn.execute(SQL["mark_unit_loaded"], [unit.name, manifest["source"], manifest["run_id"],
                                                   summary.reports, sum(summary.fact_rows.values())])
        out.units.append(unit.name)
        out.reports += summary.reports
        for table, n in summary.fact_rows.items():
            out.fact_rows[table] = out.fact_rows.get(table, 0) + n
        shutil.rmtree(unit)
    _load_quiet(conn, quiet, out)
    return out


def _load_quiet(conn: duckdb.DuckDBPyConnection, group: list[tuple[Path, dict]], out: LoadedUnits) -> None:
    """Quiet units of distinct sources in one transaction: their crawl records together, a
    ``staged_loads`` row each. Empties ``group``."""
    if not group:
        return

    def together(key: str) -> pd.DataFrame:
        frames = [f for f in (_read(unit, f"crawl_{key}") for unit, _ in group) if not f.empty]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    with transaction(conn):
        _record_crawl(conn, pd.DataFrame(), together("seen"), together("failures"), together("skipped"), together("runs"))
        for unit, manifest in group:
            conn.execute(SQL["mark_unit_loaded"], [unit.name, manifest["source"], manifest["run_id"], 0, 0])
    for unit, _ in group:
        out.units.append(unit.name)
        shutil.rmtree(unit)
    group.clear()


def _record_crawl(conn: duckdb.DuckDBPyConnection, documents: pd.DataFrame, seen: pd.DataFrame, failures: pd.DataFrame,
                  skipped: pd.DataFrame, runs: pd.DataFrame) -> None:
    """A unit's crawl record. Its versions were numbered against the published copy; a version
    another unit loaded first (the same source staged twice before a load) is kept once per
    bytes and renumbered after the newest (``staging.sql``)."""
    if not documents.empty:
        conn.register("staged_documents", documents)
        try:
            conn.execute(SQL["insert_staged_documents"])
        finally:
            conn.unregister("staged_documents")
    if not seen.empty:
        # (one row a version: two sources of a group may have re-seen the same page; the later wins,
        # as when their units were loaded one after the other)
        conn.register("seen_documents", seen.drop_duplicates(["url", "version"], keep="last"))
        try:
            conn.execute(sql_named("load.sql")["touch_seen_documents"])
        finally:
            conn.unregister("seen_documents")
    insert_frame(conn, "fetch_failures", failures)
    insert_frame(conn, "skipped_files", skipped)
    insert_frame(conn, "crawl_runs", runs)


__all__ = ["DiscoveredSource", "LoadedUnits", "SourceState", "StagedUnit", "discover_source", "discover_sources", "load_staged",
           "read_state", "ready_units", "stage_batch", "stage_source", "staging_root", "StagedBatch", "write_unit"]
