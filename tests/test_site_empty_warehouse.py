"""The explorer builds from a warehouse that holds no report yet (its assessment parameters empty):
the assessment then reads this release's reviewed parameters on the read-only connection. DuckDB 2
refused this while a ``fetchone()`` left its one-row result unfinished."""

from __future__ import annotations

from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from warehouse import db
from warehouse.site.build import build_site


def test_the_site_builds_from_an_empty_warehouse(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    db.connect(path).close()
    build_site(path, tmp_path / "site")
    index = LexborHTMLParser((tmp_path / "site" / "index.html").read_text(encoding="utf-8"))
    assert index.css_first("title") is not None
    assert not list((tmp_path / "site" / "agency").rglob("*.html"))  # no agency: no agency page
