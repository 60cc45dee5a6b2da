"""One listed site checked with the crawler's own discovery (listing pages only, no report
downloaded): its 年报 columns, the SiteIDCodes its pages declare, a start page moved to another host.

A page declaring another site's code stops the crawler there (``foreign_site``: a mirror's home page
is the only page asked of it). A start page redirecting to another host is recorded; the new host is
crawled only when its page declares the listed code (one request to read it), never otherwise.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from pipelines.parse.decode import decode_bytes
from pipelines.scrape.archive import Archive
from pipelines.scrape.catalog import Source
from pipelines.scrape.crawl import SourceOutcome, _SourceCrawler
from pipelines.scrape.fetch import Fetcher
from pipelines.scrape.ownership import site_id_code
from pipelines.sites.built import BuiltSite, Column, Meta, Status, site_domain
from pipelines.sites.entries import SiteEntry, gov_host


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _discover(name: str, url: str, entry: SiteEntry, fetcher: Fetcher, archive: Archive, options: dict) -> SourceOutcome:
    source = Source(name=name, start_urls=[url], allowed_domains=[site_domain(_host(url))], discover=True,
                    site_code=entry.site_code, **options)
    crawler = _SourceCrawler(source, fetcher, archive, {}, None)
    crawler.listing_items()
    crawler.out.requests = fetcher.requests_by_source.get(name, 0)
    return crawler.out


def _meta(listed: str | None, declared: dict[str, int]) -> Meta:
    if listed is None:
        return "unlisted"
    if listed.lower() in declared:
        return "confirmed"
    return "conflict" if declared else "absent"


def _moved(out: SourceOutcome, start: str) -> str | None:
    """Where the start page redirected, when that is outside the site's domain (the crawler did not follow it)."""
    for f in out.failures:
        if f.url == start and f.error_type == "off_catalog" and f.refused_url:
            return f.refused_url
    return None


def _declares(url: str, code: str, name: str, entry: SiteEntry, fetcher: Fetcher, options: dict) -> bool:
    """The moved-to page declares the listed code (one request, on the new host only)."""
    source = Source(name=name, start_urls=[url], allowed_domains=[_host(url)], **options)
    res = fetcher.get(url, source)
    if not res.ok:
        return False
    text, _ = decode_bytes(res.body or b"", res.final_url, res.charset)
    return site_id_code(text) == code.lower()


def check_site(key: str, name: str, entry: SiteEntry, fetcher: Fetcher, archive: Archive, options: dict) -> BuiltSite:
    """``options``: the crawl settings each probe source gets (rate_limit_seconds, discovery_depth,
    max_listing_pages, allow_private_addresses)."""
    checked_at = datetime.now(UTC)
    out = _discover(name, entry.url, entry, fetcher, archive, options)
    host, moved_to, followed = _host(entry.url), _moved(out, entry.url), False
    if moved_to is not None and entry.site_code and _declares(moved_to, entry.site_code, name, entry, fetcher, options):
        followed, host = True, _host(moved_to)
        first = out
        out = _discover(name, moved_to, entry, fetcher, archive, options)
        out.site_codes = {**first.site_codes, **out.site_codes}
    declared = dict(out.site_codes)
    meta = _meta(entry.site_code, declared)
    columns = [Column(url=url, family=family, reports=out.column_reports.get(url, 0),
                      first_year=min(out.column_years.get(url) or [0]) or None,
                      last_year=max(out.column_years.get(url) or [0]) or None,
                      publishers=out.column_agencies.get(url, []))
               for url, family in out.columns.items()]
    start_failed = any(f.url in (entry.url, moved_to) and f.stage in ("listing", "discovery")
                       and f.error_type not in ("foreign_site", "unknown_listing", "off_catalog") for f in out.failures)
    status: Status
    if meta == "conflict":
        status = "conflict"
    elif moved_to is not None and not followed:
        status = "moved"
    elif columns:
        status = "columns"
    elif start_failed:
        status = "unreachable"
    else:
        status = "none"
    site = entry.model_copy(update={"verified": checked_at.date()}) if meta == "confirmed" else entry
    return BuiltSite(key=key, name=name, site=site, verified_at=checked_at, status=status, meta=meta,
                     declared_codes=declared, host=host, gov_host=gov_host(f"http://{host}/"), moved_to=moved_to,
                     moved_followed=followed, columns=columns,
                     challenged=[f"{p} HTTP {s}" for p, s in out.challenged.items()],
                     failures=[f"{f.stage} {f.error_type} {f.url}" for f in out.failures],
                     listing_pages=out.listing_pages, requests=fetcher.requests_by_source.get(name, 0))
