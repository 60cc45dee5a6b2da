"""The crawler against a local portal that behaves like a real one (tests/portal.py)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import dagster as dg
import duckdb
import pandas as pd
import pytest

from pipelines.definitions import make_resources
from pipelines.defs.assets import source_documents
from pipelines.defs.checks import sources_yield_reports
from pipelines.parse.report import parse_bytes
from pipelines.scrape.catalog import CatalogError, load_catalog, parse_catalog
from pipelines.scrape.crawl import crawl_into
from pipelines.scrape.fetch import Fetcher
from pipelines.validate import validate
from tests.conftest import REPO, corpus_or_skip, truth
from tests.portal import AGENCY, LISTING, Portal, build_pingtan_portal, catalog_yaml

READ_TIMEOUT = 0.6  # generous for real pages on a busy CI machine; the slow page sleeps 3× this


@pytest.fixture
def portal() -> Iterator[Portal]:
    corpus_or_skip()
    p = Portal().start()
    yield p
    p.stop()


def _setup(portal: Portal, tmp_path: Path, **kw: float) -> tuple[dict[str, bytes], Path, Path]:
    served = build_pingtan_portal(portal, READ_TIMEOUT)
    return served, catalog_yaml(portal, tmp_path / "catalog.yaml", READ_TIMEOUT, **kw), tmp_path / "data"


def test_first_crawl_finds_exactly_the_reports_and_records_every_failure(portal: Portal, tmp_path: Path) -> None:
    served, cat_path, data = _setup(portal, tmp_path)
    catalog = load_catalog(cat_path)
    fetcher = Fetcher(catalog)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        result = crawl_into(conn, catalog, data, fetcher=fetcher)
        b = portal.base
        assert {(r.agency, r.year, r.url) for r in result.reports} == {
            (AGENCY, 2025, f"{b}{LISTING}202603/t20260313_105587.htm"),  # after one HTTP 500
            (AGENCY, 2024, f"{b}{LISTING}202503/P020250310_report.pdf"),
            (AGENCY, 2023, f"{b}/files/2024/nb2023.docx"),
            (AGENCY, 2022, f"{b}{LISTING}202302/t20230220_80629.htm"),
            (AGENCY, 2021, f"{b}{LISTING}202202/t20220208_80613.htm"),
            (AGENCY, 2020, f"{b}{LISTING}202103/t20210305_80595.htm"),
            (AGENCY, 2019, f"{b}{LISTING}202001/t20200120_80576.htm"),
            ("平潭综合实验区交通与建设局", 2023, f"{b}{LISTING}202402/t20240201_1.htm"),  # GBK; also under /mirror/
            ("平潭综合实验区财政金融局", 2023, f"{b}/files/fin-2023.pdf"),  # a PDF served as text/html
            ("平潭综合实验区教育局", 2023, f"{b}/files/edu-2023.doc"),
        }
        # the archive holds exactly the bytes served, once per content
        for r in result.reports:
            assert Path(r.path).read_bytes() == served[r.url], r.url
        assert {(f.stage, f.url.removeprefix(b), f.error_type) for f in result.failures} == {
            ("detail", f"{LISTING}201901/t20190110_80529.htm", "http_error"),  # 404
            ("detail", f"{LISTING}201801/t20180123_80506.htm", "timeout"),
            ("detail", f"{LISTING}201701/t20170118_80485.htm", "redirect_loop"),
            ("attachment", "/files/huge.pdf", "too_large"),
            ("attachment", "/private/fin-2023.doc", "robots_disallowed"),
        }
        rows = conn.execute("SELECT url, version, media_type, content_type, changed_after_publication FROM documents "
                            "WHERE url LIKE '%fin-2023.pdf' OR url LIKE '%mirror%' ORDER BY url").fetchall()
        assert rows == [(f"{b}/files/fin-2023.pdf", 1, "pdf", "text/html", False),
                        (f"{b}/mirror/t20240201_1.htm", 1, "html", "text/html", False)]
        # one report under two URLs: two index rows, one archived file
        shas = conn.execute("SELECT DISTINCT sha256 FROM documents WHERE url LIKE '%t20240201_1.htm'").fetchall()
        assert len(shas) == 1
        assert conn.execute("SELECT count(*) FROM fetch_failures").fetchone() == (5,)
    # no request left the catalogue's host; guides, notices, robots-disallowed paths never requested
    assert {urlsplit(u).netloc for u in fetcher.requested} == {urlsplit(portal.base).netloc}
    paths = {h.path for h in portal.hits}
    assert not paths & {f"{LISTING}202402/guide.htm", f"{LISTING}202402/notice.htm", "/private/fin-2023.doc"}
    assert [h.status for h in portal.hits_for(f"{LISTING}202603/t20260313_105587.htm")] == [500, 200]
    assert all(h.headers.get("User-Agent", "").startswith("nianbao") for h in portal.hits)


def test_second_crawl_fetches_no_document_bodies_and_a_changed_file_is_one_new_version(portal: Portal, tmp_path: Path) -> None:
    served, cat_path, data = _setup(portal, tmp_path)
    catalog = load_catalog(cat_path)
    db = str(tmp_path / "w.duckdb")
    with duckdb.connect(db) as conn:
        crawl_into(conn, catalog, data)
        portal.hits.clear()
        second = crawl_into(conn, catalog, data)
        assert {r.state for r in second.reports} == {"unchanged"}
        # every archived document with an ETag was answered 304; only the responder route (no ETag) sent a body
        document_paths = {urlsplit(u).path for u in served}
        bodies = [h.path for h in portal.hits if h.path in document_paths and h.status == 200]
        assert bodies == [f"{LISTING}202603/t20260313_105587.htm"]
        assert conn.execute("SELECT count(*) FROM documents WHERE version > 1").fetchone() == (0,)

        changed = f"{LISTING}202302/t20230220_80629.htm"
        portal.routes[changed].body = portal.routes[changed].body.replace("平潭".encode(), "平潭".encode() + b" ", 1)
        third = crawl_into(conn, catalog, data)
        assert [(r.url.removeprefix(portal.base), r.state) for r in third.reports if r.state != "unchanged"] == [(changed, "changed")]
        assert conn.execute("SELECT url, version, changed_after_publication FROM documents WHERE version > 1").fetchall() == [
            (portal.base + changed, 2, True)]
        # both versions stay in the archive
        paths = [Path(p) for (p,) in conn.execute("SELECT archive_path FROM documents WHERE url = ? ORDER BY version",
                                                  [portal.base + changed]).fetchall()]
        assert len(paths) == 2 and all(p.exists() for p in paths) and paths[0] != paths[1]


def test_requests_to_one_host_keep_the_configured_gap(portal: Portal, tmp_path: Path) -> None:
    _served, cat_path, data = _setup(portal, tmp_path, rate=0.15)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        crawl_into(conn, load_catalog(cat_path), data)
    starts = sorted(h.at for h in portal.hits)
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert len(starts) > 20 and min(gaps) >= 0.12  # 0.15 s configured; loopback jitter allowed, unpaced gaps are ~0.002 s


def test_bad_catalogue_entries_name_the_entry_and_field(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"source 'broken': start_urls: .*not an http\(s\) URL"):
        parse_catalog({"sources": [{"name": "ok", "start_urls": ["https://a.gov.cn/"], "allowed_domains": ["a.gov.cn"]},
                                   {"name": "broken", "start_urls": ["ftp://x"], "allowed_domains": ["x"]}]})
    with pytest.raises(CatalogError, match=r"source #1: name: Field required"):
        parse_catalog({"sources": [{"start_urls": ["https://b.gov.cn/"], "allowed_domains": ["b.gov.cn"]}]})
    with pytest.raises(CatalogError, match=r"source 'z': \(entry\): .*outside allowed_domains"):
        parse_catalog({"sources": [{"name": "z", "start_urls": ["https://b.gov.cn/"], "allowed_domains": ["a.gov.cn"]}]})
    with pytest.raises(CatalogError, match=r"source 'x': rate_limit_seconds"):
        parse_catalog({"sources": [{"name": "x", "start_urls": ["https://a.gov.cn/"], "allowed_domains": ["a.gov.cn"],
                                    "rate_limit_seconds": -1}]})
    with pytest.raises(CatalogError, match=r"source 'y': colour: Extra inputs"):
        parse_catalog({"sources": [{"name": "y", "kind": "folder", "path": ".", "colour": "red"}]})
    bad = tmp_path / "c.yaml"
    bad.write_text("sources: [\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="not valid YAML"):
        load_catalog(bad)


def test_shipped_catalogues_validate() -> None:
    real = load_catalog(REPO / "pipelines" / "catalog" / "sources.yaml")
    assert real.sources[0].name == "pingtan-zfxxgknb" and real.sources[0].rate_limit_seconds >= 1
    demo = load_catalog(REPO / "pipelines" / "catalog" / "demo.yaml")
    assert [s.kind for s in demo.enabled()] == ["folder"] and Path(demo.sources[0].path or "").is_dir()


def _cli(*args: str | Path) -> list[str]:
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", *map(str, args)], capture_output=True, text=True, check=True)
    return proc.stdout.strip().splitlines()


def test_ingest_catalog_loads_exactly_what_parsing_the_files_gives(portal: Portal, tmp_path: Path) -> None:
    served, cat_path, data = _setup(portal, tmp_path)
    db = tmp_path / "w.duckdb"
    first = _cli("ingest", "--catalog", cat_path, "--data-dir", data, "--db", db)
    assert first[0] == "documents seen: 10 (parsed now: 10, unchanged: 0)"
    with duckdb.connect(str(db), read_only=True) as c:
        rows = c.execute("SELECT report_id, source, status, agency_id, year, is_current FROM reports").fetchall()
        assert {r[1] for r in rows} == set(served)
        for report_id, url, status, agency, year, current in rows:
            vr = validate(parse_bytes(served[url], url))
            assert (report_id, status, agency, year) == (vr.report_id, vr.status, vr.agency_id, vr.result.year), url
            if current and vr.applications is not None:
                got = c.execute("SELECT category_code, applicant_code, value, raw_token FROM fact_applications "
                                "WHERE report_id = ? ORDER BY 1, 2", [report_id]).fetchall()
                want = sorted((r.category_code, r.applicant_code, None if pd.isna(r.value) else int(r.value),
                               None if pd.isna(r.raw_token) else r.raw_token) for r in vr.applications.itertuples())
                assert got == want, url
        # the real 平潭 2022 page, fetched from the portal, is the published report, cell for cell
        assert c.execute("SELECT value FROM fact_applications WHERE agency_id = '平潭综合实验区' AND year = 2022 "
                         "AND category_code = '3.1' AND applicant_code = 'total'").fetchone() == (
            truth("pingtan-2022")["cells"]["3.1|total"],)
    again = _cli("ingest", "--catalog", cat_path, "--data-dir", data, "--db", db)
    assert again[0] == "documents seen: 10 (parsed now: 0, unchanged: 10)"


def test_crawl_command_prints_a_summary_and_a_silent_source_fails_its_check(portal: Portal, tmp_path: Path) -> None:
    _served, cat_path, data = _setup(portal, tmp_path)
    db = tmp_path / "w.duckdb"
    out = _cli("crawl", "--catalog", cat_path, "--data-dir", data, "--db", db)
    assert out[0].endswith("10 report document(s): 10 new, 0 changed, 0 unchanged; 5 failure(s)")
    assert out[1] == "  pingtan-fixture: 3 listing page(s), 26 request(s), 11 report(s), 5 failure(s)"
    # the site changes its listing; the next nightly run finds nothing: the check fails (ERROR)
    portal.set(f"{LISTING}index.html", b"<html><body><ul></ul></body></html>")
    result = dg.materialize([source_documents, sources_yield_reports],
                            resources=make_resources(str(db), catalog=str(cat_path), data_dir=str(data)),
                            raise_on_error=False, selection=[source_documents])
    check = result.get_asset_check_evaluations()[0]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    assert check.metadata["silent_sources"].value == ["pingtan-fixture"]
