"""Hanweb (大汉) JCMS: ``/col/colN/index.html`` columns.

``hanweb_jpage``: page 1 is an XML island (``<script type="text/xml"><datastore>`` with CDATA
records) and the pager (``jpage``) fetches later groups from ``dataproxy.jsp``. Sites answer one of
three ways, so the walk tries them in turn and keeps the first that brings new items:

1. POST ``dataproxy.jsp?startrecord=s&endrecord=e&perpage=p`` with the column's parameters as a
   form (a group of three pages per request; nhsa repeats the previous group's last row);
2. GET the ``<nextgroup>`` href with ``page=N`` (sites that ignore ``startrecord``);
3. the column page itself with ``?uid=U&pageNum=N`` (server-rendered pages).

``hanweb_xxgk``: the 信息公开 module, POST ``/module/xxgk/search.jsp`` with ``currpage=N``, which
answers an HTML fragment for the whole area — narrowed to the column's ``art_<col>_`` items.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from pipelines.scrape.cms.base import (
    Fetch,
    ListingItem,
    ListingRequest,
    Page,
    anchors,
    cdata_items,
    new_items,
)

_PARAM = re.compile(r"var\s+param_\w+\s*=\s*\{([^}]*)\}")
_PAIR = re.compile(r"(\w+)\s*:\s*['\"]?([^,'\"}]*)['\"]?")
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[.*?href=['\"]([^'\"]+)['\"]", re.S)
_PROXY = re.compile(r"proxyUrl\s*:\s*['\"]([^'\"]+)['\"]")
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>|totalRecord\s*:\s*(\d+)", re.I)
_PER_PAGE = re.compile(r"perPage\s*:\s*(\d+)")
_DEFAULT_PROXY = "/module/web/jpage/dataproxy.jsp"
_FORM_KEYS = ("col", "appid", "webid", "path", "columnid", "unitid", "webname", "permissiontype", "sourceContentType")


def _total(text: str) -> int | None:
    m = _TOTAL.search(text)
    return int(m.group(1) or m.group(2)) if m else None


class HanwebJpageFamily:
    name = "hanweb_jpage"

    def detect(self, page: Page) -> bool:
        return "<datastore>" in page.text or ("dataproxy.jsp" in page.text and "jpage" in page.text)

    def walk(self, page: Page, fetch: Fetch) -> Iterator[list[ListingItem]]:
        seen: set[str] = set()
        first = new_items(cdata_items(page.text, page.url), seen)
        yield first
        params: dict[str, str] = {"col": "1", "appid": "1", "path": "/", "permissiontype": "0"}
        nextgroup = _NEXTGROUP.search(page.text)
        proxy = urljoin(page.url, _DEFAULT_PROXY)
        if nextgroup:
            href = urljoin(page.url, nextgroup.group(1).replace("&amp;", "&"))
            proxy = href.split("?")[0]
            params.update(dict(parse_qsl(urlsplit(href).query)))
        if m := _PARAM.search(page.text):
            params.update({k: v.strip() for k, v in _PAIR.findall(m.group(1))})
        if m := _PROXY.search(page.text):
            proxy = urljoin(page.url, m.group(1))
        per_page = int(m.group(1)) if (m := _PER_PAGE.search(page.text)) else max(len(first), 15)
        total = _total(page.text)
        if total is not None and len(first) >= total:
            return
        for variant in (self._groups, self._pages, self._column_pages):
            progressed = False
            for batch in variant(page, proxy, params, per_page, total, fetch, seen):
                progressed = progressed or bool(batch)
                yield batch
            if progressed:
                return

    @staticmethod
    def _groups(page: Page, proxy: str, params: dict[str, str], per_page: int, total: int | None, fetch: Fetch,
                seen: set[str]) -> Iterator[list[ListingItem]]:
        group = per_page * 3
        start = 1
        while total is None or start <= total:
            query = urlencode({"startrecord": start, "endrecord": start + group - 1, "perpage": per_page})
            form = {k: params[k] for k in _FORM_KEYS if k in params}
            got = fetch(ListingRequest(f"{proxy}?{query}", "POST", form=form, headers={"Referer": page.url}, probe=start == 1))
            if got is None:
                return
            total = total if total is not None else _total(got.text)
            batch = new_items(cdata_items(got.text, page.url), seen)
            yield batch
            if not batch:
                return  # past the end, or a site that ignores startrecord (the next variant's turn)
            start += group

    @staticmethod
    def _pages(page: Page, proxy: str, params: dict[str, str], per_page: int, total: int | None, fetch: Fetch,
               seen: set[str]) -> Iterator[list[ListingItem]]:
        if "columnid" not in params:
            return
        query = {k: v for k, v in params.items() if k != "col"}
        yield from _numbered(lambda n: ListingRequest(f"{proxy}?{urlencode({**query, 'page': n})}",
                                                      headers={"Referer": page.url}, probe=n == 2),
                             page, per_page, total, fetch, seen)

    @staticmethod
    def _column_pages(page: Page, proxy: str, params: dict[str, str], per_page: int, total: int | None,
                      fetch: Fetch, seen: set[str]) -> Iterator[list[ListingItem]]:
        unit = params.get("unitid")
        if not unit:
            return
        column = page.url.split("?")[0]
        yield from _numbered(lambda n: ListingRequest(f"{column}?{urlencode({'uid': unit, 'pageNum': n})}"),
                             page, per_page, total, fetch, seen)


def _numbered(request: Callable[[int], ListingRequest], page: Page, per_page: int, total: int | None, fetch: Fetch,
              seen: set[str]) -> Iterator[list[ListingItem]]:
    """Pages 2, 3, … of a jpage list (its records in CDATA), until the total or a page with nothing new."""
    n = 2
    while total is None or (n - 1) * per_page < total:
        got = fetch(request(n))
        if got is None:
            return
        batch = new_items(cdata_items(got.text, page.url), seen)
        yield batch
        if not batch:
            return
        n += 1


_XXGK = re.compile(r"/module/xxgk/(?:search|tree)\.jsp\?([^'\"\s<>]*)")
_XXGK_FIELD = re.compile(r"\b(infotypeId|jdid|area|divid)\s*[:=]\s*['\"]([^'\"]*)['\"]")
_PAGES = re.compile(r"共\s*(?:&nbsp;)*\s*(\d+)\s*(?:&nbsp;)*\s*页")


class HanwebXxgkFamily:
    name = "hanweb_xxgk"

    def detect(self, page: Page) -> bool:
        return bool(_XXGK.search(page.text))

    def walk(self, page: Page, fetch: Fetch) -> Iterator[list[ListingItem]]:
        fields: dict[str, str] = {}
        for m in _XXGK.finditer(page.text):
            fields.update(dict(parse_qsl(m.group(1).replace("&amp;", "&"))))
        fields.update(dict(_XXGK_FIELD.findall(page.text)))
        column = re.sub(r"\D", "", fields.get("divid", "")) or (re.search(r"/col/col(\d+)/", page.url) or [None, ""])[1]
        form = {"infotypeId": fields.get("infotypeId", ""), "jdid": fields.get("jdid", ""), "area": fields.get("area", ""),
                "divid": fields.get("divid", f"div{column}"), "vc_title": "", "vc_number": "", "vc_filenumber": "",
                "vc_all": "", "texttype": "", "fbtime": "-1", "sortfield": ",createdatetime:0,orderid:0",
                "standardXxgk": "1", "isAllList": "1"}
        search = urljoin(page.url, "/module/xxgk/search.jsp")
        seen: set[str] = set()
        pages, n = None, 1
        while pages is None or n <= pages:
            got = fetch(ListingRequest(search, "POST", form={**form, "currpage": str(n)},
                                       headers={"Referer": page.url, "X-Requested-With": "XMLHttpRequest"}))
            if got is None:
                return
            if pages is None:
                pages = int(m.group(1)) if (m := _PAGES.search(got.text)) else 1
            items = [i for i in anchors(got.text, page.url) if "/module/xxgk/" not in i.url]
            fresh = new_items(items, seen)
            if not fresh:
                return  # past the end (or a site repeating its last page)
            # search.jsp answers the whole area: keep this column's art_<col>_ items (and any not so named)
            yield [i for i in fresh if not column or f"art_{column}_" in i.url or not re.search(r"art_\d+_", i.url)]
            n += 1
