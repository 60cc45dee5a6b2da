"""The crawler against one local portal per CMS family (tests/cms_portals.py, built from the real
markup in ../shared/research/cms_listing_patterns.md): exactly the expected agency-years from a
catalogue naming only the column, the requests each family makes, column discovery from a home
page, anti-bot answers, overlapping items loaded once, and a second crawl that re-parses nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import duckdb
import pytest
import yaml

from pipelines.scrape.archive import Archive
from pipelines.scrape.catalog import Catalog, Source, load_catalog
from pipelines.scrape.cms import FAMILY_NAMES
from pipelines.scrape.crawl import crawl_into
from pipelines.scrape.fetch import Fetcher
from tests.cms_portals import (
    BUILDERS,
    EDGEONE_200,
    JIASULE_521,
    RUISHU_412,
    FamilyPortal,
    blocking_portal,
    catalog_entry,
    discovery_site,
)
from tests.portal import Hit, Portal


@pytest.fixture
def portal() -> Iterator[Portal]:
    p = Portal().start()
    yield p
    p.stop()


def _catalog(*sources: dict) -> Catalog:
    return Catalog(retries=3, retry_wait_seconds=0.01, read_timeout_seconds=10, sources=[Source(**s) for s in sources])


def _listing_hits(portal: Portal, fp: FamilyPortal) -> list[Hit]:
    details = {urlsplit(u).path for u in fp.served}
    return [h for h in portal.hits if h.path not in details and h.path != "/robots.txt"]


def _params(hit: Hit) -> dict[str, str]:
    return dict(parse_qsl(hit.query)) | (dict(parse_qsl(hit.body.decode())) if hit.body and not hit.body.startswith(b"{") else {})


# What each family must send for its later pages (method, path, the parameters that page it)
def _paging(name: str, hits: list[Hit]) -> list[tuple]:
    p = [_params(h) for h in hits]
    if name == "trs":
        return [h.path for h in hits]
    if name == "static":
        return [p_.get("cur_page") for p_ in p]
    if name == "hanweb_jpage":
        return [(h.method, p_.get("startrecord"), p_.get("columnid"), p_.get("unitid")) for h, p_ in zip(hits, p, strict=True)]
    if name == "hanweb_jpage_page_only":
        return [(h.method, p_.get("startrecord"), p_.get("page")) for h, p_ in zip(hits, p, strict=True)]
    if name == "hanweb_jpage_column_pages":
        return [(h.method, h.path.rsplit("/", 1)[-1], p_.get("startrecord") or p_.get("page") or p_.get("pageNum"))
                for h, p_ in zip(hits, p, strict=True)]
    if name == "hanweb_xxgk":
        return [(h.method, p_.get("currpage"), h.headers.get("X-Requested-With")) for h, p_ in zip(hits, p, strict=True)]
    if name == "jpaas":
        return [(p_.get("parseType"), p_.get("paramJson")) for p_ in p]
    if name == "gkmlpt":
        return [(h.path, p_.get("page"), p_.get("sid")) for h, p_ in zip(hits, p, strict=True)]
    if name == "epoint":
        bodies = [json.loads(h.body) if h.body else {} for h in hits]
        return [(h.method, h.path, "params" in b, (b.get("params") or b).get("pageIndex"), (b.get("params") or b).get("siteGuid", "")[:8])
                for h, b in zip(hits, bodies, strict=True)]
    return [(h.path.split("/")[-1][:8], p_.get("_isJson"), p_.get("page")) for h, p_ in zip(hits, p, strict=True)]


PAGING = {
    "trs": ["/xxgk/nb/index.shtml", "/xxgk/nb/index_1.shtml", "/xxgk/nb/index_2.shtml", "/xxgk/nb/index_3.shtml"],
    "static": [None, "1", "2", "3", "4"],
    # groups of three pages; the second group (records 10–18) also repeats record 9
    "hanweb_jpage": [("GET", None, None, None), ("POST", "1", "1229", "5229"), ("POST", "10", "1229", "5229")],
    # startrecord ignored (page 1 again: nothing new) → the <nextgroup> href's page=N
    "hanweb_jpage_page_only": [("GET", None, None), ("POST", "1", None), ("GET", None, "2"), ("GET", None, "3"),
                               ("GET", None, "4")],
    # no proxy at all (404 probes, not failures) → the column page's ?uid=&pageNum=N
    "hanweb_jpage_column_pages": [("GET", "index.html", None), ("POST", "dataproxy.jsp", "1"),
                                  ("GET", "dataproxy.jsp", "2"), ("GET", "index.html", "2"), ("GET", "index.html", "3"),
                                  ("GET", "index.html", "4")],
    "hanweb_xxgk": [("GET", None, None)] + [("POST", str(n), "XMLHttpRequest") for n in (1, 2, 3)],
    "jpaas": [(None, None)] + [("bulidstatic", f'{{"pageNo":{n},"pageSize":"15"}}') for n in (1, 2, 3, 4)],
    "gkmlpt": [("/sjwg/gkmlpt/annualreport", None, None), ("/sjwg/gkmlpt/api/all/2629", "1", "758019"),
               ("/sjwg/gkmlpt/api/all/2629", "2", "758019")],
    # settings script; a bare body answered with an empty custom → the wrapped form, pageIndex 0, 1, 2
    "epoint": [("GET", "/dynamic/zwgk/govInfoPub.html", False, None, ""), ("GET", "/js/webBuilderCommon.js", False, None, ""),
               *[("POST", "/EWB-FRONT/rest/lightfrontaction/getgovinfolist", wrapped, index, "7eb5f7f1")
                 for wrapped, index in ((False, 0), (True, 0), (True, 1), (True, 2))]],
    "common_search": [("xxgk_lis", None, None)] + [("5dd8d47a", "true", str(n)) for n in (1, 2, 3)],
}


@pytest.mark.parametrize("name", list(BUILDERS))
def test_each_family_finds_exactly_its_reports_from_the_column_url_alone(portal: Portal, tmp_path: Path, name: str) -> None:
    fp = BUILDERS[name](portal)
    catalog = _catalog(catalog_entry(name, fp))
    fetcher = Fetcher(catalog)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        result = crawl_into(conn, catalog, tmp_path / "data", fetcher=fetcher)
        columns = conn.execute("SELECT columns FROM crawl_runs").fetchall()
    assert {(r.agency, r.year) for r in result.reports} == fp.expected  # including the last listing page's
    assert {r.url: Path(r.path).read_bytes() for r in result.reports} == fp.served
    assert result.failures == []
    assert result.sources[name].columns == {fp.start: fp.family}
    assert columns == [(f"{fp.family} {fp.start}",)]
    # every request went to the portal; distractors (guide, key points, news) were never requested;
    # each report's page was fetched once, overlapping and repeated list rows included
    assert {urlsplit(u).netloc for u in fetcher.requested} == {urlsplit(portal.base).netloc}
    assert not {h.path for h in portal.hits} & fp.distractor_paths
    served_paths = {urlsplit(u).path for u in fp.served}
    assert Counter(h.path for h in portal.hits if h.path in served_paths) == dict.fromkeys(served_paths, 1)
    assert _paging(name, _listing_hits(portal, fp)) == PAGING[name]


def test_every_family_has_a_portal() -> None:
    assert {fp_name.split("_page_only")[0].split("_column_pages")[0] for fp_name in BUILDERS} == set(FAMILY_NAMES)


def test_the_xxgk_search_answers_the_whole_area_and_only_the_columns_items_are_taken(portal: Portal, tmp_path: Path) -> None:
    fp = BUILDERS["hanweb_xxgk"](portal)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        result = crawl_into(conn, _catalog(catalog_entry("x", fp)), tmp_path / "data")
    assert "示例市审计局" not in {r.agency for r in result.reports}
    assert not [h for h in portal.hits if "art_1400_" in h.path]


def test_a_pinned_cms_overrides_detection_and_an_unknown_one_is_refused(portal: Portal, tmp_path: Path) -> None:
    fp = BUILDERS["gkmlpt"](portal)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        result = crawl_into(conn, _catalog(catalog_entry("g", fp, cms="gkmlpt")), tmp_path / "data")
        assert {(r.agency, r.year) for r in result.reports} == fp.expected
        # pinned to a family that cannot read the page: nothing listed → unknown_listing, page archived
        wrong = crawl_into(conn, _catalog(catalog_entry("g", fp, cms="epoint")), tmp_path / "data")
    assert wrong.reports == []
    (failure,) = [f for f in wrong.failures if f.error_type == "unknown_listing"]
    assert failure.url == fp.start and "looks like a epoint listing but yielded no items" in failure.message
    assert Archive(tmp_path / "data").get(failure.body_sha256 or "") == portal.routes["/sjwg/gkmlpt/annualreport"].body
    with pytest.raises(ValueError, match="unknown CMS family 'wordpress'"):
        Source(**catalog_entry("g", fp, cms="wordpress"))


def test_column_discovery_from_the_home_page_finds_the_county_and_department_columns(portal: Portal, tmp_path: Path) -> None:
    site = discovery_site(portal)
    catalog = _catalog({"name": "county", "start_urls": [site.home], "allowed_domains": ["127.0.0.1"],
                        "allow_private_addresses": True, "rate_limit_seconds": 0})
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        result = crawl_into(conn, catalog, tmp_path / "data")
        failures = conn.execute("SELECT stage, url, error_type, body_sha256 FROM fetch_failures").fetchall()
    assert {(r.agency, r.year) for r in result.reports} == site.county.expected | site.bureau.expected | site.finance.expected
    # the county's TRS column, the 教育局's Hanweb column (部门信息公开 → 县教育局 → 年报), and the
    # 财政局's list behind a location.replace shell and an <iframe>
    assert result.sources["county"].columns == {site.county.start: "trs", site.bureau.start: "hanweb_jpage",
                                                site.finance.start: "page"}
    # guides, rules, news and other menus were never requested
    assert not {h.path for h in portal.hits} & site.never
    # a 年报 link whose page no family reads: unknown_listing, its bytes archived for a person
    (row,) = failures
    assert row[:3] == ("listing", site.unknown, "unknown_listing")
    assert Archive(tmp_path / "data").get(row[3]) == portal.routes["/wjj/nb/index.html"].body


def test_discover_sources_prints_the_catalogue_entries_to_review(portal: Portal, tmp_path: Path) -> None:
    site = discovery_site(portal)
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", "discover-sources", "--site", site.home,
                           "--allow-private-addresses"], capture_output=True, text=True, check=True)
    text = proc.stdout
    assert f"# {site.county.start}: trs, 7 report item(s) listed" in text
    assert f"# {site.bureau.start}: hanweb_jpage, 7 report item(s) listed" in text
    assert f"# not read: {site.unknown}: unknown_listing" in text
    entries = yaml.safe_load(text)["sources"]
    assert [(e["start_urls"], e.get("cms")) for e in entries] == [
        ([site.county.start], "trs"), ([site.bureau.start], "hanweb_jpage"), ([site.finance.start], None)]
    # the printed entries are a working catalogue: crawling it finds the same reports
    path = tmp_path / "catalog.yaml"
    path.write_text(text, encoding="utf-8")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        result = crawl_into(conn, load_catalog(path), tmp_path / "data")
    assert {(r.agency, r.year) for r in result.reports} == site.county.expected | site.bureau.expected | site.finance.expected
    # no report was downloaded by the survey itself
    assert all(e.get("cms") != "page" for e in entries)


def test_anti_bot_answers_are_blocked_not_retried_not_parsed_and_the_host_is_left_alone(portal: Portal, tmp_path: Path) -> None:
    paths = blocking_portal(portal)
    local = portal.base.replace("127.0.0.1", "localhost")
    catalog = _catalog(
        {"name": "ruishu", "start_urls": [portal.base + paths["ruishu"], portal.base + "/ruishu/nb/index_1.html"],
         "allowed_domains": ["127.0.0.1"], "allow_private_addresses": True, "rate_limit_seconds": 0},
        {"name": "jsl", "start_urls": [local + paths["jsl"]], "allowed_domains": ["localhost"],
         "allow_private_addresses": True, "rate_limit_seconds": 0})
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        result = crawl_into(conn, catalog, tmp_path / "data")
        rows = conn.execute("SELECT source, url, error_type, http_status, body_sha256 FROM fetch_failures ORDER BY source, url").fetchall()
        assert conn.execute("SELECT count(*) FROM documents").fetchone() == (0,)  # nothing indexed or parsed
    archive = Archive(tmp_path / "data")
    assert [(s, u.replace(local, "L").replace(portal.base, "B"), t, status) for s, u, t, status, _ in rows] == [
        ("jsl", "L/jsl/nb/index.html", "blocked", 521),
        ("ruishu", "B/ruishu/nb/index.html", "blocked", 412),
        ("ruishu", "B/ruishu/nb/index_1.html", "blocked", None)]  # the host left alone: never requested
    assert archive.get(rows[0][4]) == JIASULE_521 and archive.get(rows[1][4]) == RUISHU_412 and rows[2][4] is None
    # one request each, though 3 attempts are allowed and 521 is a 5xx
    assert [(h.path, h.status) for h in portal.hits if h.path != "/robots.txt"] in (
        [(paths["ruishu"], 412), (paths["jsl"], 521)], [(paths["jsl"], 521), (paths["ruishu"], 412)])
    assert result.reports == []
    # a challenge served with 200 (EdgeOne's shell) is blocked too, its body kept, never parsed
    portal.hits.clear()
    with duckdb.connect(str(tmp_path / "w2.duckdb")) as conn:
        eo = crawl_into(conn, _catalog({"name": "eo", "start_urls": [portal.base + paths["eo"]], "allowed_domains": ["127.0.0.1"],
                                        "allow_private_addresses": True, "rate_limit_seconds": 0}), tmp_path / "data")
    (failure,) = eo.failures
    assert (failure.error_type, failure.http_status) == ("blocked", 200)
    assert archive.get(failure.body_sha256 or "") == EDGEONE_200
    assert [h.path for h in portal.hits if h.path != "/robots.txt"] == [paths["eo"]]


def _ingest(catalog: Path, data: Path, db: Path) -> list[str]:
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", "ingest", "--catalog", str(catalog), "--data-dir", str(data),
                           "--db", str(db)], capture_output=True, text=True, check=True)
    return proc.stdout.strip().splitlines()


def _cells(conn: duckdb.DuckDBPyConnection, agency: str, year: int) -> dict:
    got = dict(conn.execute("SELECT category_code || '|' || applicant_code, value FROM fact_applications "
                            "WHERE agency_id=? AND year=?", [agency, year]).fetchall())
    got |= dict(conn.execute("SELECT '4|' || col_code, value FROM fact_review_litigation WHERE agency_id=? AND year=?",
                             [agency, year]).fetchall())
    got |= {k: float(v) if v is not None else None for k, v in conn.execute(
        "SELECT row_code || '|' || col_code, value FROM fact_proactive_disclosure WHERE agency_id=? AND year=?",
        [agency, year]).fetchall()}
    return got


def test_every_family_into_the_warehouse_once_and_a_second_crawl_reparses_nothing(portal: Portal, tmp_path: Path) -> None:
    portals = {name: build(portal) for name, build in BUILDERS.items()}
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(yaml.safe_dump({"retries": 2, "retry_wait_seconds": 0.01,
                                       "sources": [catalog_entry(n, fp) for n, fp in portals.items()]}, allow_unicode=True))
    data, db = tmp_path / "data", tmp_path / "w.duckdb"
    served = {u: b for fp in portals.values() for u, b in fp.served.items()}
    first = _ingest(catalog, data, db)
    assert first[0] == f"documents seen: {len(served)} (parsed now: {len(served)}, unchanged: 0)"
    truths = {k: t for fp in portals.values() for k, t in fp.truths.items()}
    with duckdb.connect(str(db), read_only=True) as conn:
        current = conn.execute("SELECT agency_id, year, count(*) FROM reports WHERE is_current GROUP BY 1, 2").fetchall()
        assert {(a, y): n for a, y, n in current} == dict.fromkeys(truths, 1)  # one current report per agency-year
        for (agency, year), t in truths.items():
            expected = {k: (float(v.rstrip("元")) if isinstance(v, str) else v) for k, v in t["cells"].items()}
            assert _cells(conn, agency, year) == expected, (agency, year)
        # the 北川 report reached as a page and as its PDF attachment: both URLs recorded, both parsed,
        # one agency-year in the facts (every fact row once)
        jp = portals["jpaas"]
        urls = sorted(u for u in jp.served if "beichuan" in u or u.endswith(".pdf"))
        assert sorted(r[0] for r in conn.execute(
            "SELECT url FROM documents WHERE agency_guess = '北川市生态环境局'").fetchall()) == urls
        assert conn.execute("SELECT count(*), count(DISTINCT sha256), sum(is_current::INT) FROM reports "
                            "WHERE agency_id = '北川市生态环境局' AND year = 2023").fetchone() == (2, 2, 1)
        dupes = conn.execute("SELECT count(*) FROM (SELECT category_code, applicant_code FROM fact_applications "
                             "WHERE agency_id = '北川市生态环境局' AND year = 2023 GROUP BY ALL HAVING count(*) > 1)").fetchone()
        assert dupes == (0,)
    portal.hits.clear()
    again = _ingest(catalog, data, db)
    assert again[0] == f"documents seen: {len(served)} (parsed now: 0, unchanged: {len(served)})"
    # no report body was sent again: every detail page and attachment answered 304
    detail_paths = {urlsplit(u).path for u in served}
    assert {h.status for h in portal.hits if h.path in detail_paths} == {304}


def test_a_separate_disclosure_platform_host_is_followed_only_when_the_catalogue_allows_it(portal: Portal, tmp_path: Path) -> None:
    """The 年报 link often opens a 公开平台 on another host (zwgk.hefei.gov.cn …): followed when
    that host is in allowed_domains, never requested when it is not."""
    platform = portal.base.replace("127.0.0.1", "localhost")
    fp = BUILDERS["trs"](portal)  # the platform's column (served on both names by the test server)
    portal.set("/home.html", b"<html><body><a href='/zwgk/index.html'>\xe6\x94\xbf\xe5\x8a\xa1\xe5\x85\xac\xe5\xbc\x80</a></body></html>")
    portal.set("/zwgk/index.html", ("<html><body><a href='/zwgk/zn.html'>政府信息公开指南</a>"
                                    f"<a href='{platform}/xxgk/nb/index.shtml' target='_blank'>政府信息公开年报</a></body></html>").encode())
    entry = {"name": "site", "start_urls": [f"{portal.base}/home.html"], "allow_private_addresses": True, "rate_limit_seconds": 0}
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        allowed = crawl_into(conn, _catalog({**entry, "allowed_domains": ["127.0.0.1", "localhost"]}), tmp_path / "data")
        assert {(r.agency, r.year) for r in allowed.reports} == fp.expected
        assert allowed.sources["site"].columns == {f"{platform}/xxgk/nb/index.shtml": "trs"}
        portal.hits.clear()
        fetcher = Fetcher(_catalog({**entry, "allowed_domains": ["127.0.0.1"]}))
        confined = crawl_into(conn, _catalog({**entry, "allowed_domains": ["127.0.0.1"]}), tmp_path / "data", fetcher=fetcher)
    assert confined.reports == [] and {urlsplit(u).hostname for u in fetcher.requested} == {"127.0.0.1"}
    assert [(f.url, f.error_type) for f in confined.failures] == [(f"{portal.base}/home.html", "unknown_listing")]
