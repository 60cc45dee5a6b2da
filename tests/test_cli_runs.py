"""Runs of the command line are runs of the code location, like scheduled ones: the job page and the
timeline list them (the UI selects a job's runs by the repository label their origin gives), the
run-status sensors alert on them; and every run says what it did (command, source, documents,
parser version)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.storage.tags import REPOSITORY_LABEL_TAG

from pipelines.definitions import nightly_schedule
from pipelines.parse.report import PARSER_VERSION
from tests.conftest import REPO, SAMPLES, forge_doc
from tests.sensor_daemon import remote_job, sensor_ticks

NIANBAO = {"nianbao/command", "nianbao/source", "nianbao/documents", "nianbao/parser_version"}


def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "dagster_home"
    (home / ".nux").mkdir(parents=True)
    shutil.copy(REPO / "deploy" / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.delenv("NIANBAO_ALERT_WEBHOOK", raising=False)
    monkeypatch.chdir(REPO)  # workspace.yaml's working directory "." is the repository
    return home


def _cli(module: str, *args: str) -> str:
    """`python -m <module> …` as cron or a person runs it; the run id from its last line."""
    out = subprocess.run([sys.executable, "-m", module, *args], cwd=REPO, env=dict(os.environ), capture_output=True,
                         text=True, check=True).stdout.strip().splitlines()
    assert out[-1].startswith("run "), out
    return out[-1].split()[1]


def _nianbao_tags(run: dg.DagsterRun) -> dict[str, str]:
    return {k: v for k, v in run.tags.items() if k.startswith("nianbao/") and k in NIANBAO}


def test_a_cli_night_is_on_the_job_page_and_its_new_failure_alerts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = _home(tmp_path, monkeypatch)
    src = tmp_path / "night"
    src.mkdir()
    shutil.copy(SAMPLES / "forge-01-2021.html", src)
    # fails under the buggy release (tests.buggy_release), a new failed parse this night
    (src / "broken-report.html").write_bytes(forge_doc("forge-12-2021.html").read_bytes().replace(b"</body>", b"<!-- FIXME --></body>"))
    db = tmp_path / "w.duckdb"
    with dg.DagsterInstance.get() as instance, sensor_ticks(instance) as (tick, workspace):
        tick()  # the daemon was running before the night: the run-status sensors start from here
        run_id = _cli("tests.buggy_release", "ingest", "--source", str(src), "--db", str(db))
        tick()
        # alert_on_new_failures (a run-status sensor, evaluated by the daemon's loop) saw the CLI run
        alerts = [json.loads(line) for line in (home / "alerts.jsonl").read_text(encoding="utf-8").splitlines()]
        assert [{k: v for k, v in a.items() if k != "at"} for a in alerts] == [
            {"run_id": run_id, "job": "nightly_ingest", "kind": "new_failed_parses", "new_failures": 1, "outstanding": 0,
             "message": "broken-report.html: parser_crash (new)"}]
        job = remote_job(workspace, "nightly_ingest")
        run = instance.get_run_by_id(run_id)
        # the origin the daemon gives a scheduled run of the job, from the workspace the UI loads
        assert run.remote_job_origin == job.get_remote_origin()
        assert run.job_code_origin == job.get_python_origin()
        assert (run.remote_job_origin.location_name, run.remote_job_origin.repository_origin.repository_name,
                run.job_name) == ("pipelines.definitions", "__repository__", "nightly_ingest")
        # Jobs › nightly_ingest › Runs asks for exactly this (dagster_graphql GraphenePipeline.resolve_runs)
        label = job.get_remote_origin().repository_origin.get_label()
        page = instance.get_runs(dg.RunsFilter(job_name="nightly_ingest", tags={REPOSITORY_LABEL_TAG: label}))
        assert [r.run_id for r in page] == [run_id]
        assert run.status == dg.DagsterRunStatus.SUCCESS


def test_every_run_says_what_it_did(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _home(tmp_path, monkeypatch)
    db = str(tmp_path / "w.duckdb")
    demo = _cli("pipelines.cli", "ingest", "--db", db)  # the demo catalogue: 8 bundled sample documents
    one = _cli("pipelines.cli", "reparse", str(SAMPLES / "forge-01-2021.html"), "--db", db)
    failed = _cli("pipelines.cli", "reparse-failed", "--db", db)
    with dg.DagsterInstance.get() as instance:
        tags = {r.run_id: _nianbao_tags(r) for r in instance.get_runs()}
    catalogue = REPO / "pipelines" / "catalog" / "demo.yaml"
    assert tags == {
        demo: {"nianbao/command": "ingest", "nianbao/source": f"catalogue {catalogue}: demo-samples",
               "nianbao/documents": "8", "nianbao/parser_version": PARSER_VERSION},
        one: {"nianbao/command": "reparse", "nianbao/source": f"re-parse of {SAMPLES / 'forge-01-2021.html'}",
              "nianbao/documents": "1", "nianbao/parser_version": PARSER_VERSION},
        failed: {"nianbao/command": "reparse-failed", "nianbao/source": "re-parse of failed documents",
                 "nianbao/documents": "0", "nianbao/parser_version": PARSER_VERSION},
    }
    # a scheduled night says so too
    (request,) = nightly_schedule.evaluate_tick(dg.build_schedule_context()).run_requests
    assert request.tags == {"nianbao/command": "schedule", "dagster/schedule_name": "nightly_ingest_schedule"}


def test_a_cli_run_started_in_the_background_can_still_be_terminated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A non-interactive shell starts a background job (`nianbao ingest &`, cron scripts, CI) with SIGINT
    ignored. Dagster's in-process execution sets SIGTERM to SIGINT's handler when it finishes, so after
    one run SIGTERM was ignored by the command and by everything it started (`make ui` then never
    stopped). The process's SIGTERM, and what a child it starts inherits, stay as they were."""
    _home(tmp_path, monkeypatch)
    src = tmp_path / "night"
    src.mkdir()
    shutil.copy(SAMPLES / "forge-01-2021.html", src)
    script = ("import signal, subprocess\n"
              "from pipelines.cli import app\n"
              f"app(['ingest', '--source', {str(src)!r}, '--db', {str(tmp_path / 'w.duckdb')!r}], standalone_mode=False)\n"
              "print('parent', int(signal.getsignal(signal.SIGTERM)))\n"
              "print('child', subprocess.run(['sh', '-c', 'grep SigIgn /proc/$$/status'], capture_output=True,"
              " text=True).stdout.split()[1])\n")
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=dict(os.environ), capture_output=True, text=True,
                         check=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)).stdout
    assert "run " in out and "of nightly_ingest recorded" in out, out  # a run was made in this process
    lines = dict(line.split(" ", 1) for line in out.splitlines() if line.startswith(("parent ", "child ")))
    assert lines["parent"] == str(int(signal.SIG_DFL)), out
    ignored = int(lines["child"], 16)
    assert ignored & (1 << (signal.SIGTERM - 1)) == 0, f"a child of the command ignores SIGTERM: SigIgn {lines['child']}"
    assert ignored & (1 << (signal.SIGINT - 1)), "(the shell's ignored SIGINT is kept: it is the caller's to set)"
