"""The national site catalogue (``pipelines/catalog/china/``): one entry per known government site or
report address, validated by pydantic like the crawl catalogue.

Every entry says where it comes from (``provenance``: which list or page, which version of it, and
when) and whether the site itself confirmed it: ``verified: never`` until a fetched page's
``<meta name="SiteIDCode">`` names the owner (a date then). Names alone never place a site
(same-name districts, moved hosts, spam mirrors: ../shared/research/gov_sites/README.md).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

# 网站标识码 (《政府网站发展指引》, 国办发〔2017〕47号): a local site's is its owner's 6-digit GB/T 2260
# division code and a 4-digit serial; a central body's is "bm", a 2-digit ministry number and a serial.
_LOCAL_CODE = re.compile(r"^(\d{6})(\d{4})$")
_CENTRAL_CODE = re.compile(r"^bm(\d{2})(\d{6})$", re.I)

LEVELS = ("central", "central-vertical", "province", "province-dept", "province-vertical", "prefecture",
          "prefecture-dept", "county", "county-dept", "county-equiv", "township")



def http_url(url: str) -> str:
    """``url`` when it is an http(s) address with a host (what a catalogue entry may name), else ValueError."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    return url

class SiteListError(ValueError):
    """A site-list file cannot be used; the message names the file, the entry and the field."""


class Provenance(BaseModel):
    model_config = ConfigDict(extra="forbid")

    list: str = Field(min_length=1)  # the list or page the entry was taken from
    entry: str = Field(min_length=1)  # where in it (file and line, row number)
    version: str = Field(min_length=1)  # which version of the list (a package version, a file's sha256)
    seen: date | None = None  # when that version was published or the entry seen; None: the list is undated


class SiteCode(BaseModel):
    """What a 网站标识码 says of its site's owner."""

    code: str
    division: str | None  # the owner's GB/T 2260 code (local sites)
    ministry: str | None  # the 2-digit ministry number (central sites)

    @property
    def level(self) -> str:
        if self.division is None:
            return "central"
        if self.division.endswith("0000"):
            return "province"
        return "prefecture" if self.division.endswith("00") else "county"


def read_site_code(code: str) -> SiteCode:
    """The owner a 网站标识码 names; ValueError for anything that is not one."""
    text = code.strip()
    if m := _LOCAL_CODE.match(text):
        if m.group(1)[:2] == "00":
            raise ValueError(f"not a site code: {code!r} (no province 00)")
        return SiteCode(code=text, division=m.group(1), ministry=None)
    if m := _CENTRAL_CODE.match(text):
        return SiteCode(code=text.lower(), division=None, ministry=m.group(1))
    raise ValueError(f"not a site code: {code!r} (10 digits, or bm + 8 digits)")


class SiteEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)  # the site's or agency's name as its list writes it
    url: str  # a home page, or the address of a report or of its column
    kind: Literal["home_page", "report_address"]
    level: Literal[LEVELS] | None = None  # type: ignore[valid-type]
    province: str | None = None  # the province as the list writes it (北京, 浙江 …); None: central or not said
    region: str | None = Field(default=None, pattern=r"^\d{6}$")  # GB/T 2260 code: the province's, or the site code's division
    site_code: str | None = None  # 网站标识码 as listed (unverified until the site's own meta says it)
    owner: str | None = None  # 主办单位 as listed
    category: str | None = None  # the list's own grouping (国务院组成部门 …)
    gov_host: bool  # the host is in the government domain space (gov.cn); other hosts need an explicit entry
    note: str | None = None
    verified: Literal["never"] | date = "never"  # the date a fetched page's SiteIDCode confirmed the owner
    provenance: list[Provenance] = Field(min_length=1)

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        return http_url(url)

    @field_validator("site_code")
    @classmethod
    def _site_code(cls, code: str | None) -> str | None:
        if code is not None:
            read_site_code(code)
        return code


class SiteList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sites: list[SiteEntry]


def gov_host(url: str) -> bool:
    """The host is gov.cn or under it (the government domain space)."""
    host = (urlsplit(url).hostname or "").lower()
    return host == "gov.cn" or host.endswith(".gov.cn")


def read_yaml(path: Path, error: type[ValueError], what: str = "") -> Any:
    """A YAML file's data, or ``error`` naming the file: unreadable (``cannot read <what>``) or not YAML."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise error(f"{path}: cannot read{' ' + what if what else ''} ({err.strerror or err})") from err
    except yaml.YAMLError as err:
        raise error(f"{path}: not valid YAML ({err})") from err


def load_site_list(path: str | Path) -> SiteList:
    p = Path(path)
    data = read_yaml(p, SiteListError)
    try:
        return SiteList.model_validate(data)
    except ValidationError as err:
        where = []
        for e in err.errors():
            loc = list(e["loc"])
            entry = ""
            if len(loc) >= 2 and loc[0] == "sites" and isinstance(loc[1], int):
                rows = data.get("sites") or [] if isinstance(data, dict) else []
                name = rows[loc[1]].get("name") if loc[1] < len(rows) and isinstance(rows[loc[1]], dict) else None
                entry = f"site {name!r}: " if name else f"site #{loc[1] + 1}: "
                loc = loc[2:]
            where.append(f"{entry}{'.'.join(str(x) for x in loc) or '(entry)'}: {e['msg']}")
        raise SiteListError(f"{p}: " + "; ".join(where)) from None


def load_site_dir(folder: str | Path) -> dict[str, SiteList]:
    """Every ``*.yaml`` of a catalogue folder, by file name, each validated."""
    return {p.name: load_site_list(p) for p in sorted(Path(folder).glob("*.yaml"))}


def dump_site_list(entries: list[SiteEntry], header: str) -> str:
    body = yaml.safe_dump({"sites": [e.model_dump(mode="json", exclude_none=True) for e in entries]},
                          allow_unicode=True, sort_keys=False, width=200)
    return "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines()) + body
