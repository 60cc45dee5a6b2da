"""Readers never see a half-loaded warehouse and never block the nightly writer.

DuckDB allows one writing process, and a reader holding the file blocks it. So the job writes its
own database file and, after each successful load, publishes a read-only copy for analysts: the
file is checkpointed (no WAL left), copied next to the published path and renamed over it in one
atomic step. An analyst's open connection keeps reading the copy it opened (the old file lives on
until closed); new connections get the new one. Nobody sees a mix.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from warehouse.faults import crash_point


def published_path_for(db_path: str | Path) -> Path:
    """Where analysts read: ``$NIANBAO_PUBLISHED_DB``, else ``<db folder>/published/<db file name>``."""
    env = os.environ.get("NIANBAO_PUBLISHED_DB")
    if env:
        return Path(env)
    p = Path(db_path)
    return p.parent / "published" / p.name


def publish(db_path: str | Path, published: str | Path | None = None) -> Path:
    """Checkpoint the writer's database and atomically replace the published copy with it."""
    src = Path(db_path)
    dst = Path(published) if published else published_path_for(src)
    with duckdb.connect(str(src)) as conn:
        conn.execute("CHECKPOINT")  # everything in the main file, nothing left in the WAL
    crash_point("publish:after_checkpoint")
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.incoming")
    for stale in dst.parent.glob(f".{dst.name}.*.incoming"):
        stale.unlink(missing_ok=True)  # a publish killed before its rename (publishes never overlap: writer pool)
    try:
        shutil.copyfile(src, tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, 0o444)
        crash_point("publish:before_rename")
        os.replace(tmp, dst)  # atomic on one filesystem
    finally:
        if tmp.exists():
            tmp.unlink()
    return dst
