"""Server-rendered listings: every page is a plain HTML page with the items as links (or as
``document.writeln`` rows), and the next pages are named by a pager script or links.

- ``trs``: TRS WCM and look-alikes. ``createPageHTML(count, current, "index", "html")``,
  container-first ``createPageHTML('page_div', count, current, 'fg', 'shtml', total)``,
  ``pageControl(count, current, "index", "shtml", …)``, ``totalPage: N`` with ``index_N.html``,
  → ``index.html``, ``index_1.html`` … ``index_{count-1}.html``.
- ``static``: any other server-rendered list — "下一页" links, ``list_N.html`` / ``index_N.shtml``
  links, ``?page=N`` / ``pageNum=N`` links — followed page by page until no new items come.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

from pipelines.scrape.cms.base import Fetch, ListingItem, ListingRequest, Page, anchors, new_items, page_items

_QUOTED = r"[\"']"
# createPageHTML(63, 0, "index", "shtml", …) — count, current, stem, extension
_TRS = re.compile(r"(?:createPageHTML|pageControl)\(\s*(\d+)\s*,\s*(\d+)\s*,\s*" + _QUOTED + r"(\w+)" + _QUOTED
                  + r"\s*,\s*" + _QUOTED + r"(\w+)" + _QUOTED)
# createPageHTML('page_div', 5, 1, 'fg', 'shtml', 89) — container first, current page 1-based
_TRS_CONTAINER = re.compile(r"createPageHTML\(\s*" + _QUOTED + r"[\w-]+" + _QUOTED + r"\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*"
                            + _QUOTED + r"(\w+)" + _QUOTED + r"\s*,\s*" + _QUOTED + r"(\w+)" + _QUOTED)
_TOTAL_PAGE = re.compile(r"totalPage\s*[:=]\s*(\d+)")
_NEXT_TEXT = re.compile(r"^(?:下一页|下页|后一页|next|>|»|›)$", re.I)
_PAGE_URL = re.compile(r"(?:[_/-](\d{1,4})\.s?html?$)|(?:[?&](?:page|pageNum|pageNo|pageIndex|currpage|cur_page|p)=(\d{1,4}))",
                       re.I)


def trs_pages(page: Page) -> list[str]:
    """Every page a TRS-style pager names, in order (empty when there is no such pager)."""
    if (m := _TRS.search(page.text)) or (m := _TRS_CONTAINER.search(page.text)):
        count, stem, ext = int(m.group(1)), m.group(3), m.group(4)
    elif m := _TOTAL_PAGE.search(page.text):
        name = urlsplit(page.url).path.rsplit("/", 1)[-1] or "index.html"
        stem, _, ext = name.partition(".")
        count, ext = int(m.group(1)), ext or "html"
    else:
        return []
    return [urljoin(page.url, f"{stem}.{ext}" if i == 0 else f"{stem}_{i}.{ext}") for i in range(min(count, 10_000))]


def _same_list(url: str, page_url: str) -> bool:
    """A pager link stays in the column's folder (a "下一页" on a site footer leads elsewhere)."""
    a, b = urlsplit(url), urlsplit(page_url)
    return a.netloc == b.netloc and a.path.rsplit("/", 1)[0] == b.path.rsplit("/", 1)[0]


def next_pages(page: Page) -> list[str]:
    """Pager links: "下一页" by text, and numbered page links of the same list."""
    out = []
    for link in anchors(page.text, page.url):
        if link.url == page.url or not _same_list(link.url, page.url):
            continue
        if _NEXT_TEXT.match(link.title) or (_PAGE_URL.search(link.url) and link.title.isdigit()):
            out.append(link.url)
    return out


class TrsFamily:
    name = "trs"

    def detect(self, page: Page) -> bool:
        return bool(trs_pages(page))

    def walk(self, page: Page, fetch: Fetch) -> Iterator[list[ListingItem]]:
        seen: set[str] = set()
        yield new_items(page_items(page), seen)
        for url in trs_pages(page):
            if url == page.url or urlsplit(url).path == urlsplit(page.url).path:
                continue
            got = fetch(ListingRequest(url))
            if got is None:
                continue  # a missing page is a recorded failure; the pages after it may still be there
            batch = new_items(page_items(got), seen)
            yield batch


class StaticFamily:
    """The fallback: a page whose links are the list, its pages found by pager links."""

    name = "static"

    def detect(self, page: Page) -> bool:
        return bool(next_pages(page))

    def walk(self, page: Page, fetch: Fetch) -> Iterator[list[ListingItem]]:
        seen: set[str] = set()
        visited = {page.url}
        queue = next_pages(page)
        yield new_items(page_items(page), seen)
        while queue:
            url = queue.pop(0)
            if url in visited:
                continue
            visited.add(url)
            got = fetch(ListingRequest(url))
            if got is None:
                continue
            batch = new_items(page_items(got), seen)
            yield batch
            if batch:  # a page with nothing new (page 1 under another URL, a page past the end) leads nowhere new
                queue += [u for u in next_pages(got) if u not in visited]
