"""The backfill of `make bench-national`: forged documents in catalogue sources, ingested on a
PostgreSQL-backed Dagster instance as partitioned runs (up to NIANBAO_PORTALS_PER_RUN sources a run)
through the daemon's run queue (2 at a time), against the same documents in one run and through the plain functions without Dagster —
all in the same run of the benchmark.

Documents are the night mix of ``benchmarks.night`` (half forged PDFs, half HTML and text).
Overhead per document = (wall − plain wall) / documents, next to the parse time of one document
on one core. The partitioned wall runs from `nianbao backfill` until the loader has loaded the last
staged unit, so run starts (a new process per run), the queue, the sensor and the loader count.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import yaml

from benchmarks.night import forge_night
from pipelines.defs.instance import DEPLOY
from pipelines.defs.ui import stop_group
from pipelines.ingest import discover_local, parse_new, to_load_batch
from pipelines.isolation import Limits
from pipelines.staging import cpu_seconds
from tests.postgres import postgres_server
from warehouse.db import ensure_schema
from warehouse.load import load_batch
from warehouse.publish import publish

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def forge_sources(root: Path, sources: int, per_source: int, seed: int = 0) -> Path:
    """``sources`` folders of ``per_source`` forged documents, the realistic night mix of
    ``benchmarks.night`` (half PDFs, half HTML and text), every document distinct."""
    entries = []
    for s in range(sources):
        folder = root / f"src-{s:02d}"
        forge_night(folder, per_source, start=seed + s * per_source)
        entries.append({"name": f"src-{s:02d}", "kind": "folder", "path": str(folder)})
    path = root / "catalog.yaml"
    path.write_text(yaml.safe_dump({"sources": entries}), encoding="utf-8")
    return path


PLAIN_PARSE_CPU: dict[str, float] = {}  # the last plain run's parse: CPU of this process and of its workers


def plain(catalog: Path, tmp: Path) -> tuple[float, float, int]:
    """The plain functions, no Dagster: (wall s, parse + validate wall s, documents)."""
    folders = [s["path"] for s in yaml.safe_load(catalog.read_text(encoding="utf-8"))["sources"]]
    start = time.perf_counter()
    refs = [r for f in folders for r in discover_local(f)]
    t0, cpu0 = time.perf_counter(), cpu_seconds()
    reports = parse_new(refs, set(), Limits())
    parse_s = time.perf_counter() - t0
    cpu1 = cpu_seconds()
    PLAIN_PARSE_CPU.update(parse_cpu_seconds=cpu1[0] - cpu0[0], parse_workers_cpu_seconds=cpu1[1] - cpu0[1])
    tmp.mkdir(parents=True, exist_ok=True)
    db = tmp / "plain.duckdb"
    with duckdb.connect(str(db)) as conn:
        ensure_schema(conn)
        load_batch(conn, to_load_batch(reports))
    publish(db)
    return time.perf_counter() - start, parse_s, len(refs)


def _home(tmp: Path, name: str, max_runs: int) -> Path:
    home = tmp / name
    home.mkdir()
    config = yaml.safe_load((DEPLOY / "dagster-postgres.yaml").read_text(encoding="utf-8"))
    config["concurrency"]["runs"]["tag_concurrency_limits"][0]["limit"] = max_runs  # source runs at once
    (home / "dagster.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return home


def single_run(catalog: Path, tmp: Path, env: dict) -> float:
    """`nianbao ingest`: the whole catalogue in one run, a new process, on the Postgres instance."""
    run_env = {**env, "DAGSTER_HOME": str(_home(tmp, "home-single", 2)), "NIANBAO_DATA_DIR": str(tmp / "single"),
               "NIANBAO_DB": str(tmp / "single" / "w.duckdb")}
    start = time.perf_counter()
    proc = subprocess.run([str(BIN / "nianbao"), "ingest", "--catalog", str(catalog)], cwd=REPO, env=run_env,
                          capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    return time.perf_counter() - start


def settle(home: Path, env: dict, daemon: subprocess.Popen, timeout: float = 180) -> None:
    """Wait until the new daemon has started its sensors and the runs they launch at start-up (the
    freshness check) have ended: a backfill is measured on a running service, not its first minute."""
    code = ("import sys, time, dagster as dg\n"
            "with dg.DagsterInstance.get() as i:\n"
            "    end = time.time() + float(sys.argv[1])\n"
            "    while time.time() < end:\n"
            "        busy = i.get_runs_count(dg.RunsFilter(statuses=[dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.STARTING,"
            " dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.NOT_STARTED]))\n"
            "        beats = i.get_daemon_heartbeats()\n"
            "        if beats and not busy and time.time() - min(b.timestamp for b in beats.values()) < 60:\n"
            "            sys.exit(0)\n"
            "        time.sleep(1)\n"
            "sys.exit(1)\n")
    time.sleep(6)  # (the sensors' first ticks launch their runs within seconds)
    proc = subprocess.run([sys.executable, "-c", code, str(timeout)], env={**env, "DAGSTER_HOME": str(home)},
                          capture_output=True, text=True, timeout=timeout + 60)
    if proc.returncode != 0 or daemon.poll() is not None:
        raise RuntimeError(f"the daemon did not settle: {proc.stderr[-2000:]}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, server: subprocess.Popen, timeout: float = 180) -> None:
    """Until the code server accepts connections (it has imported the code): a service, started before the clock."""
    end = time.time() + timeout
    while time.time() < end:
        if server.poll() is not None:
            raise RuntimeError("the code server exited")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise RuntimeError(f"the code server did not listen on {port}")


@contextmanager
def in_instance(env: dict) -> Iterator[dg.DagsterInstance]:
    """The benchmark's instance (``env``'s DAGSTER_HOME and PostgreSQL URL) in this process."""
    saved = {k: os.environ.get(k) for k in ("DAGSTER_HOME", "NIANBAO_DAGSTER_PG_URL")}
    os.environ.update({"DAGSTER_HOME": env["DAGSTER_HOME"], "NIANBAO_DAGSTER_PG_URL": env["NIANBAO_DAGSTER_PG_URL"]})
    try:
        with dg.DagsterInstance.get() as instance:
            yield instance
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def staged_metadata(instance: dg.DagsterInstance, run_id: str) -> dict:
    """The metadata of a run's source_staged (the same on every partition of its range)."""
    for e in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION):
        if e.asset_materialization and e.asset_materialization.asset_key == dg.AssetKey("source_staged"):
            return dict(e.asset_materialization.metadata)
    return {}


def in_run_load_start(instance: dg.DagsterInstance, run_id: str) -> float | None:
    """When a source run's load step began, if that run loaded (materialised staged_warehouse)."""
    events = instance.all_logs(run_id, of_type={dg.DagsterEventType.STEP_START, dg.DagsterEventType.ASSET_MATERIALIZATION})
    loaded = any(e.asset_materialization and e.asset_materialization.asset_key == dg.AssetKey("staged_warehouse")
                 for e in events)
    starts = [e.timestamp for e in events if e.step_key == "staged_warehouse"
              and e.dagster_event_type == dg.DagsterEventType.STEP_START]
    return starts[0] if loaded and starts else None


def process_cpu(pid: int) -> float:
    """CPU seconds of a process and of its children it has reaped (a code server's run processes,
    their parse workers), from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def postgres_cpu(url: str) -> float:
    """CPU seconds of the benchmark's PostgreSQL server: its postmaster with the backends it has
    reaped, and the backends alive now (found by the port in ``url``)."""
    port = url.rsplit(":", 1)[1].split("/")[0]
    total = 0.0
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and f"-p {port}" in (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode():
                total += process_cpu(int(proc.name))
                children = Path(f"/proc/{proc.name}/task/{proc.name}/children").read_text().split()
                total += sum(process_cpu(int(c)) for c in children)
        except OSError:  # (a process that ended meanwhile)
            continue
    return total


def own_cpu() -> float:
    """CPU seconds of this process and of its reaped children (the plain side's parse workers)."""
    import resource

    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                 resource.getrusage(resource.RUSAGE_CHILDREN)))


def step_spans(instance: dg.DagsterInstance, run_id: str, start: float) -> dict[str, list[float]]:
    """Each step of a run: [began, ended] in s after ``start`` (the run's own events), and the
    run's events in all."""
    out: dict[str, list[float]] = {}
    events = instance.all_logs(run_id)
    for e in events:
        if e.step_key and e.dagster_event_type in (dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS,
                                                   dg.DagsterEventType.STEP_FAILURE):
            out.setdefault(e.step_key, []).append(round(e.timestamp - start, 2))
    out["events"] = [len(events)]
    return out


def partitioned(catalog: Path, tmp: Path, env: dict, name: str, max_runs: int = 2, data: Path | None = None,
                before: Callable[[dict], None] | None = None) -> dict:
    """`nianbao backfill` of every source (runs of up to NIANBAO_PORTALS_PER_RUN sources), executed by
    the daemon (queue of ``max_runs``), loaded by the last source run to stage (or the sensor's
    loader run); the wall until nothing is staged and no run is going. ``data``: a data directory
    holding an earlier night's warehouse; ``before(env)``: what the service had done before the
    night (e.g. the partitions it knew), run before the clock."""
    home = _home(tmp, f"home-{name}", max_runs)
    data = data or tmp / name
    run_env = {**env, "DAGSTER_HOME": str(home), "NIANBAO_MODE": "national", "NIANBAO_DATA_DIR": str(data),
               "NIANBAO_DB": str(data / "w.duckdb"), "NIANBAO_CATALOG": str(catalog)}
    log = (tmp / f"daemon-{name}.log").open("wb")
    # A long-lived code server, as in production (deploy/workspace-codeserver.yaml): the daemon and
    # `nianbao backfill` load the code from it instead of each importing it in a process of their own.
    port = free_port()
    workspace = tmp / f"workspace-{name}.yaml"
    workspace.write_text(yaml.safe_dump({"load_from": [{"grpc_server": {
        "host": "127.0.0.1", "port": port, "location_name": "pipelines.definitions"}}]}), encoding="utf-8")
    # Its runs start as forks of a process that has imported the code (pipelines/defs/code_server.py).
    server = subprocess.Popen([sys.executable, "-m", "pipelines.defs.code_server", "-m", "pipelines.definitions",
                               "-h", "127.0.0.1", "-p", str(port)], cwd=REPO, env=run_env, stdout=log,
                              stderr=subprocess.STDOUT, process_group=0)
    wait_for_port(port, server)
    daemon = subprocess.Popen([str(BIN / "dagster-daemon"), "run", "-w", str(workspace)], cwd=REPO,
                              env=run_env, stdout=log, stderr=subprocess.STDOUT, process_group=0)
    try:
        settle(home, env, daemon)  # the daemon up and idle before the clock starts: it is a service, not part of a backfill
        if before:
            before(run_env)
        cpu_before = process_cpu(server.pid) + process_cpu(daemon.pid)
        pg_before, poller_before = postgres_cpu(env["NIANBAO_DAGSTER_PG_URL"]), own_cpu()
        start, since = time.perf_counter(), time.time()
        proc = subprocess.run([str(BIN / "nianbao"), "backfill"], cwd=REPO, env=run_env, capture_output=True, text=True,
                              timeout=600)
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr[-3000:])
        submitted_s = time.perf_counter() - start
        expected = int(proc.stdout.strip().splitlines()[-1].split()[0])  # "N run(s) queued for M source(s)"
        saved = {k: os.environ.get(k) for k in ("DAGSTER_HOME", "NIANBAO_DAGSTER_PG_URL")}
        os.environ.update({"DAGSTER_HOME": str(home), "NIANBAO_DAGSTER_PG_URL": env["NIANBAO_DAGSTER_PG_URL"]})
        try:
            since_dt = datetime.fromtimestamp(since, UTC)
            with dg.DagsterInstance.get() as instance:
                while True:
                    if daemon.poll() is not None:
                        raise RuntimeError(f"the daemon exited; see {tmp}/daemon-{name}.log")
                    # (one Postgres database serves every phase: this phase's runs are the ones created since)
                    runs = instance.get_run_records(dg.RunsFilter(job_name="source_ingest", created_after=since_dt))
                    loads = instance.get_run_records(dg.RunsFilter(job_name="load_staged", created_after=since_dt))
                    staged = [p for p in (data / "staging").iterdir() if p.is_dir()] if (data / "staging").exists() else []
                    settled = lambda rs: all(r.dagster_run.is_finished for r in rs)  # noqa: E731
                    # (the last source run loads in its own process; a loader run only if the sensor had to)
                    if len(runs) == expected and settled(runs) and settled(loads) and not staged:
                        break
                    time.sleep(0.5)
                wall = time.perf_counter() - start
                pg_cpu, poller_cpu = postgres_cpu(env["NIANBAO_DAGSTER_PG_URL"]) - pg_before, own_cpu() - poller_before
                # CPU the Dagster side used meanwhile: the code server with the runs it launched (and
                # their workers) once reaped, the daemon; `nianbao backfill`; not PostgreSQL
                time.sleep(2)  # (the code server reaps a finished run process within a second)
                service_cpu = process_cpu(server.pid) + process_cpu(daemon.pid) - cpu_before
                steps = {r.dagster_run.run_id[:8]: step_spans(instance, r.dagster_run.run_id, since) for r in runs + loads}
                failed = [r.dagster_run.run_id for r in runs + loads if r.dagster_run.status != dg.DagsterRunStatus.SUCCESS]
                spans = sorted((r.start_time, r.end_time) for r in runs)
                busiest = max(sum(1 for s, e in spans if s <= t < e) for t, _ in spans)
                run_s = sorted(e - s for s, e in spans)
                # the profile of a run: launched (RUN_STARTING) → executing (a new process has
                # imported the code) → ended
                launched = {r.dagster_run.run_id: instance.all_logs(r.dagster_run.run_id,
                                                                     of_type=dg.DagsterEventType.RUN_STARTING)[0].timestamp
                            for r in runs + loads}
                start_s = sorted(r.start_time - launched[r.dagster_run.run_id] for r in runs)
                loader_s = sum(r.end_time - r.start_time for r in loads) + sum(
                    r.end_time - in_run_load_start(instance, r.dagster_run.run_id) for r in runs
                    if in_run_load_start(instance, r.dagster_run.run_id) is not None)
                loads_in_runs = sum(1 for r in runs if in_run_load_start(instance, r.dagster_run.run_id) is not None)
                first_launch = min(launched.values()) - since
                # every source run: created (by the backfill daemon) → launched → executing → ended, s after submit
                timeline = sorted((r.create_timestamp.timestamp() - since, launched[r.dagster_run.run_id] - since,
                                   r.start_time - since, r.end_time - since) for r in runs)
                # parse workers each source run chose (cores ÷ source runs going when it started)
                # (one figure a run: a run of a range materialises every partition of it with the same metadata)
                staged_meta = [staged_metadata(instance, r.dagster_run.run_id) for r in runs]
                workers = Counter(str(m["parse_workers"].value) for m in staged_meta if "parse_workers" in m)
                parsed = sum(m["parsed"].value for m in staged_meta if "parsed" in m)
                in_run = {k: [m[k].value for m in staged_meta if k in m] for k in
                          ("parse_seconds", "parse_cpu_seconds", "parse_workers_cpu_seconds", "staging_seconds")}
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    finally:
        stop_group(daemon)
        stop_group(server)
        log.close()
    with duckdb.connect(str(data / "published" / "w.duckdb"), read_only=True) as conn:
        reports = conn.execute("SELECT count(*) FROM reports").fetchall()[0][0]
    return {"wall_s": wall, "runs": len(runs), "loader_runs": len(loads), "loads_in_source_runs": loads_in_runs, "failed_runs": failed,
            "busiest": busiest, "run_median_s": run_s[len(run_s) // 2], "reports": reports,
            "start_median_s": start_s[len(start_s) // 2], "loader_s": loader_s, "first_launch_s": first_launch,
            "timeline": [[round(x, 1) for x in t] for t in timeline], "parse_workers": dict(workers),
            "submit_s": submitted_s, "parsed": parsed, "last_end_s": max(e for _, e in spans) - since,
            "service_cpu_s": service_cpu, "postgres_cpu_s": pg_cpu, "poller_cpu_s": poller_cpu, "steps": steps,
            "in_run": in_run}


def regroup(catalog: Path, root: Path, sources: int) -> Path:
    """The same documents as ``catalog``'s sources, hard-linked into ``sources`` bigger folders —
    whole small sources dealt round, so each big run gets the same mix of media (the forged names
    alternate HTML/text and PDF: every other file would give one run every PDF) and parses exactly
    what the plain baseline parsed."""
    small = [Path(s["path"]) for s in yaml.safe_load(catalog.read_text(encoding="utf-8"))["sources"]]
    entries = []
    for s in range(sources):
        folder = root / f"big-{s:02d}"
        folder.mkdir(parents=True)
        for source in small[s::sources]:
            for f in sorted(p for p in source.iterdir() if p.is_file()):
                os.link(f, folder / f.name)
        entries.append({"name": f"big-{s:02d}", "kind": "folder", "path": str(folder)})
    path = root / "catalog.yaml"
    path.write_text(yaml.safe_dump({"sources": entries}), encoding="utf-8")
    return path


PARTS = ("single", "small", "big")


def measure(sources: int = 20, per_source: int = 100, big_sources: int = 2, parts: tuple[str, ...] = PARTS,
            plain_after: bool = False) -> dict:
    """Plain functions, one run and ``sources`` partitioned runs over the same documents, then the
    same documents again as ``big_sources`` partitioned runs (1,000 a run by default). ``parts``
    picks which of them run beside the plain baseline (the big backfill alone: a lever's effect
    measured in 4 minutes rather than 10)."""
    with tempfile.TemporaryDirectory(prefix="nianbao-backfill-") as t, postgres_server() as url:
        tmp = Path(t)
        env = {**os.environ, "NIANBAO_DAGSTER_PG_URL": url, "NIANBAO_LOADER_SENSOR_SECONDS": "5"}
        env.pop("NIANBAO_PUBLISHED_DB", None)
        small = forge_sources(tmp / "small", sources, per_source)
        big = regroup(small, tmp / "big", big_sources)
        warm = forge_sources(tmp / "warm", 1, 6, seed=900_000)
        plain(warm, tmp / "warm")  # first-use costs of the plain side
        cpu = own_cpu()
        plain_s, parse_s, docs = plain(small, tmp / "plain")
        plain_cpu = own_cpu() - cpu
        out = {"documents": docs, "plain_s": plain_s, "parse_s": parse_s, "workers": Limits().workers,
               "per_run": int(os.environ.get("NIANBAO_PORTALS_PER_RUN", "250")), "sources": sources,
               "plain_cpu_s": plain_cpu, **{f"plain_{k}": v for k, v in PLAIN_PARSE_CPU.items()}}
        if "single" in parts:
            out["single_s"] = single_run(small, tmp, env)
        if "small" in parts:
            out["partitioned"] = partitioned(small, tmp, env, "partitioned")
        if "big" in parts:
            out["big"] = {"sources": big_sources, "partitioned": partitioned(big, tmp, env, "partitioned-big")}
        if plain_after:  # the baseline again after the Dagster parts: how much the shared machine drifted
            out["plain_after_s"], out["parse_after_s"], _ = plain(small, tmp / "plain-after")
        return out


if __name__ == "__main__":
    import json

    print(json.dumps(measure(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]),
                             tuple(sys.argv[4].split(",")) if len(sys.argv) > 4 else PARTS), indent=1))
