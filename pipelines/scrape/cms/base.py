"""The interface every CMS family implements, and the page-reading helpers they share.

A family recognises a column page it knows (``detect``) and walks the column's listing from that
page (``walk``): it yields the items of each listing page, asking the crawler for every further
page through ``fetch`` (which applies the catalogue's hosts, robots.txt, politeness, the page cap
and the failure record, and returns None when a page cannot be had). The walk ends when the
family's own end signal says so (an empty page, the declared total, no new items) — never on a
guessed page count.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode


@dataclass(frozen=True)
class ListingItem:
    url: str
    title: str
    date: str | None = None


@dataclass(frozen=True)
class ListingRequest:
    """One listing request: a page, or a listing API's GET/POST with its parameters."""

    url: str
    method: str = "GET"
    form: dict[str, str] | None = None
    json: dict | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # A probe tries one of several ways a family's sites answer: its HTTP error means "not this
    # way", not a failure to record (the walk falls back to the next way).
    probe: bool = False


@dataclass(frozen=True)
class Page:
    """A fetched page: its URL (as asked, unless redirected), decoded text and the bytes served."""

    url: str
    text: str
    body: bytes | None = None


Fetch = Callable[[ListingRequest], Page | None]


class Family(Protocol):
    name: str

    def detect(self, page: Page) -> bool:
        """True when the page is a column page of this family."""
        ...

    def walk(self, page: Page, fetch: Fetch) -> Iterator[list[ListingItem]]:
        """The items of each listing page of the column, page 1 (``page``) first."""
        ...


_DATE = re.compile(r"((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_SPACE = re.compile(r"\s+")


def date_in(text: str) -> str | None:
    m = _DATE.search(text)
    return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else None


def _title(a: LexborNode) -> str:
    # The visible text is often cut short with "…" (and may carry the date); the title attribute
    # holds the whole title — unless it is the one cut short.
    text = _SPACE.sub("", a.text(deep=True))
    attr = _SPACE.sub("", a.attributes.get("title") or "")
    return attr if attr and not (attr.endswith(("…", "...")) and len(text) > len(attr)) else text


def _script_href(href: str) -> str | None:
    """The URL a ``javascript:`` link goes to (``window.location='…'``), if it says."""
    m = re.search(r"location(?:\.href)?\s*=\s*['\"]([^'\"]+)['\"]", href)
    return m.group(1) if m else None


def anchors(fragment: str, base_url: str) -> list[ListingItem]:
    """Every ``<a href>`` of an HTML page or fragment: absolute URL, whole title, the date printed
    beside it (in the link or its parent: ``<span>``, ``<i>``, a table cell)."""
    tree = LexborHTMLParser(fragment)
    base = tree.css_first("base[href]")
    if base is not None:
        base_url = urljoin(base_url, base.attributes.get("href") or "")
    out: list[ListingItem] = []
    for a in tree.css("a[href]"):
        href = html_lib.unescape((a.attributes.get("href") or "").strip())
        if href.lower().startswith("javascript:"):
            href = _script_href(href) or ""
        if not href or href.startswith(("mailto:", "#")):
            continue
        holder = a.parent if a.parent is not None and a.parent.tag not in ("body", "html") else a
        date = date_in(a.text(deep=True)) or date_in(holder.text(deep=True))
        if date is None and holder.parent is not None and holder.tag == "td":
            date = date_in(holder.parent.text(deep=True))
        out.append(ListingItem(urljoin(base_url, href).split("#")[0], _title(a), date))
    return out


_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_RECORD = re.compile(r"<record\b[^>]*>(.*?)</record>", re.S | re.I)
_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.S | re.I)
_WRITE = re.compile(r"document\.write(?:ln)?\(\s*(['\"])(.*?)\1\s*\)", re.S)
_VAR = re.compile(r"\b(url|href|link|title|name|date|time|pubdate)\s*=\s*(['\"])(.*?)\2", re.I | re.S)


def cdata_items(text: str, base_url: str) -> list[ListingItem]:
    """Items inside CDATA sections (Hanweb's ``<record><![CDATA[<li><a …>]]></record>``), which
    HTML parsers skip because they sit in a script or an XML document."""
    # In a datastore only the <record>s are items (<nextgroup> holds the pager's link)
    records = _RECORD.findall(text)
    blocks = [b for r in records for b in _CDATA.findall(r) or [r]] if records else _CDATA.findall(text)
    return [item for block in blocks for item in anchors(block, base_url)]


def script_items(text: str, base_url: str) -> list[ListingItem]:
    """Links only scripts write: ``document.writeln("<a href='…'>…</a>")`` strings, and rows built
    from variables (``var url = "./2026/t1.shtml"; var title = "…"; document.writeln("<a href="+url+…``)."""
    out: list[ListingItem] = []
    for script in _SCRIPT.findall(text):
        if "document.write" not in script:
            continue
        written = "".join(m.group(2) for m in _WRITE.finditer(script))
        out += [i for i in anchors(written.replace('\\"', '"').replace("\\'", "'"), base_url)
                if not i.url.endswith(("+url+", "+href+"))]
        values: dict[str, str] = {}
        for m in _VAR.finditer(script):
            values.setdefault(m.group(1).lower(), m.group(3))
        url = values.get("url") or values.get("href") or values.get("link")
        title = values.get("title") or values.get("name")
        if url and title and not url.startswith("javascript:"):
            when = values.get("date") or values.get("time") or values.get("pubdate") or ""
            out.append(ListingItem(urljoin(base_url, url), _SPACE.sub("", title), date_in(when) or date_in(script)))
    return out


def page_items(page: Page) -> list[ListingItem]:
    """Everything a listing page links to, however the link is written: ``<a>`` elements, CDATA
    records and script-written rows (duplicates by URL kept once, the longest title winning)."""
    found: dict[str, ListingItem] = {}
    for item in anchors(page.text, page.url) + cdata_items(page.text, page.url) + script_items(page.text, page.url):
        known = found.get(item.url)
        if known is None or len(item.title) > len(known.title):
            found[item.url] = item
    return list(found.values())


def new_items(batch: list[ListingItem], seen: set[str]) -> list[ListingItem]:
    """Items not listed before in this walk (groups that overlap, pages that repeat)."""
    out = [i for i in batch if i.url not in seen]
    seen.update(i.url for i in out)
    return out
