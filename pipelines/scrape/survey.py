"""``nianbao discover-sources``: from a site's address to the catalogue entries a person reviews.

The crawler's own column discovery and listing walk run against the site (listing pages only: no
report is downloaded), and every 年报 column found becomes one proposed source with its CMS family
pinned — or is reported as a page no family reads.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from urllib.parse import urlsplit

import yaml

from pipelines.scrape.archive import Archive
from pipelines.scrape.catalog import Catalog, Source
from pipelines.scrape.crawl import Failure, _SourceCrawler
from pipelines.scrape.fetch import Fetcher


@dataclass(frozen=True)
class Survey:
    site: str
    columns: dict[str, str]  # column URL → family
    reports: dict[str, int]  # column URL → report items listed
    failures: list[Failure]
    allowed_domains: list[str]
    allow_private_addresses: bool = False

    def entries(self) -> list[dict]:
        host = re.sub(r"[^\w.-]", "-", urlsplit(self.site).hostname or "site")
        out = []
        for n, (url, family) in enumerate(self.columns.items(), 1):
            entry: dict = {"name": f"{host}-{n}", "start_urls": [url], "allowed_domains": list(self.allowed_domains)}
            if family != "page":
                entry["cms"] = family
            if self.allow_private_addresses:
                entry["allow_private_addresses"] = True
            out.append(entry)
        return out

    def yaml(self) -> str:
        notes = [f"# {url}: {self.columns[url]}, {self.reports.get(url, 0)} report item(s) listed" for url in self.columns]
        notes += [f"# not read: {f.url}: {f.error_type}" + (f" (HTTP {f.http_status})" if f.http_status else "")
                  for f in self.failures]
        body = yaml.safe_dump({"sources": self.entries()}, allow_unicode=True, sort_keys=False) if self.columns else "sources: []\n"
        return "\n".join([f"# columns found from {self.site}", *notes, body])


def survey_site(site: str, allowed_domains: list[str] | None = None, allow_private_addresses: bool = False,
                depth: int = 4, max_pages: int = 200, catalog: Catalog | None = None,
                fetcher: Fetcher | None = None) -> Survey:
    allowed = allowed_domains or [urlsplit(site).hostname or ""]
    source = Source(name="survey", start_urls=[site], allowed_domains=allowed, discover=True, discovery_depth=depth,
                    max_listing_pages=max_pages, allow_private_addresses=allow_private_addresses)
    catalog = (catalog or Catalog(sources=[])).model_copy(update={"sources": [source]})
    own = fetcher is None
    fetcher = fetcher or Fetcher(catalog)
    try:
        with tempfile.TemporaryDirectory(prefix="nianbao-survey-") as tmp:
            crawler = _SourceCrawler(source, fetcher, Archive(tmp), {}, None)
            crawler.listing_items()
    finally:
        if own:
            fetcher.close()
    out = crawler.out
    return Survey(site, dict(out.columns), dict(out.column_reports), list(out.failures), allowed, allow_private_addresses)
