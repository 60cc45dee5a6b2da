"""Dagster definitions: assets, checks, the nightly job and its schedule, resources."""


from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

import pipelines.defs.dagster_settings  # noqa: F401 - Dagster's settings for runs over many partitions
from pipelines.defs.assets import (
    analyst_tables,
    parsed_reports,
    published_warehouse,
    source_documents,
    validated_facts,
    warehouse_tables,
)
from pipelines.defs.checks import (
    freshness_checks,
    freshness_sensor,
    no_failed_parses,
    publisher_consistency,
    sources_yield_reports,
)
from pipelines.defs.partitions import (
    BY_PARTITION_IO,
    NATIONAL,
    PARTITIONED_ASSETS,
    by_partition_io_manager,
    catalog_partitions_sensor,
    load_staged_job,
    source_ingest,
    sources_nightly_schedule,
    staged_load_sensor,
)
from pipelines.defs.resources import DEFAULT_DB, DocumentSource
from pipelines.defs.run_tags import SCHEDULE, command_tags
from pipelines.defs.sensors import alert_on_new_failures, alert_on_run_failure

INGEST_ASSETS = [source_documents, parsed_reports, validated_facts, warehouse_tables, analyst_tables, published_warehouse]

# The steps form one chain and the DuckDB writer pool serialises them anyway; parallelism is in the
# parse workers. So steps run inside the run's process: a process per step would add ~5 s each.
nightly_ingest = dg.define_asset_job(
    "nightly_ingest",
    selection=dg.AssetSelection.assets(*INGEST_ASSETS),
    executor_def=dg.in_process_executor,
    description="Find documents, parse and validate the new ones, load them into DuckDB.",
)

# One UI action (Launchpad → reparse_failed) or `nianbao reparse-failed`: the documents whose last
# parse failed, parsed again from the raw archive after a parser fix; nothing else is touched.
reparse_failed = dg.define_asset_job(
    "reparse_failed",
    selection=dg.AssetSelection.assets(*INGEST_ASSETS),
    executor_def=dg.in_process_executor,
    config={"ops": {"source_documents": {"config": {"reparse_failed": True}},
                    "parsed_reports": {"config": {"force": True}}}},
    description="Re-parse only the documents whose last parse failed (after a parser fix) and reload them.",
)

# Two ways to run the night, chosen by config: one run for the whole catalogue (the default, zero
# set-up), or NIANBAO_MODE=national — a run per due source on the run queue, then the staged loader
# (pipelines/defs/partitions.py; docs/operations.md). The mode only decides which schedule and sensor
# start switched on; both can be switched in the UI.

nightly_schedule = dg.ScheduleDefinition(
    name="nightly_ingest_schedule",
    job=nightly_ingest,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai",
    tags=command_tags(SCHEDULE),
    default_status=dg.DefaultScheduleStatus.STOPPED if NATIONAL else dg.DefaultScheduleStatus.RUNNING,
)


def make_resources(db_path: str = DEFAULT_DB, source: str | None = None, catalog: str | None = None,
                   data_dir: str | None = None) -> dict:
    if db_path != ":memory:":
        Path(db_path).parent.mkdir(parents=True, exist_ok=True)  # DuckDB does not create folders
    options = {k: v for k, v in (("folder", source), ("catalog", catalog), ("data_dir", data_dir)) if v}
    return {"duckdb": DuckDBResource(database=db_path), "documents": DocumentSource(**options),
            BY_PARTITION_IO: by_partition_io_manager}


def build_defs(db_path: str = DEFAULT_DB, source: str | None = None, catalog: str | None = None,
               data_dir: str | None = None) -> dg.Definitions:
    return dg.Definitions(
        assets=[*INGEST_ASSETS, *PARTITIONED_ASSETS],
        asset_checks=[no_failed_parses, publisher_consistency, sources_yield_reports, *freshness_checks],
        jobs=[nightly_ingest, reparse_failed, source_ingest, load_staged_job],
        schedules=[nightly_schedule, sources_nightly_schedule],
        sensors=[alert_on_run_failure, alert_on_new_failures, freshness_sensor, staged_load_sensor,
                 catalog_partitions_sensor],
        resources=make_resources(db_path, source, catalog, data_dir),
    )


defs = build_defs()
