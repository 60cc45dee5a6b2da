"""The long-lived code server of national mode, whose runs start from a process that has already
imported the code: ``python -m pipelines.defs.code_server -m pipelines.definitions -h HOST -p PORT``
(the options of ``dagster api grpc``, which it is).

Dagster's default run launcher asks the code server to start a run, and the server starts it in a
new *spawned* Python process (``DagsterApiServer.StartRun``, multiprocessing's "spawn" context at the
pinned dagster 1.13.27): that process imports Dagster, the code location (pandas, pandera, the
parsers) and the storage before the run's first step — ~2 s a run on a quiet core, more than a
portal's crawl. Here the server takes multiprocessing's "forkserver" context instead, with the code
location preloaded: the fork server imports it once when the server starts, and each run is a fork
of it. A fork server is a fresh interpreter started from this one (not a fork of the gRPC server,
whose threads a fork would break), and it never opens the instance: each run opens its own storage,
as a spawned run does. What the run executes is Dagster's own ``start_run_in_subprocess``, unchanged.

Code reload: the fork server holds the code as it was when the server started, so new code needs a
restart of this server (``dagster code-server start``, which can reload from the UI, keeps spawning:
deploy/workspace-codeserver.yaml says which to use when).
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import multiprocessing.forkserver
import signal
import sys

# What a run process imports before its first step: Dagster's run entry point, the code location and
# the production instance's storage (docs/operations.md).
PRELOAD = ("dagster._grpc.impl", "pipelines.definitions", "dagster_postgres")


def forkserver_context(preload: tuple[str, ...] = PRELOAD) -> multiprocessing.context.BaseContext:
    """multiprocessing's fork-server context with ``preload`` imported in the fork server, started now
    (so the first run does not wait for the imports either). Modules that are not installed are left out."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([m for m in preload if importlib.util.find_spec(m.split(".")[0]) is not None])
    multiprocessing.forkserver.ensure_running()
    return ctx


def install() -> None:
    """Make ``dagster api grpc`` build servers that start runs from the fork server."""
    from dagster._grpc import server

    spawning = server.DagsterApiServer

    class ForkingApiServer(spawning):  # type: ignore[misc,valid-type]
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            # (the one attribute StartRun takes its Process, Queue and Event from)
            self._mp_ctx = forkserver_context()

    server.DagsterApiServer = ForkingApiServer  # (read by `dagster api grpc` when it builds its server)


def main() -> None:
    # Dagster maps SIGTERM to whatever SIGINT does; a service a script starts in the background has
    # SIGINT ignored (non-interactive shells do that to `cmd &`), and then nothing but SIGKILL stopped it
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    install()
    from dagster._cli import main as dagster_main

    sys.argv = ["dagster", "api", "grpc", *sys.argv[1:]]
    dagster_main()


if __name__ == "__main__":  # (not when the fork server imports this process's main module)
    main()
