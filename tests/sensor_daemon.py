"""The daemon's sensor loop, one tick at a time, over the code location of workspace.yaml (loaded in a
code server subprocess, as `dagster-daemon run` loads it): tests see what the real sensors do with
the runs in an instance, without a daemon process and its 30-second sensor interval."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import dagster as dg
from dagster._core.test_utils import freeze_time
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import WorkspaceFileTarget
from dagster._daemon.sensor import execute_sensor_iteration

from tests.conftest import REPO

LOCATION, REPOSITORY = "pipelines.definitions", "__repository__"


@contextmanager
def sensor_ticks(instance: dg.DagsterInstance) -> Iterator[tuple[Callable[[], None], WorkspaceProcessContext]]:
    """A function that runs one iteration of every running sensor, and the workspace it loaded. The
    code server inherits this process's environment ($DAGSTER_HOME: where alerts.jsonl goes) and
    resolves workspace.yaml's working directory against the current one (the repository)."""
    with WorkspaceProcessContext(instance, WorkspaceFileTarget([str(REPO / "workspace.yaml")])) as workspace:
        clock = [time.time()]

        def tick() -> None:
            clock[0] += 120  # past every sensor's minimum interval since its last tick
            with freeze_time(clock[0]):
                list(execute_sensor_iteration(workspace, logging.getLogger("sensor_ticks"), None, None))

        yield tick, workspace


def remote_job(workspace: WorkspaceProcessContext, job: str):  # -> RemoteJob
    location = workspace.create_request_context().get_code_location(LOCATION)
    return location.get_repository(REPOSITORY).get_full_job(job)
