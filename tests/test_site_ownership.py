"""Mirrors and ownership (#29 part 4): a page whose <meta name="SiteIDCode"> belongs to another site
is not the crawled site's (recorded ``foreign_site``, not taken as a report); a page declaring the
catalogue's own code confirms the owner, and the code's division then places the source's agencies
(the region handed to identity with each document, and recorded in ``catalog_regions``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from pipelines.scrape.catalog import Catalog, CatalogError, Source, parse_catalog
from pipelines.scrape.crawl import crawl_into
from tests.cms_portals import report_page
from tests.portal import Portal

OWN, OTHER = "5101320017", "4401000001"  # 510132's site (research README's example), a Guangzhou site
AGENCY = "示例县人民政府"


def _meta(code: str | None) -> bytes:
    return f'<meta name="SiteIDCode" content="{code}">'.encode() if code else b""


def _site(portal: Portal, listing_code: str | None) -> None:
    links = []
    for year, code in ((2024, OWN), (2023, OWN), (2022, OTHER)):  # 2022: a copy of another site's page
        path = f"/nb/{year}.html"
        body = report_page(AGENCY, year, 400 + year)
        assert body.count(b"<head>") == 1
        portal.set(path, body.replace(b"<head>", b"<head>" + _meta(code)))
        links.append(f"<li><a href='{path}'>{AGENCY}{year}年政府信息公开工作年度报告</a></li>")
    portal.set("/nb/index.html", f"<html><head><meta charset='utf-8'>{_meta(listing_code).decode()}<title>年报</title>"
               f"</head><body><ul>{''.join(links)}</ul></body></html>".encode())


@pytest.fixture
def portal() -> Iterator[Portal]:
    p = Portal().start()
    yield p
    p.stop()


def _catalog(portal: Portal, site_code: str) -> Catalog:
    return Catalog(retries=2, retry_wait_seconds=0.01, sources=[Source(
        name="county", start_urls=[f"{portal.base}/nb/index.html"], allowed_domains=["127.0.0.1"],
        allow_private_addresses=True, rate_limit_seconds=0, site_code=site_code)])


def test_another_sites_page_is_not_taken_and_the_confirmed_code_places_the_agencies(portal: Portal, tmp_path: Path) -> None:
    _site(portal, OWN)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        result = crawl_into(conn, _catalog(portal, OWN), tmp_path / "data")
        failures = conn.execute("SELECT stage, url, error_type, message FROM fetch_failures").fetchall()
        codes = conn.execute("SELECT site_codes FROM crawl_runs").fetchall()
        regions = conn.execute("SELECT source, region FROM catalog_regions").fetchall()
        documents = conn.execute("SELECT url FROM documents ORDER BY url").fetchall()
    assert sorted((r.agency, r.year) for r in result.reports) == [(AGENCY, 2023), (AGENCY, 2024)]
    assert documents == [(f"{portal.base}/nb/2023.html",), (f"{portal.base}/nb/2024.html",)]
    assert failures == [("detail", f"{portal.base}/nb/2022.html", "foreign_site",
                         f"{portal.base}/nb/2022.html: the page declares SiteIDCode {OTHER}, the source's site is {OWN}: "
                         "another site's page (a mirror or a hosted page), not taken as this site's")]
    assert codes == [(f"{OWN} on 3 page(s); {OTHER} on 1 page(s)",)]
    # confirmed by the site's own pages: 510132 places what is found through it
    assert regions == [("county", "510132")]
    assert {ref.region for ref in result.refs()} == {"510132"}


def test_a_site_code_no_page_confirms_places_nothing(portal: Portal, tmp_path: Path) -> None:
    _site(portal, None)  # the listing declares no code; its reports declare OWN and OTHER
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        result = crawl_into(conn, _catalog(portal, "5101320099"), tmp_path / "data")
        regions = conn.execute("SELECT source, region FROM catalog_regions").fetchall()
    assert result.reports == []  # every report page belongs to another site than the catalogue's
    assert sorted((f.url.rsplit("/", 1)[1], f.error_type) for f in result.failures) == [
        ("2022.html", "foreign_site"), ("2023.html", "foreign_site"), ("2024.html", "foreign_site")]
    assert regions == [] and result.regions == {}


def test_a_bad_site_code_is_refused_naming_the_source() -> None:
    with pytest.raises(CatalogError) as err:
        parse_catalog({"sources": [{"name": "x", "start_urls": ["https://www.x.gov.cn/"], "allowed_domains": ["x.gov.cn"],
                                    "site_code": "51013200"}]})
    assert str(err.value) == ("catalogue: source 'x': site_code: Value error, not a site code: '51013200' "
                              "(10 digits, or bm + 8 digits)")
