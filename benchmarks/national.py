"""`make bench-national`: the national job on this machine, every figure next to a baseline measured
in the same run, written to docs/benchmarks.md.

    make bench-national        # or: uv run python -m benchmarks.national [--agencies 256000 …]

Sections: the HTML path (parse + validate of one report; validation per batch against per report),
the warehouse at national size (benchmarks/national_warehouse.py), a crawl of 1,000 loopback hosts
and an incremental night (benchmarks/national_crawl.py), a backfill on a PostgreSQL-backed instance
as partitioned runs (benchmarks/national_backfill.py), and peak memory. Each target is marked met
(✔) or missed (✘); a miss carries its profile.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil

from benchmarks import national_backfill, national_crawl, national_quiet, national_warehouse
from pipelines.parse.report import parse_bytes
from pipelines.validate import finish, prepare
from tests.forge.render import render_html
from tests.forge.truths import make_truth

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "real"
SHANGHAI = CORPUS / "shanghai-office-2019.html"


def html_path(batch: int = 500) -> dict:
    """The 26 KB 上海 2019 report: parse, then validation per report and per batch of ``batch``."""
    data = SHANGHAI.read_bytes()
    for _ in range(3):
        finish([prepare(parse_bytes(data, SHANGHAI.name))])  # warm: imports and first-use costs

    def timed(fn, n: int) -> float:
        out = []
        for _ in range(n):
            t = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t)
        return statistics.median(out)

    parse_s = timed(lambda: parse_bytes(data, SHANGHAI.name), 30)
    # The same parse over distinct reports: the label caches hold what other reports printed, not
    # this report's own cells (what a parse worker meets on a night).
    others = [render_html(make_truth(70_000 + i, ("2021", "2019", "hybrid")[i % 3])) for i in range(100)]
    t = time.perf_counter()
    for i, body in enumerate(others):
        parse_bytes(body, f"forged-{i}.html")
    distinct_s = (time.perf_counter() - t) / len(others)
    result = parse_bytes(data, SHANGHAI.name)
    prepare_s = timed(lambda: prepare(result), 30)
    one_s = timed(lambda: finish([prepare(result)]), 30) - prepare_s  # pandera for one report alone
    results = []
    for i in range(batch):  # distinct documents (a batch never holds one report twice): copies of the parse
        r = copy.deepcopy(result)
        r.sha256 = f"{i:016x}" + "0" * 48
        results.append(r)
    prepared = [prepare(r) for r in results]
    t = time.perf_counter()
    finish(prepared)
    batch_s = (time.perf_counter() - t) / batch
    return {"bytes": len(data), "parse_ms": parse_s * 1000, "distinct_parse_ms": distinct_s * 1000,
            "distinct": len(others), "prepare_ms": prepare_s * 1000,
            "pandera_one_ms": one_s * 1000, "pandera_batch_ms": batch_s * 1000, "batch": batch,
            "status": prepared[0].status}


def peak_rss(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    """Run a command; (wall s, peak RSS MB of its largest process — the command or a parse worker),
    sampled every 20 ms from /proc (getrusage would report the benchmark's own size: Linux carries
    ru_maxrss over fork and exec)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    top = 0
    me = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            for p in [me, *me.children(recursive=True)]:
                top = max(top, p.memory_info().rss)
        except psutil.Error:
            pass
        time.sleep(0.02)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.read()[-2000:]!r}")
    return wall, top / 2**20


def memory(tmp: Path) -> dict:
    pdfs = sorted(CORPUS.glob("*.pdf"), key=lambda p: p.stat().st_size)
    largest = pdfs[-1]
    nianbao = str(Path(sys.executable).parent / "nianbao")
    pdf_s, pdf_mb = peak_rss([nianbao, "parse", str(largest)])
    env = {**os.environ, "DAGSTER_HOME": str(tmp / "home"), "NIANBAO_DATA_DIR": str(tmp / "data"),
           "NIANBAO_DB": str(tmp / "data" / "warehouse.duckdb")}
    env.pop("NIANBAO_PUBLISHED_DB", None)
    night_s, night_mb = peak_rss([nianbao, "ingest"], env)
    return {"pdf": largest.name, "pdf_bytes": largest.stat().st_size, "pdf_s": pdf_s, "pdf_mb": pdf_mb,
            "night_s": night_s, "night_mb": night_mb}


def mark(ok: bool) -> str:
    return "✔" if ok else "✘"


def render(r: dict, args: argparse.Namespace) -> str:
    h, w, c, c2, inc, b, m = r["html"], r["warehouse"], r["crawl"], r["crawl_small"], r["incremental"], r["backfill"], r["memory"]
    parse_validate = h["parse_ms"] + h["prepare_ms"] + h["pandera_batch_ms"]
    lines = [
        "# Benchmarks: national scale",
        "",
        f"Written by `make bench-national` on {r['at']} ({platform.machine()}, {os.cpu_count()} cores, "
        f"{r['ram_gb']:.0f} GiB). The whole run took **{r['total_s'] / 60:.1f} min** (target < 20 min "
        f"{mark(r['total_s'] < 1200)}). Every figure is measured in this run, next to its baseline from the same run. "
        "Sections: " + ", ".join(f"{k} {v / 60:.1f} min" for k, v in r["sections"].items()) + "." + time_floor(r),
        "",
        "## The HTML path",
        "",
        f"The {h['bytes'] // 1024} KB 上海 2019 report (`shanghai-office-2019.html`), median of 30 runs, one core.",
        "",
        "| step | ms |",
        "|---|---|",
        f"| parse | {h['parse_ms']:.1f} |",
        *([f"| parse, mean over {h['distinct']} distinct forged HTML reports (the label caches hold other reports' labels) | "
           f"{h['distinct_parse_ms']:.1f} |"] if "distinct_parse_ms" in h else []),
        f"| validation, per-report part (frames, identities, prose) | {h['prepare_ms']:.1f} |",
        f"| pandera checks, this report alone (the old per-report validation) | {h['pandera_one_ms']:.1f} |",
        f"| pandera checks, per report in a batch of {h['batch']} (now) | {h['pandera_batch_ms']:.2f} |",
        f"| **parse + validate now** | **{parse_validate:.1f}** (target ≤ 20 {mark(parse_validate <= 20)}; "
        f"before: {h['parse_ms'] + h['prepare_ms'] + h['pandera_one_ms']:.1f}) |",
        "",
        "## The warehouse at national size",
        "",
        f"{w.agency_years:,} agency-years ({args.agencies:,} agencies × {args.years} years, one agency-year in 50 "
        f"missing), drawn from {args.pool:,} truths of the forge's generator (no document rendered); "
        f"**{w.rows:,} fact rows** ({', '.join(f'{k} {v:,}' for k, v in w.fact_rows.items())}).",
        "",
        "| measure | value |",
        "|---|---|",
        f"| generate and stage as Parquet (the partitioned runs' format) | {w.generate_s:.0f} s, {w.staged_bytes / 1e9:.2f} GB |",
        f"| bulk load into the warehouse's DDL, one transaction | {w.load_s:.0f} s = **{w.rows / w.load_s / 1e6:.2f} M rows/s** "
        f"(target ≥ 1 M rows/s {mark(w.rows / w.load_s >= 1e6)}) |",
        f"| after-load refresh of the materialised metrics (`metric_t3_report`, `metric_applicant_report`, "
        f"`metric_review_report`, `metric_t3_rollup`) | {w.refresh_s:.1f} s |",
        f"| warehouse file | {w.size_bytes / 1e9:.2f} GB ({w.size_bytes / w.rows:.1f} bytes a fact row) |",
        "",
        "Analyst queries (`benchmarks/national_queries.sql`), on 2 cores: cold = first run on a new connection "
        "(the OS file cache is not dropped), warm = best of 2 after it. Target: each < 1 s warm.",
        "",
        "| query | rows | cold s | warm s | |",
        "|---|---|---|---|---|",
        *[f"| {name} | {rows} | {cold:.3f} | {warm:.3f} | {mark(warm < 1)} |" for name, cold, warm, rows in w.queries],
        "",
    ]
    lines += [
        f"Reference: the year × category roll-up straight from the {w.fact_rows['fact_applications']:,} rows of "
        f"`fact_applications` (what `year_category_rollup` reads pre-summed from `metric_t3_rollup`) takes "
        f"{w.fact_scan_s:.2f} s warm, and gives the same rows: {'yes' if w.rollup_agrees else 'NO'}. Its profile:",
        "",
        "```",
        w.fact_scan_profile,
        "```",
        "",
    ]
    if w.profiles:
        lines += ["Misses, each with its profile (DuckDB's JSON profile: the costliest operators):", ""]
        for name, prof in w.profiles.items():
            lines += [f"`{name}`:", "", "```", prof, "```", ""]
    lines += [
        "## Crawl: 1,000 hosts on loopback",
        "",
        f"{c['hosts']:,} simulated portals (`tests/hosts.py`: (127.0.0.x, port) pairs on 4 loopback addresses, one "
        f"asyncio process) with robots.txt, 2 listing pages and 4 reports each; host 0 is slow (3 s a page, read "
        f"timeout 2 s), host 1 dead (connection refused); every 50th asks for a robots.txt Crawl-delay of "
        f"{c['gap'] * 2:g} s. Per-host gap {c['gap']:g} s, {c['concurrency']} sources at once, "
        f"{c['concurrency'] * 2} connections at most. The crawler runs in its own process.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| wall | {c['wall_s']:.1f} s for {c['requests']:,} requests = **{c['pages_per_s']:.0f} pages/s** |",
        f"| sum of per-host gaps (what one host at a time would wait) | {c['sum_of_gaps_s']:.0f} s "
        f"({c['sum_of_gaps_s'] / c['wall_s']:.0f}× the wall) |",
        f"| minimum gap one host saw (server side) | {c['min_gap_s']:.3f} s (configured {c['gap']:g} "
        f"{mark(c['min_gap_s'] >= c['gap'])}) |",
        f"| minimum gap on a Crawl-delay host after robots.txt | {c['min_crawl_delay_gap_s']:.3f} s "
        f"(asked {c['gap'] * 2:g} {mark(c['min_crawl_delay_gap_s'] >= c['gap'] * 2)}) |",
        f"| reports found | {c['reports']:,} of {c['expected_reports']:,}; healthy hosts with a failure: {c['healthy_failed']} |",
        f"| slow / dead host recorded as | {', '.join(c['slow_dead_failures']['host-0000'])} / "
        f"{', '.join(c['slow_dead_failures']['host-0001'])} |",
        f"| peak RSS of the crawler | {c['peak_rss_mb']:.0f} MB; the same crawl of {c2['hosts']} hosts: "
        f"{c2['peak_rss_mb']:.0f} MB (memory follows the concurrency, not the hosts) |",
        "",
        "## Incremental night",
        "",
        f"The same catalogue of {inc['hosts']} portals ({inc['reports']} reports, ETags) ingested twice with "
        "`nianbao ingest` (one run, a new process each).",
        "",
        "| night | wall s | report requests | fetched with a body | answered 304 | parsed |",
        "|---|---|---|---|---|---|",
        *[f"| {k} | {v['wall_s']:.1f} | {v['report_requests']} | {v['fetched_with_body']} | {v['not_modified']} | {v['parsed']} |"
          for k, v in (("first", inc["first"]), ("second", inc["second"]))],
        "",
        f"Second night: {inc['second']['fetched_with_body']} re-fetched with a body, {inc['second']['parsed']} re-parsed "
        f"(target 0 and 0 {mark(inc['second']['fetched_with_body'] == 0 and inc['second']['parsed'] == 0)}).",
        "",
        "## Backfill: partitioned runs on PostgreSQL",
        "",
    ]
    lines += backfill_lines(b)
    if "quiet" in r:
        lines += ["", "## A quiet night of portals through Dagster", ""]
        lines += quiet_lines(r["quiet"])
    lines += [
        "",
        "## Peak memory",
        "",
        "| job | wall s | peak RSS |",
        "|---|---|---|",
        f"| `nianbao parse` of the largest real PDF ({m['pdf']}, {m['pdf_bytes'] / 1e6:.1f} MB) | {m['pdf_s']:.1f} | "
        f"{m['pdf_mb']:.0f} MB |",
        f"| the full nightly run (`nianbao ingest`, the bundled samples) | {m['night_s']:.1f} | {m['night_mb']:.0f} MB |",
        "",
        "Peak RSS is the largest single process of the command (the command itself or a parse worker).",
    ]
    return "\n".join(lines) + "\n"


def time_floor(r: dict) -> str:
    """Where the time goes when the run is over 20 min: the backfill parses its documents four times,
    and the quiet night crawls 1,000 portals three times (a first night, the plain one, Dagster's)."""
    if r["total_s"] < 1200:
        return ""
    b = r["backfill"]
    parses = 4 * b["parse_s"]  # plain, one run, the small runs, the big runs: the same documents each time
    out = (f" The largest sections: the backfill, whose {b['documents']:,} documents are parsed four times (plain functions, "
           f"one run, {b['partitioned']['runs']} and {b['big']['partitioned']['runs']} partitioned run(s)), {parses / 60:.1f} min "
           "of parsing on 2 cores at the plain rate")
    if "quiet" in r:
        q = r["quiet"]
        out += (f"; the quiet night, whose {q['portals']:,} portals are crawled three times (a first night that parses "
                f"{q['first']['parsed']:,} reports, the plain night, the Dagster night) and whose daemon starts and settles "
                "before the clock")
    return out + ". Each section's minutes are above."


def _workers(run: dict) -> str:
    """How many source runs parsed with how many workers, e.g. '19 runs with 1 worker, 1 with 2'."""
    counts = sorted(run.get("parse_workers", {}).items(), key=lambda kv: -kv[1])
    return ", ".join(f"{n} run{'s' if n > 1 else ''} with {w} worker{'s' if w != '1' else ''}" for w, n in counts) or "?"


def _per_run_cost(b: dict, per_doc: float, overhead_s: float) -> list[str]:
    """When the 1,000-a-run target misses: the overhead is a cost per run and per backfill, not per
    document — the run size from which the same cost would be 10 % of the parse time."""
    runs = b["big"]["partitioned"]["runs"]
    per_run = b["documents"] // max(1, runs)
    if overhead_s / b["documents"] <= 0.10 * per_doc:
        return []
    needed = overhead_s / (runs * 0.10 * per_doc)  # overhead_s / (runs × n) ≤ 10 % of per_doc
    return [f"That overhead — {overhead_s:.0f} s of wall for {runs} runs of {per_run:,} documents — is paid per backfill "
            f"and per run (submission, a run's start, the loader), not per document: a run parses "
            f"for {per_doc * per_run:.0f} s on one core. The same cost would be 10 % of the parse time from about "
            f"{needed:,.0f} documents a run. The profile below shows where the seconds go.", ""]


def backfill_lines(b: dict) -> list[str]:
    docs, workers = b["documents"], b["workers"]
    per_doc = b["parse_s"] * workers / docs  # one document's parse + validate on one core
    p, big = b["partitioned"], b["big"]["partitioned"]

    def over(wall: float) -> float:
        return (wall - b["plain_s"]) / docs

    def shown(wall: float) -> str:
        return f"{over(wall) * 1000:.0f} ms = {over(wall) / per_doc:.0%} of the parse time"

    big_launch = big["wall_s"] - big["first_launch_s"]

    def runs(x: dict) -> str:
        """'2 + 1 loader', or '2 (the last loads)' when a source run loaded and no loader run was needed."""
        if x.get("loads_in_source_runs") and not x["loader_runs"]:
            return f"{x['runs']} (the last loads)"
        return f"{x['runs']} + {x['loader_runs']} loader"

    return [
        f"Forged reports (the `make bench-night` mix: half PDFs, half HTML and text) in folder sources; Dagster storage in a real PostgreSQL 15 (started by the "
        f"benchmark on 127.0.0.1); the daemon's run queue at 2 concurrent source runs; {workers} parse workers in the plain functions and the one "
        f"run; runs of up to {b.get('per_run', 250)} sources (NIANBAO_PORTALS_PER_RUN); a source run takes the cores ÷ "
        "the source runs queued or running when it starts (at most 2): "
        f"{_workers(p)} in the {p['runs']}-run backfill, {_workers(big)} in the {big['runs']}-run one. "
        "Every line parses the same documents. Overhead per document = (wall − plain wall) / documents, where plain = the "
        "same functions without Dagster (discover, parse + validate, load, publish) in this process; partitioned walls run "
        "from `nianbao backfill` until the loader has loaded the last staged unit (run starts, queue, sensor, loader "
        "included).",
        "",
        "| work | runs | wall s | overhead per document |",
        "|---|---|---|---|",
        f"| plain functions, {docs} documents | – | {b['plain_s']:.1f} (parse + validate {b['parse_s']:.1f}) | "
        f"baseline; parse {per_doc * 1000:.0f} ms a document on one core |",
        f"| one run (`nianbao ingest`, new process) | 1 | {b['single_s']:.1f} | {shown(b['single_s'])} |",
        f"| partitioned: {b.get('sources', p['runs'])} sources × {docs // b.get('sources', p['runs'])} | {runs(p)} | "
        f"{p['wall_s']:.1f} | {shown(p['wall_s'])} |",
        f"| partitioned: {b['big'].get('sources', big['runs'])} sources × {docs // b['big'].get('sources', big['runs'])} | "
        f"{runs(big)} | "
        f"{big['wall_s']:.1f} | **{shown(big['wall_s'])}** (target ≤ 10 % at 2 × 1,000 documents "
        f"{mark(over(big['wall_s']) / per_doc <= 0.10)}) |",
        f"| the same from the first run's launch (without the backfill's one-off submission) | {runs(big)} | "
        f"{big_launch:.1f} | {shown(big_launch)} |",
        "",
        *_per_run_cost(b, per_doc, over(big["wall_s"]) * docs),
        f"Runs at once at the busiest moment: {p['busiest']} and {big['busiest']} (limit 2); failed runs: "
        f"{len(p['failed_runs']) + len(big['failed_runs'])}; reports loaded: {p['reports']} and {big['reports']}.",
        "",
        "Profile of a partitioned run (median): "
        + "; ".join(f"{label}: submit → first launch {x['first_launch_s']:.1f} s, launch → executing (a fork of the "
                    f"code server's fork server) {x['start_median_s']:.1f} s, executing {x['run_median_s']:.1f} s, loading "
                    f"{x['loader_s']:.1f} s in all" for label, x in ((f"{docs // max(1, p['runs'])} a run", p),
                                                                     (f"{docs // max(1, big['runs'])} a run", big)))
        + ". Submit → first launch is once per backfill: `nianbao backfill` starts Python, imports the code location and "
        "puts runs of up to NIANBAO_PORTALS_PER_RUN sources (a partition range) on the run queue itself, under the "
        "code location's origin; the queue daemon launches them within a second. Loading is done by the last source "
        "run to stage, in its own process (a loader run only if the sensor had to). Launch → executing is once "
        "per run: the code server (`python -m pipelines.defs.code_server`) forks the run from a fork server that "
        "imported dagster, pandas, pandera and the parsers when the server started; the run opens the PostgreSQL "
        "storage, whose connections every process keeps open (pipelines/defs/pg_storage.py).",
    ]


def quiet_lines(q: dict) -> list[str]:
    """The quiet night (#29 point 7): its wall through Dagster against 5 minutes, beside the same crawl
    through the plain functions, in the same run."""
    d, p = q["dagster"], q["plain"]
    over = d["wall_s"] - p["wall_s"]
    return [
        f"{q['portals']:,} loopback portals (`tests/hosts.py`: robots.txt, a 年报 column of 2 listing pages, 2 report pages "
        f"with ETags), per-host gap {q['gap']:g} s, {q['concurrency']} portals at once per crawl. A first night found every "
        f"report ({q['first']['parsed']:,} parsed, {q['first']['wall_s']:.0f} s through the single-run night's plain functions); the quiet night "
        "crawls every portal again — robots.txt, the listing pages, a conditional GET of each report (304) — and finds "
        "nothing new. Dagster: storage in PostgreSQL, the daemon's queue at 2 source runs at once, runs of up to "
        f"{q['per_run']} portals (NIANBAO_PORTALS_PER_RUN), the wall from `nianbao backfill` (the batches the nightly "
        "schedule asks for) until the last unit is loaded and published; the daemon and the code server are up before it.",
        "",
        "| night | runs | wall s | requests | reports fetched with a body | answered 304 | portals' crawl records loaded |",
        "|---|---|---|---|---|---|---|",
        f"| plain functions (one crawl, in this process) | – | {p['wall_s']:.1f} (crawl {p['crawl_s']:.1f}, load "
        f"{p['load_s']:.1f}) | {p['portals']['requests']:,} | {p['portals']['fetched_with_body']} | "
        f"{p['portals']['not_modified']:,} | {p['crawl_runs'] - q['portals']:,} |",
        f"| Dagster, national mode | {d['runs']} | **{d['wall_s']:.1f}** (target ≤ {q['target_s']} "
        f"{mark(d['wall_s'] <= q['target_s'])}) | {d['portals']['requests']:,} | {d['portals']['fetched_with_body']} | "
        f"{d['portals']['not_modified']:,} | {d['crawl_runs'] - q['portals']:,} |",
        "",
        f"Nothing was parsed (plain: {p['parsed']}; Dagster: {d.get('parsed', 0)}). "
        f"Dagster's cost over the plain night: {over:.0f} s ({over / max(p['wall_s'], 1e-9):.0%}). Profile: `nianbao backfill` "
        f"{d['submit_s']:.1f} s (submits {d['runs']} runs), submit → first launch {d['first_launch_s']:.1f} s, launch → "
        f"executing {d['start_median_s']:.1f} s (median), a run {d['run_median_s']:.1f} s (median), the load of every unit "
        f"and the publish {d['loader_s']:.1f} s in the last run; failed runs: {len(d['failed_runs'])}.",
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--agencies", type=int, default=256_000)
    ap.add_argument("--years", type=int, default=7)
    ap.add_argument("--pool", type=int, default=5_000)
    ap.add_argument("--hosts", type=int, default=1_000)
    ap.add_argument("--sources", type=int, default=20)
    ap.add_argument("--per-source", type=int, default=100)
    ap.add_argument("--big-sources", type=int, default=2, help="the same documents again in this many runs")
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "benchmarks.md")
    ap.add_argument("--render", type=Path, help="only re-render --out from a run's saved figures (the .json beside it)")
    ap.add_argument("--only", choices=["backfill", "quiet"],
                    help="run this section alone and print its figures (docs/benchmarks.md is not rewritten)")
    ap.add_argument("--backfill-parts", default=",".join(national_backfill.PARTS),
                    help="with --only backfill: which of single,small,big run beside the plain baseline")
    args = ap.parse_args()
    if args.only == "backfill":
        parts = tuple(p for p in args.backfill_parts.split(",") if p)
        print(json.dumps(national_backfill.measure(args.sources, args.per_source, args.big_sources, parts, plain_after=True),
                         indent=1))
        return
    if args.only == "quiet":
        q = national_quiet.measure(args.hosts)
        print(json.dumps(q, indent=1))
        print("\n".join(quiet_lines(q)))
        return
    if args.render:
        r = json.loads(args.render.read_text(encoding="utf-8"))
        r["warehouse"] = national_warehouse.WarehouseFigures(**r["warehouse"])
        args.out.write_text(render(r, args), encoding="utf-8")
        return
    start = time.perf_counter()
    r: dict = {"at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
               "ram_gb": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30}
    sections: dict[str, float] = {}

    def section(name: str, fn):
        print(f"{name} …", flush=True)
        t0 = time.perf_counter()
        out = fn()
        sections[name] = time.perf_counter() - t0
        print(f"  {sections[name]:.0f} s", flush=True)
        return out

    with tempfile.TemporaryDirectory(prefix="nianbao-national-") as t:
        tmp = Path(t)
        r["html"] = section("HTML path", html_path)
        r["warehouse"] = section("warehouse at national size",
                                 lambda: national_warehouse.measure(tmp / "warehouse", args.agencies, args.years, args.pool))
        r["crawl"] = section(f"crawl of {args.hosts} hosts", lambda: national_crawl.crawl_in_child(args.hosts, 0.5, 64))
        r["crawl_small"] = section(f"crawl of {max(10, args.hosts // 10)} hosts",
                                   lambda: national_crawl.crawl_in_child(max(10, args.hosts // 10), 0.5, 64))
        r["incremental"] = section("incremental night", lambda: national_crawl.incremental_night(22))
        r["backfill"] = section("backfill on PostgreSQL",
                                lambda: national_backfill.measure(args.sources, args.per_source, args.big_sources))
        r["quiet"] = section(f"quiet night of {args.hosts} portals", lambda: national_quiet.measure(args.hosts))
        r["memory"] = section("peak memory", lambda: memory(tmp / "memory"))
    r["sections"] = sections
    r["total_s"] = time.perf_counter() - start
    # the raw figures beside the page (first: a change of wording re-renders without a 20-minute run)
    args.out.with_suffix(".json").write_text(json.dumps({**r, "warehouse": dataclasses.asdict(r["warehouse"])},
                                                        ensure_ascii=False, indent=1), encoding="utf-8")
    args.out.write_text(render(r, args), encoding="utf-8")
    print(f"wrote {args.out} ({r['total_s'] / 60:.1f} min)")


if __name__ == "__main__":
    main()
