"""A fake government portal on 127.0.0.1 that behaves like the real ones: the real 平潭 listing page
(TRS pagination added: three pages), its real detail pages, GBK pages, PDF/DOC/DOCX attachments, and
the failures real portals produce (404, a 500 that recovers, a slow page, a redirect loop, an
oversize body, a wrong content type, a robots.txt disallow, one report under two URLs)."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from tests.conftest import CORPUS, forge_doc
from tests.forge.render import render_html
from tests.forge.truths import make_truth

Responder = Callable[["Portal", int], tuple[int, dict[str, str], bytes]]  # (portal, nth call) → response


@dataclass(frozen=True)
class Request:
    """What a listing API handler sees: method, path, query and form (or JSON) parameters."""

    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    json: Any
    headers: dict[str, str]


Handler = Callable[[Request], tuple[int, dict[str, str], bytes]]


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    responder: Responder | None = None
    handler: Handler | None = None
    calls: int = 0
    last_modified: str = field(default_factory=lambda: formatdate(1_700_000_000, usegmt=True))


@dataclass
class Hit:
    path: str
    status: int
    at: float
    headers: dict[str, str]
    method: str = "GET"
    query: str = ""
    body: bytes = b""


class Portal:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        portal = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                portal._serve(self)

            def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
                portal._serve(self)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> Portal:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _serve(self, req: BaseHTTPRequestHandler) -> None:
        arrived = time.monotonic()
        path, _, query = req.path.partition("?")
        length = int(req.headers.get("Content-Length") or 0)
        sent = req.rfile.read(length) if length else b""
        route = self.routes.get(path)
        with self._lock:
            if route is not None:
                route.calls += 1
            nth = route.calls if route else 0
        if route is None:
            status, headers, body = 404, {"Content-Type": "text/html"}, b"<html>404 Not Found</html>"
        elif route.handler is not None:
            status, headers, body = route.handler(_request(req.command, path, query, sent, dict(req.headers.items())))
        elif route.responder is not None:
            status, headers, body = route.responder(self, nth)
        else:
            etag = '"' + hashlib.sha256(route.body).hexdigest()[:16] + '"'
            headers = {"Content-Type": route.content_type, "ETag": etag, "Last-Modified": route.last_modified}
            if req.headers.get("If-None-Match") == etag:
                status, body = 304, b""
            else:
                status, body = 200, route.body
        with self._lock:
            self.hits.append(Hit(path, status, arrived, dict(req.headers.items()), req.command, query, sent))
        try:
            req.send_response(status)
            for k, v in headers.items():
                req.send_header(k, v)
            req.send_header("Content-Length", str(len(body)))
            req.end_headers()
            if body:
                req.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)

    def set(self, path: str, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
        self.routes[path] = Route(body, content_type)

    def hits_for(self, path: str) -> list[Hit]:
        return [h for h in self.hits if h.path == path]

    def handle(self, path: str, handler: Handler) -> None:
        self.routes[path] = Route(handler=handler)


def _request(method: str, path: str, query: str, body: bytes, headers: dict[str, str]) -> Request:
    form: dict[str, str] = {}
    data: Any = None
    kind = headers.get("Content-Type", "")
    if body and "json" in kind:
        data = json.loads(body)
    elif body:
        form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return Request(method, path, dict(parse_qsl(query, keep_blank_values=True)), form, data, headers)


LISTING = "/zwgk/zfxxgk/zfxxgknb/"
AGENCY = "平潭综合实验区"


def _report_html(seed: int, agency: str, year: int, charset: str = "utf-8") -> bytes:
    truth = make_truth(seed, "2021")
    truth["agency"], truth["year"] = agency, year
    return render_html(truth, charset)


def _gbk_listing(items: list[tuple[str, str]], extra: str = "", meta: bool = True) -> bytes:
    head = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">' if meta else ""
    lis = "".join(f'<li><a href="{href}" title="{t}">{t}</a><span>2024-02-01</span></li>' for href, t in items)
    return f"<html><head>{head}<title>政府信息公开年报</title></head><body><ul class='list'>{lis}</ul>{extra}</body></html>".encode("gbk")


def _detail_with_attachments(title: str, links: list[tuple[str, str]]) -> bytes:
    a = "".join(f'<p>附件：<a href="{href}">{text}</a></p>' for href, text in links)
    return f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><h1>{title}</h1>{a}</body></html>".encode()


def build_pingtan_portal(portal: Portal, read_timeout: float) -> dict[str, bytes]:
    """Populate ``portal``; returns the bytes each report URL serves (what the archive must hold)."""
    real = CORPUS / "real"
    listing = (CORPUS / "portal" / "pingtan-zfxxgknb-index.html").read_bytes()
    pager = b'<script>createPageHTML(3, 0, "index", "html");</script>'
    portal.set(LISTING + "index.html", listing.replace(b"</body>", pager + b"</body>"))
    portal.set("/robots.txt", b"User-agent: *\nDisallow: /private/\n", "text/plain")
    served: dict[str, bytes] = {}

    def report(path: str, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
        portal.set(path, body, content_type)
        served[portal.base + path] = body

    # the real listing's items: four real reports embedded as HTML, the rest exercise failures
    for year, name in ((2022, "202302/t20230220_80629.htm"), (2021, "202202/t20220208_80613.htm"),
                       (2020, "202103/t20210305_80595.htm"), (2019, "202001/t20200120_80576.htm")):
        report(LISTING + name, (real / f"pingtan-{year}.html").read_bytes())
    recovered = _report_html(25, AGENCY, 2025)
    portal.routes[LISTING + "202603/t20260313_105587.htm"] = Route(responder=lambda _p, n: (
        (500, {"Content-Type": "text/html"}, b"busy") if n == 1 else (200, {"Content-Type": "text/html; charset=utf-8"}, recovered)))
    served[portal.base + LISTING + "202603/t20260313_105587.htm"] = recovered
    # 2024: the page only links the report as a PDF attachment; 2023: as a Word attachment
    portal.set(LISTING + "202503/t20250310_97791.htm", _detail_with_attachments(
        f"{AGENCY}2024年度政府信息公开工作年度报告", [("./P020250310_report.pdf", f"{AGENCY}2024年度政府信息公开工作年度报告.pdf")]))
    report(LISTING + "202503/P020250310_report.pdf", forge_doc("forge-23-2021-landscape.pdf").read_bytes(), "application/pdf")
    portal.set(LISTING + "202403/t20240308_87885.htm", _detail_with_attachments(
        f"{AGENCY}2023年度政府信息公开工作年度报告", [("/files/2024/nb2023.docx", "2023年年报（Word版）.docx")]))
    report("/files/2024/nb2023.docx", forge_doc("forge-13-2021.docx").read_bytes(),
           "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    # 2018: gone; 2017: slower than the read timeout, every time; 2016: a redirect loop
    portal.routes[LISTING + "201801/t20180123_80506.htm"] = Route(responder=lambda _p, _n: (
        time.sleep(read_timeout * 3), (200, {"Content-Type": "text/html"}, b"too late"))[1])
    portal.routes[LISTING + "201701/t20170118_80485.htm"] = Route(responder=lambda _p, _n: (
        302, {"Location": LISTING + "201701/loop.htm"}, b""))
    portal.routes[LISTING + "201701/loop.htm"] = Route(responder=lambda _p, _n: (
        302, {"Location": LISTING + "201701/t20170118_80485.htm"}, b""))

    # listing page 2: GBK, charset only in <meta>; a report under two URLs; a guide and a notice
    # (not reports); a link to the real site (another host: never requested); a 下一页 link.
    bureau = "平潭综合实验区交通与建设局"
    gbk_page = _report_html(26, bureau, 2023, "gbk")
    report(LISTING + "202402/t20240201_1.htm", gbk_page, "text/html")
    portal.set("/mirror/t20240201_1.htm", gbk_page, "text/html")
    portal.set(LISTING + "index_1.html", _gbk_listing([
        ("./202402/t20240201_1.htm", f"{bureau}2023年政府信息公开工作年度报告"),
        ("/mirror/t20240201_1.htm", f"{bureau}2023年度政府信息公开工作年度报告（转载）"),
        ("./202402/guide.htm", f"{AGENCY}2024年政府信息公开指南"),
        ("./202402/notice.htm", "关于印发2024年政务公开工作要点的通知"),
        ("https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202402/t1.htm", f"{AGENCY}财政金融局2022年政府信息公开工作年度报告"),
    ], extra='<a href="index_2.html">下一页</a>'), "text/html")
    # listing page 3: GBK declared only in the HTTP header; an oversize attachment, a PDF served as
    # text/html, an attachment robots.txt disallows, and a .doc linked straight from the listing
    finance = "平潭综合实验区财政金融局"
    portal.set(LISTING + "index_2.html", _gbk_listing([
        ("./202402/t20240202_2.htm", f"{finance}2023年政府信息公开工作年度报告"),
        ("/files/edu-2023.doc", "平潭综合实验区教育局2023年政府信息公开工作年度报告.doc"),
    ], meta=False), "text/html; charset=GBK")
    portal.set(LISTING + "202402/t20240202_2.htm", _detail_with_attachments(f"{finance}2023年政府信息公开工作年度报告", [
        ("/files/huge.pdf", "年报扫描件.pdf"), ("/files/fin-2023.pdf", "年报.pdf"), ("/private/fin-2023.doc", "年报.doc")]))
    portal.set("/files/huge.pdf", b"%PDF-1.4\n" + b"0" * 3_000_000, "application/pdf")
    report("/files/fin-2023.pdf", forge_doc("forge-19-2021-long.pdf").read_bytes(), "text/html")  # wrong type
    portal.set("/private/fin-2023.doc", b"never fetched", "application/msword")
    report("/files/edu-2023.doc", forge_doc("forge-17-2021.doc").read_bytes(), "application/msword")
    return served


def catalog_yaml(portal: Portal, path: Path, read_timeout: float, rate: float = 0.0, max_bytes: int = 1_000_000) -> Path:
    path.write_text(f"""
user_agent: "nianbao-test/0.1 (+tests)"
read_timeout_seconds: {read_timeout}
connect_timeout_seconds: 2
max_document_bytes: {max_bytes}
retries: 3
retry_wait_seconds: 0.01
sources:
  - name: pingtan-fixture
    start_urls: ["{portal.base}{LISTING}index.html"]
    allowed_domains: ["127.0.0.1"]
    allow_private_addresses: true
    agency_hint: {AGENCY}
    rate_limit_seconds: {rate}
""", encoding="utf-8")
    return path
