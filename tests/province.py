"""A loopback "province" of named government portals for ``nianbao catalogue build`` (#29 part 3).

Every portal is a virtual host (``www.f03.nbtest.gov.cn``, ``www.nbtest-mirror1.com`` …) served by
one forward HTTP proxy on 127.0.0.1 in the test's own process: the crawler reaches them through the
catalogue's ``proxy`` setting, so hosts have names (gov.cn or not) as real sites do, and every
request each host saw is logged. What each portal must yield is written here, from how it is built
— never from the code under test.

The province (``N_SIMPLE`` is the knob that sets its size):
- one portal per CMS family simulated in tests/cms_portals.py (its home page links the family's column);
- ``N_SIMPLE`` plain county portals: home → 政务公开 → 政府信息公开年报 → one report;
- a county that moved host (the old one answers 301 to the new; the new one declares the listed code);
- a county whose old host redirects to a parked domain declaring no code (moved, not followed);
- a county whose 部门信息公开 has three departments, one column behind 瑞数's 412 challenge;
- two portals with no 年报 column (only a 指南);
- three spam mirrors on non-government hosts copying family portals' home pages, SiteIDCode included.
"""

from __future__ import annotations

import csv
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from tests.cms_portals import BUILDERS, RUISHU_412, FamilyPortal, report_page, report_truth
from tests.portal import Portal, Route

FAMILIES = ("trs", "static", "hanweb_jpage", "hanweb_xxgk", "jpaas", "gkmlpt", "epoint", "common_search")
N_SIMPLE = 35
DIVISION = "360100"  # 南昌市: every site's code is this division and its own serial
_HANZI = "丙丁戊己庚辛壬癸甲乙"


class VirtualPortal(Portal):
    """A portal without its own server: the province's proxy hands it the requests for its host."""

    def __init__(self, host: str) -> None:  # noqa: D107 - no server, no thread: only routes and hits
        self.routes: dict[str, Route] = {}
        self.hits = []
        self._lock = threading.Lock()
        self.host = host

    @property
    def base(self) -> str:
        return f"http://{self.host}"


@dataclass
class Listed:
    """One row of the province's site list and what the build and the crawl must make of it."""

    name: str
    code: str
    home: str
    host: str
    expected_reports: dict[tuple[str, int], dict] = field(default_factory=dict)  # (agency, year) → forged truth
    served: dict[str, bytes] = field(default_factory=dict)  # report URL → bytes
    role: str = "portal"  # portal | family | moved | moved_away | challenged | none | mirror
    columns: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # column URL → (report items, first, last year)


def _page(title: str, links: list[tuple[str, str]], code: str | None = None) -> bytes:
    meta = f'<meta name="SiteIDCode" content="{code}">' if code else ""
    a = "".join(f"<li><a href='{u}'>{t}</a></li>" for u, t in links)
    return (f"<html><head><meta charset='utf-8'>{meta}<title>{title}</title></head><body><ul>{a}</ul></body></html>").encode()


class Province:
    def __init__(self) -> None:
        self.portals: dict[str, VirtualPortal] = {}
        self.listed: list[Listed] = []
        self.log: list[tuple[str, str]] = []  # (host, path) of every request the proxy received
        self._lock = threading.Lock()
        self._serial = 0
        province = self

        class Handler(BaseHTTPRequestHandler):
            def _dispatch(self) -> None:
                url = urlsplit(self.path)
                host = (url.hostname or "").lower()
                with province._lock:
                    province.log.append((host, url.path))
                portal = province.portals.get(host)
                if portal is None:  # no such host in the province: a dead name
                    self.send_response(502)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.path = url.path + (f"?{url.query}" if url.query else "")
                portal._serve(self)

            do_GET = do_POST = _dispatch  # noqa: N815 - the stdlib's names

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._build()

    @property
    def proxy(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> Province:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- construction ------------------------------------------------------------------------------
    def _code(self) -> str:
        self._serial += 1
        return f"{DIVISION}{self._serial:04d}"

    def _portal(self, host: str) -> VirtualPortal:
        self.portals[host] = VirtualPortal(host)
        return self.portals[host]

    def _family(self, n: int, family: str) -> Listed:
        host = f"www.f{n:02d}.nbtest.gov.cn"
        portal, code = self._portal(host), self._code()
        fp: FamilyPortal = BUILDERS[family](portal)
        column = fp.start.removeprefix(portal.base)
        portal.set("/index.html", _page(f"{family}门户", [("/zwgk/zn/index.html", "政府信息公开指南"),
                                                         (column, "政府信息公开年报")], code))
        portal.set("/zwgk/zn/index.html", _page("指南", []))
        years = [e.report[1] for e in fp.entries if e.report]
        return Listed(f"{family}门户网站", code, f"{portal.base}/index.html", host, dict(fp.truths), dict(fp.served), "family",
                      {fp.start: (len(years), min(years), max(years))})

    def _county(self, host: str, agency: str, seed: int, code: str, role: str = "portal") -> Listed:
        portal = self._portal(host)
        year = 2020 + seed % 5
        path = f"/zwgk/nb/{year + 1}02/t{year + 1}0210_{seed}.html"
        truth = report_truth(agency, year, seed)
        body = report_page(agency, year, seed)
        portal.set("/index.html", _page(agency, [("/xwzx/index.html", "新闻中心"), ("/zwgk/index.html", "政务公开")], code))
        portal.set("/zwgk/index.html", _page("政务公开", [("/zwgk/zn/index.html", "政府信息公开指南"),
                                                       ("/zwgk/nb/index.html", "政府信息公开年报")], code))
        portal.set("/zwgk/nb/index.html", _page("政府信息公开年报", [(path, f"{agency}{year}年政府信息公开工作年度报告")], code))
        portal.set(path, body)
        return Listed(agency.removesuffix("人民政府") + "人民政府网", code, f"{portal.base}/index.html", host,
                      {(agency, year): truth}, {portal.base + path: body}, role,
                      {f"{portal.base}/zwgk/nb/index.html": (1, year, year)})

    def _build(self) -> None:
        for n, family in enumerate(FAMILIES, 1):
            self.listed.append(self._family(n, family))
        for n in range(N_SIMPLE):
            agency = f"示例{_HANZI[n // 10]}{_HANZI[n % 10]}县人民政府"
            self.listed.append(self._county(f"www.c{n:02d}.nbtest.gov.cn", agency, 2000 + n, self._code()))
        # moved: the listed host answers 301 to the new one, whose pages declare the listed code
        code = self._code()
        old = self._portal("www.old.nbtest.gov.cn")
        moved = self._county("www.new.nbtest.gov.cn", "示例迁址县人民政府", 2100, code, "moved")
        old.routes["/index.html"] = Route(handler=lambda _r: (301, {"Location": f"{moved.home}"}, b""))
        self.listed.append(Listed("示例迁址县人民政府网", code, f"{old.base}/index.html", old.host, moved.expected_reports,
                                  moved.served, "moved", moved.columns))
        # moved away: the listed host redirects to a parked domain that declares no code
        parked = self._portal("www.parked-domains-for-sale.com")
        parked.set("/", _page("域名出售", [("/zwgk/nb/index.html", "政府信息公开年报")]))
        parked.set("/zwgk/nb/index.html", _page("政府信息公开年报", []))
        gone = self._portal("www.gone.nbtest.gov.cn")
        gone.routes["/index.html"] = Route(handler=lambda _r: (302, {"Location": f"{parked.base}/"}, b""))
        self.listed.append(Listed("示例撤并县人民政府网", self._code(), f"{gone.base}/index.html", gone.host, role="moved_away"))
        self.listed.append(self._challenged())
        for n in range(2):  # reachable, no 年报 column
            host, code = f"www.none{n}.nbtest.gov.cn", self._code()
            portal = self._portal(host)
            portal.set("/index.html", _page("示例开发区管委会", [("/zwgk/zn/index.html", "政府信息公开指南")], code))
            portal.set("/zwgk/zn/index.html", _page("指南", [], code))
            self.listed.append(Listed(f"示例开发区{n}管委会网", code, f"{portal.base}/index.html", host, role="none"))
        for n in range(1, 4):  # mirrors: a family portal's home page copied, its SiteIDCode with it
            original = self.listed[n - 1]
            host = f"www.nbtest-mirror{n}.com"
            mirror = self._portal(host)
            mirror.set("/index.html", self.portals[original.host].routes["/index.html"].body)
            copied_column = [p for p in self.portals[original.host].routes if p not in ("/index.html", "/zwgk/zn/index.html")]
            for p in copied_column:  # the whole site copied: only ever reached by following its links
                mirror.routes[p] = self.portals[original.host].routes[p]
            self.listed.append(Listed(original.name, f"369900{n:04d}", f"{mirror.base}/index.html", host, role="mirror"))

    def _challenged(self) -> Listed:
        host, code = "www.ch.nbtest.gov.cn", self._code()
        portal = self._portal(host)
        departments = {"jyj": "示例挑战县教育局", "czj": "示例挑战县财政局", "wjj": "示例挑战县卫生健康局"}
        portal.set("/index.html", _page("示例挑战县人民政府", [("/zwgk/bmxxgk/index.html", "部门信息公开")], code))
        portal.set("/zwgk/bmxxgk/index.html", _page("部门信息公开", [(f"/{d}/index.html", n) for d, n in departments.items()], code))
        listed = Listed("示例挑战县人民政府网", code, f"{portal.base}/index.html", host, role="challenged")
        for k, (dept, agency) in enumerate(departments.items()):
            year, path = 2024, f"/{dept}/nb/202502/t20250210_{k}.html"
            portal.set(f"/{dept}/index.html", _page(agency, [(f"/{dept}/nb/index.html", "政府信息公开年报")], code))
            portal.set(f"/{dept}/nb/index.html", _page("政府信息公开年报", [(path, f"{agency}{year}年政府信息公开工作年度报告")], code))
            portal.set(path, report_page(agency, year, 2200 + k))
            if dept == "czj":  # this department's list is behind 瑞数: asked once, its reports never found
                portal.routes[f"/{dept}/nb/index.html"] = Route(handler=lambda _r: (412, {"Content-Type": "text/html"}, RUISHU_412))
                continue
            listed.expected_reports[(agency, year)] = report_truth(agency, year, 2200 + k)
            listed.columns[f"{portal.base}/{dept}/nb/index.html"] = (1, year, year)
            listed.served[portal.base + path] = report_page(agency, year, 2200 + k)
        return listed

    def site_list_csv(self, path: Path) -> Path:
        """The province's site list as the national database exports it (GB18030 is also read; UTF-8 here)."""
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow(["序号", "网站名称", "网站标识码", "首页网址", "主办单位"])
            for n, s in enumerate(self.listed, 1):
                w.writerow([n, s.name, s.code, s.home.removeprefix("http://"), s.name.removesuffix("网")])
        return path

    def hits(self, host: str) -> list[str]:
        with self._lock:
            return [p for h, p in self.log if h == host]
