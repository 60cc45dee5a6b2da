"""Local test portals, one per CMS family, built from the real markup, parameters, field names and
quirks collected in ../shared/research/cms_listing_patterns.md (cited per family below).

Every portal lists ten items over three or four listing pages: seven annual reports of one agency
(2019–2025, forged HTML reports served on the family's own detail URLs) and three distractors (a
guide, a key-points notice, a news item) whose detail pages must never be requested. Each builder
returns a ``FamilyPortal``: where the column starts and what a crawl must find there.
"""

from __future__ import annotations

import html as h
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.conftest import FORGE, forge_doc
from tests.forge.render import render_html
from tests.forge.truths import make_truth
from tests.portal import Portal, Request, Route

PER_PAGE = 3
HTML = {"Content-Type": "text/html; charset=utf-8"}
JSON_TYPE = {"Content-Type": "application/json;charset=UTF-8"}


@dataclass(frozen=True)
class Entry:
    title: str
    path: str  # the detail page on the portal
    date: str
    report: tuple[str, int] | None  # (agency, year) for a report; None for a distractor


@dataclass
class FamilyPortal:
    family: str  # the family detection must pick
    start: str  # the column URL a catalogue names
    entries: list[Entry]
    served: dict[str, bytes] = field(default_factory=dict)  # report URL → bytes (what the archive must hold)
    extra_expected: set[tuple[str, int]] = field(default_factory=set)
    truths: dict[tuple[str, int], dict] = field(default_factory=dict)  # (agency, year) → the forged report's truth

    @property
    def expected(self) -> set[tuple[str, int]]:
        return {e.report for e in self.entries if e.report} | self.extra_expected

    @property
    def distractor_paths(self) -> set[str]:
        return {e.path for e in self.entries if e.report is None}


def report_truth(agency: str, year: int, seed: int) -> dict:
    truth = make_truth(seed, "2019" if year < 2021 else "2021")
    truth["agency"], truth["year"] = agency, year
    return truth


def report_page(agency: str, year: int, seed: int) -> bytes:
    return render_html(report_truth(agency, year, seed))


def entries(agency: str, path_for: Callable[[int, int], str], seed: int) -> list[Entry]:
    """Ten items, newest first, distractors among the reports (positions 2, 5 and 8)."""
    out: list[Entry] = []
    years = iter(range(2025, 2018, -1))
    for i in range(10):
        if i in (2, 5, 8):
            title = {2: f"{agency}2025年政府信息公开指南", 5: "关于印发2024年政务公开工作要点的通知",
                     8: f"{agency}召开2023年政务公开工作推进会"}[i]
            out.append(Entry(title, path_for(i, 2024), f"2024-0{i % 9 + 1}-15", None))
        else:
            year = next(years)
            out.append(Entry(f"{agency}{year}年政府信息公开工作年度报告", path_for(i, year + 1), f"{year + 1}-01-2{i % 9}",
                             (agency, year)))
    return out


def serve_details(portal: Portal, fp: FamilyPortal, seed: int) -> None:
    for n, e in enumerate(fp.entries):
        if e.report:
            fp.truths[e.report] = report_truth(*e.report, seed=seed + n)
            body = render_html(fp.truths[e.report])
            portal.set(e.path, body)
            fp.served[portal.base + e.path] = body
        else:
            portal.set(e.path, f"<html><body><h1>{h.escape(e.title)}</h1><p>不是年报</p></body></html>".encode())


def li(e: Entry, style: int = 0) -> str:
    """One list row, in the spellings sites use: title attribute or not, single or double quotes,
    the date in <span> or <i> (the visible text cut short with "…" where a title attribute has it)."""
    t = h.escape(e.title)
    if style % 3 == 0:
        return f"<li><a href='{e.path}' title='{t}' target='_blank'>{t[:12]}…</a><span>{e.date}</span></li>"
    if style % 3 == 1:
        return f'<li class="cf"><a target="_blank" href="{e.path}" title="{t}"><span>{t}</span><i>{e.date}</i></a></li>'
    return f'<li><a href="{e.path}">{t}</a> <span class="date">{e.date}</span></li>'  # no title attribute (Dongtai)


def pages(items: list[Entry], size: int = PER_PAGE) -> list[list[Entry]]:
    return [items[i: i + size] for i in range(0, len(items), size)]


# -- TRS: container-first createPageHTML, .shtml pages, the last page written by document.writeln ------------
def trs_portal(portal: Portal) -> FamilyPortal:
    """hubei / Wuhan (research §3): ``createPageHTML('page_div', 4, 1, 'index', 'shtml', 10)``; the
    last page's rows are scripts (``var url = "./…"; var title = "…"; document.writeln(…)``)."""
    agency = "示例市交通运输局"
    fp = FamilyPortal("trs", f"{portal.base}/xxgk/nb/index.shtml",
                      entries(agency, lambda i, y: f"/xxgk/nb/{y}01/t{y}0120_{700 + i}.shtml", 100))
    groups = pages(fp.entries)
    for n, group in enumerate(groups):
        if n < len(groups) - 1:
            rows = "".join(li(e, k) for k, e in enumerate(group))
        else:  # Wuhan gfxwj: no <a> at all in the HTML
            rows = "".join(
                f'<script>var url = ".{e.path.removeprefix("/xxgk/nb")}"; var title = "{e.title}"; '
                f'var FILENUM = "示交〔2026〕{k}号"; document.writeln("<li><a href="+url+" target=\'_blank\' title=\'"+title+"\'>"+title+"</a>");'
                f' document.writeln("<span>{e.date} 17:32</span></li>");</script>' for k, e in enumerate(group))
        pager = f"<div id='page_div'></div><script>createPageHTML('page_div',4, {n + 1},'index','shtml',10);</script>"
        name = "index.shtml" if n == 0 else f"index_{n}.shtml"
        portal.set(f"/xxgk/nb/{name}", f"<html><head><meta charset='utf-8'><title>政府信息公开年报</title></head><body>"
                   f"<div class='nav'><a href='/'>首页</a></div><ul class='list'>{rows}</ul>{pager}</body></html>".encode())
    serve_details(portal, fp, 100)
    return fp


# -- static: ?page=N links with 下一页 ----------------------------------------------------------------
def static_portal(portal: Portal) -> FamilyPortal:
    """A plain server-rendered list (research §3, JSP/action params): ``list.jsp?cur_page=N`` links."""
    agency = "示例市自然资源局"
    fp = FamilyPortal("static", f"{portal.base}/zwgk/zfxxgknb/list.jsp",
                      entries(agency, lambda i, y: f"/zwgk/zfxxgknb/content_{y}_{800 + i}.html", 200))
    groups = pages(fp.entries)

    def listing(req: Request) -> tuple[int, dict[str, str], bytes]:
        n = int(req.query.get("cur_page", "1"))
        if not 1 <= n <= len(groups):
            return 200, HTML, b"<html><body><ul></ul></body></html>"
        rows = "".join(li(e, k) for k, e in enumerate(groups[n - 1]))
        nav = "".join(f'<a href="list.jsp?cur_page={k}">{k}</a>' for k in range(1, len(groups) + 1))
        nxt = f'<a href="list.jsp?cur_page={n + 1}">下一页</a>' if n < len(groups) else ""
        return 200, HTML, (f"<html><head><meta charset='utf-8'></head><body><ul>{rows}</ul><div class='pages'>{nav}{nxt}"
                           f"</div><div class='footer'><a href='/about.html'>关于我们</a></div></body></html>").encode()

    portal.handle("/zwgk/zfxxgknb/list.jsp", listing)
    serve_details(portal, fp, 200)
    return fp


# -- Hanweb jpage ---------------------------------------------------------------------------------------
def _datastore(records: list[Entry], total: int, nextgroup: str, style0: int = 0) -> str:
    recs = "".join(f"<record><![CDATA[{li(e, style0 + k)}]]></record>\n" for k, e in enumerate(records))
    return (f"<datastore>\n<totalrecord>{total}</totalrecord><totalpage>{-(-total // PER_PAGE)}</totalpage>\n"
            f"<nextgroup><![CDATA[<a href=\"{nextgroup}\"></a>]]></nextgroup>\n<recordset>\n{recs}</recordset>\n</datastore>")


def hanweb_jpage_portal(portal: Portal, mode: str = "groups", column: int = 1229, agency: str = "示例市发展和改革委员会",
                        prefix: str = "", seed: int = 300) -> FamilyPortal:
    """jiangsu.gov.cn's island (research §1) and the three ways sites answer for later pages:
    ``groups`` — POST startrecord/endrecord, three pages per group, groups ≥ 2 repeating the
    previous group's last row (nhsa); ``page_only`` — startrecord ignored, only ``page`` counts
    (盐城/东台); ``column_pages`` — no proxy, ``?uid=&pageNum=N`` on the column page (sthjt.jiangxi)."""
    unit = str(5000 + column % 1000)
    fp = FamilyPortal("hanweb_jpage", f"{portal.base}{prefix}/col/col{column}/index.html",
                      entries(agency, lambda i, y: f"{prefix}/art/{y}/1/2{i % 9}/art_{column}_{11828200 + i}.html", seed))
    total = len(fp.entries)
    proxy = "/module/web/jpage/dataproxy.jsp"
    nextgroup = f"{proxy}?page=1&appid=1&webid=7&path=/&columnid={column}&unitid={unit}&webname=示例市人民政府&permissiontype=0"

    def column_page(req: Request) -> tuple[int, dict[str, str], bytes]:
        n = int(req.query.get("pageNum", "1")) if mode == "column_pages" and req.query.get("uid") == unit else 1
        records = fp.entries[(n - 1) * PER_PAGE: n * PER_PAGE]
        return 200, HTML, (
            f"<html><head><meta charset='utf-8'><meta name='ColumnName' content='政府信息公开年报'></head><body>"
            f"<div id='{unit}'><script type='text/xml'>{_datastore(records, total, nextgroup)}</script></div>"
            f"<script>var param_{unit}={{columnid:{column},unitid:'{unit}',webid:'7'}};"
            f"$('#{unit}').jpage({{dataStore:'',totalRecord:{total},perPage:{PER_PAGE},proxyUrl:'{proxy}',"
            f"ajaxParam:param_{unit}}});</script></body></html>").encode()

    def dataproxy(req: Request) -> tuple[int, dict[str, str], bytes]:
        params = {**req.query, **req.form}
        if mode == "column_pages" or params.get("columnid") != str(column) or params.get("unitid") != unit:
            return 404, HTML, b"<html>404</html>"
        if mode == "groups":
            if req.method != "POST":
                return 405, HTML, b"<html>405</html>"
            start, end = int(params.get("startrecord", "1")), int(params.get("endrecord", str(3 * PER_PAGE)))
            records = fp.entries[start - 1: end]
            if start > 1 and records:
                records = [fp.entries[start - 2], *records]  # nhsa: the previous group's last row again
        else:  # page_only: startrecord ignored
            n = int(params.get("page", "1"))
            records = fp.entries[(n - 1) * PER_PAGE: n * PER_PAGE]
        nxt = nextgroup.replace(proxy, "./dataproxy.jsp")  # the proxy's own answer links relative to itself
        return 200, {"Content-Type": "text/xml;charset=UTF-8"}, _datastore(records, total, nxt, 1).encode()

    portal.handle(f"{prefix}/col/col{column}/index.html", column_page)
    # one proxy per site, shared by its columns: answers by columnid (a column_pages site has none)
    columns = portal.__dict__.setdefault("jpage_columns", {})
    if mode != "column_pages":
        columns[str(column)] = dataproxy
    portal.handle(proxy, lambda req: columns.get({**req.query, **req.form}.get("columnid", ""),
                                                 lambda _r: (404, HTML, b"<html>404</html>"))(req))
    serve_details(portal, fp, seed)
    return fp


# -- Hanweb xxgk module ---------------------------------------------------------------------------------
def hanweb_xxgk_portal(portal: Portal) -> FamilyPortal:
    """zjepb / Harbin (research §1b): POST /module/xxgk/search.jsp ``currpage=N`` answers the whole
    area's rows (``tr_main_value_odd``), another column's — and another agency's report — among them."""
    agency, column, other = "示例市生态环境局", 1300, 1400
    fp = FamilyPortal("hanweb_xxgk", f"{portal.base}/col/col{column}/index.html",
                      entries(agency, lambda i, y: f"/art/{y}/3/{i + 1}/art_{column}_{9000 + i}.html", 400))
    foreign = [Entry(f"示例市审计局{y}年政府信息公开工作年度报告", f"/art/{y + 1}/2/1/art_{other}_{9100 + k}.html",
                     f"{y + 1}-02-01", ("示例市审计局", y)) for k, y in enumerate((2024, 2023))]
    rows = [*fp.entries[:4], foreign[0], *fp.entries[4:8], foreign[1], *fp.entries[8:]]
    groups = pages(rows, 4)
    portal.set(f"/col/col{column}/index.html", (
        b"<html><head><meta charset='utf-8'></head><body><div id='div1300'></div>"
        b"<iframe src='/module/xxgk/tree.jsp?area=11330000&amp;divid=div1300' style='display:none'></iframe>"
        b"<script>var infotypeId = 'A0204'; var area = '11330000';"
        b"$.post('/module/xxgk/search.jsp?infotypeId=A0204&area=11330000&divid=div1300', {currpage: 1});</script>"
        b"</body></html>"))

    def search(req: Request) -> tuple[int, dict[str, str], bytes]:
        if req.method != "POST" or req.form.get("area") != "11330000" or req.form.get("divid") != "div1300":
            return 200, HTML, "<div>没有记录</div>".encode()
        n = int(req.form.get("currpage", "1"))
        group = groups[n - 1] if 1 <= n <= len(groups) else []
        trs = "".join(f"<tr class='tr_main_value_{'odd' if k % 2 else 'even'}'><td>{k}</td><td><a href='{e.path}' "
                      f"title='{h.escape(e.title)}' target='_blank'>{h.escape(e.title[:14])}</a></td><td>{e.date}</td></tr>"
                      for k, e in enumerate(group))
        return 200, HTML, (f"<table>{trs}</table><div>&nbsp;&nbsp;共{len(groups)}页&nbsp;"
                           f"<a href='javascript:void(0)' onclick='turnPage({n + 1})'>下一页</a></div>").encode()

    portal.handle("/module/xxgk/search.jsp", search)
    serve_details(portal, fp, 400)
    for e in foreign:
        portal.set(e.path, report_page(*e.report, seed=499))  # type: ignore[misc]
    return fp


# -- JPaaS unit build ----------------------------------------------------------------------------------
def jpaas_portal(portal: Portal) -> FamilyPortal:
    """mohurd / Taizhou (research §2a): the unitbuild.js script's ``queryData``; paging only through
    ``paramJson``; an empty ``data.html`` ends the list. One report's page also attaches its PDF."""
    agency, column = "示例市住房和城乡建设局", 1500
    fp = FamilyPortal("jpaas", f"{portal.base}/col/col{column}/index.html",
                      entries(agency, lambda i, y: f"/col/col{column}/art/{y}/art_{i:02d}a9f3c2d1e0b4{i:02d}77aa{i:02d}.html", 500))
    # one more item: the forged 北川 2023 report as an HTML page that also attaches the same report as PDF
    truth = json.loads((FORGE / "forge-23-2021-landscape.truth.json").read_text(encoding="utf-8"))
    both = Entry(f"{truth['agency']}{truth['year']}年政府信息公开工作年度报告", "/col/col1500/art/2024/art_beichuan.html",
                 "2024-03-01", (truth["agency"], truth["year"]))
    fp.entries.insert(4, both)
    groups = pages(fp.entries, 4)
    unit = "/api-gateway/jpaas-publish-server/front/page/build/unit"
    portal.set(f"/col/col{column}/index.html", (
        "<html><head><meta charset='utf-8'></head><body><div class='list'>"
        f"<script src='/AuthorizedRead/unitbuild.js' url='{unit}' "
        f"queryData=\"{{'webId':'7','tplSetId':'52','pageType':'column','tagId':'分页列表','editType':'null','pageId':'{column}'}}\">"
        "</script></div></body></html>").encode())

    def build(req: Request) -> tuple[int, dict[str, str], bytes]:
        q = req.query
        if q.get("parseType") != "bulidstatic" or q.get("tagId") != "分页列表" or q.get("pageId") != str(column):
            return 200, JSON_TYPE, json.dumps({"success": False, "code": 500, "data": None}).encode()
        n = json.loads(q.get("paramJson") or "{}").get("pageNo", 1)  # bare pageNo is ignored (Taizhou)
        group = groups[n - 1] if 1 <= n <= len(groups) else []
        html = "".join(f'<li><a href="{e.path}" title="{h.escape(e.title)}">{h.escape(e.title)}</a><span>[{e.date}]</span></li>'
                       for e in group)
        return 200, JSON_TYPE, json.dumps({"success": True, "code": 200, "data": {"html": f"<ul>{html}</ul>" if html else ""}},
                                          ensure_ascii=False).encode()

    portal.handle(unit, build)
    serve_details(portal, fp, 500)
    pdf = forge_doc("forge-23-2021-landscape.pdf").read_bytes()
    page = render_html(truth).replace(b"</body>", b"<p>\xe9\x99\x84\xe4\xbb\xb6\xef\xbc\x9a<a href='/u/cms/2024/nb2023.pdf'>"
                                      + "年报.pdf".encode() + b"</a></p></body>")
    fp.truths[both.report] = truth  # type: ignore[index]
    portal.set(both.path, page)
    portal.set("/u/cms/2024/nb2023.pdf", pdf, "application/pdf")
    fp.served[portal.base + both.path] = page
    fp.served[portal.base + "/u/cms/2024/nb2023.pdf"] = pdf
    return fp


# -- Guangdong gkmlpt ------------------------------------------------------------------------------------
def gkmlpt_portal(portal: Portal) -> FamilyPortal:
    """Zhaoqing / whly.gd (research §2b): ``window._CONFIG = {SID, TREE}``, the annual-report node
    found by name; ``/gkmlpt/api/all/{cat}?page=N&sid=S`` with Unix dates; ``post_count`` ends it."""
    agency, cat, sid = "示例市文化广电旅游局", 2629, "758019"
    fp = FamilyPortal("gkmlpt", f"{portal.base}/sjwg/gkmlpt/annualreport",
                      entries(agency, lambda i, y: f"/sjwg/gkmlpt/content/3/3255/post_32554{i:02d}.html", 600))
    groups = pages(fp.entries, 5)
    tree = [{"id": 2972, "name": "通知公告", "post_count": 40, "children": [], "jump_url": ""},
            {"id": cat, "name": "政府信息公开年报", "post_count": len(fp.entries), "children": [], "jump_url": ""}]
    portal.set("/sjwg/gkmlpt/annualreport", (
        "<html><head><meta charset='utf-8'></head><body><div id='app'></div><script>window._CONFIG = {SID:'" + sid
        + "', TREE:" + json.dumps(tree, ensure_ascii=False) + ", PUBLIC_URL:'/sjwg/gkmlpt/'};</script></body></html>").encode())

    def api(req: Request) -> tuple[int, dict[str, str], bytes]:
        if req.query.get("sid") != sid:
            return 200, JSON_TYPE, b'{"articles":[]}'
        n = int(req.query.get("page", "1"))
        group = groups[n - 1] if 1 <= n <= len(groups) else []
        arts = [{"id": 3255400 + k, "title": e.title, "date": 1_700_000_000 + k * 86_400, "publisher": agency,
                 "url": portal.base + e.path, "identifier": f"11441200MB2C91453G/2024-{k:05d}"} for k, e in enumerate(group)]
        return 200, JSON_TYPE, json.dumps({"classify": {"id": cat, "name": "政府信息公开年报", "post_count": len(fp.entries)},
                                           "articles": arts}, ensure_ascii=False).encode()

    portal.handle(f"/sjwg/gkmlpt/api/all/{cat}", api)
    serve_details(portal, fp, 600)
    return fp


# -- Epoint EWB ----------------------------------------------------------------------------------------
def epoint_portal(portal: Portal) -> FamilyPortal:
    """Xuzhou (research §2c): siteGuid in /js/webBuilderCommon.js; POST JSON wrapped as
    ``{"token", "params"}`` (a bare body gets an empty ``custom``); 0-based ``pageIndex``; pageSize capped."""
    agency, guid = "示例市卫生健康委员会", "7eb5f7f1-9041-43ad-8e13-8fcb82ea831a"
    fp = FamilyPortal("epoint", f"{portal.base}/dynamic/zwgk/govInfoPub.html?categorynum=003006",
                      entries(agency, lambda i, y: f"/zwgk/003/003006/{y}0312/{i:02d}f1d0c2-7d1e-4c6b-9d0a-{y}.html", 700))
    portal.set("/dynamic/zwgk/govInfoPub.html", (
        b"<html><head><meta charset='utf-8'><script src='/js/webBuilderCommon.js'></script></head><body>"
        b"<ul id='infolist'></ul><script src='/dynamic/zwgk/js/govinfopub.js'></script></body></html>"))
    portal.set("/js/webBuilderCommon.js", f"var siteInfo = {{projectName: 'EWB-FRONT', siteGuid: '{guid}'}};".encode(),
               "application/javascript")

    def api(req: Request) -> tuple[int, dict[str, str], bytes]:
        params = (req.json or {}).get("params") if isinstance(req.json, dict) else None
        if req.method != "POST" or not isinstance(params, dict) or params.get("siteGuid") != guid \
                or params.get("categorynum") != "003006":
            return 200, JSON_TYPE, b'{"custom":"","status":{"code":0,"text":"params error"}}'
        size = min(int(params.get("pageSize", 20)), 4)  # the site caps pageSize
        index = int(params.get("pageIndex", 0))
        rows = fp.entries[index * size: (index + 1) * size]
        data = [{"title": e.title[:10], "realtitle": e.title, "infourl": e.path, "infodate": e.date,
                 "categoryname": "政府信息公开年报"} for e in rows]
        return 200, JSON_TYPE, json.dumps({"custom": {"total": len(fp.entries), "data": data}, "status": {"code": 1}},
                                          ensure_ascii=False).encode()

    portal.handle("/EWB-FRONT/rest/lightfrontaction/getgovinfolist", api)
    serve_details(portal, fp, 700)
    return fp


# -- /common/search --------------------------------------------------------------------------------------
def common_search_portal(portal: Portal) -> FamilyPortal:
    """Hainan / Gansu (research §2e): ``/common/search/<32-hex>?_isJson=true&page=N`` with
    ``data.total`` and ``data.results[]``; page 2 repeats an item of page 1 (loaded once)."""
    agency, channel = "示例市市场监督管理局", "5dd8d47a8b8d44c1b0b9c6f36d3fb2c2"
    fp = FamilyPortal("common_search", f"{portal.base}/c100432/xxgk_list.shtml",
                      entries(agency, lambda i, y: f"/c100432/{y}03/t{y}0315_{1001 + i}.shtml", 800))
    groups = pages(fp.entries, 4)
    portal.set("/c100432/xxgk_list.shtml", (
        "<html><head><meta charset='utf-8'></head><body><div id='list'></div><script>"
        f"var url = '/common/search/{channel}?_isAgg=true&_isJson=false&_pageSize=15&_template=index';"
        "</script></body></html>").encode())

    def api(req: Request) -> tuple[int, dict[str, str], bytes]:
        if req.query.get("_isJson") != "true":
            return 200, HTML, b"<html><body>template</body></html>"
        n = int(req.query.get("page", "1"))
        group = list(groups[n - 1]) if 1 <= n <= len(groups) else []
        if n == 2:
            group.insert(0, groups[0][-1])  # a row again
        results = [{"title": e.title, "url": portal.base + e.path, "publishedTimeStr": f"{e.date} 10:00:00"} for e in group]
        return 200, JSON_TYPE, json.dumps({"data": {"total": len(fp.entries), "rows": 4, "results": results}},
                                          ensure_ascii=False).encode()

    portal.handle(f"/common/search/{channel}", api)
    serve_details(portal, fp, 800)
    return fp


BUILDERS: dict[str, Callable[[Portal], FamilyPortal]] = {
    "trs": trs_portal,
    "static": static_portal,
    "hanweb_jpage": hanweb_jpage_portal,
    "hanweb_jpage_page_only": lambda p: hanweb_jpage_portal(p, "page_only", 1230, "示例市商务局", seed=320),
    "hanweb_jpage_column_pages": lambda p: hanweb_jpage_portal(p, "column_pages", 1231, "示例市水利局", "/jxssthjt", 340),
    "hanweb_xxgk": hanweb_xxgk_portal,
    "jpaas": jpaas_portal,
    "gkmlpt": gkmlpt_portal,
    "epoint": epoint_portal,
    "common_search": common_search_portal,
}


def catalog_entry(name: str, fp: FamilyPortal, **extra: object) -> dict:
    return {"name": name, "start_urls": [fp.start], "allowed_domains": ["127.0.0.1"], "allow_private_addresses": True,
            "rate_limit_seconds": 0, **extra}


# -- a whole site: column discovery from the home page ---------------------------------------------------
@dataclass
class Site:
    home: str
    county: FamilyPortal  # the county's own 年报 column (TRS), two hops from the home page
    bureau: FamilyPortal  # a department's 年报 column (Hanweb), under 部门信息公开 → 县教育局
    finance: FamilyPortal  # a department's column behind a location.replace shell and an <iframe>
    unknown: str  # a "政府信息公开年报" link whose page no family reads (a script-built app)
    never: set[str]  # guides, rules, news: never requested


def _page(title: str, links: list[tuple[str, str]]) -> bytes:
    a = "".join(f'<li><a href="{u}">{h.escape(t)}</a></li>' for u, t in links)
    return f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><ul class='nav'>{a}</ul></body></html>".encode()


def discovery_site(portal: Portal) -> Site:
    """A county portal as research §5 describes it: the 年报 column sits in the 政府信息公开 menu
    beside 指南 / 制度 / 依申请公开; departments' columns hang under 部门信息公开 by unit name."""
    county = FamilyPortal("trs", f"{portal.base}/zwgk/zfxxgknb/index.html",
                          entries("示例县人民政府", lambda i, y: f"/zwgk/zfxxgknb/{y}02/t{y}0201_{60 + i}.html", 900))
    for n, group in enumerate(pages(county.entries, 5)):
        pager = f'<script>createPageHTML(2, {n}, "index", "html");</script>'
        portal.set(f"/zwgk/zfxxgknb/index{'' if n == 0 else '_1'}.html",
                   _page("政府信息公开年报", [(".." + e.path.removeprefix("/zwgk"), e.title) for e in group]).replace(
                       b"</body>", pager.encode() + b"</body>"))
    serve_details(portal, county, 900)
    bureau = hanweb_jpage_portal(portal, "groups", 5501, "示例县教育局", "/jyj", 950)
    portal.set("/index.html", _page("示例县人民政府", [("/index.html", "首页"), ("/xwzx/index.html", "新闻中心"),
                                                      ("/zwgk/index.html", "政务公开"), ("/bsfw/index.html", "办事服务")]))
    portal.set("/zwgk/index.html", _page("政务公开", [
        ("/zwgk/zfxxgkzn/index.html", "政府信息公开指南"), ("/zwgk/zfxxgkzd/index.html", "政府信息公开制度"),
        ("/zwgk/zfxxgknb/index.html", "政府信息公开年报"), ("/zwgk/ysqgk/index.html", "依申请公开"),
        ("/zwgk/bmxxgk/index.html", "部门信息公开")]))
    portal.set("/zwgk/bmxxgk/index.html", _page("部门信息公开", [
        ("/jyj/index.html", "县教育局"), ("/czj/index.html", "县财政局"), ("/wjj/index.html", "县卫生健康局"),
        ("/xwzx/index.html", "新闻中心")]))
    portal.set("/jyj/index.html", _page("县教育局", [("/jyj/jgzn/index.html", "机构职能"),
                                                    ("/jyj/col/col5501/index.html", "政府信息公开年报")]))
    portal.set("/czj/index.html", _page("县财政局", [("/czj/nb/index.html", "政府信息公开年报")]))
    portal.set("/czj/nb/index.html", b"<html><script>location.replace('/czj/nb/frame.html')</script></html>")
    portal.set("/czj/nb/frame.html", b"<html><body><div class='top'>\xe5\xb9\xb4\xe6\x8a\xa5</div>"
               b"<iframe src='/czj/nb/list.html' width='100%'></iframe></body></html>")
    finance = FamilyPortal("page", f"{portal.base}/czj/nb/list.html",
                           entries("示例县财政局", lambda i, y: f"/czj/nb/{y}/nb_{i}.html", 970)[:4])
    portal.set("/czj/nb/list.html", _page("年报", [(e.path, e.title) for e in finance.entries]))
    serve_details(portal, finance, 970)
    portal.set("/wjj/index.html", _page("县卫生健康局", [("/wjj/nb/index.html", "政府信息公开年报")]))
    portal.set("/wjj/nb/index.html", b"<html><body><div id='app'></div><script src='/wjj/static/app.8f3a.js'></script></body></html>")
    for path in ("/zwgk/zfxxgkzn/index.html", "/zwgk/zfxxgkzd/index.html", "/zwgk/ysqgk/index.html", "/xwzx/index.html",
                 "/bsfw/index.html", "/jyj/jgzn/index.html"):
        portal.set(path, _page("other", []))
    return Site(f"{portal.base}/index.html", county, bureau, finance, f"{portal.base}/wjj/nb/index.html",
                {"/zwgk/zfxxgkzn/index.html", "/zwgk/zfxxgkzd/index.html", "/zwgk/ysqgk/index.html", "/xwzx/index.html",
                 "/bsfw/index.html", "/jyj/jgzn/index.html"} | county.distractor_paths | bureau.distractor_paths | finance.distractor_paths)


# -- anti-bot answers ------------------------------------------------------------------------------------
RUISHU_412 = (b"<html><head><meta http-equiv='Content-Type' content='text/html; charset=utf-8'></head><body>"
              b"<script type='text/javascript' r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=84770;$_ts.cd='qEcr';"
              b"</script><script type='text/javascript' charset='utf-8' src='/4QbVtADbnLVIc/c.FxJzG50F.dfe1675.js' r='m'>"
              b"</script></body></html>")
JIASULE_521 = (b"<html><body><script>document.cookie=('_')+('_')+('j')+('s')+('l')+('_')+('c')+('l')+('e')+('a')+('r')"
               b"+('a')+('n')+('c')+('e')+('_')+('s')+('=')+('1')+('6')+('8')+('0');location.href=location.pathname"
               b"+location.search</script></body></html>")
EDGEONE_200 = (b"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body><script>var WTKkN='';"
               b"document.cookie='__tst_status='+WTKkN+'#;';location.reload();</script></body></html>")


def blocking_portal(portal: Portal) -> dict[str, str]:
    """Paths answering with the challenges of research §4: 瑞数 412 (``$_ts``), 加速乐 521 (a
    ``__jsluid_h`` cookie and a script that would compute ``__jsl_clearance``), EdgeOne's 200 shell."""
    portal.routes["/ruishu/nb/index.html"] = _challenge(412, RUISHU_412)
    portal.routes["/jsl/nb/index.html"] = _challenge(521, JIASULE_521, {"Set-Cookie": "__jsluid_h=8d1f6e0b2b9c; max-age=31536000; path=/"})
    portal.routes["/eo/nb/index.html"] = _challenge(200, EDGEONE_200, {"Set-Cookie": "EO_Bot_Ssid=1623; path=/"})
    portal.set("/ruishu/nb/index_1.html", _page("年报", []))
    return {"ruishu": "/ruishu/nb/index.html", "jsl": "/jsl/nb/index.html", "eo": "/eo/nb/index.html"}


def _challenge(status: int, body: bytes, headers: dict[str, str] | None = None) -> Route:
    return Route(handler=lambda _req: (status, {"Content-Type": "text/html", **(headers or {})}, body))
