"""`make ui` / `nianbao ui`: `dagster dev` (webserver, daemon, code servers) that stops cleanly.

`dagster dev` shuts its children down on an interrupt, but not always within seconds (a daemon
thread mid-tick, a code server still loading), and a supervisor that gives up leaves orphans. So
it runs in a process group of its own; on SIGINT or SIGTERM that group gets SIGINT (a graceful
stop), then SIGTERM, then SIGKILL, each after a grace period, until no process of the group is
left. The supervisor then exits, so the caller's process group (make, uv) empties too.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

import pipelines.defs.dagster_settings  # noqa: F401 - in os.environ, inherited by the daemon and the webserver

GRACE_SECONDS = 2.5  # per step: SIGINT, then SIGTERM, then SIGKILL — all gone within ~6 s


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes of a process group. Zombies count as gone: in a container whose
    init does not reap, an exited grandchild stays a zombie forever though nothing runs."""
    members = []
    for p in psutil.process_iter(["status"]):
        try:
            if os.getpgid(p.pid) == pgid and p.info["status"] != psutil.STATUS_ZOMBIE:
                members.append(p.pid)
        except (ProcessLookupError, psutil.Error):
            continue
    return members


def group_alive(pgid: int) -> bool:
    return bool(group_members(pgid))


def stop_group(proc: subprocess.Popen, grace: float = GRACE_SECONDS) -> None:
    """SIGINT, SIGTERM, SIGKILL to the whole group, each until it is empty or ``grace`` passed."""
    pgid = proc.pid  # the child leads its own group
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            proc.poll()  # reap the leader so it does not linger as a zombie
            if not group_alive(pgid):
                return
            time.sleep(0.2)
    proc.poll()


def serve(host: str = "127.0.0.1", port: int = 3000, workspace: str = "workspace.yaml") -> int:
    """Run `dagster dev` until it exits or this process is interrupted; returns its exit code."""
    dagster = Path(sys.executable).with_name("dagster")
    cmd = [str(dagster), "dev", "-w", workspace, "-h", host, "-p", str(port)]
    proc = subprocess.Popen(cmd, process_group=0)  # its own group: signalled as a whole, nothing escapes
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            print(f"nianbao ui: {signal.Signals(signum).name} received, stopping dagster dev and its children",
                  file=sys.stderr, flush=True)
            stop_group(proc)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    code = proc.wait()
    if group_alive(proc.pid):  # dagster dev exited on its own but left children behind
        stop_group(proc)
    return 0 if stopping else code
