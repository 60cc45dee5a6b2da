"""Who owns a fetched page: the 网站标识码 every government page declares in
``<meta name="SiteIDCode" content="…">`` (《政府网站发展指引》, 国办发〔2017〕47号). A page whose code
belongs to another site is not the crawled site's (a mirror copying another portal, a page of
another site served on an allowed host); a page carrying the catalogue's own code confirms the owner."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

_CHEAP = re.compile(r"siteidcode", re.I)  # most pages: no need to parse when the word is absent


def site_id_code(html: str) -> str | None:
    """The page's declared site code (lower-cased, stripped), or None when it declares none."""
    if not _CHEAP.search(html):
        return None
    for meta in LexborHTMLParser(html).css("meta"):
        attrs = {k.lower(): v for k, v in meta.attributes.items()}
        if (attrs.get("name") or "").lower() == "siteidcode" and (attrs.get("content") or "").strip():
            return (attrs["content"] or "").strip().lower()
    return None
