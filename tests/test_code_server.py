"""The national-mode code server (`python -m pipelines.defs.code_server`): the daemon launches a
`nianbao backfill` run through it, the run process is a fork of the server's fork server (which
imported the code when the server started) rather than a new interpreter importing everything, and
the run does what a spawned run does: the sources staged and loaded, under the code location's origin."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import psutil
import pytest
import yaml

from pipelines.defs.ui import group_alive, stop_group
from tests.conftest import folder_catalog

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DOCS = {"county-a": ["forge-01-2021.html", "forge-06-2021-slash.txt"], "county-b": ["forge-12-2021.html"]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.timeout(600)
def test_runs_launched_through_the_code_server_are_forks_of_its_fork_server(tmp_path: Path) -> None:
    catalog = folder_catalog(tmp_path, DOCS)
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    port = _free_port()
    workspace = tmp_path / "workspace.yaml"
    workspace.write_text(yaml.safe_dump({"load_from": [{"grpc_server": {
        "host": "127.0.0.1", "port": port, "location_name": "pipelines.definitions"}}]}), encoding="utf-8")
    env = {**os.environ, "DAGSTER_HOME": str(home), "NIANBAO_MODE": "national", "NIANBAO_CATALOG": str(catalog),
           "NIANBAO_DATA_DIR": str(tmp_path / "data"), "NIANBAO_DB": str(tmp_path / "data" / "w.duckdb"),
           "NIANBAO_PARSE_WORKERS": "1", "PYTHONPATH": str(REPO)}
    env.pop("NIANBAO_PUBLISHED_DB", None)
    log = (tmp_path / "services.log").open("wb")
    server = subprocess.Popen([sys.executable, "-m", "pipelines.defs.code_server", "-m", "pipelines.definitions",
                               "-h", "127.0.0.1", "-p", str(port)], cwd=REPO, env=env, stdout=log,
                              stderr=subprocess.STDOUT, process_group=0)
    daemon = None
    saved = os.environ.get("DAGSTER_HOME")
    try:
        end = time.monotonic() + 180
        while not _listening(port):
            assert server.poll() is None and time.monotonic() < end, "the code server did not start"
            time.sleep(0.5)
        # the fork server: a child of the code server that imported the code location
        forkservers = [p for p in psutil.Process(server.pid).children()
                       if "multiprocessing.forkserver" in " ".join(p.cmdline())]
        assert len(forkservers) == 1 and "pipelines.definitions" in " ".join(forkservers[0].cmdline())
        daemon = subprocess.Popen([str(BIN / "dagster-daemon"), "run", "-w", str(workspace)], cwd=REPO, env=env,
                                  stdout=log, stderr=subprocess.STDOUT, process_group=0)
        proc = subprocess.run([str(BIN / "nianbao"), "backfill"], cwd=REPO, env=env, capture_output=True, text=True,
                              timeout=300)
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
        os.environ["DAGSTER_HOME"] = str(home)
        with dg.DagsterInstance.get() as instance:
            (record,) = instance.get_run_records(dg.RunsFilter(job_name="source_ingest"))
            run_id = record.dagster_run.run_id
            # the run's process, as soon as it says its pid: its parent is the fork server
            parent, end = None, time.monotonic() + 300
            while parent is None:
                assert daemon.poll() is None and time.monotonic() < end, "the run did not start"
                said = [e.message for e in instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT)
                        if e.message and e.message.startswith("Started process for run")]
                if said:
                    pid = int(re.search(r"pid: (\d+)", said[0]).group(1))
                    parent = psutil.Process(pid).ppid()
                time.sleep(0.1)
            assert parent == forkservers[0].pid
            while not instance.get_run_by_id(run_id).is_finished:
                assert daemon.poll() is None and time.monotonic() < end, "the run did not end"
                time.sleep(0.5)
            run = instance.get_run_by_id(run_id)
            assert run.status == dg.DagsterRunStatus.SUCCESS
            # under the code location's origin, as every run the daemon launches
            assert run.remote_job_origin.location_name == "pipelines.definitions"
            assert run.tags["nianbao/command"] == "backfill"
        with duckdb.connect(str(tmp_path / "data" / "published" / "w.duckdb"), read_only=True) as conn:
            assert conn.execute("SELECT catalog_source, count(*) FROM reports GROUP BY 1 ORDER BY 1").fetchall() == [
                ("county-a", 2), ("county-b", 1)]
            assert conn.execute("SELECT source FROM staged_loads ORDER BY 1").fetchall() == [("county-a",), ("county-b",)]
    finally:
        if saved is None:
            os.environ.pop("DAGSTER_HOME", None)
        else:
            os.environ["DAGSTER_HOME"] = saved
        for service in (daemon, server):
            if service is not None:
                stop_group(service)
                assert not group_alive(service.pid)
        log.close()


@pytest.mark.timeout(300)
def test_the_code_server_started_in_the_background_stops_on_sigterm(tmp_path: Path) -> None:
    """A script's `python -m pipelines.defs.code_server … &` has SIGINT ignored, and Dagster maps SIGTERM
    to what SIGINT does: the server then ignored SIGTERM (only SIGKILL stopped it)."""
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), "PYTHONPATH": str(REPO)}
    server = subprocess.Popen([sys.executable, "-m", "pipelines.defs.code_server", "-m", "pipelines.definitions",
                               "-h", "127.0.0.1", "-p", str(port)], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, process_group=0,
                              preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        end = time.monotonic() + 180
        while not _listening(port):
            assert server.poll() is None and time.monotonic() < end, "the code server did not start"
            time.sleep(0.5)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)  # (TimeoutExpired: SIGTERM ignored)
    finally:
        if group_alive(server.pid):
            stop_group(server)
