"""One agency under all its printed names: each name in the warehouse resolved to an agency_key
with its region (GB/T 2260 code and names), level, kind and sector.

Order of evidence: the reviewed alias file (``reference/agency_aliases.yaml``) first; then the
division library ``cpca`` on the printed name, accepted only when the region it found is printed in
the name in full (cpca reads "青石县交通运输局" as 重庆市's placeholder 县 — a guess, refused); then the
``region`` of the catalogue source the name came through (when all its sources agree); then
nothing: the name stays an agency of its own (``?/<name>``) and is listed in ``unresolved_agencies``.

That is what a printed name alone resolves to (``agency_aliases``). A report is keyed by its own
identity, decided when it was loaded (``reports.identity_key``, warehouse/identity.py): two counties'
"县信访局" are two agencies (``report_agencies``). A name the catalogue's roster or a portal listing
gives for a source is keyed the same way, by its source (``source_agencies``): placed by itself, else
by the source's region, else ``unplaced/source:<source>/<name>``. ``agencies`` holds every agency
something is keyed by; a name alone keys only reports loaded before identity keys.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import yaml

from schemas.agencies import PLACEHOLDER_REGIONS, Unit, agency_key, level_of, sector_of, unit_of
from warehouse.db import sql_named, transaction

ALIASES = Path(__file__).parent / "reference" / "agency_aliases.yaml"
PLACED_BY = ("alias_file", "division_library")  # evidence in the name itself: it places itself anywhere
SQL = sql_named("agencies.sql")


@dataclass(frozen=True)
class Agency:
    name: str  # as printed (reports.agency_id)
    agency_key: str
    canonical_name: str
    adcode: str | None
    province: str | None
    prefecture: str | None
    county: str | None
    level: str | None
    kind: str | None
    sector: str | None
    resolved_by: str  # alias_file | division_library | catalogue_region | unplaced | unresolved


@cache
def _cpca() -> Any:
    with warnings.catch_warnings():  # cpca still imports pkg_resources (deprecated, works)
        warnings.simplefilter("ignore")
        import cpca
    return cpca


def load_aliases(path: Path = ALIASES) -> dict[str, dict[str, Any]]:
    """Printed name → its reviewed entry."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out: dict[str, dict[str, Any]] = {}
    for entry in data.get("agencies", []):
        for name in entry["names"]:
            if name in out:
                raise ValueError(f"{path}: {name} is listed under two agencies ({out[name]['key']}, {entry['key']})")
            out[name] = entry
    return out


def _region(value: Any) -> str | None:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) or value in PLACEHOLDER_REGIONS else str(value)


def _from_library(names: list[str]) -> dict[str, Agency]:
    if not names:
        return {}
    frame = _cpca().transform(names)
    out = {}
    for name, (_, row) in zip(names, frame.iterrows(), strict=True):
        province, prefecture, county = _region(row["省"]), _region(row["市"]), _region(row["区"])
        adcode = None if pd.isna(row["adcode"]) or not row["adcode"] else str(row["adcode"])
        lowest = county or prefecture or province
        # the region must be printed in full: a region the library inferred from a fragment is a guess
        if not adcode or not lowest or lowest not in name:
            continue
        rest = name[name.index(lowest) + len(lowest):]
        unit: Unit = unit_of(rest, level_of(adcode))
        level = level_of(adcode, unit)
        # as agencies print themselves: the prefecture and county (a province only at its own level
        # or above a county with no prefecture, as in 上海市黄浦区)
        region = "".join(x for x in ((province if not prefecture else None), prefecture, county) if x)
        canonical = region + unit.name
        out[name] = Agency(name, agency_key(adcode, unit.name, name), canonical, adcode, province, prefecture, county,
                           level, unit.kind, unit.sector, "division_library")
    return out


def region_names(adcode: str) -> tuple[str | None, str | None, str | None]:
    """(province, prefecture, county) of a GB/T 2260 code, from the division library's table."""
    table = _cpca().ad_2_addr_dict

    def name(code: str) -> str | None:
        info = table.get(code + "000000")
        return _region(info.name) if info is not None else None

    province = name(adcode[:2] + "0000")
    prefecture = name(adcode[:4] + "00") if not adcode.endswith("0000") else None
    county = name(adcode) if not adcode.endswith("00") else None
    return province, prefecture, county


def province_code(short: str) -> str | None:
    """The GB/T 2260 code of a province as lists shorten it (浙江, 内蒙古, 新疆 …): the one province of
    the division library whose full name starts with it; None when none or several do."""
    table = _cpca().ad_2_addr_dict
    found = {code[:6] for code, info in table.items() if code.endswith("0000000000") and _region(info.name)
             and str(info.name).startswith(short)} if short else set()
    return found.pop() if len(found) == 1 else None


def in_region(name: str, adcode: str) -> Agency:
    """A name placed by its catalogue source's region: the whole name is the unit."""
    province, prefecture, county = region_names(adcode)
    unit = unit_of(name, level_of(adcode))
    canonical = "".join(x for x in ((province if not prefecture else None), prefecture, county) if x) + unit.name
    return Agency(name, agency_key(adcode, unit.name, name), canonical, adcode, province, prefecture, county,
                  level_of(adcode, unit), unit.kind, unit.sector, "catalogue_region")


def resolve(names: list[str], aliases: dict[str, dict[str, Any]] | None = None,
            regions: dict[str, str] | None = None) -> list[Agency]:
    """Each name's agency: the alias file, else the division library, else the region of the
    catalogue source it was found through (``regions``: name → GB/T 2260 code), else unresolved."""
    aliases = load_aliases() if aliases is None else aliases
    regions = regions or {}
    library = _from_library(sorted({n for n in names if n not in aliases}))
    out = []
    for name in names:
        if name in aliases:
            e = aliases[name]
            unit = e["key"].split("/", 1)[1]
            out.append(Agency(name, e["key"], e.get("canonical_name") or e["names"][0], e.get("adcode"), e.get("province"),
                              e.get("prefecture"), e.get("county"), e.get("level"), e.get("kind"),
                              e.get("sector") or (sector_of(unit) if e.get("kind") == "department" else None), "alias_file"))
        elif name in library:
            out.append(library[name])
        elif regions.get(name):
            out.append(in_region(name, regions[name]))
        else:
            out.append(Agency(name, agency_key(None, "", name), name, None, None, None, None, None, None, None, "unresolved"))
    return out


def of_identity(key: str, name: str, by: str | None, region: str | None, by_name: Agency) -> Agency:
    """The agency a report's ``identity_key`` names, with its region, level and kind: the name's own
    resolution when it gives the same key, else the region the key was placed in (the catalogue's,
    or an alias entry as it was when the report was loaded). An unplaced key is an agency of its own
    with no region: never merged with the same name elsewhere."""
    if key.startswith("unplaced/"):
        return Agency(name, key, name, None, None, None, None, None, None, None, "unplaced")
    if by_name.agency_key == key:
        return by_name
    adcode, unit = key.split("/", 1)
    placed = in_region(name if by == "catalogue_region" and region == adcode else unit, adcode)
    return replace(placed, name=name, agency_key=key, resolved_by=by or placed.resolved_by)


def of_source(source: str, name: str, region: str | None, by_name: Agency) -> Agency:
    """The agency a name means where a catalogue source names it (its roster, a portal listing's
    guess), keyed as a report of that source would be (warehouse/identity.py): the name placed by
    itself, else by the source's region, else an agency of its own at that source."""
    if by_name.resolved_by in PLACED_BY:
        return by_name
    if region:
        return in_region(name, region)
    return Agency(name, f"unplaced/source:{source}/{name}", name, None, None, None, None, None, None, None, "unplaced")


def refresh(conn: duckdb.DuckDBPyConnection, aliases_path: Path = ALIASES) -> int:
    """Resolve every agency name in the warehouse — printed in reports, guessed from a listing, or
    named by the catalogue's roster — again (the alias file may have changed), describe every agency
    a report is keyed by (``reports.identity_key``), and replace ``agency_aliases`` and ``agencies``
    in one transaction. Returns the number of names."""
    rows = conn.execute(SQL["names"]).fetchall()
    names, regions = [r[0] for r in rows], {r[0]: r[1] for r in rows if r[1]}
    resolved = resolve(names, load_aliases(aliases_path), regions)
    by_name = {a.name: a for a in resolved}
    # agencies: every report identity, every roster or listing name of a source, and a name's own
    # agency only where a report is keyed by its name (loaded before identity keys)
    name_keyed = {r[0] for r in conn.execute(SQL["keyed_by_name"]).fetchall()}
    keyed = [a for a in resolved if a.name in name_keyed]
    keyed += [of_identity(key, name, by, region, by_name[name])
              for key, name, by, region in conn.execute(SQL["identities"]).fetchall()]
    sources = conn.execute(SQL["source_names"]).fetchall()
    by_source = [of_source(source, name, region, by_name[name]) for source, name, region in sources]
    keyed += by_source
    columns = list(Agency.__dataclass_fields__)
    frames = {"resolved_agencies": pd.DataFrame([asdict(a) for a in resolved], columns=columns),
              "keyed_agencies": pd.DataFrame([asdict(a) for a in keyed], columns=columns),
              "sourced_agencies": pd.DataFrame({"source": [s[0] for s in sources], "name": [a.name for a in by_source],
                                                "agency_key": [a.agency_key for a in by_source],
                                                "resolved_by": [a.resolved_by for a in by_source]}, dtype="object")}
    for frame_name, frame in frames.items():
        conn.register(frame_name, frame)
    try:
        with transaction(conn):
            for step in ("replace_aliases", "replace_agencies", "replace_source_agencies"):
                conn.execute(SQL[step])
    finally:
        for frame_name in frames:
            conn.unregister(frame_name)
    return len(names)
