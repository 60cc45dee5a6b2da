"""The quiet night of `make bench-national`: 1,000 loopback portals (tests/hosts.py) with nothing new,
after a first night that found everything, through Dagster on a PostgreSQL-backed instance — the
national mode's runs of up to NIANBAO_PORTALS_PER_RUN portals, the daemon's queue, the load by the
last run — against the same night through the plain functions in this process, in the same run.

Every portal is crawled (robots.txt, its column's listing pages, a conditional GET of each report:
304 Not Modified); nothing is parsed. The wall of the Dagster night runs from `nianbao backfill`
(the runs the nightly schedule would ask for: the same batches) until the last unit is loaded and
published; the daemon and a code server are up before the clock, as services are.

    uv run python -m benchmarks.national --only quiet
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import duckdb
import yaml

from benchmarks.national_backfill import partitioned
from benchmarks.national_crawl import _bodies
from pipelines.ingest import parse_new, to_load_batch
from pipelines.isolation import Limits
from pipelines.scrape.catalog import load_catalog
from pipelines.scrape.crawl import crawl_into
from pipelines.staging import discover_sources, load_staged, read_state, stage_batch
from tests.hosts import HostPlan, ManyHosts
from tests.postgres import postgres_server
from warehouse.db import ensure_schema
from warehouse.documents import ensure_documents_schema
from warehouse.load import load_batch
from warehouse.publish import publish

TARGET_S = 300  # a quiet night of 1,000 portals: ≤ 5 minutes (issue #29 point 7)


def plain_night(catalog: Path, data: Path, run_id: str) -> dict:
    """A night through the plain functions, no Dagster: the published state read, every portal
    crawled in one crawl, each staged as its unit, the units loaded, the warehouse published."""
    db = data / "w.duckdb"
    start = time.perf_counter()
    cat = load_catalog(str(catalog))
    state = read_state(db)
    found = discover_sources(cat, [s.name for s in cat.enabled()], data, state)
    crawled = time.perf_counter() - start
    batch = stage_batch(found, state, data, run_id, Limits())
    with duckdb.connect(str(db)) as conn:
        t0 = time.perf_counter()
        loaded = load_staged(conn, data)
        load_s = time.perf_counter() - t0
    publish(db)
    return {"wall_s": time.perf_counter() - start, "crawl_s": crawled, "load_s": load_s, "units": len(loaded.units),
            "parsed": sum(u.parsed for u in batch.staged.values()), "failed": len(batch.failed)}


def first_night(catalog: Path, data: Path) -> dict:
    """The night that found everything, through the single-run night's plain functions (one crawl
    recorded, one parse, one load): the quiet nights' starting state, made quickly."""
    db = data / "w.duckdb"
    data.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with duckdb.connect(str(db)) as conn:
        ensure_schema(conn)
        ensure_documents_schema(conn)
        result = crawl_into(conn, load_catalog(str(catalog)), data)
        reports = parse_new(result.refs(), set(), Limits())
        load_batch(conn, to_load_batch(reports, run_id="first-night"))
    publish(db)
    return {"wall_s": time.perf_counter() - start, "parsed": len({r.result.sha256 for r in reports})}


def _requests(log: list, since: float, until: float) -> dict:
    """What the portals saw between two moments (server-side monotonic clock)."""
    night = [e for e in log if since <= e[2] < until]
    reports = [e for e in night if e[1].startswith("/nb/20")]
    return {"requests": len(night), "report_requests": len(reports),
            "fetched_with_body": sum(1 for e in reports if e[3] == 200),
            "not_modified": sum(1 for e in reports if e[3] == 304)}


def _published_counts(data: Path) -> dict:
    with duckdb.connect(str(data / "published" / "w.duckdb"), read_only=True) as conn:
        return {"reports": conn.execute("SELECT count(*) FROM reports").fetchall()[0][0],
                "crawl_runs": conn.execute("SELECT count(*) FROM crawl_runs").fetchall()[0][0]}


def measure(portals: int = 1000, gap: float = 0.5, concurrency: int = 64) -> dict:
    # 2 listing pages and 2 reports a portal; hosts 0 and 1 (slow, dead) are the crawl benchmark's: left out
    plan = HostPlan(hosts=portals + 2, pages=2, reports_per_page=1, slow_seconds=0.0, report_bodies=_bodies(6))
    with tempfile.TemporaryDirectory(prefix="nianbao-quiet-") as t, postgres_server() as url, ManyHosts(plan) as sim:
        tmp = Path(t)
        cat = sim.catalog(gap, concurrency)
        cat["sources"] = cat["sources"][2:]
        catalog = tmp / "catalog.yaml"
        catalog.write_text(yaml.safe_dump(cat, allow_unicode=True), encoding="utf-8")
        names = [s["name"] for s in cat["sources"]]

        # The first night found everything (the single-run night's plain functions).
        dagster_data, plain_data = tmp / "dagster", tmp / "plain"
        first = first_night(catalog, dagster_data)
        shutil.copytree(dagster_data, plain_data, symlinks=True)

        # The quiet night, plain functions (the baseline).
        mark = time.monotonic()
        plain = plain_night(catalog, plain_data, "quiet-night")
        plain["portals"] = _requests(sim.log_so_far(), mark, time.monotonic())

        # The same night through Dagster: the service knew the portals as partitions before the night.
        env = {**os.environ, "NIANBAO_DAGSTER_PG_URL": url, "NIANBAO_LOADER_SENSOR_SECONDS": "5"}
        env.pop("NIANBAO_PUBLISHED_DB", None)

        def known_partitions(run_env: dict) -> None:
            from benchmarks.national_backfill import in_instance
            with in_instance(run_env) as instance:
                instance.add_dynamic_partitions("catalog_source", names)

        marks: dict[str, float] = {}
        night = partitioned(catalog, tmp, env, "quiet", data=dagster_data,
                            before=lambda e: (known_partitions(e), marks.setdefault("since", time.monotonic())))
        night["portals"] = _requests(sim.log_so_far(), marks["since"], time.monotonic())
        counts, plain_counts = _published_counts(dagster_data), _published_counts(plain_data)
    return {"portals": len(names), "gap": gap, "concurrency": concurrency, "target_s": TARGET_S,
            "first": first, "plain": {**plain, **plain_counts}, "dagster": {**night, **counts},
            "per_run": int(os.environ.get("NIANBAO_PORTALS_PER_RUN", "250"))}


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(measure(*(int(a) for a in sys.argv[1:2])), indent=1))
