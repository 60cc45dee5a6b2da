"""The seed of the national site catalogue, reproducible from two inputs and no network:

- the locked PyPI package ``gov-site-list`` (MIT): home pages of the State Council bodies
  (``homepages/central.jsonl``) and of the provincial governments (``homepages/provincial.jsonl``);
- the report addresses researched in ``../shared/research/gov_sites/report_urls.tsv``, each kept with
  its row, its note and whether its host is a government one (spam mirrors are kept, marked).

``nianbao catalogue seed`` writes one YAML file per region into ``pipelines/catalog/china/``:
``central.yaml``, ``<province code>.yaml`` (e.g. ``330000.yaml``) and ``unplaced.yaml`` for addresses
whose province the research could not tell. Every entry is ``verified: never``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from importlib import metadata
from pathlib import Path

import gov_site_list

from pipelines.sites.entries import LEVELS, Provenance, SiteEntry, dump_site_list, gov_host
from warehouse.agencies import province_code

PACKAGE = "gov-site-list"
HOMEPAGE_FILES = ("homepages/central.jsonl", "homepages/provincial.jsonl")
REPORT_COLUMNS = ["agency", "level", "province", "url", "host_is_gov", "note"]
REPO = Path(__file__).resolve().parents[2]
DEFAULT_RESEARCH = REPO.parent / "shared" / "research" / "gov_sites" / "report_urls.tsv"
DEFAULT_OUT = REPO / "pipelines" / "catalog" / "china"
LOCK = REPO / "uv.lock"


class SeedError(ValueError):
    """An input of the seed is missing or not as described; the message names it."""


@dataclass(frozen=True)
class Seed:
    files: dict[str, list[SiteEntry]]  # file name → its entries, in file order

    @property
    def entries(self) -> list[SiteEntry]:
        return [e for rows in self.files.values() for e in rows]


def released(package: str, version: str, lock: Path = LOCK) -> date | None:
    """The locked release's date: uv.lock's upload-time of its wheel (the package carries none itself)."""
    try:
        locked = tomllib.loads(lock.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    for pkg in locked.get("package", []):
        if pkg.get("name") == package and pkg.get("version") == version:
            times = [w["upload-time"] for w in pkg.get("wheels", []) if "upload-time" in w]
            return date.fromisoformat(min(times)[:10]) if times else None
    return None


def _file_for(entry: SiteEntry) -> str:
    if entry.level is not None and entry.level.startswith("central"):
        return "central.yaml"
    return f"{entry.region}.yaml" if entry.region else "unplaced.yaml"


def homepage_entries() -> list[SiteEntry]:
    """The package's home pages: central bodies (level central, their category kept) and provincial
    governments (level province, region the province's code)."""
    version = metadata.version(PACKAGE)
    seen = released(PACKAGE, version)
    out = []
    for rel in HOMEPAGE_FILES:
        path = gov_site_list.data_dir() / rel
        for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            central = rel.endswith("central.jsonl")
            province = None if central else row["region"]
            out.append(SiteEntry(
                name=row["name"], url=row["url"], kind="home_page", level="central" if central else "province",
                province=province, region=None if central else province_code(province), category=row.get("category"),
                gov_host=gov_host(row["url"]),
                provenance=[Provenance(list=f"{PACKAGE} (PyPI, MIT)", entry=f"{rel}:{line_no}", version=version,
                                       seen=seen)]))
    return out


def report_address_entries(tsv: Path) -> list[SiteEntry]:
    """The researched report addresses, one entry per row (the row number kept)."""
    try:
        raw = tsv.read_bytes()
    except OSError as err:
        raise SeedError(f"{tsv}: cannot read the researched report addresses ({err.strerror or err})") from None
    rows = list(csv.reader(raw.decode("utf-8").splitlines(), delimiter="\t"))
    if not rows or rows[0] != REPORT_COLUMNS:
        raise SeedError(f"{tsv}: expected the columns {' '.join(REPORT_COLUMNS)}, found {' '.join(rows[0]) if rows else 'nothing'}")
    version = "sha256:" + hashlib.sha256(raw).hexdigest()[:16]
    out = []
    for row_no, row in enumerate(rows[1:], 2):
        agency, level, province, url, host_is_gov, note = row
        if level not in LEVELS:
            raise SeedError(f"{tsv}: row {row_no}: unknown level {level!r}")
        central = level.startswith("central")
        named = None if central or province == "?" else province
        out.append(SiteEntry(
            name=agency, url=url, kind="report_address", level=level, province=named,
            region=province_code(named) if named else None, category=province if central else None,
            # the research's y / n agree with the domain space; its one "y?" is a bare IP address (not in it)
            gov_host=gov_host(url) and host_is_gov == "y", note=note or None,
            provenance=[Provenance(list="shared/research/gov_sites/report_urls.tsv", entry=f"row {row_no}",
                                   version=version)]))
    return out


def build_seed(tsv: Path = DEFAULT_RESEARCH) -> Seed:
    files: dict[str, list[SiteEntry]] = defaultdict(list)
    for entry in homepage_entries() + report_address_entries(tsv):
        files[_file_for(entry)].append(entry)
    return Seed({name: files[name] for name in sorted(files)})


HEADER = """National site catalogue: {what}.
Built by `nianbao catalogue seed` from the locked {package} {version} and
shared/research/gov_sites/report_urls.tsv (no network); re-run it rather than editing by hand.
verified: never = no page of the site has confirmed its owner (<meta name="SiteIDCode">) yet."""


def write_seed(seed: Seed, out: Path) -> list[Path]:
    """The seed's files under ``out`` (created); files of an earlier seed no longer produced are removed."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, entries in seed.files.items():
        what = ("central bodies" if name == "central.yaml" else "addresses whose province is not known"
                if name == "unplaced.yaml" else f"{entries[0].province} ({name.removesuffix('.yaml')})")
        path = out / name
        path.write_text(dump_site_list(entries, HEADER.format(what=what, package=PACKAGE,
                                                               version=metadata.version(PACKAGE))), encoding="utf-8")
        written.append(path)
    for stale in set(out.glob("*.yaml")) - set(written):
        if stale.name[:1].isdigit() or stale.name in ("central.yaml", "unplaced.yaml"):
            stale.unlink()  # only the seed's own file names: imported lists stay
    return written
