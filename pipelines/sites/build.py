"""``nianbao catalogue build``: every site of a site catalogue checked (pipelines/sites/verify.py)
with the crawler's politeness — one shared fetcher: a minimum gap per host, robots.txt, at most
``concurrency`` sites at once — and written to an output folder:

- ``state.jsonl``: one line per site checked, appended as each finishes (a build stopped half-way
  resumes from it: sites already there are not asked again unless ``refresh``);
- ``sites.yaml``: the built catalogue, each site with ``verified_at``, its meta check, columns,
  moved host, challenged paths;
- ``sources.yaml``: the crawl catalogue of the admitted sites, for ``nianbao ingest --catalog``;
- ``review.csv``: the sites a person must look at, with a ``decision`` column (admit / reject) that
  the next build reads back;
- ``archive/``: the pages no family could read (``unknown_listing``), for that person.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from pipelines.scrape.archive import Archive
from pipelines.scrape.catalog import Catalog
from pipelines.scrape.fetch import Fetcher
from pipelines.sites.built import (
    BuiltSite,
    crawl_catalogue,
    dump_built,
    read_decisions,
    review_csv,
    source_name,
)
from pipelines.sites.entries import SiteEntry, load_site_dir, load_site_list
from pipelines.sites.verify import check_site

STATE, SITES, SOURCES, REVIEW = "state.jsonl", "sites.yaml", "sources.yaml", "review.csv"


@dataclass(frozen=True)
class BuildSettings:
    concurrency: int = 16
    rate_limit_seconds: float = 1.0
    discovery_depth: int = 4
    max_listing_pages: int = 50
    retries: int = 3
    retry_wait_seconds: float = 2.0
    read_timeout_seconds: float = 30
    connect_timeout_seconds: float = 10
    proxy: str | None = None
    allow_private_addresses: bool = False


@dataclass(frozen=True)
class BuildResult:
    sites: list[BuiltSite]
    checked: int  # sites asked in this run
    skipped: int  # sites already in the state file (resumed)


def listed_sites(path: Path) -> list[SiteEntry]:
    """The entries of a site-catalogue folder (every ``*.yaml``) or of one file (an import); one
    entry per URL (the first listed: the same address in two lists is one site)."""
    lists = load_site_dir(path).values() if path.is_dir() else [load_site_list(path)]
    out: dict[str, SiteEntry] = {}
    for site_list in lists:
        for e in site_list.sites:
            out.setdefault(e.url, e)
    return list(out.values())


def _read_state(path: Path) -> dict[str, BuiltSite]:
    done: dict[str, BuiltSite] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                try:
                    site = BuiltSite.model_validate_json(line)
                except ValueError:
                    continue  # a line cut short by a stopped build: that site is checked again
                done[site.key] = site
    return done


def build_catalogue(sites_path: Path, out: Path, settings: BuildSettings, refresh: bool = False,
                    progress: Callable[[BuiltSite], None] | None = None, older_than_days: float | None = None) -> BuildResult:
    """``refresh``: check every site again; ``older_than_days``: again those checked longer ago than that."""
    out.mkdir(parents=True, exist_ok=True)
    entries = listed_sites(sites_path)
    state_path = out / STATE
    done = {} if refresh else _read_state(state_path)
    if older_than_days is not None:
        cutoff = datetime.now(UTC) - timedelta(days=older_than_days)
        done = {k: s for k, s in done.items() if s.verified_at >= cutoff}
    decisions = read_decisions((out / REVIEW).read_text(encoding="utf-8")) if (out / REVIEW).is_file() else {}
    taken = {s.name for s in done.values() if s.key in {e.url for e in entries}}
    todo = [(e, source_name(e, taken)) for e in entries if e.url not in done]
    catalog = Catalog(sources=[], max_concurrent_sources=settings.concurrency,
                      max_connections=max(settings.concurrency, 2 * settings.concurrency), retries=settings.retries,
                      retry_wait_seconds=settings.retry_wait_seconds, read_timeout_seconds=settings.read_timeout_seconds,
                      connect_timeout_seconds=settings.connect_timeout_seconds, proxy=settings.proxy)
    options = {"rate_limit_seconds": settings.rate_limit_seconds, "discovery_depth": settings.discovery_depth,
               "max_listing_pages": settings.max_listing_pages, "allow_private_addresses": settings.allow_private_addresses}
    archive, lock = Archive(out / "archive"), threading.Lock()
    fetcher = Fetcher(catalog)
    # the state file rewritten with the sites it holds whole (a line torn by a stopped build dropped),
    # then appended to as each site finishes
    state_path.write_text("".join(s.model_dump_json() + "\n" for s in done.values()), encoding="utf-8")
    try:
        with state_path.open("a", encoding="utf-8") as state, ThreadPoolExecutor(max_workers=settings.concurrency) as pool:
            def run(entry: SiteEntry, name: str) -> BuiltSite:
                try:
                    site = check_site(entry.url, name, entry, fetcher, archive, options)
                except ValueError as err:  # an entry the crawler cannot take (an odd URL): recorded, the build goes on
                    site = unchecked(entry, name, f"check refused: {err}")
                with lock:  # one whole line per site, flushed: a stopped build loses only the sites in flight
                    state.write(site.model_dump_json() + "\n")
                    state.flush()
                if progress is not None:
                    progress(site)
                return site

            for f in [pool.submit(run, e, n) for e, n in todo]:
                site = f.result()
                done[site.key] = site
    finally:
        fetcher.close()
    sites = [done[e.url].model_copy(update={"decision": decisions.get(e.url)}) for e in entries]
    write_outputs(out, sites, settings)
    return BuildResult(sites, len(todo), len(entries) - len(todo))


def unchecked(entry: SiteEntry, name: str, why: str) -> BuiltSite:
    host = (urlsplit(entry.url).hostname or "").lower()
    return BuiltSite(key=entry.url, name=name, site=entry, verified_at=datetime.now(UTC), status="unreachable",
                     meta="unlisted" if entry.site_code is None else "absent", host=host, gov_host=entry.gov_host,
                     failures=[f"listing error {entry.url}: {why}"])


def write_outputs(out: Path, sites: list[BuiltSite], settings: BuildSettings) -> None:
    (out / SITES).write_text(dump_built(sites), encoding="utf-8")
    crawl = {"retries": settings.retries, "retry_wait_seconds": settings.retry_wait_seconds,
             "read_timeout_seconds": settings.read_timeout_seconds,
             "connect_timeout_seconds": settings.connect_timeout_seconds,
             "max_concurrent_sources": settings.concurrency,
             "max_connections": max(settings.concurrency, 2 * settings.concurrency)}
    if settings.proxy:
        crawl["proxy"] = settings.proxy
    defaults: dict = {"rate_limit_seconds": settings.rate_limit_seconds}
    if settings.allow_private_addresses:
        defaults["allow_private_addresses"] = True
    built = crawl_catalogue(sites, {**crawl, "source_defaults": defaults})
    (out / SOURCES).write_text("# Built by `nianbao catalogue build` (admitted sites only; review.csv lists the rest)\n"
                               + yaml.safe_dump(built, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")
    (out / REVIEW).write_text(review_csv(sites), encoding="utf-8")


def summary(result: BuildResult) -> list[str]:
    statuses = [s.status for s in result.sites]
    metas = [s.meta for s in result.sites]
    lines = [f"{len(result.sites)} site(s): {result.checked} checked now, {result.skipped} already done (resumed)",
             "  status: " + ", ".join(f"{k} {statuses.count(k)}" for k in ("columns", "none", "unreachable", "moved", "conflict")),
             "  meta: " + ", ".join(f"{k} {metas.count(k)}" for k in ("confirmed", "conflict", "absent", "unlisted")),
             f"  admitted to sources.yaml: {sum(s.admitted for s in result.sites)}; "
             f"to review: {sum(bool(s.reasons()) for s in result.sites)}"]
    return lines


def state_lines(path: Path) -> list[dict]:
    """The state file's entries (for tests and tools)."""
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
