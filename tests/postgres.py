"""A real PostgreSQL server for the tests, from Debian's packages (`make test` installs
`postgresql` as root; .ci/run sets NIANBAO_REQUIRE_POSTGRES=1 so its absence fails there).

A throw-away cluster in a temporary folder, on 127.0.0.1 and a free port, trusted local logins,
stopped when the test ends. PostgreSQL refuses to run as root, so as root the cluster belongs to the
`postgres` user the Debian package creates.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REQUIRE = os.environ.get("NIANBAO_REQUIRE_POSTGRES") == "1"


def _bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a cluster; yields its URL (database ``dagster``, user ``nianbao``). Its folder is made
    under /tmp, not pytest's (which is private to root, so the postgres user could not reach it)."""
    bindir = _bindir()
    if bindir is None:
        why = "PostgreSQL is not installed (apt-get install --no-install-recommends postgresql)"
        if REQUIRE:
            pytest.fail(why)
        pytest.skip(why)
    as_user: list[str] = []
    tmp = Path(tempfile.mkdtemp(prefix="nianbao-pg-"))
    data = tmp / "pgdata"
    data.mkdir(parents=True)
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(tmp, "postgres")
        shutil.chown(data, "postgres")
    port = _free_port()

    def run(*cmd: str) -> None:
        proc = subprocess.run([*as_user, *cmd], capture_output=True, text=True, check=False)
        assert proc.returncode == 0, f"{' '.join(cmd)}: {proc.stdout[-1500:]}{proc.stderr[-1500:]}"

    run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "nianbao", "-E", "UTF8", "--no-sync")
    run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(tmp / "postgres.log"), "-w", "-t", "60", "-o",
        f"-p {port} -c listen_addresses=127.0.0.1 -k {tmp} -c fsync=off -c max_connections=200", "start")
    try:
        run(str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "nianbao", "dagster")
        yield f"postgresql://nianbao@127.0.0.1:{port}/dagster"
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                       capture_output=True, check=False)
        time.sleep(0.2)
        shutil.rmtree(tmp, ignore_errors=True)
