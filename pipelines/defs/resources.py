"""Dagster resources: where documents come from and where the warehouse lives."""


import os
from pathlib import Path

import dagster as dg

from pipelines.ingest import SAMPLES_DIR
from pipelines.scrape.catalog import Catalog, Source, load_catalog

DEFAULT_DB = os.environ.get("NIANBAO_DB", str(Path("data") / "warehouse.duckdb"))
DEFAULT_DATA_DIR = os.environ.get("NIANBAO_DATA_DIR", "data")
# The embedded default: the demo catalogue, one folder source holding the bundled forged documents.
DEFAULT_CATALOG = os.environ.get("NIANBAO_CATALOG", str(Path(__file__).parents[1] / "catalog" / "demo.yaml"))
DEFAULT_FOLDER = os.environ.get("NIANBAO_SOURCE")  # a plain folder instead of a catalogue


class DocumentSource(dg.ConfigurableResource):
    """Where the night's documents come from: a source catalogue (portals to crawl, or folders),
    or a plain folder. The archive (raw bytes by sha256) lives under ``data_dir``."""

    catalog: str = DEFAULT_CATALOG
    folder: str | None = DEFAULT_FOLDER
    data_dir: str = DEFAULT_DATA_DIR

    def load_catalog(self) -> Catalog:
        if self.folder:
            return Catalog(sources=[Source(name="folder", kind="folder", path=self.folder)])
        return load_catalog(self.catalog)

    def describe(self) -> str:
        return f"folder {self.folder}" if self.folder else f"catalogue {self.catalog}"


__all__ = ["DEFAULT_CATALOG", "DEFAULT_DATA_DIR", "DEFAULT_DB", "SAMPLES_DIR", "DocumentSource"]
