"""What a document states about itself besides the report: the government site it belongs to and
when it was published. Both decide, at load time, under which agency and in which order a version
counts (warehouse/identity.py, warehouse/sql/load.sql): never the order of a batch.

- The site: the meta tags every page of a 政府网站 carries under the national site specification
  (``<meta name="SiteIDCode">``, the site's 网站标识码, else ``<meta name="SiteName">``).
- The publication date: ``<meta name="PubDate">``, else a labelled line near the top of the text
  (``发布日期：2020-01-31``, ``发布时间: 2023-02-20 15:07``), else the date it was written
  (``成文日期``). Only a labelled date counts: the date a report signs off with is not looked for.
"""

from __future__ import annotations

import re
from datetime import datetime

from selectolax.lexbor import LexborHTMLParser

HEAD_LINES = 80  # a page's 发布日期 line stands above or just below the title
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})\s*日?(?:\s*(\d{1,2})\s*[:：]\s*(\d{2}))?")
# the labels in order of preference: the publication before the date of writing
_LABELS = (re.compile(r"(?:发布日期|发布时间|公开日期|发布于)\s*[：:]?\s*"), re.compile(r"(?:成文日期|发文日期)\s*[：:]?\s*"))
_SITE_TAGS = ("siteidcode", "sitename")


def stated_date(value: str) -> str | None:
    """``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM`` of the date ``value`` starts with; None when it starts
    with none (a label followed by other words states no date) or it is no calendar date."""
    m = _DATE.match(value.strip())
    if m is None:
        return None
    year, month, day, hour, minute = (int(x) if x else None for x in m.groups())
    try:
        when = datetime(year, month, day, hour or 0, minute or 0)  # type: ignore[arg-type]
    except ValueError:
        return None
    return when.strftime("%Y-%m-%dT%H:%M") if hour is not None else when.strftime("%Y-%m-%d")


def date_in_text(lines: list[str]) -> str | None:
    """The publication date a labelled line among the first lines states."""
    head = lines[:HEAD_LINES]
    for label in _LABELS:
        for line in head:
            m = label.search(line)
            if m and (found := stated_date(line[m.end():])):
                return found
    return None


def page_meta(tree: LexborHTMLParser) -> tuple[str | None, str | None]:
    """(site, publication date) from a page's meta tags: the site as ``SiteIDCode`` states it,
    else its ``SiteName``."""
    tags: dict[str, str] = {}
    for node in tree.css("meta[name]"):
        name, content = (node.attributes.get("name") or "").strip().lower(), (node.attributes.get("content") or "").strip()
        if content and name not in tags:
            tags[name] = content
    site = next((tags[t] for t in _SITE_TAGS if tags.get(t)), None)
    published = next((d for t in ("pubdate", "publishdate") if tags.get(t) and (d := stated_date(tags[t]))), None)
    return site, published
