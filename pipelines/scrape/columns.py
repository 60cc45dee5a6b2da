"""Finding a site's 政府信息公开年报 columns from its home page or its 政府信息公开 page.

Users know a portal's address, not where its 年报 column hides. From a start page that is not a
listing itself, the crawler follows, within the catalogue's hosts and a bounded depth:

- **column links** — text naming the annual-report column (政府信息公开年报, 政府信息公开工作年度报告,
  公开年报, 部门年报 …, without a year: a year makes it one report, not a column) or a URL slug that
  does (``zfxxgknb``, ``gkndbg``, ``xxgknb``, ``frame=nb``, ``ndbg``, ``/gkmlpt/annualreport``);
- **hub links** — the 政府信息公开 / 政务公开 / 公开平台 pages and the 部门 / 乡镇 / 街道 lists, where
  departments' and towns' own columns hang;
- on a department or town list, the **units' own pages** (link text ending 局, 委, 办, 中心, 镇 …).

Guides, rules, catalogues and applications (指南, 制度, 目录, 依申请) are never followed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from pipelines.scrape.cms.base import ListingItem, Page, anchors

_COLUMN_TEXT = re.compile(r"^(?:[^0-9０-９]{0,30})(?:政府信息公开|政务公开|信息公开|公开)(?:工作)?(?:年报|年度报告)(?:专栏|栏目)?$"
                          r"|^(?:部门|乡镇|街道|镇街|区县|县区|市直)?(?:政府信息公开)?年报$|^年度报告$")
_COLUMN_URL = re.compile(r"zfxxgknb|gkndbg|xxgknb|xxgk-xxgknb|[?&]frame=nb\b|/ndbg\b|/nb/|gkmlpt/annualreport", re.I)
_HUB_TEXT = re.compile(r"政府信息公开|政务公开|信息公开|公开平台|公开目录?$|部门|乡镇|街道|镇街|区县|县区|市直|单位")
_HUB_URL = re.compile(r"/(?:zwgk|xxgk|zfxxgk|gkml|bmxxgk|zfxxgkml|xxgkml)(?:/|$|\.)", re.I)
_NEVER = re.compile(r"指南|制度|规定|依申请|申请表|目录$|要点|意见箱|信箱|办事|新闻|招聘|邮箱|登录|注册")
_UNIT = re.compile(r"(?:局|委|委员会|办|办公室|中心|院|所|队|镇|乡|街道|管委会|政府|集团|公司|署|厅|部)$")
_UNIT_LISTS = re.compile(r"部门|乡镇|街道|镇街|区县|县区|市直|单位")


@dataclass(frozen=True)
class Lead:
    url: str
    text: str
    kind: str  # column | hub | unit


def leads(page: Page, units: bool = False) -> list[Lead]:
    """The links on a page that may lead to an annual-report column, most promising first.
    ``units``: the page is a department / town list, so the units' own pages are leads too."""
    out: dict[str, Lead] = {}
    for link in anchors(page.text, page.url):
        if link.url.split("#")[0] == page.url.split("#")[0] and "#" not in link.url:
            continue
        lead = classify_link(link, units)
        if lead is not None and (link.url not in out or out[link.url].kind != "column"):
            out[link.url] = lead
    order = {"column": 0, "hub": 1, "unit": 2}
    return sorted(out.values(), key=lambda lead: order[lead.kind])


def classify_link(link: ListingItem, units: bool = False) -> Lead | None:
    text = link.title
    if re.search(r"(?:19|20)\d{2}", text):
        return None  # a dated title is one report (or news), not a column
    if _COLUMN_TEXT.search(text) or (_COLUMN_URL.search(link.url) and not _NEVER.search(text)):
        return Lead(link.url, text, "column")
    if _NEVER.search(text):
        return None
    if _HUB_TEXT.search(text) or (_HUB_URL.search(link.url) and not text):
        return Lead(link.url, text, "hub")
    if units and _UNIT.search(text) and len(text) <= 30:
        return Lead(link.url, text, "unit")
    return None


def lists_units(lead: Lead) -> bool:
    """A hub whose page lists departments or towns (their own pages are worth a look)."""
    return lead.kind == "hub" and bool(_UNIT_LISTS.search(lead.text))


_SHELL_MAX = 4096  # district column pages that only redirect are ~160 bytes
_JS_GO = re.compile(r"location(?:\.href)?(?:\.replace\()?\s*=?\s*\(?\s*['\"]([^'\"]+)['\"]")
_REFRESH = re.compile(r"<meta[^>]+http-equiv=['\"]?refresh['\"]?[^>]+url=([^'\">\s]+)", re.I)
_IFRAME = re.compile(r"<iframe[^>]+src=['\"]([^'\"]+)['\"]", re.I)


def shell_targets(page: Page) -> list[str]:
    """Where a shell page sends the reader: a tiny page that only redirects by script or meta
    refresh, or a page framing the real list in an ``<iframe>`` (Changzhou, Huai'an districts)."""
    out = [urljoin(page.url, m) for m in _IFRAME.findall(page.text)]
    if len(page.text) <= _SHELL_MAX:
        out += [urljoin(page.url, m) for m in _JS_GO.findall(page.text) + _REFRESH.findall(page.text)]
    return [u for u in dict.fromkeys(out) if u.startswith(("http://", "https://")) and u != page.url]
