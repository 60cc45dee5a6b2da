"""Crawling for `make bench-national`: many simulated portals on loopback (tests/hosts.py: one slow,
one dead), crawled by the real crawler in a process of its own so its peak memory is its own; and
an incremental night — the same catalogue ingested twice, counting what the second night fetched
with a body and parsed again.

    uv run python -m benchmarks.national_crawl --hosts 1000   # one crawl, a JSON line of figures
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from pipelines.scrape.catalog import parse_catalog
from pipelines.scrape.crawl import crawl
from tests.forge.render import render_html
from tests.forge.truths import make_truth
from tests.hosts import HostPlan, ManyHosts

REPO = Path(__file__).resolve().parents[1]


def _bodies(n: int) -> list[bytes]:
    out = []
    for seed in range(n):
        truth = make_truth(50_000 + seed, ("2021", "2019", "hybrid")[seed % 3])
        out.append(render_html(truth))
    return out


def crawl_figures(hosts: int, gap: float, concurrency: int) -> dict:
    """One crawl of ``hosts`` portals (this process: run it as a child for a clean peak RSS)."""
    plan = HostPlan(hosts=hosts, pages=2, reports_per_page=2, slow_seconds=3.0, crawl_delay_every=50,
                    crawl_delay=gap * 2, report_bodies=_bodies(6))
    with tempfile.TemporaryDirectory(prefix="nianbao-crawl-") as tmp, ManyHosts(plan) as sim:
        catalog = parse_catalog(sim.catalog(gap, concurrency, read_timeout=2.0))
        start = time.perf_counter()
        result = crawl(catalog, tmp)
        wall = time.perf_counter() - start
    gaps = sim.gaps()
    healthy = [h for h in range(2, hosts)]
    reports = sum(len(result.sources[f"host-{h:04d}"].reports) for h in healthy)
    failures = {name: sorted({f.error_type for f in result.sources[name].failures}) for name in ("host-0000", "host-0001")}
    per_host = [min(gaps[h]) for h in healthy if gaps.get(h)]
    delayed = [min(gaps[h][1:]) for h in healthy if h % 50 == 0 and len(gaps.get(h, [])) > 1]
    return {"hosts": hosts, "gap": gap, "concurrency": concurrency, "wall_s": wall, "requests": len(sim.log),
            "pages_per_s": len(sim.log) / wall, "reports": reports, "expected_reports": 4 * len(healthy),
            "min_gap_s": min(per_host), "min_crawl_delay_gap_s": min(delayed) if delayed else None,
            "sum_of_gaps_s": sum(sum(g) for g in gaps.values()), "slow_dead_failures": failures,
            "healthy_failed": sum(1 for h in healthy if result.sources[f"host-{h:04d}"].failures),
            "peak_rss_mb": vm_hwm_mb()}


def vm_hwm_mb() -> float:
    """This process's peak RSS (VmHWM: per address space, so not inherited from the parent that
    started it, as getrusage's ru_maxrss is on Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024


def crawl_in_child(hosts: int, gap: float, concurrency: int) -> dict:
    proc = subprocess.run([sys.executable, "-m", "benchmarks.national_crawl", "--hosts", str(hosts), "--gap", str(gap),
                           "--concurrency", str(concurrency)], cwd=REPO, capture_output=True, text=True, timeout=1200)
    if proc.returncode != 0:
        raise RuntimeError(f"crawl of {hosts} hosts failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def incremental_night(hosts: int = 20) -> dict:
    """The same portal catalogue ingested twice (`nianbao ingest`, one run each): the second night
    should fetch no report with a body (conditional requests → 304) and parse nothing."""
    plan = HostPlan(hosts=hosts, pages=2, reports_per_page=3, slow_seconds=0.0, report_bodies=_bodies(12))
    with tempfile.TemporaryDirectory(prefix="nianbao-incr-") as tmp, ManyHosts(plan) as sim:
        cat = sim.catalog(0.05, 8)
        cat["sources"] = cat["sources"][2:]  # (the slow and dead hosts are the crawl benchmark's)
        path = Path(tmp) / "catalog.yaml"
        path.write_text(yaml.safe_dump(cat, allow_unicode=True), encoding="utf-8")
        env = {**os.environ, "DAGSTER_HOME": str(Path(tmp) / "home"), "NIANBAO_DATA_DIR": str(Path(tmp) / "data"),
               "NIANBAO_DB": str(Path(tmp) / "data" / "w.duckdb")}
        nights = []
        for _ in range(2):
            mark = time.monotonic()  # (the server stamps requests with the same system-wide monotonic clock)
            start = time.perf_counter()
            proc = subprocess.run([str(Path(sys.executable).parent / "nianbao"), "ingest", "--catalog", str(path)],
                                  cwd=REPO, env=env, capture_output=True, text=True, timeout=1200)
            wall = time.perf_counter() - start
            if proc.returncode != 0:
                raise RuntimeError(proc.stderr[-2000:])
            parsed = int(proc.stdout.split("parsed now: ")[1].split(",")[0])
            nights.append((mark, wall, parsed))
    log = list(sim.log)  # (sent by the server when the block ends)
    out = []
    for i, (mark, wall, parsed) in enumerate(nights):
        end = nights[i + 1][0] if i + 1 < len(nights) else float("inf")
        night = [e for e in log if mark <= e[2] < end]
        reports = [e for e in night if e[1].startswith("/nb/20")]
        out.append({"wall_s": wall, "parsed": parsed, "report_requests": len(reports),
                    "fetched_with_body": sum(1 for e in reports if e[3] == 200),
                    "not_modified": sum(1 for e in reports if e[3] == 304)})
    return {"hosts": hosts - 2, "reports": 6 * (hosts - 2), "first": out[0], "second": out[1]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hosts", type=int, default=1000)
    ap.add_argument("--gap", type=float, default=0.5)
    ap.add_argument("--concurrency", type=int, default=64)
    a = ap.parse_args()
    print(json.dumps(crawl_figures(a.hosts, a.gap, a.concurrency)))


if __name__ == "__main__":
    main()
