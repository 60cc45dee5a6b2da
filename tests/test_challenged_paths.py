"""An anti-bot answer on one path does not cost the whole host (#29 part 5): the challenged path
prefix is left alone and recorded, the rest of the host is crawled, the host is left only after
``challenged_prefixes_to_leave_host`` distinct prefixes were challenged, and the reports of a column
are fetched as soon as the column is read (a late block does not lose them).

The site is a county portal on 127.0.0.1 as research §5 describes it: 部门信息公开 lists five
departments, each with its own 年报 column (one page: four reports and a guide)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from pipelines.scrape.catalog import Catalog, Source
from pipelines.scrape.crawl import crawl_into
from tests.cms_portals import RUISHU_412, Entry, FamilyPortal, entries, serve_details
from tests.portal import Portal, Route

DEPARTMENTS = {"jyj": "示例县教育局", "czj": "示例县财政局", "wjj": "示例县卫生健康局", "gaj": "示例县公安局",
               "sfj": "示例县司法局"}


def _page(title: str, links: list[tuple[str, str]]) -> bytes:
    a = "".join(f"<li><a href='{u}'>{t}</a></li>" for u, t in links)
    return f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><ul>{a}</ul></body></html>".encode()


def _county(portal: Portal, protected: set[str]) -> dict[str, FamilyPortal]:
    """The portal; ``protected`` departments' 年报 lists answer 瑞数's 412 challenge."""
    portal.set("/index.html", _page("示例县人民政府", [("/zwgk/bmxxgk/index.html", "部门信息公开")]))
    portal.set("/zwgk/bmxxgk/index.html", _page("部门信息公开", [(f"/{d}/index.html", n) for d, n in DEPARTMENTS.items()]))
    out = {}
    for seed, (dept, name) in enumerate(DEPARTMENTS.items()):
        # four reports (2025 … 2022) and a guide; details in the column's own dated folders
        items: list[Entry] = entries(name, lambda i, y, d=dept: f"/{d}/nb/{y}02/t{y}0201_{i}.html", 700 + 10 * seed)[:5]
        fp = FamilyPortal("page", f"{portal.base}/{dept}/nb/index.html", items)
        serve_details(portal, fp, 700 + 10 * seed)
        portal.set(f"/{dept}/index.html", _page(name, [(f"/{dept}/nb/index.html", "政府信息公开年报")]))
        portal.set(f"/{dept}/nb/index.html", _page("政府信息公开年报", [(e.path, e.title) for e in items]))
        if dept in protected:
            portal.routes[f"/{dept}/nb/index.html"] = Route(handler=lambda _req: (412, {"Content-Type": "text/html"}, RUISHU_412))
        out[dept] = fp
    return out


@pytest.fixture
def portal() -> Iterator[Portal]:
    p = Portal().start()
    yield p
    p.stop()


def _catalog(start_urls: list[str], **settings: object) -> Catalog:
    return Catalog(retries=2, retry_wait_seconds=0.01, read_timeout_seconds=10, **settings, sources=[Source(
        name="county", start_urls=start_urls, allowed_domains=["127.0.0.1"], allow_private_addresses=True,
        rate_limit_seconds=0)])


def test_one_protected_department_list_costs_that_list_only(portal: Portal, tmp_path: Path) -> None:
    depts = _county(portal, protected={"czj"})
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        result = crawl_into(conn, _catalog([f"{portal.base}/index.html"]), tmp_path / "data")
        run = conn.execute("SELECT reports_found, challenged_prefixes, hosts_left FROM crawl_runs").fetchall()
        blocked = conn.execute("SELECT url, error_type, http_status FROM fetch_failures").fetchall()
    open_reports = {(n, y) for d, n in DEPARTMENTS.items() if d != "czj" for y in (2025, 2024, 2023, 2022)}
    assert len(open_reports) == 16
    # 16 of the 16 reports on the open paths (the old crawler left the host at the 412: 0 of 16)
    assert {(r.agency, r.year) for r in result.reports} == open_reports
    assert {r.url for r in result.reports} == {u for d, fp in depts.items() if d != "czj" for u in fp.served}
    # the challenged prefix where users see it: the crawl's row, its failure, the crawl report
    assert run == [(16, "127.0.0.1/czj/nb/ HTTP 412", None)]
    assert blocked == [(f"{portal.base}/czj/nb/index.html", "blocked", 412)]
    assert "  CHALLENGED county: 127.0.0.1/czj/nb/ answered an anti-bot challenge (HTTP 412); left alone this crawl, " \
           "the rest of its host was crawled" in result.lines()
    # asked once (a challenge is never retried), and nothing under the protected folder asked again
    assert [h.status for h in portal.hits if h.path.startswith("/czj/nb/")] == [412]


def test_the_host_is_left_after_enough_prefixes_and_what_was_read_before_is_kept(portal: Portal, tmp_path: Path) -> None:
    depts = _county(portal, protected={"czj", "gaj"})
    columns = [f"{portal.base}/{d}/nb/index.html" for d in DEPARTMENTS]  # jyj, czj (412), wjj, gaj (412), sfj
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        result = crawl_into(conn, _catalog(columns, challenged_prefixes_to_leave_host=2), tmp_path / "data")
        run = conn.execute("SELECT reports_found, challenged_prefixes, hosts_left FROM crawl_runs").fetchall()
        blocked = conn.execute("SELECT url, http_status FROM fetch_failures ORDER BY url").fetchall()
    # the reports of jyj and wjj were fetched as their lists were read, before gaj's answer closed the host
    assert {(r.agency, r.year) for r in result.reports} == {(DEPARTMENTS[d], y) for d in ("jyj", "wjj")
                                                            for y in (2025, 2024, 2023, 2022)}
    assert run == [(8, "127.0.0.1/czj/nb/ HTTP 412; 127.0.0.1/gaj/nb/ HTTP 412", "127.0.0.1")]
    # sfj's list is open but was never asked: the host had been left
    assert blocked == [(f"{portal.base}/czj/nb/index.html", 412), (f"{portal.base}/gaj/nb/index.html", 412),
                       (f"{portal.base}/sfj/nb/index.html", None)]
    assert not [h for h in portal.hits if h.path.startswith("/sfj/")]
    assert "  HOST LEFT county: 127.0.0.1 challenged too many path prefixes; nothing more was asked of it this crawl" \
        in result.lines()
    assert len(depts["sfj"].served) == 4  # the portal did serve them


def test_a_challenged_home_page_is_the_whole_host(portal: Portal, tmp_path: Path) -> None:
    """The root's folder covers every path: the host is left at once (and said so), not after three."""
    _county(portal, protected=set())
    portal.routes["/index.html"] = Route(handler=lambda _req: (412, {"Content-Type": "text/html"}, RUISHU_412))
    start = [f"{portal.base}/index.html", f"{portal.base}/jyj/nb/index.html"]
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        result = crawl_into(conn, _catalog(start), tmp_path / "data")
        run = conn.execute("SELECT reports_found, challenged_prefixes, hosts_left FROM crawl_runs").fetchall()
    assert result.reports == []
    assert run == [(0, "127.0.0.1/ HTTP 412", "127.0.0.1")]
    assert [(h.path, h.status) for h in portal.hits if h.path != "/robots.txt"] == [("/index.html", 412)]
