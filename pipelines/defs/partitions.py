"""Partitioned ingestion for national scale: one Dagster partition per catalogue source.

``source_ingest`` (discovery → parse + validate → staged Parquet) runs over a batch of sources — a
range of up to ``PORTALS_PER_RUN`` partitions (the assets' backfill policy; a run of one source
is the batch of one) — crawled together and each staged as its own unit; a backfill or a night of
N sources is ⌈N / PORTALS_PER_RUN⌉ runs that the instance's run queue executes up to
``max_concurrent_runs`` at a time (deploy/dagster*.yaml). Those runs never open the warehouse for writing. ``load_staged`` — one
step in the DuckDB writer pool — bulk-loads every staged unit, refreshes the analyst tables and
publishes; ``staged_load_sensor`` launches it when units are waiting. The nightly schedule launches
only the sources that are due (``every_days`` in the catalogue).

Thin wrappers over ``pipelines.staging``; the single-run ``nightly_ingest`` job stays as it was
(``make ingest``, ``nianbao ingest``).
"""


import os
import warnings
from datetime import UTC, datetime, timedelta
from typing import Any

import dagster as dg
from dagster._core.storage.fs_io_manager import PickledObjectFilesystemIOManager
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG
from dagster_duckdb import DuckDBResource

from pipelines.defs.assets import WRITER_POOL
from pipelines.defs.resources import DocumentSource
from pipelines.defs.run_tags import SCHEDULE, command_tags, sources_named, tag_discovery
from pipelines.isolation import Limits
from pipelines.markdown import markdown_table
from pipelines.scrape.catalog import CatalogError
from pipelines.sites.coverage import record_built_beside
from pipelines.staging import (
    READY,
    DiscoveredSource,
    discover_sources,
    load_staged,
    read_state,
    ready_units,
    stage_batch,
)

# NIANBAO_MODE=national switches the per-source schedule and the loader sensor on by default (and
# the single-run nightly schedule off): pipelines/definitions.py, docs/operations.md.
NATIONAL = os.environ.get("NIANBAO_MODE", "").lower() == "national"
ON_IN_NATIONAL = dg.DefaultScheduleStatus.RUNNING if NATIONAL else dg.DefaultScheduleStatus.STOPPED
catalog_sources = dg.DynamicPartitionsDefinition(name="catalog_source")


# Sources per run: a night of 10^3 portals with nothing new is 10^3 conditional crawls of a few
# seconds each, and a run's start (a process importing the code, the queue) costs as much as
# crawling a portal; so a run takes a range of portals (docs/decisions.md, "A night of portals in
# batches"). The UI's backfills follow the same policy.
PORTALS_PER_RUN = int(os.environ.get("NIANBAO_PORTALS_PER_RUN", "250"))
PER_RUN = dg.BackfillPolicy.multi_run(max_partitions_per_run=PORTALS_PER_RUN)
# (the policy's parameter is "beta" in dagster 1.13; the policy itself is what its backfills use)
warnings.filterwarnings("ignore", message="Parameter `backfill_policy`", category=dg.BetaWarning)


class ByPartitionIOManager(PickledObjectFilesystemIOManager):
    """Dagster's pickling filesystem IO manager, for an output that covers a range of partitions: the
    step returns {partition key: value} and each partition's value is stored apart (where a run of
    that partition alone stores it), so a later run of one portal, or of another range, reads it."""

    def handle_output(self, context: dg.OutputContext, obj: dict[str, Any]) -> None:
        for key, path in self._get_paths_for_partitions(context).items():
            path.parent.mkdir(parents=True, exist_ok=True)
            self.dump_to_path(context, obj[key], path)

    def load_input(self, context: dg.InputContext) -> dict[str, Any]:
        loaded = super().load_input(context)
        keys = context.asset_partition_keys
        return {keys[0]: loaded} if len(keys) == 1 else dict(loaded)


@dg.io_manager(description="source_discovery's outputs, one pickle per catalogue source (partition) whatever the run's range.")
def by_partition_io_manager(init_context: dg.InitResourceContext) -> ByPartitionIOManager:
    return ByPartitionIOManager(base_dir=init_context.instance.storage_directory())


BY_PARTITION_IO = "by_partition_io_manager"


@dg.asset(group_name="by_source", partitions_def=catalog_sources, backfill_policy=PER_RUN, io_manager_key=BY_PARTITION_IO,
          description="Discovery of catalogue sources (a partition each; a run takes a range of them): their portals "
                      "crawled together into the raw archive, knowing what the published warehouse already has "
                      "(conditional requests, no re-fetch), each source's outcome kept apart.")
def source_discovery(context: dg.AssetExecutionContext, documents: DocumentSource,
                     duckdb: DuckDBResource) -> dict[str, DiscoveredSource]:
    names = list(context.partition_keys)
    try:
        catalog = documents.load_catalog()
        found = discover_sources(catalog, names, documents.data_dir, read_state(duckdb.database))
    except CatalogError as err:
        raise dg.Failure(description=str(err), allow_retries=False) from err
    refs = sum(len(f.refs) for f in found.values())
    tag_discovery(context, f"{documents.describe()}: {sources_named(names)}", refs)
    listing = sum(int(f.frames["runs"]["listing_pages"].sum()) for f in found.values() if not f.frames["runs"].empty)
    lines = [line for f in found.values() for line in f.lines] if len(found) <= 20 else \
        [f"{len(found)} sources; per source: the table below"]
    context.add_output_metadata({"sources": len(found), "documents": refs,
                                 "crawl_id": next(iter(found.values())).crawl_id if found else "",
                                 "failures": sum(len(f.frames["failures"]) for f in found.values()),
                                 "crawl": dg.MetadataValue.md("\n".join(f"    {line}" for line in lines)),
                                 "listing_pages": listing})
    return found


def source_run_limits(instance: dg.DagsterInstance) -> Limits:
    """Parse limits of one source run: the cores shared among the source runs going at once — those
    queued or running now (this one included), at most the queue's ``nianbao/queue=sources`` limit —
    unless NIANBAO_PARSE_WORKERS says otherwise (docs/decisions.md). A run alone (a nightly with one
    source due, a backfill's last run) parses on every core; runs of a backfill share them."""
    if "NIANBAO_PARSE_WORKERS" in os.environ:
        return Limits(workers=int(os.environ["NIANBAO_PARSE_WORKERS"]))
    queue = instance.get_concurrency_config().run_queue_config
    limit = next((t["limit"] for t in (queue.tag_concurrency_limits if queue else None) or []
                  if t.get("key") == SOURCE_QUEUE_TAG and t.get("value") == "sources"),
                 queue.max_concurrent_runs if queue and queue.max_concurrent_runs > 0 else 1)
    going = instance.get_runs_count(dg.RunsFilter(job_name=SOURCE_JOB, statuses=IN_FLIGHT))
    at_once = max(1, min(limit, going))
    return Limits(workers=max(1, min(4, (os.cpu_count() or 1) // at_once)))


@dg.asset(group_name="by_source", partitions_def=catalog_sources, backfill_policy=PER_RUN,
          description="Each source's new documents parsed and validated, staged as Parquet for the loader, a unit per "
                      "source (bytes already loaded by this parser version are not parsed again). A source that fails "
                      "is recorded (an observation of its partition, the run's table) and never stops the others.")
def source_staged(context: dg.AssetExecutionContext, source_discovery: dict[str, DiscoveredSource], documents: DocumentSource,
                  duckdb: DuckDBResource) -> None:
    limits = source_run_limits(context.instance)
    outcomes = stage_batch(source_discovery, read_state(duckdb.database), documents.data_dir, context.run.run_id, limits)
    for name, error in outcomes.failed.items():
        context.log.error(f"{name}: staging failed: {error}")
        # Dagster records a range run's materialisation for every key in it; the failed source's own
        # partition says what happened to it (its history, the UI's partition page).
        context.log_event(dg.AssetObservation(source_staged.key, partition=name,
                                              metadata={"staging_failed": error, "run_id": context.run.run_id}))
    units = [str(u.path) for u in outcomes.staged.values()]
    context.add_output_metadata({**outcomes.totals(), "failed_sources": sources_named(sorted(outcomes.failed)) or "none",
                                 "parse_workers": limits.workers, **outcomes.seconds, **({"unit": units[0]} if len(units) == 1 else {}),
                                 "by_source": dg.MetadataValue.md(markdown_table(outcomes.table()))})


def sources_still_staging(instance: dg.DagsterInstance, run_id: str) -> int:
    """Source runs other than ``run_id`` that are queued or going and have not staged their unit yet
    (their source_staged not materialised in their run): each of them will reach the loader step
    after this one, so the load is theirs to do."""
    waiting = instance.get_runs_count(dg.RunsFilter(job_name=SOURCE_JOB, statuses=[dg.DagsterRunStatus.QUEUED,
                                                                                   dg.DagsterRunStatus.NOT_STARTED]))
    going = instance.get_run_records(dg.RunsFilter(job_name=SOURCE_JOB, statuses=[dg.DagsterRunStatus.STARTING,
                                                                                  dg.DagsterRunStatus.STARTED]))
    for record in going:
        other = record.dagster_run.run_id
        if other == run_id:
            continue
        staged = instance.get_records_for_run(other, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records
        if not any(r.event_log_entry.asset_materialization.asset_key == source_staged.key for r in staged
                   if r.event_log_entry.asset_materialization):
            waiting += 1
    return waiting


@dg.asset(group_name="warehouse", pool=WRITER_POOL, deps=[source_staged], output_required=False,
          description="Every staged unit bulk-loaded into DuckDB, oldest first, one transaction each (quiet units "
                      "of distinct sources together) "
                      "(the writer pool serialises it with every other writer). In a source run, done by the "
                      "last source run to stage (no loader run to start); the loader sensor catches the rest.")
def staged_warehouse(context: dg.AssetExecutionContext, documents: DocumentSource, duckdb: DuckDBResource):
    if context.run.job_name == SOURCE_JOB:
        # The load at the end of a source run, in its own process: no sensor tick and no new run
        # process to wait for (docs/decisions.md). The writer pool lets one run through this step
        # at a time, so of the runs going, the last to stage is the one that finds none still
        # staging, and it loads every unit; the others skip (nothing materialised, so the analyst
        # tables and the publish below are skipped too).
        still = sources_still_staging(context.instance, context.run.run_id)
        if still:
            context.log.info(f"{still} other source run(s) still to stage: the last of them loads")
            return
        if not ready_units(documents.data_dir):
            context.log.info("nothing staged: loaded already")
            return
    with duckdb.get_connection() as conn:
        loaded = load_staged(conn, documents.data_dir)
        sites = record_built_beside(conn, documents.catalog) if not documents.folder else None
        by_source = conn.execute("SELECT source, count(*) AS units, sum(reports) AS reports, sum(fact_rows) AS fact_rows "
                                 "FROM staged_loads GROUP BY 1 ORDER BY 1").df()
    yield dg.MaterializeResult(metadata={
        "units_loaded": len(loaded.units), "units_skipped": len(loaded.skipped), "reports_loaded": loaded.reports,
        **{f"loaded_{k}": v for k, v in loaded.fact_rows.items()},
        "loaded_by_source": dg.MetadataValue.md(markdown_table(by_source)),
        **({"catalogue_sites": sites} if sites is not None else {})})


SOURCE_QUEUE_TAG = "nianbao/queue"
SOURCE_JOB = "source_ingest"

source_ingest = dg.define_asset_job(
    SOURCE_JOB, selection=(dg.AssetSelection.assets(source_discovery, source_staged)
                           | dg.AssetSelection.assets(staged_warehouse).downstream()),
    executor_def=dg.in_process_executor,
    tags={SOURCE_QUEUE_TAG: "sources"},  # the run queue's limit on source runs (deploy/dagster-postgres.yaml)
    description="One catalogue source (partition): discover, parse, validate, stage; the last source run going "
                "loads every staged unit, refreshes the analyst tables and publishes.")


def new_partitions(instance: dg.DagsterInstance, names: list[str]) -> list[str]:
    """The catalogue's sources that are not partitions yet, in catalogue order (nothing is ever
    removed, so a source dropped from the catalogue keeps its history)."""
    have = set(instance.get_dynamic_partitions(catalog_sources.name))
    return [n for n in names if n not in have]


def sync_partitions(instance: dg.DagsterInstance, names: list[str]) -> list[str]:
    """Add the catalogue's sources as partitions (the UI lists them). Returns the names added."""
    new = new_partitions(instance, names)
    if new:
        instance.add_dynamic_partitions(catalog_sources.name, new)
    return new


def due_sources(instance: dg.DagsterInstance, every_days: dict[str, int], now: datetime) -> list[str]:
    """Sources whose last staged run is older than their interval (or that never ran), and sources
    whose staging failed in their last batch (a range run records its materialisation for every
    key; the failed source's observation says it was not staged)."""
    due = []
    for name, days in every_days.items():
        records = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=source_staged.key, asset_partitions=[name]), limit=1).records
        last = datetime.fromtimestamp(records[0].timestamp, UTC) if records else None
        # (an hour's slack: a run that staged at 02:10 yesterday is due at 02:00 today)
        overdue = last is None or now - last >= timedelta(days=days) - timedelta(hours=1)
        if overdue or (days > 1 and _failed_since(instance, name, records[0].timestamp)):
            due.append(name)
    return due


def _failed_since(instance: dg.DagsterInstance, name: str, materialised_at: float) -> bool:
    seen = instance.fetch_observations(dg.AssetRecordsFilter(asset_key=source_staged.key, asset_partitions=[name]),
                                       limit=1).records
    return bool(seen) and seen[0].timestamp >= materialised_at - 1 and "staging_failed" in (
        seen[0].asset_observation.metadata if seen[0].asset_observation else {})


def source_batches(ordered: list[str], chosen: list[str], per_run: int = PORTALS_PER_RUN) -> list[list[str]]:
    """The chosen sources as runs: stretches of sources consecutive in the partitions' order (a
    range run covers every partition between its ends, in the order they were added), at most
    ``per_run`` each. Every source due is a range of its own neighbours on most nights (every_days
    is 1 unless the catalogue says otherwise); a source not due between two due ones starts a new run."""
    wanted = set(chosen)
    batches: list[list[str]] = []
    current: list[str] = []
    for key in ordered:
        if key in wanted:
            current.append(key)
            if len(current) == per_run:
                batches.append(current)
                current = []
        elif current:
            batches.append(current)
            current = []
    return batches + ([current] if current else [])


def batch_tags(batch: list[str]) -> dict[str, str]:
    """The tags that make a run of ``source_ingest`` a run of these partitions: Dagster's own, as its
    backfills set them (one partition, or the range's ends)."""
    if len(batch) == 1:
        return {"dagster/partition": batch[0]}
    return {ASSET_PARTITION_RANGE_START_TAG: batch[0], ASSET_PARTITION_RANGE_END_TAG: batch[-1]}


def _every_days(documents: DocumentSource) -> dict[str, int]:
    return {s.name: s.every_days for s in documents.load_catalog().enabled()}


@dg.schedule(name="sources_nightly_schedule", job=source_ingest, cron_schedule="0 2 * * *",
             execution_timezone="Asia/Shanghai", default_status=ON_IN_NATIONAL,
             description="National mode: each night, the catalogue sources that are due (their every_days), in runs of "
                         "up to NIANBAO_PORTALS_PER_RUN consecutive sources; the run queue executes them up to "
                         "max_concurrent_runs, the last to stage loads.")
def sources_nightly_schedule(context: dg.ScheduleEvaluationContext, documents: DocumentSource):
    every = _every_days(documents)
    sync_partitions(context.instance, list(every))
    day = context.scheduled_execution_time.strftime("%Y-%m-%d")
    due = due_sources(context.instance, every, context.scheduled_execution_time.astimezone(UTC))
    if not due:
        return dg.SkipReason(f"no source is due ({len(every)} in the catalogue)")
    batches = source_batches(context.instance.get_dynamic_partitions(catalog_sources.name), due)
    return [dg.RunRequest(run_key=f"{b[0]}:{day}", partition_key=b[0], tags=command_tags(SCHEDULE)) if len(b) == 1 else
            dg.RunRequest(run_key=f"{b[0]}..{b[-1]}:{day}", tags={**command_tags(SCHEDULE), **batch_tags(b)})
            for b in batches]


@dg.sensor(name="catalog_partitions_sensor", job=source_ingest, minimum_interval_seconds=300,
           default_status=dg.DefaultSensorStatus.RUNNING if NATIONAL else dg.DefaultSensorStatus.STOPPED,
           description="National mode: every enabled source of the catalogue (a built catalogue: one per crawled portal) "
                       "added as a catalog_source partition, so a portal can be launched or backfilled from the UI "
                       "before the nightly schedule first runs. Launches nothing.")
def catalog_partitions_sensor(context: dg.SensorEvaluationContext, documents: DocumentSource):
    try:
        names = [s.name for s in documents.load_catalog().enabled()]
    except CatalogError as err:
        return dg.SkipReason(f"catalogue unusable: {err}")
    new = new_partitions(context.instance, names)
    if not new:
        return dg.SkipReason(f"every source of the catalogue is a partition ({len(names)})")
    return dg.SensorResult(dynamic_partitions_requests=[catalog_sources.build_add_request(new)])


load_staged_job = dg.define_asset_job(
    "load_staged", selection=dg.AssetSelection.assets(staged_warehouse).downstream(),
    executor_def=dg.in_process_executor,
    description="Load every staged unit into DuckDB, refresh the analyst tables, publish the read-only copy.")


IN_FLIGHT = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
             dg.DagsterRunStatus.STARTED]


def loader_max_wait() -> float:
    """Seconds a staged unit may wait for the loader while source runs are still going (default 30 min)."""
    return float(os.environ.get("NIANBAO_LOADER_MAX_WAIT_SECONDS", "1800"))


@dg.sensor(job=load_staged_job, minimum_interval_seconds=int(os.environ.get("NIANBAO_LOADER_SENSOR_SECONDS", "30")),
           default_status=dg.DefaultSensorStatus.RUNNING if NATIONAL else dg.DefaultSensorStatus.STOPPED,
           description="National mode: launches the loader when staged units wait, no loader run is queued or running, "
                       "and either no source run is still going or the oldest unit has waited NIANBAO_LOADER_MAX_WAIT_SECONDS.")
def staged_load_sensor(context: dg.SensorEvaluationContext, documents: DocumentSource):
    units = ready_units(documents.data_dir)
    if not units:
        return dg.SkipReason("nothing staged")
    if context.instance.get_run_records(dg.RunsFilter(job_name=load_staged_job.name, statuses=IN_FLIGHT), limit=1):
        return dg.SkipReason("a loader run is queued or running")
    # Loads are batched while a backfill goes on: every loader run costs a process start, the analyst
    # refresh and a publish, and competes with the source runs for the cores. The oldest unit's wait
    # is bounded, so a long backfill still reaches the warehouse as it goes.
    waited = datetime.now(UTC).timestamp() - (units[0] / READY).stat().st_mtime
    sources_going = context.instance.get_run_records(dg.RunsFilter(job_name=source_ingest.name, statuses=IN_FLIGHT), limit=1)
    if sources_going and waited < loader_max_wait():
        return dg.SkipReason(f"{len(units)} unit(s) staged; source runs still going (the oldest has waited {waited:.0f} s "
                             f"of {loader_max_wait():.0f})")
    return dg.RunRequest(run_key=units[-1].name)  # the newest unit: a new key whenever something new is staged


PARTITIONED_ASSETS = [source_discovery, source_staged, staged_warehouse]
