"""What ``nianbao catalogue build`` found for each site of the site catalogue, and what follows from it:
the crawl catalogue ``nianbao ingest`` reads (``sources.yaml``) and the rows a person must review
(``review.csv``). Plain data and rules, no I/O beyond rendering text.

A site's **meta** check compares the 网站标识码 its pages declared (``<meta name="SiteIDCode">``)
with the one its list gave: ``confirmed`` (a page declared the listed code), ``conflict`` (pages
declared only other codes: a mirror, a page of another site), ``absent`` (no page declared any),
``unlisted`` (the list gave no code; what the pages declared is kept for a person).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field

from pipelines.sites.entries import SiteEntry

Meta = Literal["confirmed", "conflict", "absent", "unlisted"]
# columns: 年报 columns found | none: reachable, no column | unreachable: the start page could not be read |
# moved: it redirects to another host, not followed (that host's code did not match) | conflict: another site's pages
Status = Literal["columns", "none", "unreachable", "moved", "conflict"]
Decision = Literal["admit", "reject"]


class Column(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str
    family: str  # the CMS family that read it (``page``: a plain page of report links)
    reports: int  # report items it lists
    first_year: int | None = None
    last_year: int | None = None
    # the agencies its report items name (listing titles, as the crawler guesses them): the roster
    publishers: list[str] = Field(default_factory=list)


class BuiltSite(BaseModel):
    """One site of the site catalogue, checked."""

    model_config = ConfigDict(extra="forbid")

    key: str  # the listed URL: what a resumed build recognises as done
    name: str  # the crawl source's name (unique in the build)
    site: SiteEntry  # the listed entry (``verified`` set to the check's date when its code was confirmed)
    verified_at: datetime  # when this check ran (UTC)
    status: Status
    meta: Meta
    declared_codes: dict[str, int] = Field(default_factory=dict)  # SiteIDCode → pages declaring it
    host: str  # the host crawled: the listed one, or the one it moved to when followed
    gov_host: bool  # that host is in the government domain space (gov.cn)
    moved_to: str | None = None  # a redirect of the start page to another host
    moved_followed: bool = False  # … followed: that host's pages declared the listed code
    columns: list[Column] = Field(default_factory=list)
    challenged: list[str] = Field(default_factory=list)  # ``host/prefix HTTP status``: anti-bot answers, left alone
    failures: list[str] = Field(default_factory=list)  # ``stage error_type url``: what could not be read
    listing_pages: int = 0
    requests: int = 0
    decision: Decision | None = None  # a person's, from review.csv

    @property
    def admitted(self) -> bool:
        """Crawled by ``ingest``: columns found on a government host whose pages did not name another
        site — or a person admitted it (hosts outside gov.cn need an explicit entry)."""
        if self.status != "columns" or self.decision == "reject":
            return False
        return self.decision == "admit" or (self.meta != "conflict" and self.gov_host)

    def reasons(self) -> list[str]:
        """Why a person should look at the site (empty: nothing to review)."""
        out = []
        if self.meta == "conflict":
            out.append(f"pages declare SiteIDCode {', '.join(self.declared_codes)}, the list says {self.site.site_code}")
        if self.meta == "absent":
            out.append("no page declares a SiteIDCode: owner unconfirmed")
        if self.meta == "unlisted":
            out.append(f"the list gives no site code; pages declare {', '.join(self.declared_codes) or 'none'}")
        if not self.gov_host:
            out.append(f"{self.host} is outside gov.cn: crawled only when a person admits it")
        if self.moved_to:
            out.append(f"moved to {self.moved_to}" + (" (followed: its pages declare the listed code)" if self.moved_followed
                                                      else " (not followed: its pages do not declare the listed code)"))
        if self.status == "none":
            out.append("no 年报 column found")
        if self.status == "unreachable":
            out.append("the start page could not be read")
        out += [f"column lists no report: {c.url}" for c in self.columns if c.reports == 0]
        out += [f"challenged: {c}" for c in self.challenged]
        out += [f"not read: {f}" for f in self.failures if " unknown_listing " in f]
        return out


# second-level domains shared by many sites: www.gov.cn is one site, not every gov.cn host
_SHARED = {"gov.cn", "com.cn", "net.cn", "org.cn", "edu.cn", "ac.cn"}


def site_domain(host: str) -> str:
    """The domain a site's check and crawl may roam: its host without ``www.``, so that its 公开平台 on
    a sibling host (``xxgk.x.gov.cn`` beside ``www.x.gov.cn``) is found; another site's pages under
    it are stopped by their own SiteIDCode. Never a shared suffix (``www.gov.cn`` stays itself)."""
    bare = host.removeprefix("www.")
    return host if bare in _SHARED or "." not in bare else bare


def source_name(entry: SiteEntry, taken: set[str]) -> str:
    """A crawl source name for the site: its code, else its host; made unique with a suffix."""
    base = f"site-{entry.site_code.lower()}" if entry.site_code else re.sub(r"[^\w.-]", "-", urlsplit(entry.url).hostname or "site")
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    taken.add(name)
    return name


def crawl_catalogue(sites: list[BuiltSite], settings: dict) -> dict:
    """The crawl catalogue of the admitted sites: one source per site, its columns as start pages
    (each a listing, so nothing is rediscovered nightly), its host only, its site code to check."""
    sources = []
    for s in sites:
        if not s.admitted:
            continue
        entry: dict = {"name": s.name, "start_urls": [c.url for c in s.columns], "allowed_domains": [site_domain(s.host)]}
        if s.site.site_code:
            entry["site_code"] = s.site.site_code
        if s.site.region:
            entry["region"] = s.site.region
        publishers = sorted({p for c in s.columns for p in c.publishers})
        if publishers:  # the roster: who the portal lists, expected from the latest year it lists on
            entry["publishers"] = publishers
            if (since := max((c.last_year for c in s.columns if c.last_year), default=None)) is not None:
                entry["publishers_since"] = since
        families = {c.family for c in s.columns}
        if len(families) == 1 and (family := families.pop()) != "page":
            entry["cms"] = family
        sources.append(entry | settings.get("source_defaults", {}))
    top = {k: v for k, v in settings.items() if k != "source_defaults"}
    return {**top, "sources": sources}


REVIEW_FIELDS = ["name", "url", "status", "meta", "declared_codes", "host", "gov_host", "moved_to", "columns",
                 "reports", "years", "admitted", "reasons", "decision"]


def review_csv(sites: list[BuiltSite]) -> str:
    """Every site a person should look at (or has decided on): one row, ``decision`` for them to fill
    (``admit`` / ``reject``); a later build reads it back."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, REVIEW_FIELDS, lineterminator="\n")
    w.writeheader()
    for s in sites:
        reasons = s.reasons()
        if not reasons and s.decision is None:
            continue
        years = [y for c in s.columns for y in (c.first_year, c.last_year) if y]
        w.writerow({"name": s.name, "url": s.site.url, "status": s.status, "meta": s.meta,
                    "declared_codes": " ".join(s.declared_codes), "host": s.host, "gov_host": str(s.gov_host).lower(),
                    "moved_to": s.moved_to or "", "columns": len(s.columns), "reports": sum(c.reports for c in s.columns),
                    "years": f"{min(years)}-{max(years)}" if years else "", "admitted": str(s.admitted).lower(),
                    "reasons": "; ".join(reasons), "decision": s.decision or ""})
    return buf.getvalue()


def read_decisions(text: str) -> dict[str, Decision]:
    """A person's decisions in a review CSV: listed URL → admit / reject (blank rows: undecided)."""
    out: dict[str, Decision] = {}
    for row in csv.DictReader(io.StringIO(text)):
        decision = (row.get("decision") or "").strip().lower()
        if decision in ("admit", "reject") and row.get("url"):
            out[row["url"]] = decision  # type: ignore[assignment]
    return out


def dump_built(sites: list[BuiltSite]) -> str:
    header = ("# Built by `nianbao catalogue build`: each listed site checked (年报 columns, SiteIDCode, moved host).\n"
              "# meta: confirmed | conflict | absent | unlisted; status: columns | none | unreachable | moved | conflict\n")
    return header + yaml.safe_dump({"sites": [s.model_dump(mode="json", exclude_none=True) for s in sites]},
                                   allow_unicode=True, sort_keys=False, width=200)
