"""The crawler talks only to the hosts the catalogue allows, never into the machine's own network,
and never reads more than the cap — servers simulated in memory (httpx.MockTransport), no corpus."""

from __future__ import annotations

from pathlib import Path

import duckdb
import httpx

from pipelines.scrape.catalog import Catalog, Source
from pipelines.scrape.crawl import crawl_into
from pipelines.scrape.fetch import Fetcher

PORTAL = "http://www.gov.test"
DNS = {"www.gov.test": ["93.184.216.34"], "evil.gov.test": ["10.0.0.1"], "www.other.test": ["104.16.0.1"]}


def _catalog(allowed: list[str], private: bool = False, cap: int = 1_000_000) -> Catalog:
    return Catalog(retries=1, retry_wait_seconds=0, max_document_bytes=cap, sources=[Source(
        name="portal", start_urls=[f"{PORTAL}/nb/index.html"], allowed_domains=allowed, allow_private_addresses=private)])


class Server:
    """Answers by path; records every request that reached it."""

    def __init__(self, routes: dict[str, httpx.Response]) -> None:
        self.routes, self.hits = routes, []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.hits.append(str(request.url))
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return self.routes.get(f"{request.url.host}{request.url.path}", httpx.Response(404))


def _redirect(to: str) -> httpx.Response:
    return httpx.Response(302, headers={"location": to})


def _fetch(routes: dict, allowed: list[str], url: str, private: bool = False, cap: int = 1_000_000):  # noqa: ANN202
    server = Server(routes)
    catalog = _catalog(allowed, private, cap)
    fetcher = Fetcher(catalog, transport=httpx.MockTransport(server), resolver=lambda h: DNS.get(h, []))
    return fetcher.get(url, catalog.sources[0]), server


def test_redirects_to_loopback_or_private_addresses_are_refused() -> None:
    for target in ("http://127.0.0.2/nb.html", "http://10.0.0.1/nb.html", "http://169.254.169.254/latest/meta-data"):
        host = target.split("/")[2]
        # listed in allowed_domains, yet internal: refused before any request goes there
        res, server = _fetch({"www.gov.test/a.html": _redirect(target)}, ["gov.test", host], f"{PORTAL}/a.html")
        assert (res.error_type, res.status) == ("private_address", 302), res.error
        assert f"resolves to {host}" in res.error
        assert not [h for h in server.hits if host in h]
        # not listed: refused as off the catalogue
        res, _ = _fetch({"www.gov.test/a.html": _redirect(target)}, ["gov.test"], f"{PORTAL}/a.html")
        assert res.error_type == "off_catalog"


def test_a_catalogued_name_resolving_to_a_private_address_is_refused() -> None:
    res, server = _fetch({"evil.gov.test/nb.html": httpx.Response(200, content=b"x")}, ["gov.test"], "http://evil.gov.test/nb.html")
    assert res.error_type == "private_address" and "10.0.0.1" in res.error
    assert server.hits == []  # not even robots.txt


def test_redirects_to_other_hosts_and_schemes_are_refused() -> None:
    for target, error in (("http://www.other.test/x.html", "off_catalog"), ("ftp://www.gov.test/x.pdf", "bad_scheme"),
                          ("file:///etc/passwd", "bad_scheme")):
        res, server = _fetch({"www.gov.test/a.html": _redirect(target)}, ["gov.test"], f"{PORTAL}/a.html")
        assert res.error_type == error, (target, res.error)
        assert all(h.startswith(PORTAL) for h in server.hits)


def test_a_source_that_allows_private_addresses_reaches_them() -> None:
    res, _ = _fetch({"127.0.0.2/nb.html": httpx.Response(200, content=b"<html>ok</html>")}, ["gov.test", "127.0.0.2"],
                    "http://127.0.0.2/nb.html", private=True)
    assert res.ok and res.body == b"<html>ok</html>"


def test_a_one_gigabyte_body_is_cut_at_the_cap() -> None:
    sent = []

    def gigabyte():  # noqa: ANN202 - streamed lazily: never held in memory
        for _ in range(1024):
            sent.append(1)
            yield b"\0" * (1 << 20)

    res, _ = _fetch({"www.gov.test/huge.pdf": httpx.Response(200, content=gigabyte())}, ["gov.test"], f"{PORTAL}/huge.pdf",
                    cap=5 << 20)
    assert res.error_type == "too_large" and res.body is None
    assert len(sent) <= 7  # stopped reading right after the 5 MB cap, not after 1 GB


def test_refusals_are_recorded_in_fetch_failures(tmp_path: Path) -> None:
    catalog = _catalog(["gov.test", "10.0.0.1"])
    server = Server({"www.gov.test/nb/index.html": _redirect("http://10.0.0.1/nb/index.html")})
    fetcher = Fetcher(catalog, transport=httpx.MockTransport(server), resolver=lambda h: DNS.get(h, []))
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        crawl_into(conn, catalog, tmp_path / "data", fetcher=fetcher)
        rows = conn.execute("SELECT source, url, stage, error_type, http_status FROM fetch_failures").fetchall()
    assert rows == [("portal", f"{PORTAL}/nb/index.html", "listing", "private_address", 302)]
