"""``nianbao catalogue build`` over a loopback province (#29 parts 3 and 4, the acceptance test): a
site list CSV of 51 portals (every simulated CMS family, plain county portals, a moved host, a host
moved to a parked domain, a host with one challenged path, two without a 年报 column, three spam
mirrors) → ``catalogue import`` → ``catalogue build`` → ``ingest``. Every expected report is in the
warehouse once; mirrors are asked for nothing after the page whose SiteIDCode gave them away; the
moved host and the challenged path are recorded; the rest of the challenged host is crawled."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import yaml
from selectolax.lexbor import LexborHTMLParser
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.sites.build import BuildSettings, write_outputs
from pipelines.sites.built import BuiltSite, Column, crawl_catalogue, read_decisions, site_domain
from pipelines.sites.entries import Provenance, SiteEntry
from tests.province import Province
from warehouse.site.pages import Renderer, read_review


def _cli(*args: str) -> str:
    got = CliRunner().invoke(app, list(args))
    assert got.exit_code == 0, (got.output, got.exception)
    return got.stdout


def test_a_province_from_its_site_list_to_the_warehouse(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    (tmp_path / "dagster").mkdir()
    with Province() as province:
        listed = {s.home: s for s in province.listed}
        assert len(listed) == 51 and len(province.portals) == 53  # + the moved-to host and the parked domain
        site_list = province.site_list_csv(tmp_path / "省网站名录.csv")
        imported = _cli("catalogue", "import", str(site_list), "--map", "name=网站名称,code=网站标识码,home=首页网址,owner=主办单位",
                        "--seen", "2026-11-30", "--out", str(tmp_path / "china"))
        assert imported.splitlines()[0].startswith("51 entries written to ")
        out = tmp_path / "built"
        build = ["catalogue", "build", "--sites", str(tmp_path / "china"), "--out", str(out), "--proxy", province.proxy,
                 "--rate-limit-seconds", "0.02", "--concurrency", "16"]
        first = _cli(*build)
        built = {s["site"]["url"]: s for s in yaml.safe_load((out / "sites.yaml").read_text(encoding="utf-8"))["sites"]}
        by_role = {role: [built[s.home] for s in province.listed if s.role == role] for role in
                   ("family", "portal", "moved", "moved_away", "challenged", "none", "mirror")}
        assert {r: len(v) for r, v in by_role.items()} == {"family": 8, "portal": 35, "moved": 1, "moved_away": 1,
                                                           "challenged": 1, "none": 2, "mirror": 3}

        # every site: the columns it has (URL, report items, year range), its owner confirmed by its own pages
        for home, s in listed.items():
            site = built[home]
            assert site["verified_at"], home
            if s.role == "mirror":
                continue
            got_columns = {c["url"]: (c["reports"], c.get("first_year"), c.get("last_year")) for c in site["columns"]}
            assert got_columns == s.columns, (s.role, home, site["columns"], site.get("failures"))
            if s.role != "moved_away":
                assert (site["meta"], set(site["declared_codes"]), site["site"]["verified"]) == (
                    "confirmed", {s.code}, str(site["verified_at"])[:10]), home
        for site in by_role["family"] + by_role["portal"]:
            assert (site["status"], site["host"], site["gov_host"]) == ("columns", site["site"]["url"].split("/")[2], True)
        # moved: the old host's 301 recorded, followed because the new host declares the listed code
        (moved,) = by_role["moved"]
        assert (moved["status"], moved["moved_to"], moved["moved_followed"], moved["host"]) == (
            "columns", "http://www.new.nbtest.gov.cn/index.html", True, "www.new.nbtest.gov.cn")
        # moved to a parked domain declaring no code: recorded, not followed (its page read, nothing more)
        (away,) = by_role["moved_away"]
        assert (away["status"], away["moved_to"], away["moved_followed"], away["meta"], away.get("columns", [])) == (
            "moved", "http://www.parked-domains-for-sale.com/", False, "absent", [])
        assert province.hits("www.parked-domains-for-sale.com") == ["/robots.txt", "/"]
        # the challenged path recorded; the other departments' columns found
        (challenged,) = by_role["challenged"]
        assert (challenged["status"], challenged["challenged"]) == ("columns", ["www.ch.nbtest.gov.cn/czj/nb/ HTTP 412"])
        assert [s["status"] for s in by_role["none"]] == ["none", "none"]
        # mirrors: their pages declare the copied portal's code; conflict, never crawled
        for n, mirror in enumerate(by_role["mirror"]):
            original = province.listed[n]
            assert (mirror["status"], mirror["meta"], mirror["declared_codes"], mirror["gov_host"], mirror.get("columns", [])) == (
                "conflict", "conflict", {original.code: 1}, False, [])

        # the crawl catalogue: the admitted sites only, each with its columns and its (new) host
        sources = yaml.safe_load((out / "sources.yaml").read_text(encoding="utf-8"))
        assert sources["proxy"] == province.proxy
        crawled = {tuple(src["allowed_domains"]): sorted(src["start_urls"]) for src in sources["sources"]}
        expected_crawled = {(("new.nbtest.gov.cn",) if s.role == "moved" else (s.host.removeprefix("www."),)): sorted(s.columns)
                            for s in province.listed if s.role in ("family", "portal", "moved", "challenged")}
        assert crawled == expected_crawled and len(crawled) == 45
        # the review report: every site a person must look at, and why
        with (out / "review.csv").open(encoding="utf-8") as f:
            review = {row["url"]: row for row in csv.DictReader(f)}
        assert set(review) == {s.home for s in province.listed if s.role in ("moved", "moved_away", "challenged", "none", "mirror")}
        assert review[moved["site"]["url"]]["reasons"] == ("moved to http://www.new.nbtest.gov.cn/index.html "
                                                           "(followed: its pages declare the listed code)")
        assert review[challenged["site"]["url"]]["reasons"] == "challenged: www.ch.nbtest.gov.cn/czj/nb/ HTTP 412"
        assert review[by_role["mirror"][0]["site"]["url"]]["reasons"] == (
            f"pages declare SiteIDCode {province.listed[0].code}, the list says 3699000001; "
            "www.nbtest-mirror1.com is outside gov.cn: crawled only when a person admits it")
        assert {row["admitted"] for url, row in review.items() if listed[url].role in ("mirror", "none", "moved_away")} == {"false"}

        # resumable: a second build asks nothing of any site already done
        asked = len(province.log)
        again = _cli(*build)
        assert again.splitlines()[0] == "51 site(s): 0 checked now, 51 already done (resumed)"
        assert len(province.log) == asked and first.splitlines()[0] == "51 site(s): 51 checked now, 0 already done (resumed)"
        # a build stopped half-way: five counties' lines never written, the last one torn; the next run
        # checks those five only, and finds what the first run found
        lines = (out / "state.jsonl").read_text(encoding="utf-8").splitlines()
        lost = {s.home for s in province.listed if s.role == "portal"}
        lost = set(sorted(lost)[:5])
        kept = [x for x in lines if json.loads(x)["key"] not in lost]
        torn = next(x for x in lines if json.loads(x)["key"] in lost)
        (out / "state.jsonl").write_text("\n".join(kept) + "\n" + torn[: len(torn) // 2], encoding="utf-8")
        assert _cli(*build).splitlines()[0] == "51 site(s): 5 checked now, 46 already done (resumed)"
        assert {h for h, _p in province.log[asked:]} == {s.host for s in province.listed if s.home in lost}
        rebuilt = {s["site"]["url"]: s for s in yaml.safe_load((out / "sites.yaml").read_text(encoding="utf-8"))["sites"]}
        assert {u: {**s, "verified_at": None} for u, s in rebuilt.items()} == {u: {**s, "verified_at": None} for u, s in built.items()}
        # a site checked long ago is checked again when asked (--older-than), the others not
        county = next(s for s in province.listed if s.role == "portal")
        lines = [json.loads(x) for x in (out / "state.jsonl").read_text(encoding="utf-8").splitlines()]
        lines = [x | {"verified_at": "2025-01-01T00:00:00Z"} if x["key"] == county.home else x for x in lines]
        (out / "state.jsonl").write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
        at = len(province.log)
        assert _cli(*build, "--older-than", "30").splitlines()[0] == "51 site(s): 1 checked now, 50 already done (resumed)"
        assert {h for h, _p in province.log[at:]} == {county.host}
        build_log = list(province.log)

        # ingest the built catalogue (the Dagster job, in its own process)
        db, data = tmp_path / "w.duckdb", tmp_path / "data"
        proc = subprocess.run([sys.executable, "-m", "pipelines.cli", "ingest", "--catalog", str(out / "sources.yaml"),
                               "--data-dir", str(data), "--db", str(db)], capture_output=True, text=True,
                              env={**os.environ, "DAGSTER_HOME": str(tmp_path / "dagster")}, timeout=240)
        assert proc.returncode == 0, proc.stderr[-3000:]
        ingest_log = province.log[len(build_log):]

    served = {u: b for s in province.listed for u, b in s.served.items()}
    expected = {k for s in province.listed for k in s.expected_reports}
    # 8 families × 7 reports (jpaas: one more, as a page and as its PDF), 35 counties, the moved one, 2 departments
    assert (len(served), len(expected)) == (8 * 7 + 2 + 35 + 1 + 2, 8 * 7 + 1 + 35 + 1 + 2)
    with duckdb.connect(str(db), read_only=True) as conn:
        documents = conn.execute("SELECT url, count(*) FROM documents WHERE role IN ('report_page', 'attachment') "
                                 "GROUP BY url").fetchall()
        current = conn.execute("SELECT agency_id, year, count(*) FROM reports WHERE is_current GROUP BY ALL").fetchall()
        regions = set(conn.execute("SELECT DISTINCT catalog_region FROM reports").fetchall())
    assert dict(documents) == dict.fromkeys(served, 1)  # every report document fetched once
    assert {(a, y): n for a, y, n in current} == dict.fromkeys(expected, 1)  # every report in the warehouse once
    assert regions == {("360100",)}  # the site code's division, carried to every report found through it
    # mirrors: asked for their home page (and robots.txt) by the build, then never again
    for n in (1, 2, 3):
        host = f"www.nbtest-mirror{n}.com"
        assert [p for h, p in build_log if h == host] == ["/robots.txt", "/index.html"], host
        assert not [p for h, p in ingest_log if h == host]
    # the challenged list: asked once by the build, never by the crawl; the rest of its host crawled
    ch = [p for h, p in build_log + ingest_log if h == "www.ch.nbtest.gov.cn"]
    assert ch.count("/czj/nb/index.html") == 1
    assert {p for h, p in ingest_log if h == "www.ch.nbtest.gov.cn"} >= {"/jyj/nb/index.html", "/wjj/nb/index.html"}
    # the moved host's old name: only its redirect, in the build
    assert [p for h, p in build_log + ingest_log if h == "www.old.nbtest.gov.cn"] == ["/robots.txt", "/index.html"]


def _built(url: str, gov: bool, meta: str = "confirmed", status: str = "columns") -> BuiltSite:
    entry = SiteEntry(name="示例县人民政府网", url=url, kind="home_page", site_code="3601000001", gov_host=gov,
                      provenance=[Provenance(list="import: x.csv", entry="row 2", version="sha256:0")])
    host = url.split("/")[2]
    return BuiltSite(key=url, name=f"site-{host}", site=entry, verified_at=datetime(2026, 12, 1, tzinfo=UTC), status=status,
                     meta=meta, declared_codes={"3601000001": 2}, host=host, gov_host=gov,
                     columns=[Column(url=f"{url}nb/", family="trs", reports=3, first_year=2022, last_year=2024)])


def test_a_persons_decision_in_review_csv_admits_or_rejects_the_site_next_build(tmp_path: Path) -> None:
    """A site off gov.cn is kept out of the crawl until a person writes ``admit`` in review.csv;
    ``reject`` keeps a government site out; the decisions are read back by the next build."""
    off, gov = _built("http://www.county-portal.com/", gov=False), _built("http://www.x.gov.cn/", gov=True)
    settings = BuildSettings(rate_limit_seconds=2.0)
    write_outputs(tmp_path, [off, gov], settings)
    with (tmp_path / "review.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["url"], r["admitted"], r["reasons"], r["decision"]) for r in rows] == [
        ("http://www.county-portal.com/", "false",
         "www.county-portal.com is outside gov.cn: crawled only when a person admits it", "")]
    sources = yaml.safe_load((tmp_path / "sources.yaml").read_text(encoding="utf-8"))["sources"]
    assert sources == [{"name": "site-www.x.gov.cn", "start_urls": ["http://www.x.gov.cn/nb/"], "allowed_domains": ["x.gov.cn"],
                        "site_code": "3601000001", "cms": "trs", "rate_limit_seconds": 2.0}]
    # the person admits the off-gov site and rejects the other (a row added by hand)
    text = (tmp_path / "review.csv").read_text(encoding="utf-8").replace(",\n", ",admit\n")
    text += "site-www.x.gov.cn,http://www.x.gov.cn/,columns,confirmed,,,,,,,,,,reject\n"
    decisions = read_decisions(text)
    assert decisions == {"http://www.county-portal.com/": "admit", "http://www.x.gov.cn/": "reject"}
    decided = [s.model_copy(update={"decision": decisions[s.key]}) for s in (off, gov)]
    assert [s.admitted for s in decided] == [True, False]
    assert [s["name"] for s in crawl_catalogue(decided, {})["sources"]] == ["site-www.county-portal.com"]
    # a conflict is never admitted by the rule, only by a person
    assert not _built("http://www.y.gov.cn/", gov=True, meta="conflict").admitted


def test_a_sites_domain_is_its_host_without_www_never_a_shared_suffix() -> None:
    assert [site_domain(h) for h in ("www.x.gov.cn", "xxgk.x.gov.cn", "www.gov.cn", "www.com.cn", "www.nbtest-mirror1.com")] == [
        "x.gov.cn", "xxgk.x.gov.cn", "www.gov.cn", "www.com.cn", "nbtest-mirror1.com"]


def test_the_explorer_review_page_lists_what_review_csv_holds(tmp_path: Path) -> None:
    """``nianbao site --review OUT``: the 待审核 page, one row per review.csv row, conflicts first."""
    off = _built("http://www.county-portal.com/", gov=False)
    mirror = _built("http://www.nbtest-mirror1.com/", gov=False, meta="conflict", status="conflict").model_copy(
        update={"columns": [], "declared_codes": {"3601000002": 1}})
    (tmp_path / "built").mkdir()
    write_outputs(tmp_path / "built", [off, mirror, _built("http://www.x.gov.cn/", gov=True)], BuildSettings())
    renderer = Renderer(tmp_path / "site")
    renderer.env.globals["has_review"] = True
    renderer.review_page(read_review(tmp_path / "built"))
    page = LexborHTMLParser((tmp_path / "site" / "review.html").read_text(encoding="utf-8"))
    rows = [[td.text(strip=True) for td in tr.css("td")] for tr in page.css("#review tbody tr")]
    assert rows == [
        ["site-www.nbtest-mirror1.com", "conflict", "conflict (3601000002)", "www.nbtest-mirror1.com", "false", "0", "0", "",
         "false", "pages declare SiteIDCode 3601000002, the list says 3601000001www.nbtest-mirror1.com is outside gov.cn: "
         "crawled only when a person admits it", ""],
        ["site-www.county-portal.com", "columns", "confirmed (3601000001)", "www.county-portal.com", "false", "1", "3", "2022-2024", "false",
         "www.county-portal.com is outside gov.cn: crawled only when a person admits it", ""]]
    assert [[td.text(strip=True) for td in tr.css("td")] for tr in page.css("#review-counts tbody tr")] == [
        ["conflict", "1"], ["columns", "1"]]
    assert [a.attributes["href"] for a in page.css("nav a")][-1] == "review.html"
