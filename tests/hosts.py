"""Many simulated government portals on loopback, for the crawler's scale tests and benchmark.

One separate process (so the crawler's memory is measured alone) serves every host from one
asyncio loop: hosts are (127.0.0.x, port) pairs over a few loopback addresses. Each host has a
robots.txt, a static 年报 column of ``pages`` listing pages (下一页 links) and ``reports_per_page``
report pages. One host answers every page (not its robots.txt) after ``slow_seconds``; one is dead (its port refuses
connections). Some hosts ask for a robots.txt ``Crawl-delay``. The server logs every request's
arrival (host, path, monotonic time) so the gaps a host saw are measured on the server's side.
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing as mp
import socket
import time
from dataclasses import dataclass, field
from typing import Any

ADDRESSES = ("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4")


@dataclass
class HostPlan:
    hosts: int
    pages: int = 2
    reports_per_page: int = 2
    slow_seconds: float = 2.0
    crawl_delay_every: int = 0  # every Nth host's robots.txt asks for crawl_delay seconds (0 = none)
    crawl_delay: float = 0.0
    report_bodies: list[bytes] = field(default_factory=list)  # report pages, used in turn


def _listing(host: int, page: int, plan: HostPlan) -> bytes:
    items = []
    for i in range(plan.reports_per_page):
        n = page * plan.reports_per_page + i
        year = 2024 - n
        items.append(f'<li><a href="/nb/{year}.html" title="第{host}县人民政府{year}年政府信息公开工作年度报告">'
                     f'第{host}县人民政府{year}年政府信息公开工作年度报告</a><span>{year + 1}-01-20</span></li>')
    nxt = f'<a href="/nb/index_{page + 1}.html">下一页</a>' if page + 1 < plan.pages else ""
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>'
            f'<h2>政府信息公开年报</h2><ul class="list">{"".join(items)}</ul><div class="page">{nxt}</div>'
            f'</body></html>').encode()


def _respond(status: int, body: bytes, content_type: str = "text/html; charset=utf-8", etag: str | None = None) -> bytes:
    reason = {200: "OK", 304: "Not Modified", 404: "Not Found"}.get(status, "OK")
    head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
            + (f'ETag: "{etag}"\r\n' if etag else "") + "Connection: keep-alive\r\n\r\n")
    return head.encode("ascii") + body


def _serve(conn: Any, plan: HostPlan) -> None:
    """The server process: bind every host, say where they are, serve until told to stop, send the log."""
    log: list[tuple[int, str, float, int]] = []
    loop = asyncio.new_event_loop()

    def page_for(host: int, path: str) -> tuple[int, bytes, str]:
        if path == "/robots.txt":
            delay = plan.crawl_delay_every and host % plan.crawl_delay_every == 0
            text = "User-agent: *\nDisallow: /private/\n" + (f"Crawl-delay: {plan.crawl_delay}\n" if delay else "")
            return 200, text.encode(), "text/plain"
        if path == "/nb/index.html":
            return 200, _listing(host, 0, plan), "text/html; charset=utf-8"
        if path.startswith("/nb/index_"):
            page = int(path.removeprefix("/nb/index_").removesuffix(".html"))
            return (200, _listing(host, page, plan), "text/html; charset=utf-8") if page < plan.pages else (404, b"", "text/html")
        if path.startswith("/nb/20"):
            year = int(path[4:8])
            body = plan.report_bodies[(host * 7 + year) % len(plan.report_bodies)]
            return 200, body + f"<!-- {host}-{year} -->".encode(), "text/html; charset=utf-8"  # one document each
        return 404, b"not found", "text/html"

    def handler(host: int, slow: float):
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while True:
                    head = await reader.readuntil(b"\r\n\r\n")
                    lines = head.decode("latin-1").split("\r\n")
                    path = lines[0].split(" ")[1] if " " in lines[0] else "/"
                    asked = next((v.strip().strip('"') for k, _, v in (x.partition(":") for x in lines[1:])
                                  if k.lower() == "if-none-match"), None)
                    at = time.monotonic()
                    if slow and path != "/robots.txt":  # (its robots.txt is quick: the pages are slow)
                        await asyncio.sleep(slow)
                    status, body, ctype = page_for(host, path.split("?")[0])
                    # report pages carry an ETag and answer a conditional request with 304, as portals do
                    etag = hashlib.sha1(body).hexdigest()[:16] if path.startswith("/nb/20") and status == 200 else None
                    if etag and asked == etag:
                        status, body = 304, b""
                    log.append((host, path, at, status))
                    writer.write(_respond(status, body, ctype, etag))
                    await writer.drain()
            except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
                pass
            finally:
                writer.close()
        return handle

    servers, where, held = [], [], []
    for i in range(plan.hosts):
        address = ADDRESSES[i % len(ADDRESSES)]
        sock = socket.socket()
        if i != 1:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((address, 0))
        port = sock.getsockname()[1]
        if i == 1:  # the dead host: a port bound but never listened on (connections are refused); held
            held.append(sock)  # to the end, so no later host's bind can be given the same port
        else:
            sock.listen(64)
            slow = plan.slow_seconds if i == 0 else 0.0
            servers.append(loop.run_until_complete(asyncio.start_server(handler(i, slow), sock=sock)))
        where.append(f"{address}:{port}")
    conn.send(where)

    async def wait_stop() -> None:
        while True:
            while not conn.poll():
                await asyncio.sleep(0.05)
            if conn.recv() != "log":
                return
            conn.send(list(log))  # the requests so far (a benchmark's phase), the server going on

    loop.run_until_complete(wait_stop())
    for s in servers:
        s.close()
    for sock in held:
        sock.close()
    conn.send(log)
    conn.close()


class ManyHosts:
    """``with ManyHosts(plan) as hosts``: ``hosts.netlocs[i]`` is host i (0 slow, 1 dead); after
    the block, ``hosts.log`` holds every request the server saw."""

    def __init__(self, plan: HostPlan) -> None:
        self.plan = plan
        self.netlocs: list[str] = []
        self.log: list[tuple[int, str, float, int]] = []  # (host, path, arrival, status)

    def __enter__(self) -> ManyHosts:
        ctx = mp.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(child, self.plan), daemon=True)
        self._proc.start()
        if not self._conn.poll(120):
            raise RuntimeError("the host simulator did not start")
        self.netlocs = self._conn.recv()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._conn.send("stop")
        if self._conn.poll(60):
            self.log = self._conn.recv()
        self._proc.join(30)
        if self._proc.is_alive():
            self._proc.kill()

    def log_so_far(self) -> list[tuple[int, str, float, int]]:
        """Every request the server has seen until now, without stopping it."""
        self._conn.send("log")
        return self._conn.recv()

    def catalog(self, gap: float, concurrency: int, read_timeout: float = 10.0) -> dict:
        """A catalogue with one portal source per host (TRS-less static columns, loopback allowed)."""
        return {
            "max_concurrent_sources": concurrency, "max_connections": concurrency * 2,
            "connect_timeout_seconds": 2, "read_timeout_seconds": read_timeout, "retries": 2, "retry_wait_seconds": 0.1,
            "sources": [{"name": f"host-{i:04d}", "kind": "portal", "start_urls": [f"http://{n}/nb/index.html"],
                         "allowed_domains": [n.split(":")[0]], "allow_private_addresses": True,
                         "rate_limit_seconds": gap, "discover": False}
                        for i, n in enumerate(self.netlocs)],
        }

    def gaps(self) -> dict[int, list[float]]:
        """Per host, the time between consecutive requests as the server saw them."""
        times: dict[int, list[float]] = {}
        for host, _path, at, _status in self.log:
            times.setdefault(host, []).append(at)
        return {h: [b - a for a, b in zip(sorted(t), sorted(t)[1:], strict=False)] for h, t in times.items()}
