"""The crawler across many hosts: 60 simulated portals on loopback (one slow, one dead, some asking
for a robots.txt Crawl-delay), crawled with per-host politeness and cross-host concurrency."""

from __future__ import annotations

import time
from pathlib import Path

from pipelines.scrape.catalog import parse_catalog
from pipelines.scrape.crawl import crawl
from tests.forge.render import render_html
from tests.forge.truths import make_truth
from tests.hosts import HostPlan, ManyHosts

HOSTS, GAP, DELAY, CONCURRENCY = 60, 0.3, 0.6, 16


def test_many_hosts_polite_each_concurrent_across_slow_and_dead_recorded(tmp_path: Path) -> None:
    plan = HostPlan(hosts=HOSTS, pages=2, reports_per_page=2, slow_seconds=3.0, crawl_delay_every=10, crawl_delay=DELAY,
                    report_bodies=[render_html(make_truth(seed)) for seed in range(5)])
    with ManyHosts(plan) as hosts:
        catalog = parse_catalog(hosts.catalog(GAP, CONCURRENCY, read_timeout=2.0))
        started = time.monotonic()
        result = crawl(catalog, tmp_path)
        wall = time.monotonic() - started
    names = [f"host-{i:04d}" for i in range(HOSTS)]
    healthy = names[2:]

    # every healthy host: both listing pages and all four reports, no failure
    for name in healthy:
        outcome = result.sources[name]
        assert (outcome.listing_pages, len(outcome.reports), outcome.failures) == (2, 4, []), (name, outcome.counts())
    # the dead host: refused, recorded; the slow one: timed out, recorded — neither found anything
    dead, slow = result.sources[names[1]], result.sources[names[0]]
    assert [(f.stage, f.error_type) for f in dead.failures] == [("listing", "connection_error")]
    assert [(f.stage, f.error_type) for f in slow.failures] == [("listing", "timeout")]
    assert not dead.reports and not slow.reports

    # politeness, as the hosts saw it: every gap between two requests to one host ≥ the configured
    # gap; ≥ the Crawl-delay on the hosts whose robots.txt asks for one (after robots.txt was read)
    gaps = hosts.gaps()
    requests = {h: [p for hh, p, _at, _s in hosts.log if hh == h] for h in range(HOSTS)}
    for h in range(2, HOSTS):
        assert requests[h][0] == "/robots.txt" and len(requests[h]) == 7, requests[h]
        floor = DELAY if h % 10 == 0 else GAP
        assert min(gaps[h]) >= GAP and min(gaps[h][1:]) >= floor, (h, gaps[h])
    assert min(g for h in range(2, HOSTS) for g in gaps[h]) >= GAP

    # concurrency across hosts: the wall time is far below the sum of the per-host gaps
    waited = sum(sum(g) for g in gaps.values())
    assert waited > 100, waited  # 58 hosts × 6 gaps × ≥ 0.3 s, plus the Crawl-delay hosts
    assert wall < waited / 5, (wall, waited)
    # the slow host did not hold the others back: while its pages were pending (two attempts of
    # 2 s each), the other hosts' requests went on
    slow_pages = sorted(at for h, p, at, _s in hosts.log if h == 0 and p != "/robots.txt")
    assert len(slow_pages) == 2  # two attempts, then recorded as a timeout
    meanwhile = {h for h, _p, at, _s in hosts.log if h >= 2 and slow_pages[0] < at < slow_pages[-1] + 2.0}
    assert len(meanwhile) >= 10, sorted(meanwhile)
