"""Reading what listings point at: which items are annual reports of which agency and year, and
what a detail page holds (the report itself, or attachments). Listing pages themselves — their
items and their pagination — are read by the CMS families in ``pipelines/scrape/cms``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from pipelines.parse.identify import identify
from pipelines.parse.normalize import normalise_label
from schemas.labels import NOT_A_REPORT_TITLE, REPORT_TITLE

ATTACHMENT_SUFFIXES = (".pdf", ".doc", ".docx", ".wps", ".rtf", ".txt")
_YEAR_ONLY = re.compile(r"^(?:19|20)\d{2}年度?(?:政府)?信息公开")
_REPORT_TABLE_WORDS = ("申请人情况", "信息内容", "本年新收", "行政复议")


@dataclass(frozen=True)
class Link:
    url: str
    text: str


def page_links(html: str, base_url: str) -> list[Link]:
    """Every <a href> of a page as an absolute URL with its text (or title attribute)."""
    tree = LexborHTMLParser(html)
    base = tree.css_first("base[href]")
    base_url = urljoin(base_url, base.attributes.get("href") or "") if base is not None else base_url
    out: list[Link] = []
    for a in tree.css("a[href]"):
        href = (a.attributes.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        text = re.sub(r"\s+", "", a.text(deep=True)) or (a.attributes.get("title") or "").strip()
        out.append(Link(urljoin(base_url, href).split("#")[0], text))
    return out


def classify_title(title: str, agency_hint: str | None = None) -> tuple[str, int] | None:
    """(agency, year) when the title is an annual information-disclosure report; None for guides,
    key-points documents, catalogues, notices and everything else."""
    c = normalise_label(title)
    if not re.search(REPORT_TITLE, c) or re.search(NOT_A_REPORT_TITLE, c):
        return None
    agency, year, _ = identify([title])
    if year is None:
        return None
    if _YEAR_ONLY.search(c.replace(" ", "")) or not agency:
        agency = agency_hint  # "2023年政府信息公开工作年度报告" on an agency's own column
    return (agency, year) if agency else None


def is_attachment(link: Link) -> bool:
    path = urlsplit(link.url).path.lower()
    return path.endswith(ATTACHMENT_SUFFIXES) or link.text.lower().endswith(ATTACHMENT_SUFFIXES)


def embeds_report(html: str) -> bool:
    """A detail page that carries the report's tables itself (not just links to attachments)."""
    if "<table" not in html.lower():
        return False
    return sum(w in html for w in _REPORT_TABLE_WORDS) >= 2
