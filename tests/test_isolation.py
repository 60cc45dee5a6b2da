"""One malformed document never hangs or kills the night: time and memory limits per parse."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import duckdb

from pipelines.ingest import discover_local, parse_new, to_load_batch
from pipelines.isolation import Limits
from tests.conftest import SAMPLES
from tests.doubles import misbehaving_parser
from warehouse.db import ensure_schema
from warehouse.load import load_batch


def test_loop_balloon_and_crash_fail_typed_while_the_batch_loads(tmp_path: Path) -> None:
    folder = tmp_path / "night"
    folder.mkdir()
    for name in ("forge-01-2021.html", "forge-03-2019.html", "forge-09-2021.txt"):
        shutil.copy(SAMPLES / name, folder / name)
    (folder / "loops.html").write_text("<html>HANG</html>", encoding="utf-8")
    (folder / "balloons.html").write_text("<html>BALLOON</html>", encoding="utf-8")
    (folder / "crashes.html").write_text("<html>CRASH</html>", encoding="utf-8")
    refs = discover_local(folder)
    # 8 s: long enough for a worker to start and balloon past its memory limit while the other half of
    # the suite runs beside it (at 3 s the balloon was sometimes stopped by the clock first)
    limits = Limits(timeout_seconds=8, memory_mb=1536, workers=2)
    start = time.monotonic()
    reports = parse_new(refs, set(), limits, misbehaving_parser)
    elapsed = time.monotonic() - start
    outcome = {Path(r.result.document).name: (r.result.status, r.result.error_type) for r in reports}
    assert outcome == {
        "balloons.html": ("failed", "too_large"),
        "crashes.html": ("failed", "worker_crash"),
        "loops.html": ("failed", "timeout"),
        "forge-01-2021.html": ("parsed", None),
        "forge-03-2019.html": ("parsed", None),
        "forge-09-2021.txt": ("parsed", None),
    }
    assert elapsed < 3 * limits.timeout_seconds  # the loop was stopped at its limit, not waited out
    assert [Path(r.result.document).name for r in reports] == [Path(ref.path).name for ref in refs]  # input order
    loops = next(r for r in reports if r.result.document.endswith("loops.html"))
    assert "loops.html" in loops.result.error and "8 s" in loops.result.error
    with duckdb.connect(":memory:") as conn:
        ensure_schema(conn)
        load_batch(conn, to_load_batch(reports))
        assert conn.execute("SELECT status, count(*) FROM reports GROUP BY 1 ORDER BY 1").fetchall() == [
            ("failed", 3), ("valid", 3)]
        assert conn.execute("SELECT error_type FROM parse_failures ORDER BY 1").fetchall() == [
            ("timeout",), ("too_large",), ("worker_crash",)]
