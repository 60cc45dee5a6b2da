"""National mode on a production instance: Dagster's storage in a real PostgreSQL, a backfill of
several catalogue sources as concurrent partitioned runs through the run queue and the daemon, the
staged loader, and the warehouse row-for-row equal to one single-run load of the same documents."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml

from pipelines.defs.instance import DEPLOY
from pipelines.defs.ui import group_alive, stop_group
from pipelines.parse.report import PARSER_VERSION
from tests.conftest import folder_catalog
from tests.postgres import postgres_server

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SOURCES = {  # three catalogue sources, each its own folder of forged documents (one not a report, one failing)
    "county-a": ["forge-01-2021.html", "forge-05-2021-blank.html", "forge-06-2021-slash.txt",
                 "forge-20-hybrid-long.pdf", "forge-23-2021-landscape.pdf"],
    "county-b": ["forge-02-2021-gbk.html", "forge-08-2019-t4err.txt", "guide-not-a-report.html",
                 "forge-21-2019-long-t4err.pdf", "forge-24-2019-landscape.pdf"],
    "county-c": ["forge-10-2019-dash.txt", "forge-12-2021.html", "forge-14-2019-blank.docx",
                 "forge-22-2021-long.pdf", "forge-26-2021-noborder.pdf"],
}
# What differs between two loads of the same documents by design: when, and by which run.
VOLATILE = {"run_id", "ingested_at", "first_seen_at", "parsed_at", "failing_since", "failing_since_run", "crawl_id", "loaded_at"}
COMPARED = ["reports", "fact_applications", "fact_proactive_disclosure", "fact_review_litigation", "validation_issues",
            "cell_provenance", "report_sections", "agencies", "agency_aliases", "cross_year_checks", "metric_application_volume",
            "metric_outcome_shares", "roster", "publisher_issues"]


def _home(tmp: Path, name: str, url: str, max_runs: int) -> Path:
    home = tmp / name
    home.mkdir()
    config = yaml.safe_load((DEPLOY / "dagster-postgres.yaml").read_text(encoding="utf-8"))
    config["concurrency"]["runs"]["tag_concurrency_limits"][0]["limit"] = max_runs  # source runs at once
    config["sensors"] = {"use_threads": True}
    (home / "dagster.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return home


def _rows(db: Path, table: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as conn:
        cols = [r[0] for r in conn.execute(f"DESCRIBE {table}").fetchall() if r[0] not in VOLATILE]
        quoted = ", ".join(f'"{c}"' for c in cols)
        return conn.execute(f"SELECT {quoted} FROM {table} ORDER BY ALL").fetchall()


def _wait(instance: dg.DagsterInstance, done, timeout: float, what: str, daemon: subprocess.Popen) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        assert daemon.poll() is None, f"the daemon exited ({daemon.returncode}) while waiting for {what}"
        if done():
            return
        time.sleep(1)
    runs = instance.get_run_records()
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}; runs: "
                + "; ".join(f"{r.dagster_run.job_name} {r.dagster_run.tags.get('dagster/partition', '')} "
                            f"{r.dagster_run.status.value}" for r in runs))


def _busiest(spans: list[tuple[float, float]]) -> int:
    return max(sum(1 for s, e in spans if s <= t < e) for t, _ in spans)


@pytest.mark.timeout(1200)  # its two ingests have 600 s and 300 s limits of their own, which say more
def test_backfill_of_sources_as_concurrent_runs_on_postgres_equals_one_run(tmp_path: Path) -> None:
    catalog = folder_catalog(tmp_path, SOURCES)
    with postgres_server() as url:
        env = {**os.environ, "NIANBAO_DAGSTER_PG_URL": url, "NIANBAO_CATALOG": str(catalog),
               "NIANBAO_PARSE_WORKERS": "1", "PYTHONPATH": str(REPO)}
        env.pop("NIANBAO_PUBLISHED_DB", None)

        # 1. The nightly job, single run, on the Postgres instance: the baseline warehouse.
        single = {**env, "DAGSTER_HOME": str(_home(tmp_path, "home-single", url, 2)),
                  "NIANBAO_DATA_DIR": str(tmp_path / "single"), "NIANBAO_DB": str(tmp_path / "single" / "w.duckdb")}
        proc = subprocess.run([str(BIN / "nianbao"), "ingest", "--catalog", str(catalog)], cwd=REPO, env=single,
                              capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
        assert "documents seen: 15" in proc.stdout

        # 2. National mode: a backfill of the three sources, run by the daemon's queue (2 at a time).
        home = _home(tmp_path, "home-national", url, 2)
        # (one source a run, so three runs go through the queue two at a time; runs of many sources:
        # tests/test_portal_batches.py)
        national = {**env, "DAGSTER_HOME": str(home), "NIANBAO_MODE": "national", "NIANBAO_PORTALS_PER_RUN": "1",
                    "NIANBAO_DATA_DIR": str(tmp_path / "national"), "NIANBAO_DB": str(tmp_path / "national" / "w.duckdb")}
        log = (tmp_path / "daemon.log").open("wb")
        daemon = subprocess.Popen([str(BIN / "dagster-daemon"), "run", "-w", str(REPO / "workspace.yaml")], cwd=REPO,
                                  env=national, stdout=log, stderr=subprocess.STDOUT, process_group=0)
        try:
            proc = subprocess.run([str(BIN / "nianbao"), "backfill"], cwd=REPO, env=national, capture_output=True,
                                  text=True, timeout=300)
            assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
            os.environ["DAGSTER_HOME"], saved = str(home), os.environ.get("DAGSTER_HOME")
            os.environ["NIANBAO_DAGSTER_PG_URL"] = url
            try:
                instance = dg.DagsterInstance.get()
                # the instance the runs went to is the Postgres one
                assert type(instance.run_storage).__name__ == "PostgresRunStorage"
                assert sorted(instance.get_dynamic_partitions("catalog_source")) == sorted(SOURCES)

                def partition_runs() -> list:
                    return instance.get_run_records(dg.RunsFilter(job_name="source_ingest"))

                _wait(instance, lambda: len(partition_runs()) == 3 and all(
                    r.dagster_run.status in (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE)
                    for r in partition_runs()), 600, "the three partitioned runs", daemon)
                runs = partition_runs()
                assert all(r.dagster_run.status == dg.DagsterRunStatus.SUCCESS for r in runs), \
                    [(r.dagster_run.tags, r.dagster_run.status) for r in runs]
                assert sorted(r.dagster_run.tags["dagster/partition"] for r in runs) == sorted(SOURCES)
                # each run says what it did: launched by `nianbao backfill`, its source, its documents
                said = {r.dagster_run.tags["dagster/partition"]: {k: v for k, v in r.dagster_run.tags.items()
                                                                  if k.startswith("nianbao/")} for r in runs}
                assert said == {name: {"nianbao/command": "backfill", "nianbao/source": f"catalogue {catalog}: {name}",
                                       "nianbao/documents": str(len(docs)), "nianbao/parser_version": PARSER_VERSION,
                                       "nianbao/queue": "sources"}
                                for name, docs in SOURCES.items()}
                # the queue's limit: at the busiest moment two runs were in progress (launched, their
                # processes starting or executing, not finished), never three; the third was launched
                # only when one of the first two had finished
                launched = sorted((instance.all_logs(r.dagster_run.run_id, of_type=dg.DagsterEventType.RUN_STARTING)[0].timestamp,
                                   r.end_time) for r in runs)
                assert _busiest(launched) == 2, launched
                assert launched[1][0] < launched[0][1] and launched[2][0] >= min(launched[0][1], launched[1][1]), launched

                # 3. The last source run to stage loads every unit in its own process (no loader run to
                # launch); the others skip the load. Nothing is left staged once the runs have ended.
                staging = tmp_path / "national" / "staging"
                assert staging.exists() and not [p for p in staging.iterdir() if p.is_dir()]
                assert not instance.get_run_records(dg.RunsFilter(job_name="load_staged"))
                loaders = [r.event_log_entry.run_id for r in instance.fetch_materializations(
                    dg.AssetKey("staged_warehouse"), limit=10).records]
                source_runs = {r.dagster_run.run_id for r in runs}
                assert len(loaders) == 1 and loaders[0] in source_runs, (loaders, source_runs)
                # (the single run of step 1 published into the same Postgres store: only source runs count)
                assert [r.event_log_entry.run_id for r in instance.fetch_materializations(
                    dg.AssetKey("published_warehouse"), limit=10).records if r.event_log_entry.run_id in source_runs] == loaders
                # the UI's partition view: each source's staged partition materialised
                status = instance.get_status_by_partition(dg.AssetKey("source_staged"), list(SOURCES),
                                                          dg.DynamicPartitionsDefinition(name="catalog_source"))
                assert status is not None and set(status.values()) == {dg.AssetPartitionStatus.MATERIALIZED}
                instance.dispose()
            finally:
                if saved is None:
                    os.environ.pop("DAGSTER_HOME", None)
                else:
                    os.environ["DAGSTER_HOME"] = saved
        finally:
            stop_group(daemon)  # the daemon, its code server and any run process: nothing outlives the test
            log.close()
            assert not group_alive(daemon.pid)

    # 4. Row for row the same warehouse (published copies: what analysts read).
    a, b = tmp_path / "single" / "published" / "w.duckdb", tmp_path / "national" / "published" / "w.duckdb"
    with duckdb.connect(str(b), read_only=True) as conn:
        units = conn.execute("SELECT source, reports FROM staged_loads ORDER BY source").fetchall()
        assert [u[0] for u in units] == sorted(SOURCES) and all(n == 5 for _, n in units)
    for table in COMPARED:
        single_rows, national_rows = _rows(a, table), _rows(b, table)
        assert national_rows == single_rows, f"{table}: {len(national_rows)} rows vs {len(single_rows)} in one run"
    facts = _rows(a, "fact_applications")
    assert len(facts) > 500  # (a real comparison, not of two empty tables)
