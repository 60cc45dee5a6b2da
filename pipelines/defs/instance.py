"""The Dagster instance the command line records its runs in, so `nianbao ingest`, `reparse` and
`reparse-failed` show in the UI's Runs, asset and check history exactly like scheduled runs.

``$DAGSTER_HOME`` when set (the Makefile sets it to ./.dagster_home, which `make ui` serves);
otherwise the same ./.dagster_home, said out loud. A new home gets the project's instance config
(deploy/dagster.yaml: SQLite storage, the DuckDB writer pool) and the UI's first-visit pop-up off.
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import dagster as dg
import psutil

import pipelines.defs.dagster_settings  # noqa: F401 - Dagster's switches for range runs, set on import

DEFAULT_HOME = ".dagster_home"

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
INSTANCE_CONFIG = DEPLOY / "dagster.yaml"


def instance_config() -> Path:
    """The instance config a new home gets: SQLite storage (the zero-set-up default), or with
    NIANBAO_DAGSTER_STORAGE=postgres the production one (deploy/dagster-postgres.yaml, whose URL is
    $NIANBAO_DAGSTER_PG_URL)."""
    storage = os.environ.get("NIANBAO_DAGSTER_STORAGE", "sqlite").lower()
    if storage not in ("sqlite", "postgres"):
        raise ValueError(f"NIANBAO_DAGSTER_STORAGE must be sqlite or postgres, not {storage!r}")
    return INSTANCE_CONFIG if storage == "sqlite" else DEPLOY / "dagster-postgres.yaml"


def prepare_home(home: Path) -> None:
    (home / ".nux").mkdir(parents=True, exist_ok=True)
    config = instance_config()
    if config.exists() and not (home / "dagster.yaml").exists():
        shutil.copyfile(config, home / "dagster.yaml")
    nux = home / ".nux" / "nux.yaml"
    if not nux.exists():
        nux.write_text("seen: 1\n", encoding="utf-8")


def open_instance() -> tuple[dg.DagsterInstance, str]:
    """The persistent instance and a line saying which one it is."""
    configured = os.environ.get("DAGSTER_HOME")
    home = Path(configured or DEFAULT_HOME).resolve()
    prepare_home(home)
    os.environ["DAGSTER_HOME"] = str(home)
    note = "" if configured else " (DAGSTER_HOME not set: the default ./.dagster_home, the one `make ui` shows)"
    return dg.DagsterInstance.get(), f"dagster instance: {home}{note}"


# Tags on the runs the command line executes in-process: which process runs them, so a later
# command can tell a run whose process died (SIGKILL, the OOM killer, a power cut) from one going on.
PID_TAG, HOST_TAG, STARTED_TAG = "nianbao/pid", "nianbao/host", "nianbao/process_started"
ACTIVE = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]


def process_tags() -> dict[str, str]:
    me = psutil.Process()
    return {PID_TAG: str(me.pid), HOST_TAG: socket.gethostname(), STARTED_TAG: f"{me.create_time():.2f}"}


def _alive(pid: int, started: str) -> bool:
    try:
        return f"{psutil.Process(pid).create_time():.2f}" == started  # (a reused pid is another process)
    except (psutil.NoSuchProcess, psutil.AccessDenied, ValueError):
        return False


def reap_dead_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark failed the in-process runs of this host whose process is gone, and free the concurrency
    slots they held: a run killed inside a step keeps its slot of the DuckDB writer pool, and every
    later run would wait for it forever. (Runs the daemon launches are watched by Dagster's own run
    monitoring; they carry no pid tag.) Returns the run ids reaped."""
    reaped = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=ACTIVE)):
        tags = run.tags
        if tags.get(HOST_TAG) != socket.gethostname() or PID_TAG not in tags:
            continue
        if _alive(int(tags[PID_TAG]), tags.get(STARTED_TAG, "")):
            continue
        instance.report_run_failed(run, message=f"the process running it (pid {tags[PID_TAG]}) died without finishing; "
                                                "reaped by the next nianbao command")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        reaped.append(run.run_id)
    return reaped
