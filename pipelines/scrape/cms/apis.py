"""Columns whose page is an empty shell filled by a JSON listing API (no browser needed: the API
is called the way the page's own script calls it).

- ``jpaas``: Hanweb JPaaS, ``<script src=…unitbuild.js url=… queryData="{'webId':…}">`` →
  GET ``…/front/page/build/unit?…&paramJson={"pageNo":N,"pageSize":"15"}`` → ``data.html``.
- ``gkmlpt``: Guangdong's 政府信息公开目录管理平台, ``window._CONFIG = {SID, TREE}`` →
  GET ``/gkmlpt/api/all/{category}?page=N&sid=S`` → ``articles[]`` (one API page = five shown).
- ``epoint``: Epoint EWB, ``govInfoPub.html?categorynum=…`` + ``siteGuid`` →
  POST JSON ``/{project}/rest/lightfrontaction/getgovinfolist`` (``pageIndex`` from 0) → ``custom.data[]``.
- ``common_search``: ``/common/search/<channel>?_isJson=true&page=N`` → ``data.results[]``.

Each ends on its own signal: an empty page, the declared total reached, or a page with nothing new.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from pipelines.scrape.cms.base import Fetch, ListingItem, ListingRequest, Page, anchors, date_in, new_items

_MAX_PAGES = 10_000  # a runaway API is stopped by the source's page cap long before this


def _json(page: Page | None) -> dict | None:
    if page is None:
        return None
    try:
        data = json.loads(page.text.strip().lstrip("\ufeff"))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _item(base: str, url: object, title: object, date: object) -> ListingItem | None:
    if not isinstance(url, str) or not url or not isinstance(title, str):
        return None
    if isinstance(date, int | float) and date > 10**8:  # Unix seconds (gkmlpt)
        when: str | None = datetime.fromtimestamp(date, UTC).strftime("%Y-%m-%d")
    else:
        when = date_in(str(date or ""))
    return ListingItem(urljoin(base, url), re.sub(r"<[^>]+>|\s+", "", title), when)


def _items(base: str, rows: list, url: tuple[str, ...], title: tuple[str, ...], date: tuple[str, ...]) -> list[ListingItem]:
    """Listing items from a JSON API's rows: each field the first of its keys that a row fills."""
    def first(row: dict, keys: tuple[str, ...]) -> object:
        return next((row[k] for k in keys if row.get(k)), None)

    return [i for r in rows if isinstance(r, dict)
            and (i := _item(base, first(r, url), first(r, title), first(r, date))) is not None]


# -- JPaaS ----------------------------------------------------------------------------------------
_UNIT = re.compile(r"<script\b[^>]*unitbuild\.js[^>]*>", re.I)
_ATTR = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _units(page: Page) -> list[tuple[str, dict]]:
    out = []
    for tag in _UNIT.findall(page.text):
        attrs = {k.lower(): a or b for k, a, b in _ATTR.findall(tag)}
        try:
            query = json.loads((attrs.get("querydata") or "").replace("&quot;", '"').replace("'", '"'))
        except ValueError:
            continue
        if attrs.get("url") and isinstance(query, dict):
            out.append((urljoin(page.url, attrs["url"]), query))
    return out


class JpaasFamily:
    name = "jpaas"

    def detect(self, page: Page) -> bool:
        return bool(_units(page))

    def walk(self, page: Page, fetch: Fetch) -> Iterator[list[ListingItem]]:
        seen: set[str] = set()
        for endpoint, query in _units(page):
            for n in range(1, _MAX_PAGES):
                params = {"parseType": "bulidstatic", **{k: str(v) for k, v in query.items()}, "editType": "null",
                          # wrapped in paramJson (Taizhou, Yangzhou ignore bare paging) and bare (mofcom)
                          "paramJson": json.dumps({"pageNo": n, "pageSize": "15"}, separators=(",", ":")), "pageNo": n}
                data = _json(fetch(ListingRequest(f"{endpoint}?{urlencode(params)}", headers={"Referer": page.url})))
                html = ((data or {}).get("data") or {}).get("html") if isinstance((data or {}).get("data"), dict) else None
                if not html or not html.strip():
                    break  # an empty data.html is the end
                batch = new_items(anchors(html, page.url), seen)
                yield batch
                if not batch:
                    break


# -- gkmlpt ---------------------------------------------------------------------------------------
_SID = re.compile(r"""\bSID\s*:\s*['"]?(\w+)""")
_NODE = re.compile(r"""\{\s*['"]?id['"]?\s*:\s*['"]?(\d+)['"]?\s*,\s*['"]?name['"]?\s*:\s*['"]([^'"]+)['"]""")
_ANNUAL = re.compile(r"年报|年度报告")


class GkmlptFamily:
    name = "gkmlpt"

    def detect(self, page: Page) -> bool:
        return "/gkmlpt/" in urlsplit(page.url).path + "/" and bool(_SID.search(page.text))

    def walk(self, page: Page, fetch: Fetch) -> Iterator[list[ListingItem]]:
        sid = _SID.search(page.text).group(1)  # type: ignore[union-attr]
        path = urlsplit(page.url).path
        root = urljoin(page.url, path[: path.index("/gkmlpt/") + len("/gkmlpt/")])
        fragment = urlsplit(page.url).fragment
        # the column in the URL (…/annualreport#2629), else the tree's annual-report nodes
        categories = [fragment] if fragment.isdigit() else [i for i, name in _NODE.findall(page.text) if _ANNUAL.search(name)]
        seen: set[str] = set()
        for cat in dict.fromkeys(categories):
            count = 0
            for n in range(1, _MAX_PAGES):
                data = _json(fetch(ListingRequest(f"{root}api/all/{cat}?{urlencode({'page': n, 'sid': sid})}",
                                                  headers={"Referer": page.url})))
                articles = (data or {}).get("articles") or []
                batch = new_items(_items(page.url, articles, ("url", "post_url"), ("title",), ("date", "display_publish_time")),
                                  seen)
                yield batch
                count += len(articles)
                total = ((data or {}).get("classify") or {}).get("post_count") if isinstance((data or {}).get("classify"), dict) else None
                if not batch or (isinstance(total, int) and count >= total):
                    break


# -- Epoint ---------------------------------------------------------------------------------------
_GUID = re.compile(r"""siteGuid['"]?\s*[:=]\s*['"]([\w-]+)['"]""")
_PROJECT = re.compile(r"""projectName['"]?\s*[:=]\s*['"]([\w-]+)['"]""")
_CATEGORY = re.compile(r"""categorynum['"]?\s*[:=]\s*['"]?(\d+)""", re.I)


class EpointFamily:
    name = "epoint"

    def detect(self, page: Page) -> bool:
        return "getgovinfolist" in page.text or ("categorynum=" in page.url and "webBuilderCommon" in page.text)

    def walk(self, page: Page, fetch: Fetch) -> Iterator[list[ListingItem]]:
        query = dict(parse_qsl(urlsplit(page.url).query))
        category = query.get("categorynum") or ((m := _CATEGORY.search(page.text)) and m.group(1)) or ""
        guid, project = _GUID.search(page.text), _PROJECT.search(page.text)
        if guid is None or project is None:  # the site's settings script holds them
            settings = fetch(ListingRequest(urljoin(page.url, "/js/webBuilderCommon.js")))
            text = settings.text if settings else ""
            guid, project = guid or _GUID.search(text), project or _PROJECT.search(text)
        api = urljoin(page.url, f"/{project.group(1) if project else 'EWB-FRONT'}/rest/lightfrontaction/getgovinfolist")
        seen: set[str] = set()
        size, wrapped, count = 20, False, 0
        for index in range(_MAX_PAGES):
            params = {"deptcode": query.get("deptcode", ""), "categorynum": category, "pageIndex": index,
                      "pageSize": size, "siteGuid": guid.group(1) if guid else ""}
            data = _json(fetch(ListingRequest(api, "POST", json={"token": "", "params": params} if wrapped else params,
                                              headers={"Referer": page.url})))
            custom = (data or {}).get("custom")
            if isinstance(custom, str):  # some projects send custom as a JSON string
                custom = _json(Page(api, custom))
            if not isinstance(custom, dict):
                if index == 0 and not wrapped:
                    wrapped = True  # projects that want {"token", "params"}: the same page again, wrapped
                    data = _json(fetch(ListingRequest(api, "POST", json={"token": "", "params": params},
                                                      headers={"Referer": page.url})))
                    custom = (data or {}).get("custom")
                if not isinstance(custom, dict):
                    return
            rows = custom.get("data") or []
            batch = new_items(_items(page.url, rows, ("infourl",), ("realtitle", "title"), ("infodate",)), seen)
            yield batch
            count += len(rows)
            total = custom.get("total")
            if not batch or (isinstance(total, int | str) and str(total).isdigit() and count >= int(total)):
                return


# -- /common/search ---------------------------------------------------------------------------------
_CHANNEL = re.compile(r"/common/search/([0-9a-f]{32})")


class CommonSearchFamily:
    name = "common_search"

    def detect(self, page: Page) -> bool:
        return bool(_CHANNEL.search(page.text))

    def walk(self, page: Page, fetch: Fetch) -> Iterator[list[ListingItem]]:
        channel = _CHANNEL.search(page.text).group(1)  # type: ignore[union-attr]
        seen: set[str] = set()
        count = 0
        for n in range(1, _MAX_PAGES):
            params = {"_isAgg": "true", "_isJson": "true", "_pageSize": 15, "_template": "index",
                      "_rangeTimeGte": "", "_channelName": "", "page": n}
            data = _json(fetch(ListingRequest(urljoin(page.url, f"/common/search/{channel}?{urlencode(params)}"),
                                              headers={"Referer": page.url})))
            body = (data or {}).get("data")
            if not isinstance(body, dict):
                return
            rows = body.get("results") or []
            batch = new_items(_items(page.url, rows, ("url",), ("title",), ("publishedTimeStr",)), seen)
            yield batch
            count += len(rows)
            total = body.get("total")
            if not batch or (isinstance(total, int) and count >= total):
                return
