"""#29 part 6: the built site catalogue in the warehouse — coverage per province (portals seeded,
verified, with a 年报 column, crawled, reports found) — on the explorer's overview, and one Dagster
partition per crawled portal. The catalogue is written here by hand; every expected number is
counted from it and from the documents inserted below, never from the code under test."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import yaml
from selectolax.lexbor import LexborHTMLParser
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.sites.build import BuildSettings, write_outputs
from pipelines.sites.built import BuiltSite, Column
from pipelines.sites.entries import Provenance, SiteEntry
from warehouse.db import connect
from warehouse.site import model
from warehouse.site.pages import Renderer

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _site(name: str, host: str, region: str | None, meta: str, status: str, gov: bool = True, columns: int = 1,
          level: str | None = "county", province: str | None = None) -> BuiltSite:
    entry = SiteEntry(name=f"{name}网", url=f"http://{host}/", kind="home_page", level=level, province=province, region=region,
                      site_code=None, gov_host=gov, provenance=[Provenance(list="import: x.csv", entry="row 2", version="sha256:0")])
    return BuiltSite(key=entry.url, name=name, site=entry, verified_at=NOW, status=status, meta=meta, host=host, gov_host=gov,
                     columns=[Column(url=f"http://{host}/nb/{n}/", family="page", reports=2) for n in range(columns)])


# 江西 (four portals: two confirmed, two with a column and crawled, one mirror), 浙江 (one, as the
# seed writes it: 浙江 with the province's region), a central body and a site the lists do not place.
SITES = [
    _site("jx-a", "www.a.jx.gov.cn", "360100", "confirmed", "columns"),
    _site("jx-b", "www.b.jx.gov.cn", "360102", "confirmed", "none", columns=0),
    _site("jx-mirror", "www.mirror.com", "360103", "conflict", "conflict", gov=False, columns=0),
    _site("jx-d", "www.d.jx.gov.cn", "360104", "absent", "columns", columns=2),
    _site("zj-e", "www.zj.gov.cn", "330000", "confirmed", "columns", level="province", province="浙江"),
    _site("central-f", "www.f.gov.cn", None, "absent", "unreachable", columns=0, level="central"),
    _site("unplaced-g", "www.g.gov.cn", None, "unlisted", "unreachable", columns=0, level=None),
]


def _document(conn: duckdb.DuckDBPyConnection, url: str, version: int, source: str, role: str) -> None:
    conn.execute("INSERT INTO documents (url, version, sha256, source, role, first_seen, last_seen, archive_path) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [url, version, f"{url}#{version}", source, role, NOW, NOW, "x"])


def _report(conn: duckdb.DuckDBPyConnection, report_id: str, source: str | None, status: str, current: bool) -> None:
    conn.execute("INSERT INTO reports (report_id, source, sha256, media_type, status, is_current, parser_version, ingested_at, "
                 "catalog_source) VALUES (?, ?, ?, 'html', ?, ?, 'test', ?, ?)",
                 [report_id, f"http://x/{report_id}", report_id, status, current, NOW, source])


def _warehouse(path: Path) -> None:
    with connect(path) as conn:
        # jx-a: two report pages (one in two versions: one URL), one attachment, one detail page (not a report)
        _document(conn, "http://www.a.jx.gov.cn/nb/1.html", 1, "jx-a", "report_page")
        _document(conn, "http://www.a.jx.gov.cn/nb/1.html", 2, "jx-a", "report_page")
        _document(conn, "http://www.a.jx.gov.cn/nb/2.html", 1, "jx-a", "report_page")
        _document(conn, "http://www.a.jx.gov.cn/nb/3.html", 1, "jx-a", "detail_page")
        _document(conn, "http://www.a.jx.gov.cn/nb/3.pdf", 1, "jx-a", "attachment")
        _document(conn, "http://www.d.jx.gov.cn/nb/1.pdf", 1, "jx-d", "attachment")
        _document(conn, "http://www.zj.gov.cn/nb/1.html", 1, "zj-e", "report_page")
        _document(conn, "/demo/forge-01.html", 1, "demo", "attachment")  # a source the built catalogue does not list
        # current valid/invalid reports count; a failed one and a superseded version do not
        _report(conn, "r1", "jx-a", "valid", True)
        _report(conn, "r2", "jx-a", "invalid", True)
        _report(conn, "r3", "jx-a", "failed", True)
        _report(conn, "r4", "jx-a", "valid", False)
        _report(conn, "r5", "zj-e", "valid", True)
        _report(conn, "r6", "demo", "valid", True)


EXPECTED = [  # province_code, province, seeded, verified, with a column, crawled, reports found, loaded
    ("330000", "浙江省", 1, 1, 1, 1, 1, 1),
    ("360000", "江西省", 4, 2, 2, 2, 4, 2),
    (None, "中央 (central)", 1, 0, 0, 0, 0, 0),
    (None, "地区未知 (unplaced)", 1, 0, 0, 0, 0, 0),
]


def test_coverage_by_province_from_the_built_catalogue_on_the_overview(tmp_path: Path) -> None:
    built, db = tmp_path / "built", tmp_path / "w.duckdb"
    built.mkdir()
    write_outputs(built, SITES, BuildSettings())
    _warehouse(db)
    got = CliRunner().invoke(app, ["catalogue", "load", "--built", str(built), "--db", str(db), "--no-publish"])
    assert got.exit_code == 0, (got.output, got.exception)
    assert got.stdout.splitlines()[1] == "  浙江省: 1 seeded, 1 verified, 1 with a 年报 column, 1 crawled, 1 report document(s) found"
    with duckdb.connect(str(db), read_only=True) as conn:
        assert conn.execute("SELECT * FROM catalogue_coverage_by_province").fetchall() == EXPECTED
        assert conn.execute("SELECT source, province_code, province, columns, listed_reports, admitted FROM catalogue_sites "
                            "WHERE source IN ('jx-d', 'jx-mirror') ORDER BY source").fetchall() == [
            ("jx-d", "360000", "江西省", 2, 4, True), ("jx-mirror", "360000", "江西省", 0, 0, False)]
        records = {name: model.records(conn, name) for name in (
            "coverage_by_year", "coverage_by_province", "national_totals", "national_review_litigation", "problems")}
        records["catalogue_coverage"] = model.records_if_present(conn, "catalogue_coverage")
    # a second load replaces the first (one site dropped from the build): never appended
    write_outputs(built, SITES[1:], BuildSettings())
    assert CliRunner().invoke(app, ["catalogue", "load", "--built", str(built), "--db", str(db), "--no-publish"]).exit_code == 0
    with duckdb.connect(str(db), read_only=True) as conn:
        assert conn.execute("SELECT province, portals_seeded, reports_found FROM catalogue_coverage_by_province "
                            "WHERE province_code = '360000'").fetchall() == [("江西省", 3, 1)]

    Renderer(tmp_path / "site").overview(records, {})
    page = LexborHTMLParser((tmp_path / "site" / "index.html").read_text(encoding="utf-8"))
    assert [[td.text(strip=True) for td in tr.css("td")] for tr in page.css("#catalogue-coverage tbody tr")] == [
        [p, c or "", *map(str, n)] for c, p, *n in EXPECTED]


def test_an_explorer_of_a_warehouse_without_the_catalogue_has_no_catalogue_table(tmp_path: Path) -> None:
    """A published copy written before catalogue_sites existed is read as it is (read-only): no table."""
    db = tmp_path / "old.duckdb"
    duckdb.connect(str(db)).close()
    with duckdb.connect(str(db), read_only=True) as conn:
        assert model.records_if_present(conn, "catalogue_coverage") == []


def test_one_partition_per_crawled_portal_of_the_built_catalogue(tmp_path: Path, monkeypatch) -> None:
    """The definitions given a built sources.yaml: the partitions sensor adds exactly the admitted
    portals (jx-a, jx-d, zj-e: a column on a gov.cn host, no conflicting code) as catalog_source
    partitions, then has nothing to add; the per-source job is partitioned by them."""
    from pipelines.definitions import build_defs

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    built = tmp_path / "built"
    built.mkdir()
    write_outputs(built, SITES, BuildSettings())
    defs = build_defs(str(tmp_path / "w.duckdb"), catalog=str(built / "sources.yaml"), data_dir=str(tmp_path / "data"))
    sensor = defs.resolve_sensor_def("catalog_partitions_sensor")
    with dg.DagsterInstance.ephemeral() as instance:
        result = sensor(dg.build_sensor_context(instance=instance, resources=defs.resources))
        assert [(r.partitions_def_name, list(r.partition_keys)) for r in result.dynamic_partitions_requests] == [
            ("catalog_source", ["jx-a", "jx-d", "zj-e"])]
        assert not result.run_requests
        instance.add_dynamic_partitions("catalog_source", ["jx-a", "jx-d", "zj-e"])
        again = sensor(dg.build_sensor_context(instance=instance, resources=defs.resources))
        assert isinstance(again, dg.SkipReason)
        job = defs.resolve_job_def("source_ingest")
        assert job.partitions_def.get_partition_keys(dynamic_partitions_store=instance) == ["jx-a", "jx-d", "zj-e"]


def test_ingest_of_a_built_catalogue_loads_its_sites_beside_it(tmp_path: Path, monkeypatch) -> None:
    """``ingest --catalog OUT/sources.yaml`` (the nightly job): OUT/sites.yaml is loaded with the night,
    so the coverage counts what the night found. Here 江西's crawled portal jx-a is a loopback portal
    whose 年报 column lists one forged report page (the other crawled portals are left out of the crawl)."""
    import yaml

    from pipelines.definitions import build_defs
    from tests.cms_portals import report_page
    from tests.portal import Portal

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    built, db = tmp_path / "built", tmp_path / "w.duckdb"
    built.mkdir()
    write_outputs(built, SITES, BuildSettings())
    portal = Portal().start()
    try:
        portal.set("/nb/index.html", "<html><head><meta charset='utf-8'></head><body><ul><li><a href='/nb/t1.html'>"
                   "示例甲县人民政府2021年政府信息公开工作年度报告</a></li></ul></body></html>".encode())
        portal.set("/nb/t1.html", report_page("示例甲县人民政府", 2021, 7))
        (built / "sources.yaml").write_text(yaml.safe_dump({"sources": [{
            "name": "jx-a", "start_urls": [f"{portal.base}/nb/index.html"], "allowed_domains": ["127.0.0.1"],
            "rate_limit_seconds": 0, "allow_private_addresses": True, "discover": False}]}), encoding="utf-8")
        defs = build_defs(str(db), catalog=str(built / "sources.yaml"), data_dir=str(tmp_path / "data"))
        assert defs.resolve_job_def("nightly_ingest").execute_in_process(raise_on_error=False).success
    finally:
        portal.stop()
    with duckdb.connect(str(db), read_only=True) as conn:
        assert conn.execute("SELECT * FROM catalogue_coverage_by_province").fetchall() == [
            ("330000", "浙江省", 1, 1, 1, 1, 0, 0),
            ("360000", "江西省", 4, 2, 2, 2, 1, 1),
            (None, "中央 (central)", 1, 0, 0, 0, 0, 0),
            (None, "地区未知 (unplaced)", 1, 0, 0, 0, 0, 0)]


def test_the_roster_of_a_built_source_is_who_its_column_lists(tmp_path: Path) -> None:
    """#29 part 6 (3): the build records the agencies a 年报 column's report items name; the crawl
    catalogue gives them as the source's roster (``publishers``), expected from the latest year the
    column lists (``publishers_since``): the roster view then shows who of them published nothing."""
    from pipelines.scrape.catalog import load_catalog
    from pipelines.sites.build import build_catalogue
    from tests.portal import Portal

    portal = Portal().start()
    try:
        page = "<html><head><meta charset='utf-8'></head><body><ul>{}</ul></body></html>"
        portal.set("/index.html", page.format("<li><a href='/zwgk/nb/index.html'>政府信息公开年报</a></li>").encode())
        portal.set("/zwgk/nb/index.html", page.format("".join(f"<li><a href='/zwgk/nb/{n}.html'>{t}</a></li>" for n, t in enumerate([
            "示例甲县教育局2024年政府信息公开工作年度报告", "示例甲县教育局2023年政府信息公开工作年度报告",
            "示例甲县财政局2023年政府信息公开工作年度报告", "示例甲县政府信息公开指南"]))).encode())
        entry = {"name": "示例甲县人民政府网", "url": f"{portal.base}/index.html", "kind": "home_page", "region": "360100",
                 "gov_host": False, "provenance": [{"list": "import: x.csv", "entry": "row 2", "version": "sha256:0"}]}
        (tmp_path / "sites.yaml").write_text(yaml.safe_dump({"sites": [entry]}, allow_unicode=True), encoding="utf-8")
        out = tmp_path / "built"
        out.mkdir()
        # the loopback host is not under gov.cn: a person admits it (review.csv, read back by the build)
        (out / "review.csv").write_text(f"url,decision\n{portal.base}/index.html,admit\n", encoding="utf-8")
        result = build_catalogue(tmp_path / "sites.yaml", out, BuildSettings(rate_limit_seconds=0, allow_private_addresses=True))
    finally:
        portal.stop()
    (site,) = result.sites
    assert [(c.url, c.reports, c.first_year, c.last_year, c.publishers) for c in site.columns] == [
        (f"{portal.base}/zwgk/nb/index.html", 3, 2023, 2024, ["示例甲县教育局", "示例甲县财政局"])]
    (source,) = load_catalog(out / "sources.yaml").sources
    assert (source.name, source.publishers, source.publishers_since) == ("127.0.0.1", ["示例甲县教育局", "示例甲县财政局"], 2024)


def test_the_staged_loader_loads_the_built_catalogue_beside_its_sources(tmp_path: Path, monkeypatch) -> None:
    """National mode's loader (job load_staged) loads OUT/sites.yaml like the single run does: with
    nothing staged, the coverage holds the catalogue's portals and no report."""
    from pipelines.definitions import build_defs

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    built, db = tmp_path / "built", tmp_path / "w.duckdb"
    built.mkdir()
    write_outputs(built, SITES, BuildSettings())
    defs = build_defs(str(db), catalog=str(built / "sources.yaml"), data_dir=str(tmp_path / "data"))
    assert defs.resolve_job_def("load_staged").execute_in_process(raise_on_error=False).success
    with duckdb.connect(str(db), read_only=True) as conn:
        assert conn.execute("SELECT * FROM catalogue_coverage_by_province").fetchall() == [
            ("330000", "浙江省", 1, 1, 1, 1, 0, 0), ("360000", "江西省", 4, 2, 2, 2, 0, 0),
            (None, "中央 (central)", 1, 0, 0, 0, 0, 0), (None, "地区未知 (unplaced)", 1, 0, 0, 0, 0, 0)]
