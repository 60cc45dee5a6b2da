"""The Dagster instance the command line records its runs in, so `nianbao ingest`, `reparse` and
`reparse-failed` show in the UI's Runs, asset and check history exactly like scheduled runs.

``$DAGSTER_HOME`` when set (the Makefile sets it to ./.dagster_home, which `make ui` serves);
otherwise the same ./.dagster_home, said out loud. A new home gets the project's instance config
(deploy/dagster.yaml: SQLite storage, the DuckDB writer pool) and the UI's first-visit pop-up off.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg

DEFAULT_HOME = ".dagster_home"
INSTANCE_CONFIG = Path(__file__).resolve().parents[1] / "deploy" / "dagster.yaml"


def prepare_home(home: Path) -> None:
    (home / ".nux").mkdir(parents=True, exist_ok=True)
    if INSTANCE_CONFIG.exists() and not (home / "dagster.yaml").exists():
        shutil.copyfile(INSTANCE_CONFIG, home / "dagster.yaml")
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
