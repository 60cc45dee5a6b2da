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


# --- claimed fetcher behaviours, each with its hit count -----------------------------------------

class Sequence:
    """A server answering each path from a queue of responses; counts hits per path."""

    def __init__(self, routes: dict[str, list[httpx.Response]], robots: httpx.Response | None = None) -> None:
        self.routes, self.robots, self.hits, self.headers = routes, robots or httpx.Response(404), {}, []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.hits[path] = self.hits.get(path, 0) + 1
        self.headers.append(dict(request.headers))
        if path == "/robots.txt":
            return self.robots
        queue = self.routes.get(path, [httpx.Response(404)])
        return queue.pop(0) if len(queue) > 1 else queue[0]


def _fetcher(server: Sequence, **catalog: object) -> tuple[Fetcher, Source]:
    cat = Catalog(**{"retries": 3, "retry_wait_seconds": 0, "sources": [Source(
        name="portal", start_urls=[f"{PORTAL}/nb/index.html"], allowed_domains=["gov.test"])], **catalog})
    return Fetcher(cat, transport=httpx.MockTransport(server), resolver=lambda h: DNS.get(h, [])), cat.sources[0]


def test_429_and_5xx_are_retried_404_is_not() -> None:
    server = Sequence({"/a": [httpx.Response(503), httpx.Response(429), httpx.Response(200, content=b"ok")],
                       "/b": [httpx.Response(500)], "/c": [httpx.Response(404)]})
    fetcher, source = _fetcher(server)
    a = fetcher.get(f"{PORTAL}/a", source)
    assert (a.ok, a.body, a.attempts, server.hits["/a"]) == (True, b"ok", 3, 3)
    b = fetcher.get(f"{PORTAL}/b", source)
    assert (b.error_type, b.status, server.hits["/b"]) == ("http_error", 500, 3)  # all 3 attempts
    c = fetcher.get(f"{PORTAL}/c", source)
    assert (c.error_type, c.status, server.hits["/c"]) == ("http_error", 404, 1)  # never retried


def test_unreachable_robots_txt_disallows_the_host() -> None:
    server = Sequence({"/a": [httpx.Response(200, content=b"ok")]}, robots=httpx.Response(503))
    fetcher, source = _fetcher(server)
    res = fetcher.get(f"{PORTAL}/a", source)
    # nothing is fetched from a host that cannot say what may be crawled; the failure says why
    # (the server's error, not a refusal by robots.txt)
    assert res.error_type == "http_error" and "/a" not in server.hits
    assert "robots.txt" in res.error and "nothing is fetched from it" in res.error


def test_robots_txt_disallow_is_honoured() -> None:
    server = Sequence({"/private/a": [httpx.Response(200)], "/a": [httpx.Response(200, content=b"ok")]},
                      robots=httpx.Response(200, content=b"User-agent: *\nDisallow: /private/\n"))
    fetcher, source = _fetcher(server)
    assert fetcher.get(f"{PORTAL}/private/a", source).error_type == "robots_disallowed"
    assert fetcher.get(f"{PORTAL}/a", source).ok
    assert "/private/a" not in server.hits


def test_max_redirects_and_redirect_loops() -> None:
    server = Sequence({"/r1": [_redirect("/r2")], "/r2": [_redirect("/r3")], "/r3": [_redirect("/end")],
                       "/end": [httpx.Response(200, content=b"ok")], "/l1": [_redirect("/l2")], "/l2": [_redirect("/l1")]})
    fetcher, source = _fetcher(server, max_redirects=2)
    assert fetcher.get(f"{PORTAL}/r1", source).error_type == "too_many_redirects"
    assert "/end" not in server.hits
    fetcher, source = _fetcher(server, max_redirects=3)
    assert fetcher.get(f"{PORTAL}/r1", source).body == b"ok"
    assert fetcher.get(f"{PORTAL}/l1", source).error_type == "redirect_loop"


def test_conditional_requests_send_the_validators_and_read_304() -> None:
    server = Sequence({"/a": [httpx.Response(304)]})
    fetcher, source = _fetcher(server)
    res = fetcher.get(f"{PORTAL}/a", source, etag='"v1"', last_modified="Mon, 02 Mar 2026 08:00:00 GMT")
    assert res.ok and res.not_modified and res.body is None
    sent = server.headers[-1]
    assert (sent["if-none-match"], sent["if-modified-since"]) == ('"v1"', "Mon, 02 Mar 2026 08:00:00 GMT")


def test_a_disabled_source_is_not_crawled(tmp_path: Path) -> None:
    server = Sequence({"/nb/index.html": [httpx.Response(200, content=b"<html></html>")]})
    cat = Catalog(retries=1, retry_wait_seconds=0, sources=[
        Source(name="off", start_urls=[f"{PORTAL}/nb/index.html"], allowed_domains=["gov.test"], enabled=False)])
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        result = crawl_into(conn, cat, tmp_path / "data",
                            fetcher=Fetcher(cat, transport=httpx.MockTransport(server), resolver=lambda h: DNS.get(h, [])))
    assert server.hits == {} and result.sources == {}


def test_a_timeout_is_retried_then_recorded_typed() -> None:
    calls = []

    def slow(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        calls.append(request.url.path)
        raise httpx.ReadTimeout("timed out", request=request)

    cat = Catalog(retries=3, retry_wait_seconds=0, sources=[
        Source(name="portal", start_urls=[f"{PORTAL}/nb/index.html"], allowed_domains=["gov.test"])])
    res = Fetcher(cat, transport=httpx.MockTransport(slow), resolver=lambda h: DNS.get(h, [])).get(f"{PORTAL}/a", cat.sources[0])
    assert (res.error_type, calls) == ("timeout", ["/a", "/a", "/a"])


def test_include_and_exclude_filters_choose_the_links_followed(tmp_path: Path) -> None:
    listing = ('<html><body><ul>'
               '<li><a href="/files/a-2023.pdf">甲局2023年政府信息公开工作年度报告</a></li>'
               '<li><a href="/files/b-2023.pdf">乙局2023年政府信息公开工作年度报告</a></li>'
               '<li><a href="/mirror/c-2023.pdf">丙局2023年政府信息公开工作年度报告</a></li>'
               '</ul></body></html>').encode()
    pdf = b"%PDF-1.4 a report"
    server = Sequence({"/nb/index.html": [httpx.Response(200, content=listing, headers={"content-type": "text/html"})],
                       **{p: [httpx.Response(200, content=pdf + p.encode(), headers={"content-type": "application/pdf"})]
                          for p in ("/files/a-2023.pdf", "/files/b-2023.pdf", "/mirror/c-2023.pdf")}})
    cat = Catalog(retries=1, retry_wait_seconds=0, sources=[
        Source(name="portal", start_urls=[f"{PORTAL}/nb/index.html"], allowed_domains=["gov.test"],
               include=["/files/"], exclude=["乙局"])])
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        result = crawl_into(conn, cat, tmp_path / "data",
                            fetcher=Fetcher(cat, transport=httpx.MockTransport(server), resolver=lambda h: DNS.get(h, [])))
    assert [(r.agency, r.year, r.url) for r in result.reports] == [("甲局", 2023, f"{PORTAL}/files/a-2023.pdf")]
    assert "/files/b-2023.pdf" not in server.hits and "/mirror/c-2023.pdf" not in server.hits
