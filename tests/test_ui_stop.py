"""`make ui` starts the webserver, the daemon and code servers, and SIGTERM to make ends every one
of them within 30 s (about 7 on an idle machine): no process is left in make's process group nor in
any group its children made (dagster dev runs in a group of its own so that it can be stopped as a
whole)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import psutil
import pytest

from pipelines.defs.ui import group_members
from tests.conftest import REPO


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _described(pids: list[int]) -> list[str]:
    """What a process left behind is: its command, state and signal dispositions (to tell a stuck
    process from one that never got the signal)."""
    out = []
    for pid in pids:
        try:
            status = {k: v.strip() for k, v in (line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())}
            out.append(f"{pid} {' '.join(psutil.Process(pid).cmdline())[:120]} state={status['State']} "
                       f"ppid={status['PPid']} ign={status['SigIgn']} blk={status['SigBlk']} cgt={status['SigCgt']}")
        except (OSError, psutil.Error):
            continue
    return out


def test_make_ui_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "home")}
    make = subprocess.Popen(["make", "--no-print-directory", "ui", f"UI_PORT={port}"], cwd=REPO, env=env,
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            # SIGTERM as a person's shell gives it (an ignored disposition is inherited)
                            preexec_fn=lambda: signal.signal(signal.SIGTERM, signal.SIG_DFL))
    groups = {make.pid}
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/server_info", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("the UI did not come up within 120 s")
        tree = psutil.Process(make.pid).children(recursive=True)
        groups |= {os.getpgid(p.pid) for p in tree if p.is_running()}
        names = " ".join(" ".join(p.cmdline()) for p in tree if p.is_running())
        assert "dagster_webserver" in names and "dagster._daemon" in names, names  # all of it was running
        os.kill(make.pid, signal.SIGTERM)
        stopped = time.monotonic()
        while time.monotonic() - stopped < 30 and any(group_members(g) for g in groups):  # (~7 s idle)
            time.sleep(0.2)
        left = {g: _described(group_members(g)) for g in groups if group_members(g)}
        assert left == {}, f"still alive {time.monotonic() - stopped:.1f} s after SIGTERM: {left}"
        make.wait(timeout=5)
    finally:
        for g in groups:
            if group_members(g):
                os.killpg(g, signal.SIGKILL)
