"""Partitioned ingestion's pieces on their own: staging a source, the loader's guarantees (whole units
only, each once, versions renumbered, a killed loader loses nothing), and which sources the nightly
schedule and the loader sensor launch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
from dagster._core.events import StepMaterializationData
from dagster._core.test_utils import create_run_for_test

from pipelines.defs.partitions import (
    due_sources,
    source_run_limits,
    sources_nightly_schedule,
    sources_still_staging,
    staged_load_sensor,
    sync_partitions,
)
from pipelines.defs.resources import DocumentSource
from pipelines.scrape.catalog import parse_catalog
from pipelines.staging import READY, SourceState, discover_source, load_staged, ready_units, stage_source
from tests.conftest import FORGE, forge_doc

REPO = Path(__file__).resolve().parents[1]


def _catalog(tmp: Path, sources: dict[str, list[str]]) -> tuple[Path, dict]:
    entries = []
    for name, docs in sources.items():
        folder = tmp / name
        folder.mkdir(parents=True)
        for doc in docs:
            (folder / doc).write_bytes(forge_doc(doc).read_bytes())
        entries.append({"name": name, "kind": "folder", "path": str(folder), "every_days": 7 if name == "weekly" else 1})
    data = {"sources": entries}
    path = tmp / "catalog.yaml"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path, data


def _q(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def test_a_staged_source_loads_once_and_only_whole(tmp_path: Path) -> None:
    _path, data = _catalog(tmp_path / "src", {"a": ["forge-01-2021.html", "forge-07-2021-t3err.html"]})
    catalog = parse_catalog(data)
    found = discover_source(catalog, "a", tmp_path / "data", SourceState())
    assert [Path(r.path).name for r in found.refs] == ["forge-01-2021.html", "forge-07-2021-t3err.html"]
    unit = stage_source(found, SourceState(), tmp_path / "data", "run-1")
    assert (unit.reports, unit.parsed, unit.statuses) == (2, 2, {"valid": 1, "invalid": 1})
    assert unit.fact_rows["fact_applications"] == 2 * 175
    # a unit still being written (no READY: a run killed while staging) is never loaded
    half = unit.path.parent / "20990101T000000000000__b__deadbeef"
    half.mkdir()
    (half / "reports.parquet").write_bytes(b"not yet")
    assert ready_units(tmp_path / "data") == [unit.path]

    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as conn:
        loaded = load_staged(conn, tmp_path / "data")
    assert loaded.units == [unit.path.name] and loaded.reports == 2
    assert loaded.fact_rows["fact_applications"] == 2 * 175
    assert not unit.path.exists() and half.exists()
    assert _q(db, "SELECT unit, source, run_id, reports, fact_rows FROM staged_loads") == [
        (unit.path.name, "a", "run-1", 2, 2 * (175 + 10 + 15))]
    for doc in ("forge-01-2021", "forge-07-2021-t3err"):  # every table-3 cell as the truth file has it
        truth = json.loads((FORGE / f"{doc}.truth.json").read_text(encoding="utf-8"))["cells"]
        rows = dict(_q(db, "SELECT category_code || '|' || applicant_code, value FROM fact_applications f "
                           f"JOIN reports r USING (report_id) WHERE r.source LIKE '%{doc}.html'"))
        assert rows == {k: v for k, v in truth.items() if k.startswith("3.")}
    before = _q(db, "SELECT * FROM fact_applications ORDER BY ALL")
    # the loader killed after its commit and before removing the unit: the next load skips it
    unit.path.mkdir()
    (unit.path / "READY").write_text(json.dumps({"source": "a", "run_id": "run-1"}), encoding="utf-8")
    with duckdb.connect(str(db)) as conn:
        again = load_staged(conn, tmp_path / "data")
    assert (again.units, again.skipped) == ([], [unit.path.name]) and not unit.path.exists()
    assert _q(db, "SELECT * FROM fact_applications ORDER BY ALL") == before


def test_versions_found_against_a_stale_copy_are_renumbered_not_duplicated(tmp_path: Path) -> None:
    """The same source staged twice before a load: both units numbered URL u as version 1."""
    root = tmp_path / "staging"
    now = datetime(2026, 11, 30, tzinfo=UTC)

    def unit(name: str, rows: list[tuple[str, str]]) -> None:
        folder = root / name
        folder.mkdir(parents=True)
        pd.DataFrame([{"url": url, "version": 1, "sha256": sha, "source": "a", "role": "attachment", "title": "t",
                       "agency_guess": None, "year_guess": None, "media_type": "pdf", "content_type": None,
                       "http_status": 200, "etag": None, "last_modified": None, "size": 1, "fetched_at": now,
                       "first_seen": now, "last_seen": now, "changed_after_publication": False,
                       "archive_path": f"raw/{sha}", "embedded_in": None} for url, sha in rows]
                     ).to_parquet(folder / "crawl_documents.parquet", index=False)
        (folder / "READY").write_text(json.dumps({"source": "a", "run_id": name}), encoding="utf-8")

    unit("20261130T010000000000__a__r1", [("http://x/u", "s1"), ("http://x/v", "s9")])
    unit("20261130T020000000000__a__r2", [("http://x/u", "s2"), ("http://x/v", "s9")])
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as conn:
        assert len(load_staged(conn, tmp_path).units) == 2
    assert _q(db, "SELECT url, version, sha256, changed_after_publication FROM documents ORDER BY url, version") == [
        ("http://x/u", 1, "s1", False), ("http://x/u", 2, "s2", True), ("http://x/v", 1, "s9", False)]


def test_a_loader_killed_mid_unit_leaves_the_unit_for_the_next_load(tmp_path: Path) -> None:
    _path, data = _catalog(tmp_path / "src", {"a": ["forge-01-2021.html"]})
    catalog = parse_catalog(data)
    found = discover_source(catalog, "a", tmp_path / "data", SourceState())
    unit = stage_source(found, SourceState(), tmp_path / "data", "run-1")
    db = tmp_path / "w.duckdb"
    script = ("import duckdb, sys; from pipelines.staging import load_staged; "
              "load_staged(duckdb.connect(sys.argv[1]), sys.argv[2])")
    proc = subprocess.run([sys.executable, "-c", script, str(db), str(tmp_path / "data")], cwd=REPO,
                          env={**os.environ, "NIANBAO_CRASH_AT": "load:before_commit"}, capture_output=True)
    assert proc.returncode == -9  # killed inside the unit's transaction
    assert unit.path.exists()
    assert _q(db, "SELECT count(*) FROM staged_loads") == [(0,)]
    assert _q(db, "SELECT count(*) FROM fact_applications") == [(0,)]
    with duckdb.connect(str(db)) as conn:
        assert load_staged(conn, tmp_path / "data").units == [unit.path.name]
    assert _q(db, "SELECT count(*) FROM fact_applications") == [(175,)]


def test_the_nightly_schedule_launches_only_due_sources_and_the_sensor_the_loader(tmp_path: Path, monkeypatch) -> None:
    path, _data = _catalog(tmp_path / "src", {"daily": ["forge-01-2021.html"], "weekly": ["forge-03-2019.html"],
                                              "new": ["forge-09-2021.txt"]})
    documents = DocumentSource(catalog=str(path), data_dir=str(tmp_path / "data"))
    with dg.instance_for_test() as instance:
        sync_partitions(instance, ["daily", "weekly"])
        for name in ("daily", "weekly"):  # both staged two days ago
            instance.report_runless_asset_event(dg.AssetMaterialization("source_staged", partition=name))
        two_days_later = datetime.now(UTC) + timedelta(days=2)
        assert due_sources(instance, {"daily": 1, "weekly": 7, "new": 1}, two_days_later) == ["daily", "new"]
        assert due_sources(instance, {"daily": 1, "weekly": 7, "new": 1}, datetime.now(UTC)) == ["new"]
        context = dg.build_schedule_context(instance=instance, scheduled_execution_time=two_days_later,
                                            resources={"documents": documents})
        requests = sources_nightly_schedule(context)
        assert [(r.partition_key, r.run_key) for r in requests] == [
            ("daily", f"daily:{two_days_later:%Y-%m-%d}"), ("new", f"new:{two_days_later:%Y-%m-%d}")]
        assert [r.tags for r in requests] == [{"nianbao/command": "schedule"}] * 2  # the runs say who launched them
        assert sorted(instance.get_dynamic_partitions("catalog_source")) == ["daily", "new", "weekly"]

        sensor = dg.build_sensor_context(instance=instance, resources={"documents": documents})
        assert isinstance(staged_load_sensor(sensor), dg.SkipReason)  # nothing staged
        catalog = documents.load_catalog()
        unit = stage_source(discover_source(catalog, "daily", documents.data_dir, SourceState()), SourceState(),
                            documents.data_dir, "run-1")
        request = staged_load_sensor(dg.build_sensor_context(instance=instance, resources={"documents": documents}))
        assert isinstance(request, dg.RunRequest) and request.run_key == unit.path.name

        # while a source run is still going, loads wait (batched) — until the oldest unit has waited too long
        create_run_for_test(instance, job_name="source_ingest", status=dg.DagsterRunStatus.STARTED)
        skip = staged_load_sensor(dg.build_sensor_context(instance=instance, resources={"documents": documents}))
        assert isinstance(skip, dg.SkipReason) and "source runs still going" in skip.skip_message, skip
        monkeypatch.setenv("NIANBAO_LOADER_MAX_WAIT_SECONDS", "60")
        staged_at = time.time() - 61
        os.utime(unit.path / READY, (staged_at, staged_at))
        request = staged_load_sensor(dg.build_sensor_context(instance=instance, resources={"documents": documents}))
        assert isinstance(request, dg.RunRequest) and request.run_key == unit.path.name



def test_source_runs_share_the_cores_the_queue_runs_them_on(monkeypatch) -> None:
    """A source run parses with cores ÷ source runs going at once (queued or running, itself included,
    at most the queue's limit on source runs): 2 at once on 4 cores → 2 workers each, on 2 cores → 1;
    a run alone gets every core; without a limit on source runs, the run limit counts;
    NIANBAO_PARSE_WORKERS wins."""
    monkeypatch.delenv("NIANBAO_PARSE_WORKERS", raising=False)
    queue = {"concurrency": {"runs": {"max_concurrent_runs": 4, "tag_concurrency_limits": [
        {"key": "nianbao/queue", "value": "sources", "limit": 2}]}}}
    with dg.instance_for_test(overrides=queue) as instance:
        create_run_for_test(instance, job_name="source_ingest", status=dg.DagsterRunStatus.STARTED)  # this run
        monkeypatch.setattr(os, "cpu_count", lambda: 2)
        assert source_run_limits(instance).workers == 2  # alone: both cores
        create_run_for_test(instance, job_name="load_staged", status=dg.DagsterRunStatus.STARTED)
        create_run_for_test(instance, job_name="source_ingest", status=dg.DagsterRunStatus.SUCCESS)
        assert source_run_limits(instance).workers == 2  # a loader or a finished source run shares nothing
        for status in (dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING):  # 3 going, limit 2
            create_run_for_test(instance, job_name="source_ingest", status=status)
        for cores, workers in ((4, 2), (2, 1), (1, 1), (16, 4)):
            monkeypatch.setattr(os, "cpu_count", lambda c=cores: c)
            assert source_run_limits(instance).workers == workers, cores
    with dg.instance_for_test(overrides={"concurrency": {"runs": {"max_concurrent_runs": 3}}}) as instance:
        for _ in range(4):
            create_run_for_test(instance, job_name="source_ingest", status=dg.DagsterRunStatus.STARTED)
        monkeypatch.setattr(os, "cpu_count", lambda: 6)
        assert source_run_limits(instance).workers == 2
        monkeypatch.setenv("NIANBAO_PARSE_WORKERS", "3")
        assert source_run_limits(instance).workers == 3


def test_the_last_source_run_to_stage_is_the_one_that_loads() -> None:
    """A source run's loader step defers to every other source run queued or going that has not staged
    its unit yet (it will reach the step later, the writer pool letting one through at a time); a run
    that has staged, a finished run, a loader run and the run itself do not count."""
    with dg.instance_for_test() as instance:
        me = create_run_for_test(instance, job_name="source_ingest", status=dg.DagsterRunStatus.STARTED)
        create_run_for_test(instance, job_name="source_ingest", status=dg.DagsterRunStatus.SUCCESS)
        create_run_for_test(instance, job_name="load_staged", status=dg.DagsterRunStatus.STARTED)
        assert sources_still_staging(instance, me.run_id) == 0  # the last: it loads
        staged = create_run_for_test(instance, job_name="source_ingest", status=dg.DagsterRunStatus.STARTED)
        instance.report_runless_asset_event(dg.AssetMaterialization("unrelated"))
        assert sources_still_staging(instance, me.run_id) == 1  # going, nothing staged yet
        instance.event_log_storage.store_event(dg.EventLogEntry(
            error_info=None, level="INFO", user_message="", run_id=staged.run_id, timestamp=time.time(),
            dagster_event=dg.DagsterEvent(
                event_type_value=dg.DagsterEventType.ASSET_MATERIALIZATION.value, job_name="source_ingest",
                event_specific_data=StepMaterializationData(dg.AssetMaterialization(
                    "source_staged", partition="daily")))))
        assert sources_still_staging(instance, me.run_id) == 0  # it has staged: this run loads
        # (a QUEUED run needs a code location's origin to be created; it is counted with NOT_STARTED)
        for status in (dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING):
            create_run_for_test(instance, job_name="source_ingest", status=status)
        assert sources_still_staging(instance, me.run_id) == 2
