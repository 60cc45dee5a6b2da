"""Dagster resources: where documents come from and where the warehouse lives."""


import os
from pathlib import Path

import dagster as dg

from pipelines.ingest import SAMPLES_DIR, DocumentRef, discover_local

DEFAULT_DB = os.environ.get("NIANBAO_DB", str(Path("data") / "warehouse.duckdb"))
DEFAULT_SOURCE = os.environ.get("NIANBAO_SOURCE", str(SAMPLES_DIR))


class LocalFolderSource(dg.ConfigurableResource):
    """A folder of report documents. The pipeline only sees ``DocumentRef``s, so the scraper's raw
    archive can replace this resource without touching parse/validate/load."""

    path: str = DEFAULT_SOURCE

    def documents(self) -> list[DocumentRef]:
        return discover_local(self.path)
