"""Which agency a report belongs to, decided when it is loaded: the key under which one of an
agency's versions of a year is current (warehouse/sql/load.sql).

A printed name alone is no identity at national scale: hundreds of towns print "城关镇人民政府" and
thousands of bureaus print only "县信访局". So a report is keyed by what is known of where it was
published, strongest evidence first:

1. the printed name placed by itself (the reviewed alias file, or the division library when the
   region is printed in full): ``<adcode>/<unit>``, as ``agencies`` keys it;
2. the printed name placed by the region the catalogue gives the source that found it:
   ``<adcode>/<unit>``;
3. otherwise the name is not placed and never merged with the same name published elsewhere:
   ``unplaced/<where>/<printed name>``, where is the page's site as it states it (``site:`` its
   SiteIDCode, else SiteName), else the catalogue source (``source:``), else the host of its URL
   (``host:``), else the folder of its file (``folder:``). The ``unplaced_agencies`` view lists them.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from warehouse import agencies

PLACED_BY = agencies.PLACED_BY  # the printed name places itself


def _text(value: Any) -> str | None:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA or value == "" \
        else str(value)


def where_published(row: dict[str, Any]) -> tuple[str, str]:
    """(identity_by, where) of a report whose name is not placed: its site, catalogue source, host
    or folder."""
    if site := _text(row.get("site")):
        return "site", f"site:{site}"
    if source := _text(row.get("catalog_source")):
        return "source", f"source:{source}"
    location = str(row["source"])
    host = urlsplit(location).hostname if "://" in location else None
    if host:
        return "host", f"host:{host}"
    return "folder", f"folder:{PurePath(location).parent}"


def identity_keys(reports: pd.DataFrame, aliases: dict[str, dict[str, Any]] | None = None) -> pd.DataFrame:
    """``identity_key`` and ``identity_by`` of every row of a batch's reports (NULL where the
    report names no agency)."""
    rows = reports.to_dict("records")
    names = sorted({n for r in rows if (n := _text(r.get("agency_id")))})
    by_name = {a.name: a for a in agencies.resolve(names, aliases)}
    keys: list[str | None] = []
    by: list[str | None] = []
    for row in rows:
        name = _text(row.get("agency_id"))
        region = _text(row.get("catalog_region"))
        if name is None:
            keys.append(None)
            by.append(None)
        elif by_name[name].resolved_by in PLACED_BY:
            keys.append(by_name[name].agency_key)
            by.append(by_name[name].resolved_by)
        elif region:
            keys.append(agencies.in_region(name, region).agency_key)
            by.append("catalogue_region")
        else:
            kind, where = where_published(row)
            keys.append(f"unplaced/{where}/{name}")
            by.append(kind)
    return pd.DataFrame({"identity_key": keys, "identity_by": by}, index=reports.index, dtype="object")
