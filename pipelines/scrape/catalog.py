"""The source catalogue: which portals to crawl and how, validated by a pydantic schema.

A bad entry fails the whole load with one message naming the entry (its ``name`` or its position)
and the field, before any request is made.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipelines.scrape.cms import FAMILY_NAMES
from pipelines.sites.entries import http_url, read_site_code, read_yaml

USER_AGENT = "nianbao/0.1 (+https://github.com/nianbao/nianbao; government report archiver)"


class CatalogError(ValueError):
    """The catalogue file cannot be used; the message names the entry and the field."""


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, pattern=r"^[\w.\-]+$")
    kind: Literal["portal", "folder"] = "portal"
    start_urls: list[str] = Field(default_factory=list)  # listing pages (portal) …
    path: str | None = None  # … or a folder of documents (the local demo source)
    allowed_domains: list[str] = Field(default_factory=list)
    agency_hint: str | None = None  # agency name when titles leave it out ("2023年政府信息公开工作年度报告")
    # The roster: agencies expected to publish through this source every year from `publishers_since`
    # on (a county's departments, say) — "who published nothing for 2024" needs to know who should have.
    publishers: list[str] = Field(default_factory=list)
    publishers_since: int | None = Field(default=None, ge=2008, le=2100)
    # GB/T 2260 code of the region this source's agencies belong to: places names no division
    # library knows (平潭综合实验区, 高新区管委会) found through this source
    region: str | None = Field(default=None, pattern=r"^\d{6}$")
    # The site's 网站标识码 (<meta name="SiteIDCode">): pages declaring another code are not this site's
    # (mirrors, hosted pages: not taken as its reports); a page declaring this one confirms the owner,
    # and the code's division then places the source's agencies (when `region` does not say).
    site_code: str | None = None
    # Loopback, private and link-local addresses are refused (a redirect or a DNS answer pointing
    # into the machine's own network); a source on such an address must say so (tests' local portals).
    allow_private_addresses: bool = False
    include: list[str] = Field(default_factory=list)  # regexes a report link's URL or title must match (any)
    exclude: list[str] = Field(default_factory=list)  # regexes that drop a link
    # The CMS family whose listing plug-in reads the column (pipelines/scrape/cms); detected from the
    # page when absent. A wrong guess on some odd page can be pinned here.
    cms: str | None = None
    # Start pages that are not a listing (a home page, a 政府信息公开 page) are searched for 年报
    # columns: `discover: null` (default) does so only then, `true` also from listing pages, `false` never.
    discover: bool | None = None
    discovery_depth: int = Field(default=4, ge=0, le=8)  # link hops from a start page to a column (home → 政务公开 → 部门 → 局 → 年报)
    rate_limit_seconds: float = Field(default=1.0, ge=0)  # minimum gap between requests to one host
    max_listing_pages: int = Field(default=50, ge=1)
    # How often the nightly schedule crawls the source: a portal that publishes once a year need not
    # be crawled every night (1 = nightly; the schedule launches a source's run when it is due).
    every_days: int = Field(default=1, ge=1, le=366)
    enabled: bool = True

    @field_validator("start_urls")
    @classmethod
    def _http_urls(cls, urls: list[str]) -> list[str]:
        return [http_url(u) for u in urls]

    @field_validator("site_code")
    @classmethod
    def _site_code(cls, code: str | None) -> str | None:
        return read_site_code(code).code if code is not None else None

    @field_validator("cms")
    @classmethod
    def _known_family(cls, name: str | None) -> str | None:
        if name is not None and name not in FAMILY_NAMES:
            raise ValueError(f"unknown CMS family {name!r}; known: {', '.join(FAMILY_NAMES)}")
        return name

    @field_validator("include", "exclude")
    @classmethod
    def _regexes(cls, patterns: list[str]) -> list[str]:
        for p in patterns:
            try:
                re.compile(p)
            except re.error as err:
                raise ValueError(f"bad regular expression {p!r}: {err}") from err
        return patterns

    @model_validator(mode="after")
    def _shape(self) -> Source:
        if self.kind == "portal":
            if not self.start_urls:
                raise ValueError("a portal source needs start_urls")
            if not self.allowed_domains:
                raise ValueError("a portal source needs allowed_domains")
            for u in self.start_urls:
                if not self.allows(u):
                    raise ValueError(f"start URL {u!r} is outside allowed_domains {self.allowed_domains}")
        elif not self.path:
            raise ValueError("a folder source needs path")
        return self

    def allows(self, url: str) -> bool:
        """True when the URL's host is one of ``allowed_domains`` or a subdomain of one."""
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d.lower() or host.endswith("." + d.lower()) for d in self.allowed_domains)


class Catalog(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_agent: str = USER_AGENT
    connect_timeout_seconds: float = Field(default=10, gt=0)
    read_timeout_seconds: float = Field(default=30, gt=0)
    max_document_bytes: int = Field(default=50 * 1024 * 1024, gt=0)
    max_redirects: int = Field(default=5, ge=0)
    retries: int = Field(default=3, ge=1)  # attempts per request, first one included
    retry_wait_seconds: float = Field(default=2.0, ge=0)  # first backoff; doubles, with jitter
    # Thousands of hosts: this many sources crawled at once (one thread each, so memory is bounded
    # by it, not by the number of hosts), and at most this many connections open (httpx pool).
    max_concurrent_sources: int = Field(default=16, ge=1, le=1024)
    max_connections: int = Field(default=32, ge=1, le=4096)
    # An anti-bot answer leaves its path prefix (the URL's folder) alone for the crawl; the whole host
    # only once this many distinct prefixes of it were challenged (1: the first challenge leaves the host).
    challenged_prefixes_to_leave_host: int = Field(default=3, ge=1, le=100)
    # Every request through this HTTP proxy (a crawling machine outside the mainland reaching portals
    # through one inside; the tests' loopback "province" of named hosts). None: direct connections.
    proxy: str | None = Field(default=None, pattern=r"^https?://")
    sources: list[Source]

    @model_validator(mode="after")
    def _enough_connections(self) -> Catalog:
        if self.max_connections < self.max_concurrent_sources:
            raise ValueError(f"max_connections ({self.max_connections}) must be at least max_concurrent_sources "
                             f"({self.max_concurrent_sources}): each source crawled at once holds one connection")
        return self

    @model_validator(mode="after")
    def _unique_names(self) -> Catalog:
        names = [s.name for s in self.sources]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"source names must be unique; repeated: {sorted(dup)}")
        return self

    def enabled(self) -> list[Source]:
        return [s for s in self.sources if s.enabled]

    def only(self, *names: str) -> Catalog:
        """The same settings with these sources only (a partitioned run's: one, or a batch of portals)."""
        wanted = set(names)
        chosen = [s for s in self.sources if s.name in wanted]
        missing = sorted(wanted - {s.name for s in chosen})
        if missing:
            raise CatalogError(f"no source named {', '.join(map(repr, missing))} in the catalogue "
                               f"(known: {', '.join(s.name for s in self.sources)})")
        return self.model_copy(update={"sources": chosen})


def _describe(err: ValidationError, raw: dict) -> str:
    lines = []
    for e in err.errors():
        loc = list(e["loc"])
        where = "catalogue"
        if len(loc) >= 2 and loc[0] == "sources" and isinstance(loc[1], int):
            entries = raw.get("sources") or []
            entry = entries[loc[1]] if loc[1] < len(entries) and isinstance(entries[loc[1]], dict) else {}
            where = f"source {entry.get('name')!r}" if entry.get("name") else f"source #{loc[1] + 1}"
            loc = loc[2:]
        field = ".".join(str(x) for x in loc) or "(entry)"
        lines.append(f"{where}: {field}: {e['msg']}")
    return "; ".join(lines)


def parse_catalog(data: dict, origin: str = "catalogue") -> Catalog:
    if not isinstance(data, dict):
        raise CatalogError(f"{origin}: expected a mapping with a 'sources' list")
    try:
        return Catalog.model_validate(data)
    except ValidationError as err:
        raise CatalogError(f"{origin}: {_describe(err, data)}") from None


def load_catalog(path: str | Path) -> Catalog:
    p = Path(path)
    catalog = parse_catalog(read_yaml(p, CatalogError, "the catalogue"), str(p))
    for s in catalog.sources:  # folder paths are relative to the catalogue file
        if s.kind == "folder" and s.path and not Path(s.path).is_absolute():
            s.path = str((p.parent / s.path).resolve())
    return catalog
