"""A night of many portals in few runs: a `source_ingest` run over a range of catalogue sources crawls
them together, stages each as its own unit and records each one's outcome; a source that fails in a
batch leaves the others staged and loaded; `nianbao backfill` puts the sources in runs of up to
NIANBAO_PORTALS_PER_RUN and queues them itself, as runs of the code location (the job page lists
them, the daemon launches them)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster._core.storage.tags import REPOSITORY_LABEL_TAG

import pipelines.staging
from pipelines.definitions import build_defs
from pipelines.defs.partitions import due_sources, source_batches, sources_nightly_schedule, sync_partitions
from pipelines.defs.resources import DocumentSource
from tests.conftest import REPO, forge_doc
from tests.sensor_daemon import remote_job, sensor_ticks

DOCS = {"a": "forge-01-2021.html", "b": "forge-03-2019.html", "c": "forge-09-2021.txt"}  # one report each
RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


def _catalog(tmp: Path) -> Path:
    entries = []
    for name, doc in DOCS.items():
        folder = tmp / "sources" / name
        folder.mkdir(parents=True)
        shutil.copy(forge_doc(doc), folder / doc)
        entries.append({"name": name, "kind": "folder", "path": str(folder), "every_days": 7})
    path = tmp / "catalog.yaml"
    path.write_text(json.dumps({"sources": entries}), encoding="utf-8")
    return path


def _sha(name: str) -> str:
    return hashlib.sha256(forge_doc(DOCS[name]).read_bytes()).hexdigest()


def _run_batch(tmp: Path, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    """One run of source_ingest over the range a … c (the three sources' partitions, in order)."""
    defs = build_defs(str(tmp / "w.duckdb"), catalog=str(_catalog(tmp)), data_dir=str(tmp / "data"))
    sync_partitions(instance, list(DOCS))
    return defs.resolve_job_def("source_ingest").execute_in_process(
        instance=instance, tags={RANGE_START: "a", RANGE_END: "c"}, raise_on_error=False)


def _materialised(instance: dg.DagsterInstance, run_id: str, asset: str) -> list[tuple[str | None, dict]]:
    return sorted((e.asset_materialization.partition, e.asset_materialization.metadata)
                  for e in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
                  if e.asset_materialization.asset_key == dg.AssetKey(asset))


def test_a_run_over_a_range_of_sources_stages_each_as_its_own_unit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIANBAO_PARSE_WORKERS", "1")
    with dg.instance_for_test() as instance:
        result = _run_batch(tmp_path, instance)
        assert result.success
        assert len(instance.get_run_records()) == 1  # three sources, one run
        # each source's partition of both assets materialised by that run (the UI's partition view)
        for asset in ("source_discovery", "source_staged"):
            assert [p for p, _ in _materialised(instance, result.run_id, asset)] == ["a", "b", "c"]
        meta = _materialised(instance, result.run_id, "source_staged")[0][1]
        assert (meta["sources_staged"].value, meta["sources_failed"].value, meta["parsed"].value) == (3, 0, 3)
        # one unit per source, loaded by the run itself (the last source run going)
        assert [p for p, _ in _materialised(instance, result.run_id, "staged_warehouse")] == [None]
    db = tmp_path / "published" / "w.duckdb"
    with duckdb.connect(str(db), read_only=True) as conn:
        units = conn.execute("SELECT source, run_id, reports FROM staged_loads ORDER BY source").fetchall()
        assert units == [("a", result.run_id, 1), ("b", result.run_id, 1), ("c", result.run_id, 1)]
        assert conn.execute("SELECT catalog_source, sha256, year FROM reports ORDER BY catalog_source").fetchall() == [
            ("a", _sha("a"), 2022), ("b", _sha("b"), 2019), ("c", _sha("c"), 2024)]
        # one crawl for the run, its record kept per source
        runs = conn.execute("SELECT source, reports_found FROM crawl_runs ORDER BY source").fetchall()
        assert runs == [("a", 1), ("b", 1), ("c", 1)]
        assert conn.execute("SELECT count(DISTINCT crawl_id) FROM crawl_runs").fetchall() == [(1,)]


def test_a_quiet_batch_records_each_source_and_parses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The next night, nothing new: each source's crawl is recorded as its own (quiet) unit, nothing
    parsed, the warehouse's reports untouched."""
    monkeypatch.setenv("NIANBAO_PARSE_WORKERS", "1")
    with dg.instance_for_test() as instance:
        first = _run_batch(tmp_path, instance)
        (tmp_path / "catalog.yaml").unlink()
        shutil.rmtree(tmp_path / "sources")
        second = _run_batch(tmp_path, instance)  # the same sources, the same files
        assert first.success and second.success
        meta = _materialised(instance, second.run_id, "source_staged")[0][1]
        assert (meta["sources_staged"].value, meta["parsed"].value, meta["reports"].value) == (3, 0, 0)
    with duckdb.connect(str(tmp_path / "published" / "w.duckdb"), read_only=True) as conn:
        assert conn.execute("SELECT source, reports FROM staged_loads WHERE run_id = ? ORDER BY source",
                            [second.run_id]).fetchall() == [("a", 0), ("b", 0), ("c", 0)]
        assert conn.execute("SELECT source, count(*), sum(reports_found) FROM crawl_runs GROUP BY 1 ORDER BY 1").fetchall() == [
            ("a", 2, 2), ("b", 2, 2), ("c", 2, 2)]
        assert conn.execute("SELECT catalog_source, sha256 FROM reports ORDER BY 1").fetchall() == [
            ("a", _sha("a")), ("b", _sha("b")), ("c", _sha("c"))]


def test_a_source_failing_in_a_batch_leaves_the_others_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIANBAO_PARSE_WORKERS", "1")
    real = pipelines.staging.write_unit

    def disk_full_for_b(discovered, *args, **kwargs):
        if discovered.source == "b":
            raise OSError(28, "No space left on device")
        return real(discovered, *args, **kwargs)

    monkeypatch.setattr(pipelines.staging, "write_unit", disk_full_for_b)
    with dg.instance_for_test() as instance:
        result = _run_batch(tmp_path, instance)
        assert result.success  # the batch goes on
        meta = _materialised(instance, result.run_id, "source_staged")[0][1]
        assert (meta["sources_staged"].value, meta["sources_failed"].value, meta["failed_sources"].value) == (2, 1, "b")
        # b's own partition says it was not staged, and why
        seen = [e.asset_observation for e in instance.all_logs(result.run_id, of_type=dg.DagsterEventType.ASSET_OBSERVATION)]
        assert [(o.asset_key, o.partition, o.metadata["staging_failed"].value) for o in seen] == [
            (dg.AssetKey("source_staged"), "b", "OSError: [Errno 28] No space left on device")]
        # so b is due again tomorrow although its every_days is 7; a and c are not
        tomorrow = datetime.now(UTC) + timedelta(days=1)
        assert due_sources(instance, {n: 7 for n in DOCS}, tomorrow) == ["b"]
    with duckdb.connect(str(tmp_path / "published" / "w.duckdb"), read_only=True) as conn:
        assert conn.execute("SELECT source, reports FROM staged_loads ORDER BY source").fetchall() == [("a", 1), ("c", 1)]
        assert conn.execute("SELECT catalog_source, sha256 FROM reports ORDER BY 1").fetchall() == [
            ("a", _sha("a")), ("c", _sha("c"))]


def test_backfill_queues_batches_of_sources_as_runs_of_the_code_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "deploy" / "dagster.yaml", home / "dagster.yaml")
    catalog = _catalog(tmp_path)
    env = {**os.environ, "DAGSTER_HOME": str(home), "NIANBAO_PORTALS_PER_RUN": "2", "NIANBAO_DATA_DIR": str(tmp_path / "data"),
           "NIANBAO_DB": str(tmp_path / "w.duckdb")}
    proc = subprocess.run([str(Path(sys.executable).parent / "nianbao"), "backfill", "--catalog", str(catalog)], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines()[-1] == "2 run(s) queued for 3 source(s)"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.chdir(REPO)  # workspace.yaml's working directory "." is the repository
    with dg.DagsterInstance.get() as instance, sensor_ticks(instance) as (_tick, workspace):
        runs = sorted(instance.get_runs(), key=lambda r: r.tags.get(RANGE_START) or r.tags.get("dagster/partition"))
        # a … b in one run (a range, as Dagster's backfill policy makes it), c alone; both queued for the daemon
        assert [({k: v for k, v in r.tags.items() if k in (RANGE_START, RANGE_END, "dagster/partition", "nianbao/command")},
                 r.status) for r in runs] == [
            ({RANGE_START: "a", RANGE_END: "b", "nianbao/command": "backfill"}, dg.DagsterRunStatus.QUEUED),
            ({"dagster/partition": "c", "nianbao/command": "backfill"}, dg.DagsterRunStatus.QUEUED)]
        job = remote_job(workspace, "source_ingest")
        # the origin the daemon gives a run of the job, from the workspace the UI and the daemon load
        assert all(r.remote_job_origin == job.get_remote_origin() and r.job_code_origin == job.get_python_origin()
                   for r in runs)
        label = job.get_remote_origin().repository_origin.get_label()
        page = instance.get_runs(dg.RunsFilter(job_name="source_ingest", tags={REPOSITORY_LABEL_TAG: label}))
        assert sorted(r.run_id for r in page) == sorted(r.run_id for r in runs)  # Jobs › source_ingest › Runs


def test_the_night_asks_for_runs_of_consecutive_due_sources(tmp_path: Path) -> None:
    """Sources due tonight as runs: stretches of sources consecutive in the partitions' order (a range
    covers every partition between its ends), at most NIANBAO_PORTALS_PER_RUN each; a source not due
    splits a stretch, so no run covers it."""
    assert source_batches(["a", "b", "c", "d", "e"], ["a", "b", "d", "e"], per_run=3) == [["a", "b"], ["d", "e"]]
    assert source_batches(["a", "b", "c", "d", "e"], ["e", "a", "b", "c", "d"], per_run=2) == [["a", "b"], ["c", "d"], ["e"]]
    assert source_batches(["a", "b", "c"], ["z"], per_run=2) == []
    documents = DocumentSource(catalog=str(_catalog(tmp_path)), data_dir=str(tmp_path / "data"))
    with dg.instance_for_test() as instance:
        sync_partitions(instance, ["a", "b", "c"])
        instance.report_runless_asset_event(dg.AssetMaterialization("source_staged", partition="b"))  # b staged today
        in_two_days = datetime.now(UTC) + timedelta(days=2)
        requests = sources_nightly_schedule(dg.build_schedule_context(
            instance=instance, scheduled_execution_time=in_two_days, resources={"documents": documents}))
        # every_days 7: b is not due, so a and c are two runs of one source each
        assert [(r.partition_key, r.tags) for r in requests] == [("a", {"nianbao/command": "schedule"}),
                                                                 ("c", {"nianbao/command": "schedule"})]
        in_eight_days = datetime.now(UTC) + timedelta(days=8)
        requests = sources_nightly_schedule(dg.build_schedule_context(
            instance=instance, scheduled_execution_time=in_eight_days, resources={"documents": documents}))
        # all three due: one run over the range a … c
        assert [(r.run_key, r.partition_key, r.tags) for r in requests] == [
            (f"a..c:{in_eight_days:%Y-%m-%d}", None, {"nianbao/command": "schedule", RANGE_START: "a", RANGE_END: "c"})]
        # and Dagster's own evaluation of the tick (what the daemon does) accepts it as it is
        tick = sources_nightly_schedule.evaluate_tick(dg.build_schedule_context(
            instance=instance, scheduled_execution_time=in_eight_days, resources={"documents": documents}))
        assert [(r.tags[RANGE_START], r.tags[RANGE_END]) for r in tick.run_requests] == [("a", "c")]
