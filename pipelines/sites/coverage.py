"""A built site catalogue (``nianbao catalogue build``'s ``sites.yaml``) loaded into the warehouse
for coverage per province (warehouse/catalogue.py). ``ingest --catalog OUT/sources.yaml`` loads
``OUT/sites.yaml`` beside it; ``nianbao catalogue load --built OUT`` loads it alone."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import yaml

from pipelines.sites.build import SITES
from pipelines.sites.built import BuiltSite
from warehouse.catalogue import COLUMNS, record_catalogue_sites


def read_built(path: Path) -> list[BuiltSite]:
    """The sites of a built catalogue: ``path`` is the build's folder or its sites.yaml."""
    file = path / SITES if path.is_dir() else path
    return [BuiltSite.model_validate(s) for s in (yaml.safe_load(file.read_text(encoding="utf-8")) or {}).get("sites") or []]


def sites_frame(sites: list[BuiltSite]) -> pd.DataFrame:
    """One row per built site (``province_code`` / ``province`` are placed by the warehouse from ``region``)."""
    rows = [{"source": s.name, "url": s.site.url, "name": s.site.name, "site_code": s.site.site_code, "level": s.site.level,
             "region": s.site.region, "province_code": None, "province": s.site.province, "status": s.status,
             "meta": s.meta, "columns": len(s.columns), "listed_reports": sum(c.reports for c in s.columns),
             "admitted": s.admitted, "verified_at": s.verified_at} for s in sites]
    return pd.DataFrame(rows, columns=COLUMNS)


def built_beside(catalog: str | Path) -> Path | None:
    """The built catalogue's sites.yaml beside a crawl catalogue, when ``catalogue build`` wrote it."""
    p = Path(catalog).parent / SITES
    return p if p.is_file() else None


def record_built_beside(conn: duckdb.DuckDBPyConnection, catalog: str | Path) -> int | None:
    """The ingest path: when the crawl catalogue is a build's sources.yaml, its sites.yaml is loaded
    too (the coverage then counts what this night found). None: no built catalogue beside it."""
    built = built_beside(catalog)
    return record_built(conn, built) if built else None


def record_built(conn: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Load a built catalogue into ``catalogue_sites`` (replacing the one stored). Returns the sites stored."""
    return record_catalogue_sites(conn, sites_frame(read_built(path)))
