"""One crawl of a catalogue: listing pages → report items → detail pages and attachments, every
body archived by sha256, every outcome (new / changed / unchanged / failed) recorded.

Sources run in parallel threads (up to the catalogue's ``max_concurrent_sources``; the fetcher
keeps each host polite: a minimum gap per host, robots.txt Crawl-delay, a cap on open connections),
pages of a source in order. Nothing here raises for a bad page: failures are collected with their stage and
type, and the crawl goes on. ``crawl()`` only reads the previous state it is given; ``record()``
writes the outcome in one DuckDB transaction.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.folder import SkippedFile, list_folder, skipped_lines
from pipelines.ingest import DocumentRef
from pipelines.parse.decode import decode_bytes
from pipelines.parse.html import picture_sources
from pipelines.parse.pictures import fetchable_urls
from pipelines.parse.report import IdentityHint
from pipelines.parse.sniff import sniff_media
from pipelines.scrape.archive import Archive
from pipelines.scrape.catalog import Catalog, Source
from pipelines.scrape.cms import Family, ListingRequest, Page, detect_family, family_named, page_items
from pipelines.scrape.columns import Lead, leads, lists_units, shell_targets
from pipelines.scrape.discover import Link, classify_title, embeds_report, is_attachment, page_links
from pipelines.scrape.fetch import Fetcher, FetchResult
from pipelines.scrape.ownership import site_id_code
from pipelines.sites.entries import read_site_code
from warehouse.documents import (
    KnownDocument,
    known_documents,
    previous_reports_found,
    record_crawl,
    record_publishers,
)
from warehouse.lifecycle import archived_urls, clear_gone, folder_documents, mark_gone

Progress = Callable[[str, str], None]  # (source name, what happened) — for progress bars and logs


@dataclass(frozen=True)
class FoundReport:
    """A report document found by this crawl (the page embedding it, or an attachment)."""

    source: str
    url: str
    agency: str | None
    year: int | None
    title: str
    sha256: str
    path: str
    size: int
    state: str  # new | changed | unchanged (fetched) | local (a folder source: read in place, not archived)
    pictures: tuple[tuple[str, str], ...] = ()  # a report page's table pictures: (URL, archived file)


@dataclass(frozen=True)
class Failure:
    source: str
    url: str
    stage: str  # listing | discovery | detail | attachment | picture
    error_type: str
    http_status: int | None
    message: str
    body_sha256: str | None = None  # the archived answer a person should look at (blocked, unknown_listing)
    refused_url: str | None = None  # off_catalog: the URL not requested (where a redirect pointed: a moved host)


@dataclass
class SourceOutcome:
    name: str
    started_at: datetime
    finished_at: datetime | None = None
    listing_pages: int = 0
    requests: int = 0
    columns: dict[str, str] = field(default_factory=dict)  # column URL → the CMS family that read it
    column_reports: dict[str, int] = field(default_factory=dict)  # column URL → report items listed there
    column_years: dict[str, list[int]] = field(default_factory=dict)  # column URL → the years its report items name
    column_agencies: dict[str, list[str]] = field(default_factory=dict)  # column URL → the agencies its report items name
    reports: list[FoundReport] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    new_versions: list[dict] = field(default_factory=list)  # rows for the documents table
    seen_versions: list[dict] = field(default_factory=list)  # rows whose last_seen/etag to update
    folder: str | None = None  # a folder source: the folder listed
    skipped: list[SkippedFile] = field(default_factory=list)  # a folder source: files not read, with why
    # anti-bot answers: host + path prefix → the status it came with (that prefix left alone for the crawl),
    # and the hosts left whole because enough of their prefixes were challenged
    challenged: dict[str, int | None] = field(default_factory=dict)
    hosts_left: list[str] = field(default_factory=list)
    site_codes: dict[str, int] = field(default_factory=dict)  # <meta name=SiteIDCode> → pages of this crawl declaring it

    def counts(self) -> dict[str, int]:
        states = [r.state for r in self.reports]
        return {"listing_pages": self.listing_pages, "requests": self.requests, "reports_found": len(self.reports),
                "documents_new": states.count("new"), "documents_changed": states.count("changed"),
                "documents_unchanged": states.count("unchanged"), "failures": len(self.failures)}


@dataclass
class CrawlResult:
    crawl_id: str
    sources: dict[str, SourceOutcome]
    previous_reports_found: dict[str, int] = field(default_factory=dict)
    # source → the region (GB/T 2260) of its agencies: the catalogue's, or its site code's once a page confirmed it
    regions: dict[str, str] = field(default_factory=dict)

    @property
    def reports(self) -> list[FoundReport]:
        """Every report found, the same bytes under two URLs once (the first URL found)."""
        out, seen = [], set()
        for outcome in self.sources.values():
            for r in outcome.reports:
                if r.sha256 not in seen:
                    seen.add(r.sha256)
                    out.append(r)
        return out

    @property
    def failures(self) -> list[Failure]:
        return [f for o in self.sources.values() for f in o.failures]

    def refs(self) -> list[DocumentRef]:
        return [DocumentRef(r.url, r.path, r.sha256, r.size,
                            IdentityHint(r.agency, r.year, r.title) if r.state != "local" else None, r.source,
                            r.pictures, self.regions.get(r.source))
                for r in self.reports]

    def silent_sources(self) -> list[str]:
        """Sources that found no report now although an earlier crawl found some."""
        return [n for n, o in self.sources.items() if not o.reports and self.previous_reports_found.get(n, 0) > 0]

    def lines(self) -> list[str]:
        reports = self.reports
        states = [r.state for r in reports]
        out = [f"crawl {self.crawl_id}: {len(self.sources)} source(s), {len(reports)} report document(s): "
               f"{states.count('new')} new, {states.count('changed')} changed, {states.count('unchanged')} unchanged; "
               f"{len(self.failures)} failure(s)"]
        for name, o in self.sources.items():
            c = o.counts()
            out.append(f"  {name}: {c['listing_pages']} listing page(s), {c['requests']} request(s), "
                       f"{c['reports_found']} report(s), {c['failures']} failure(s)")
        out += [f"  failed {f.stage} {f.url}: {f.error_type}" for f in self.failures]
        for name, o in self.sources.items():
            out += [f"  CHALLENGED {name}: {prefix} answered an anti-bot challenge (HTTP {status}); left alone "
                    "this crawl, the rest of its host was crawled" for prefix, status in o.challenged.items()]
            out += [f"  HOST LEFT {name}: {host} challenged too many path prefixes; nothing more was asked of it "
                    "this crawl" for host in o.hosts_left]
        out += skipped_lines([(k.path, k.reason) for o in self.sources.values() for k in o.skipped])
        out += [f"  SOURCE WENT SILENT: {n} found no report (earlier crawls found {self.previous_reports_found[n]})"
                for n in self.silent_sources()]
        return out


def _wanted(source: Source, link: Link) -> bool:
    if source.include and not any(re.search(p, link.url) or re.search(p, link.text) for p in source.include):
        return False
    return not any(re.search(p, link.url) or re.search(p, link.text) for p in source.exclude)


class _SourceCrawler:
    def __init__(self, source: Source, fetcher: Fetcher, archive: Archive, known: dict[str, KnownDocument],
                 progress: Progress | None) -> None:
        self.source, self.fetcher, self.archive, self.known = source, fetcher, archive, known
        self.progress = progress or (lambda _s, _m: None)
        self.out = SourceOutcome(source.name, datetime.now(UTC))
        self.walked: set[str] = set()  # listing pages a family asked for while walking a column (its later pages)

    def _get(self, url: str, stage: str, conditional: bool) -> FetchResult | None:
        prev = self.known.get(url) if conditional else None
        res = self.fetcher.get(url, self.source, prev.etag if prev else None, prev.last_modified if prev else None)
        self.progress(self.source.name, f"{stage} {url}")
        if not res.ok:
            self._fail(url, stage, res)
            return None
        return res

    def _fail(self, url: str, stage: str, res: FetchResult) -> None:
        if res.challenged_prefix is not None:
            self.out.challenged.setdefault(res.challenged_prefix, res.status)
            if res.left_host:
                self.out.hosts_left.append(res.challenged_prefix.split("/", 1)[0])
        kept = self.archive.put(res.body)[0] if res.error_type == "blocked" and res.body else None
        self.out.failures.append(Failure(self.source.name, url, stage, res.error_type or "error", res.status,
                                         res.error or "", kept, res.refused_url))

    def _store(self, url: str, res: FetchResult, role: str, title: str, agency: str | None, year: int | None,
               embedded_in: str | None = None) -> tuple[bytes, str, str]:
        """Archive the body (or take the archived one on a 304); returns (bytes, sha256, state)."""
        now = datetime.now(UTC)
        prev = self.known.get(url)
        if res.not_modified and prev is not None:
            body, sha = self.archive.get(prev.sha256), prev.sha256
        else:
            body = res.body or b""
            sha = self.archive.put(body)[0]
        common = {"url": url, "fetched_at": now, "last_seen": now, "etag": res.headers.get("etag"),
                  "last_modified": res.headers.get("last-modified"), "http_status": res.status}
        if prev is not None and prev.sha256 == sha:
            self.out.seen_versions.append({**common, "version": prev.version})
            return body, sha, "unchanged"
        version = prev.version + 1 if prev else 1
        self.out.new_versions.append({
            **common, "version": version, "sha256": sha, "source": self.source.name, "role": role, "title": title,
            "agency_guess": agency, "year_guess": year, "media_type": sniff_media(body, url),
            "content_type": res.content_type, "size": len(body), "first_seen": now,
            "changed_after_publication": prev is not None, "archive_path": str(self.archive.path_for(sha)),
            "embedded_in": embedded_in,
        })
        self.known[url] = KnownDocument(url, version, sha, common["etag"], common["last_modified"])
        return body, sha, "changed" if prev is not None else "new"

    def _report(self, url: str, body: bytes, sha: str, state: str, title: str, agency: str | None, year: int | None,
                pictures: tuple[tuple[str, str], ...] = ()) -> None:
        self.out.reports.append(FoundReport(self.source.name, url, agency, year, title, sha,
                                            str(self.archive.path_for(sha)), len(body), state, pictures))

    # -- listing pages --------------------------------------------------------------------------
    def _page(self, request: ListingRequest, stage: str = "listing") -> Page | None:
        """One listing or discovery page (the families' ``fetch``): None when it cannot be had —
        outside the catalogue's hosts (never requested), past the page cap, or a recorded failure."""
        if not self.source.allows(request.url):
            return None
        if self.out.listing_pages >= self.source.max_listing_pages:
            if not any(f.error_type == "listing_cap" for f in self.out.failures):
                self.out.failures.append(Failure(self.source.name, request.url, stage, "listing_cap", None,
                                                 f"{request.url}: not fetched, the source's max_listing_pages "
                                                 f"({self.source.max_listing_pages}) was reached"))
            return None
        res = self.fetcher.request(request.url, self.source, request.method, request.form, request.json,
                                   request.headers)
        self.progress(self.source.name, f"{stage} {request.url}")
        if not res.ok:
            if not (request.probe and res.error_type == "http_error"):
                self._fail(request.url, stage, res)
            return None
        self.out.listing_pages += 1
        text, _ = decode_bytes(res.body or b"", res.final_url, res.charset)
        # the URL as asked (its #fragment names a gkmlpt column), unless a redirect moved it
        url = request.url if res.final_url == request.url.split("#")[0] or res.final_url == request.url else res.final_url
        return Page(url, text, res.body)

    def _unknown(self, page: Page, why: str) -> None:
        sha = self.archive.put(page.body if page.body is not None else page.text.encode("utf-8"))[0]
        self.out.failures.append(Failure(self.source.name, page.url, "listing", "unknown_listing", None,
                                         f"{page.url}: {why}; the page is archived as {sha[:12]} for a person to look at",
                                         sha))

    def _walk(self, page: Page, family: Family | None) -> dict[str, tuple[str, str, int]] | None:
        """Report items of one column; None when the page yields nothing a family can read."""
        def fetch(request: ListingRequest) -> Page | None:
            self.walked.add(request.url)
            return self._page(request)

        batches = family.walk(page, fetch) if family is not None else iter([page_items(page)])
        items: dict[str, tuple[str, str, int]] = {}
        listed = 0
        for batch in batches:
            for item in batch:
                listed += 1
                link = Link(item.url, item.title)
                if not self.source.allows(item.url) or not _wanted(self.source, link):
                    continue  # never requested: off-catalogue hosts are not followed
                found = classify_title(item.title, self.source.agency_hint)
                if found is not None:
                    items.setdefault(item.url, (item.title, *found))
        if family is not None and listed == 0:
            self._unknown(page, f"looks like a {family.name} listing but yielded no items")
            return None
        self.out.columns[page.url] = family.name if family is not None else "page"
        self.out.column_reports[page.url] = len(items)
        self.out.column_years[page.url] = sorted({year for _t, _a, year in items.values() if year})
        self.out.column_agencies[page.url] = sorted({agency for _t, agency, _y in items.values() if agency})
        return items

    def _family(self, page: Page) -> Family | None:
        return family_named(self.source.cms) if self.source.cms else detect_family(page)

    def _is_listing(self, page: Page, family: Family | None) -> bool:
        if family is not None and family.name != "static":
            return True
        return any(classify_title(i.title, self.source.agency_hint) for i in page_items(page))

    def listing_items(self, on_column: Callable[[dict[str, tuple[str, str, int]]], None] | None = None,
                      ) -> dict[str, tuple[str, str, int]]:
        """Report items (url → title, agency, year) of every column: the start pages that are
        listings, and the columns found from those that are not (a home page, a 政府信息公开 page).
        ``on_column`` gets each column's items not listed before as soon as the column is read, so
        its reports are fetched before a challenge later in the crawl can close the host."""
        items: dict[str, tuple[str, str, int]] = {}
        queue: list[tuple[str, int, Lead | None]] = [(u, 0, None) for u in self.source.start_urls]
        visited: set[str] = set()
        while queue:
            url, depth, lead = queue.pop(0)
            if url in visited:
                continue
            visited.add(url)
            stage = "listing" if lead is None or lead.kind == "column" else "discovery"
            page = self._page(ListingRequest(url), stage)
            if page is None or not self._owned(page.text, page.url, stage):
                continue
            family = self._family(page)
            listing = self._is_listing(page, family)
            if listing:
                fresh = {k: v for k, v in (self._walk(page, family) or {}).items() if k not in items}
                items.update(fresh)
                if on_column is not None and fresh:
                    on_column(fresh)
            elif shells := [u for u in shell_targets(page) if u not in visited and self.source.allows(u)]:
                # a redirecting or framing shell: its target stands in for it, at the same depth
                queue[:0] = [(u, depth, lead) for u in shells]
            elif lead is not None and lead.kind == "column":
                self._unknown(page, "a 年报 column by its link, but no CMS family reads it and it links no report")
            discover = self.source.discover if self.source.discover is not None else not listing or lead is not None
            if discover and depth < self.source.discovery_depth:
                units = lead is not None and lists_units(lead)
                for nxt in leads(page, units):
                    if lead is not None and lead.kind == "column" and nxt.kind != "column":
                        continue  # from a column, only its sub-columns (departments' 年报)
                    # a column's own later pages (its pager's links) were read with it: not a sub-column
                    if nxt.url not in visited and nxt.url not in self.walked and self.source.allows(nxt.url):
                        queue.append((nxt.url, depth + 1, nxt))
        if not items and not self.out.columns and not any(f.stage == "listing" for f in self.out.failures):
            for start in self.source.start_urls:
                self.out.failures.append(Failure(self.source.name, start, "listing", "unknown_listing", None,
                                                 f"{start}: no 年报 column found from this page"))
        return items

    def run(self) -> SourceOutcome:
        self.listing_items(on_column=self._fetch_reports)
        self.out.finished_at = datetime.now(UTC)
        self.out.requests = self.fetcher.requests_by_source.get(self.source.name, 0)
        return self.out

    def _fetch_reports(self, items: dict[str, tuple[str, str, int]]) -> None:
        """The detail pages and attachments of one column's report items."""
        for url, (title, agency, year) in items.items():
            if is_attachment(Link(url, title)):
                self._attachment(url, title, agency, year)
                continue
            res = self._get(url, "detail", conditional=True)
            if res is None:
                continue
            page = res.body if not res.not_modified else self.archive.get(self.known[url].sha256)
            html, _ = decode_bytes(page or b"", url, res.charset)
            if not self._owned(html, url, "detail"):
                continue
            attachments = [a for a in page_links(html, url) if is_attachment(a)]
            embedded = embeds_report(html) or not attachments
            body, sha, state = self._store(url, res, "report_page" if embedded else "detail_page", title, agency, year)
            if embedded:
                self._report(url, body, sha, state, title, agency, year, self._pictures(html, url, title, agency, year))
            for a in attachments:
                if self._off_catalog(a.url, "attachment"):
                    continue
                self._attachment(a.url, a.text or title, agency, year)

    def _owned(self, html: str, url: str, stage: str) -> bool:
        """False for a page declaring another site's SiteIDCode than the source's: a mirror or a
        page of another site, recorded as ``foreign_site`` and not read further. Every declared code
        is counted (one equal to the source's confirms its owner)."""
        code = site_id_code(html)
        if code is None:
            return True
        self.out.site_codes[code] = self.out.site_codes.get(code, 0) + 1
        own = self.source.site_code
        if own is None or code == own.lower():
            return True
        self.out.failures.append(Failure(self.source.name, url, stage, "foreign_site", None,
                                         f"{url}: the page declares SiteIDCode {code}, the source's site is {own}: "
                                         "another site's page (a mirror or a hosted page), not taken as this site's"))
        return False

    def _off_catalog(self, url: str, stage: str) -> bool:
        if self.source.allows(url):
            return False
        self.out.failures.append(Failure(self.source.name, url, stage, "off_catalog", None,
                                         f"{url}: {stage} host is outside allowed_domains; not fetched"))
        return True

    def _pictures(self, html: str, url: str, title: str, agency: str | None, year: int | None) -> tuple[tuple[str, str], ...]:
        """A report page whose tables are pictures: the pictures, fetched with it as attachments
        are (conditional requests, archived, versioned), for OCR. Only when the page's own tables
        do not hold the report — the parser's own choice (``picture_sources``)."""
        out = []
        for src in fetchable_urls(picture_sources(html), url):
            if self._off_catalog(src, "picture"):
                continue
            res = self._get(src, "picture", conditional=True)
            if res is not None:
                _body, sha, _state = self._store(src, res, "page_image", title, agency, year, embedded_in=url)
                out.append((src, str(self.archive.path_for(sha))))
        return tuple(out)

    def _attachment(self, url: str, title: str, agency: str | None, year: int | None) -> None:
        res = self._get(url, "attachment", conditional=True)
        if res is None:
            return
        body, sha, state = self._store(url, res, "attachment", title, agency, year)
        self._report(url, body, sha, state, title, agency, year)


def _folder_outcome(source: Source) -> SourceOutcome:
    out = SourceOutcome(source.name, datetime.now(UTC), folder=source.path or ".")
    listing = list_folder(out.folder)
    for f in listing.files:
        out.reports.append(FoundReport(source.name, f.path, None, None, Path(f.path).name, f.sha256, f.path, f.size,
                                       "local"))
    out.skipped = listing.skipped
    out.finished_at = datetime.now(UTC)
    return out


def crawl(catalog: Catalog, data_dir: str | Path, known: dict[str, KnownDocument] | None = None,
          previous: dict[str, int] | None = None, fetcher: Fetcher | None = None,
          progress: Progress | None = None) -> CrawlResult:
    """Crawl every enabled source. ``known`` is the archive index before this crawl (for conditional
    requests and change detection); it is updated in place as versions are added."""
    archive = Archive(data_dir)
    known = {} if known is None else known
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher(catalog)
    result = CrawlResult(datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6], {}, previous or {})
    try:
        sources = catalog.enabled()
        result.regions = {s.name: s.region for s in sources if s.region}
        portals = [s for s in sources if s.kind == "portal"]
        # One thread per source being crawled, at most max_concurrent_sources: a slow or dead host
        # holds one thread, never the others, and memory follows the concurrency (a source's
        # crawler exists only while it runs), not the number of hosts.
        def run(source: Source) -> SourceOutcome:
            return _SourceCrawler(source, fetcher, archive, known, progress).run()

        with ThreadPoolExecutor(max_workers=max(1, min(catalog.max_concurrent_sources, len(portals)))) as pool:
            futures = {s.name: pool.submit(run, s) for s in portals}
            for s in sources:
                result.sources[s.name] = futures[s.name].result() if s.kind == "portal" else _folder_outcome(s)
        # a site code a page of the site confirmed places the source's agencies (unless the catalogue says)
        for s in portals:
            if s.site_code and not s.region and result.sources[s.name].site_codes.get(s.site_code.lower()):
                division = read_site_code(s.site_code).division
                if division:
                    result.regions[s.name] = division
    finally:
        if own_fetcher:
            fetcher.close()
    return result


def crawl_into(conn: duckdb.DuckDBPyConnection, catalog: Catalog, data_dir: str | Path,
               fetcher: Fetcher | None = None, progress: Progress | None = None) -> CrawlResult:
    """Crawl with the archive index from ``conn`` and record the outcome there."""
    result = crawl(catalog, data_dir, known_documents(conn), previous_reports_found(conn), fetcher, progress)
    record(conn, result)
    record_publishers(conn, pd.DataFrame(
        [{"source": s.name, "name": name, "since_year": s.publishers_since} for s in catalog.enabled() for name in s.publishers],
        columns=["source", "name", "since_year"]), [s.name for s in catalog.enabled()],
        pd.DataFrame([{"source": n, "region": r} for n, r in result.regions.items()], columns=["source", "region"]))
    return result


def crawl_frames(result: CrawlResult) -> dict[str, pd.DataFrame]:
    """One crawl's rows for the archive index: new versions, re-seen versions, failures, per-source runs."""
    docs = [row for o in result.sources.values() for row in o.new_versions]
    seen = [row for o in result.sources.values() for row in o.seen_versions]
    failures = [{"crawl_id": result.crawl_id, "source": f.source, "url": f.url, "stage": f.stage, "error_type": f.error_type,
                 "http_status": f.http_status, "message": f.message, "failed_at": datetime.now(UTC),
                 "body_sha256": f.body_sha256} for f in result.failures]
    runs = [{"crawl_id": result.crawl_id, "source": n, "started_at": o.started_at, "finished_at": o.finished_at or o.started_at,
             **o.counts(), "columns": "; ".join(f"{family} {url}" for url, family in o.columns.items()) or None,
             "challenged_prefixes": "; ".join(f"{p} HTTP {s}" for p, s in o.challenged.items()) or None,
             "hosts_left": "; ".join(o.hosts_left) or None,
             "site_codes": "; ".join(f"{c} on {n} page(s)" for c, n in o.site_codes.items()) or None}
            for n, o in result.sources.items()]
    skipped = [{"crawl_id": result.crawl_id, "source": n, "path": k.path, "reason": k.reason, "detail": k.detail,
                "size": k.size, "seen_at": o.finished_at or o.started_at} for n, o in result.sources.items() for k in o.skipped]
    return {"documents": pd.DataFrame(docs), "seen": pd.DataFrame(seen), "failures": pd.DataFrame(failures),
            "runs": pd.DataFrame(runs), "skipped": pd.DataFrame(skipped)}


def record(conn: duckdb.DuckDBPyConnection, result: CrawlResult) -> None:
    f = crawl_frames(result)
    record_crawl(conn, f["documents"], f["seen"], f["failures"], f["runs"], f["skipped"])
    for name, outcome in result.sources.items():
        if outcome.folder is not None:
            note_folder_presence(conn, name, {r.url: r.sha256 for r in outcome.reports}, f"crawl {result.crawl_id}")
    note_url_presence(conn, result)


GONE_HTTP = (404, 410)  # a server saying the document is not there (any other failure may pass)


def note_url_presence(conn: duckdb.DuckDBPyConnection, result: CrawlResult) -> None:
    """An archived URL answering 404/410 is gone (its archived copy stays and still re-parses); a URL
    answering again is no longer gone."""
    missing = {f.url: f for f in result.failures if f.http_status in GONE_HTTP}
    mark_gone(conn, [(url, sha, f"HTTP {missing[url].http_status} at {url} ({missing[url].stage}); the archived copy "
                                "is kept") for url, sha in archived_urls(conn, sorted(missing)).items()],
              f"crawl {result.crawl_id}")
    clear_gone(conn, sorted({r.url for o in result.sources.values() if o.folder is None for r in o.reports}))


def note_folder_presence(conn: duckdb.DuckDBPyConnection, source: str, listed: dict[str, str], noticed_in: str) -> None:
    """A folder source's loaded documents that its listing (path → sha256) no longer shows and whose
    file is missing are gone (their last version stays); those listed again are no longer gone."""
    loaded = folder_documents(conn, source)
    at = {sha: path for path, sha in sorted(listed.items(), reverse=True)}  # first path listed with those bytes
    gone = [(path, sha, f"file not found: {path}" + (f" (the same bytes are now at {at[sha]})" if sha in at else ""))
            for path, sha in loaded.items() if path not in listed and not Path(path).exists()]
    mark_gone(conn, gone, noticed_in)
    clear_gone(conn, sorted(listed.keys() & loaded.keys()))
