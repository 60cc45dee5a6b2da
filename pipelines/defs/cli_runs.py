"""How the command line runs a job: in this process (its output, exit code and parse-worker limits stay
the command's), yet recorded as a run of the workspace's code location, exactly as the daemon records
a scheduled run. A run made by ``execute_in_process`` alone has no code-location origin: the job page
(Jobs › nightly_ingest › Runs), the Overview timeline and the run-status sensors (the alerts) select
runs by that origin, and ignored the command line's nights.

The origin is built from workspace.yaml the way the webserver and the daemon build it (location
``pipelines.definitions``, Dagster's single repository ``__repository__``), without starting a code
server: the module is already imported here.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
from dagster._core.code_pointer import CodePointer
from dagster._core.definitions.job_base import InMemoryJob
from dagster._core.definitions.reconstruct import ReconstructableRepository
from dagster._core.definitions.repository_definition.valid_definitions import SINGLETON_REPOSITORY_NAME
from dagster._core.execution.api import (
    ExecuteRunWithPlanIterable,
    create_execution_plan,
    job_execution_iterator,
)
from dagster._core.execution.context_creation_job import (
    PlanOrchestrationContextManager,
    orchestration_context_event_generator,
)
from dagster._core.origin import JobPythonOrigin
from dagster._core.remote_origin import (
    ManagedGrpcPythonEnvCodeLocationOrigin,
    RemoteJobOrigin,
    RemoteRepositoryOrigin,
)
from dagster._core.workspace.autodiscovery import loadable_targets_from_python_module
from dagster._core.workspace.load import location_origins_from_yaml_paths

WORKSPACE = Path(__file__).resolve().parents[2] / "workspace.yaml"
LOCATION = "pipelines.definitions"  # the code location workspace.yaml loads (named after its module)


@cache
def _repository_origins() -> tuple[RemoteRepositoryOrigin, ReconstructableRepository]:
    locations = {o.location_name: o for o in location_origins_from_yaml_paths([str(WORKSPACE)])}
    location = locations[LOCATION]
    if not isinstance(location, ManagedGrpcPythonEnvCodeLocationOrigin):
        raise TypeError(f"{WORKSPACE}: location {LOCATION} is not a python_module entry")
    target = location.loadable_target_origin
    # the pointer the code server makes for it: the module and the Definitions attribute it finds there
    (symbol,) = loadable_targets_from_python_module(target.module_name, target.working_directory)
    recon = ReconstructableRepository(CodePointer.from_module(target.module_name, symbol.attribute, target.working_directory),
                                      container_context={})  # (as the code server records it: {} for none)
    return RemoteRepositoryOrigin(location, SINGLETON_REPOSITORY_NAME), recon


def job_origins(job_name: str) -> tuple[RemoteJobOrigin, JobPythonOrigin]:
    """The origins a run of ``job_name`` launched by the daemon or the UI carries."""
    repository, recon = _repository_origins()
    return RemoteJobOrigin(repository, job_name), recon.get_reconstructable_job(job_name).get_python_origin()


@contextmanager
def sigterm_kept() -> Iterator[None]:
    """SIGTERM's disposition as it was before, whatever the run left. Dagster's in-process execution
    points SIGTERM at SIGINT's handler around every step and, when it puts SIGINT back, SIGTERM too. A
    process a non-interactive shell starts in the background (`nianbao ingest &`, cron scripts, CI)
    has SIGINT ignored, so after one run SIGTERM was ignored for good — by this process and by every
    process it started (a `make ui` started from such a process could not be stopped)."""
    before = signal.getsignal(signal.SIGTERM)
    try:
        yield
    finally:
        if before is not None:  # (None: a handler not set from Python, which cannot be put back)
            signal.signal(signal.SIGTERM, before)


def execute_as_location_run(job_def: dg.JobDefinition, instance: dg.DagsterInstance, run_config: Mapping[str, Any],
                            tags: Mapping[str, str]) -> dg.ExecuteInProcessResult:
    """``job_def.execute_in_process(instance=…, raise_on_error=False)``, with the run created under the
    code location's origin. (Dagster's execute_in_process takes no origin; this mirrors its body,
    dagster/_core/execution/execute_in_process.py at the pinned 1.13.27, adding only the origins.)"""
    job = job_def.as_ephemeral_job(resource_defs={}, input_values={})  # in-memory outputs, in-process executor
    recon_job = InMemoryJob(job_def=job)
    remote_origin, code_origin = job_origins(job_def.name)
    plan = create_execution_plan(recon_job, run_config=run_config, instance_ref=instance.get_ref())
    run = instance.create_run_for_job(job_def=job, run_config=run_config, tags={**job_def.run_tags, **tags},
                                      execution_plan=plan, remote_job_origin=remote_origin, job_code_origin=code_origin)
    outputs: dict = {}
    with sigterm_kept():
        events = list(ExecuteRunWithPlanIterable(
            execution_plan=plan, iterator=job_execution_iterator,
            execution_context_manager=PlanOrchestrationContextManager(
                context_event_generator=orchestration_context_event_generator, job=recon_job, execution_plan=plan,
                dagster_run=run, instance=instance, run_config=run_config, executor_defs=None, output_capture=outputs,
                raise_on_error=False)))
    return dg.ExecuteInProcessResult(job_def=job, event_list=events, dagster_run=instance.get_run_by_id(run.run_id),
                                     output_capture=outputs)


def submit_as_location_run(job_def: dg.JobDefinition, instance: dg.DagsterInstance, tags: Mapping[str, str]) -> dg.DagsterRun:
    """Create a run of ``job_def`` under the code location's origin and submit it to the instance's
    run queue, as the daemon's backfills and schedules do: the queue daemon launches it through the
    workspace (a new process with the code location's code), it is on the job page and the timeline,
    and the run-status sensors see it. Nothing is launched from this process, and no code server
    is started for it: the job is already imported here."""
    from dagster._core.run_coordinator import QueuedRunCoordinator

    if not isinstance(instance.run_coordinator, QueuedRunCoordinator):
        raise TypeError(f"the instance's run coordinator is {type(instance.run_coordinator).__name__}: "
                        "submitting needs the run queue (QueuedRunCoordinator, the default)")
    remote_origin, code_origin = job_origins(job_def.name)
    all_tags = {**job_def.run_tags, **tags}
    plan = create_execution_plan(job_def, run_config={}, instance_ref=instance.get_ref(), tags=all_tags)
    run = instance.create_run_for_job(job_def=job_def, run_config={}, tags=all_tags, execution_plan=plan,
                                      remote_job_origin=remote_origin, job_code_origin=code_origin)
    # (the queued coordinator only enqueues: it never reads the workspace the signature asks for)
    return instance.submit_run(run.run_id, workspace=None)  # type: ignore[arg-type]
