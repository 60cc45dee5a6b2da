"""Dagster definitions: assets, checks, the nightly job and its schedule, resources."""


from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.assets import parsed_reports, source_documents, validated_facts, warehouse_tables
from pipelines.checks import no_failed_parses, publisher_consistency
from pipelines.resources import DEFAULT_DB, LocalFolderSource

nightly_ingest = dg.define_asset_job(
    "nightly_ingest",
    selection=dg.AssetSelection.assets(source_documents, parsed_reports, validated_facts, warehouse_tables),
    description="Find documents, parse and validate the new ones, load them into DuckDB.",
)

nightly_schedule = dg.ScheduleDefinition(
    name="nightly_ingest_schedule",
    job=nightly_ingest,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)


def make_resources(db_path: str = DEFAULT_DB, source: str | None = None) -> dict:
    if db_path != ":memory:":
        Path(db_path).parent.mkdir(parents=True, exist_ok=True)  # DuckDB does not create folders
    docs = LocalFolderSource(path=source) if source else LocalFolderSource()
    return {"duckdb": DuckDBResource(database=db_path), "documents": docs}


def build_defs(db_path: str = DEFAULT_DB, source: str | None = None) -> dg.Definitions:
    return dg.Definitions(
        assets=[source_documents, parsed_reports, validated_facts, warehouse_tables],
        asset_checks=[no_failed_parses, publisher_consistency],
        jobs=[nightly_ingest],
        schedules=[nightly_schedule],
        resources=make_resources(db_path, source),
    )


defs = build_defs()
