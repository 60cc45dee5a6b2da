"""A synthetic night: N forged documents through the nightly job, next to the same plain functions
without Dagster, in the same run. Prints Dagster's overhead per document against the parse time.

    make bench-night            # or: uv run python -m benchmarks.night [--documents 1000]

The night is a realistic mix: half PDFs (the forged PDFs, each copy made unique by a trailing PDF
comment), half Word-exported HTML and text pastes (fresh forged truths). The job processes the whole
night in ONE run (documents are batched inside the run), so the number of runs is 1 whatever N is.
Both sides run warm (imports done); overhead = (job wall − plain wall) / N, next to the parse time of
one document on one core (plain parse wall × workers / N). The same night is then run as a new
`dagster job execute` process, which adds the per-run start (imports, code loading, instance).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

from pipelines.definitions import build_defs
from pipelines.ingest import discover_local, parse_new, to_load_batch
from pipelines.isolation import Limits
from tests.forge.render import render_html, render_text
from tests.forge.truths import make_truth
from warehouse.db import ensure_schema
from warehouse.load import load_batch
from warehouse.publish import publish

FORMATS = ("2021", "2019", "hybrid")
BLANKS = ("zeros", "blank", "slash", "dash")


PDFS = sorted((Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "forge").glob("*.pdf"))


def forge_night(folder: Path, n: int, start: int = 0) -> None:
    """``n`` forged documents numbered from ``start`` (distinct numbers give distinct bytes)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + n):
        if i % 2 == 1 and PDFS:  # a PDF: same tables, new bytes
            pdf = PDFS[i % len(PDFS)].read_bytes() + f"%nianbao-night-{i}\n".encode()
            (folder / f"night-{i:05d}.pdf").write_bytes(pdf)
            continue
        truth = make_truth(10_000 + i, FORMATS[i % 3], BLANKS[i % 4], "t4_total" if i % 17 == 0 else None)
        truth["agency"] = f"{truth['agency']}{i:05d}"  # one agency-year per document: every document loads
        if i % 5 == 4:
            (folder / f"night-{i:05d}.txt").write_bytes(render_text(truth))
        else:
            (folder / f"night-{i:05d}.html").write_bytes(render_html(truth))


def plain(folder: Path, db: Path) -> tuple[float, float]:
    start = time.perf_counter()
    refs = discover_local(folder)
    t0 = time.perf_counter()
    reports = parse_new(refs, set(), Limits())
    parse_s = time.perf_counter() - t0
    with duckdb.connect(str(db)) as conn:
        ensure_schema(conn)
        load_batch(conn, to_load_batch(reports))
    publish(db)
    return time.perf_counter() - start, parse_s


def dagster(folder: Path, db: Path) -> tuple[float, int]:
    defs = build_defs(str(db), str(folder))
    start = time.perf_counter()
    result = defs.resolve_job_def("nightly_ingest").execute_in_process(
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}})
    assert result.success
    return time.perf_counter() - start, 1


def dagster_process(folder: Path, tmp: Path) -> float:
    """The same night as a real run: a new `dagster job execute` process (imports, code loading and
    instance included), as the daemon's run worker would do it."""
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    shutil.copy(Path(__file__).resolve().parents[1] / "deploy" / "dagster.yaml", home / "dagster.yaml")
    env = {**os.environ, "DAGSTER_HOME": str(home), "NIANBAO_DB": str(tmp / "process.duckdb"),
           "NIANBAO_SOURCE": str(folder), "NIANBAO_DATA_DIR": str(tmp / "data")}
    start = time.perf_counter()
    proc = subprocess.run([str(Path(sys.executable).parent / "dagster"), "job", "execute", "-m", "pipelines.definitions",
                           "-j", "nightly_ingest"], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--documents", type=int, default=1000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="nianbao-night-") as tmp:
        os.environ.setdefault("DAGSTER_HOME", tmp)
        warm = Path(tmp) / "warm"
        forge_night(warm, 6)
        plain(warm, Path(tmp) / "warm-plain.duckdb")  # imports and first-use costs, both sides
        dagster(warm, Path(tmp) / "warm-job.duckdb")
        folder = Path(tmp) / "docs"
        forge_night(folder, args.documents)
        plain_s, parse_s = plain(folder, Path(tmp) / "plain.duckdb")
        job_s, runs = dagster(folder, Path(tmp) / "job.duckdb")
        process_s = dagster_process(folder, Path(tmp))
        with duckdb.connect(str(Path(tmp) / "job.duckdb"), read_only=True) as c:
            loaded = c.execute("SELECT count(*) FROM reports").fetchall()[0][0]
    n = args.documents
    workers = Limits().workers
    overhead = (job_s - plain_s) / n
    per_doc = parse_s * workers / n  # one document's parse time on one core
    table = Table(title=f"synthetic night: {n} documents (half PDF), {workers} parse workers")
    for col in ("measure", "value"):
        table.add_column(col)
    table.add_row("Dagster runs for the night", str(runs))
    table.add_row("reports loaded by the job", str(loaded))
    table.add_row("plain functions, wall s", f"{plain_s:.1f}")
    table.add_row("  of which parse + validate, wall s", f"{parse_s:.1f}")
    table.add_row("nightly_ingest job, wall s", f"{job_s:.1f}")
    table.add_row("parse time per document (one core), ms", f"{per_doc * 1000:.1f}")
    table.add_row("Dagster overhead per document, ms", f"{overhead * 1000:.2f}")
    table.add_row("overhead / parse time", f"{overhead / per_doc:.1%} (target ≤ 10%)")
    full = (process_s - plain_s) / n
    table.add_row("as a new run process (dagster job execute), wall s", f"{process_s:.1f}")
    table.add_row("  overhead per document incl. process start, ms", f"{full * 1000:.2f} = {full / per_doc:.1%} of parse time")
    Console().print(table)


if __name__ == "__main__":
    main()
