"""What the explorer shows, read from the published warehouse (no rendering here).

Agency pages are read in batches of agency keys (registered as the relation ``site_batch`` that the
queries of ``sql/site.sql`` join), so memory is bounded by the batch size whatever the warehouse
holds."""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from warehouse.db import sql_named

SQL = sql_named("site.sql")


@dataclass(frozen=True)
class Metric:
    code: str
    label: str
    view: str  # a metric view, or a subquery over one, giving agency_key, year and the column
    column: str
    unit: str  # count | ratio
    formula: str


# The metrics the explorer ranks and charts (formulas as in warehouse/sql/metrics.sql).
METRICS: tuple[Metric, ...] = (
    Metric("new_applications", "本年新收申请 new applications", "metric_application_volume", "new_applications", "count",
           "3.1|total (本年新收政府信息公开申请数量, 总计)"),
    Metric("handled", "办理结果总计 applications answered", "metric_application_volume", "handled", "count",
           "3.3.7|total (（七）总计)"),
    Metric("disclose_rate", "予以公开率 disclosure rate", "metric_outcome_shares", "disclose_rate", "ratio",
           "3.3.1|total / 3.3.7|total"),
    Metric("withhold_rate", "不予公开率 withholding rate", "metric_outcome_shares", "withhold_rate", "ratio",
           "Σ 3.3.3.1–8|total / 3.3.7|total"),
    Metric("not_processed_rate", "不予处理率 not-processed rate", "metric_outcome_shares", "not_processed_rate", "ratio",
           "Σ 3.3.5.1–5|total / 3.3.7|total"),
    Metric("review_correction_rate", "行政复议纠错率 review correction rate",
           "(SELECT * FROM metric_review_litigation WHERE proceeding = 'R')", "correction_rate", "ratio",
           "4|R.correct / (4|R.maintain + 4|R.correct + 4|R.other)"),
    Metric("litigation_correction_rate", "行政诉讼纠错率 litigation correction rate (未经复议直接起诉)",
           "(SELECT * FROM metric_review_litigation WHERE proceeding = 'LD')", "correction_rate", "ratio",
           "4|LD.correct / (4|LD.maintain + 4|LD.correct + 4|LD.other)"),
)
CHART_METRICS = ("new_applications", "handled", "disclose_rate", "withhold_rate", "not_processed_rate",
                 "review_correction_rate", "litigation_correction_rate")


@dataclass
class Agency:
    key: str
    name: str
    adcode: str | None
    province: str | None
    prefecture: str | None
    county: str | None
    level: str | None
    kind: str | None
    sector: str | None
    resolved_by: str
    names: list[str]

    @property
    def region_unknown(self) -> bool:
        """No region places it: its printed name alone (unresolved) or where it was published (unplaced)."""
        return self.resolved_by in ("unresolved", "unplaced")

    @property
    def published_where(self) -> str | None:
        """An unplaced agency's site, catalogue source, host or folder (``unplaced/<where>/<name>``)."""
        return self.key.removeprefix("unplaced/").rsplit("/", 1)[0] if self.resolved_by == "unplaced" else None

    @property
    def href(self) -> str:
        """Where its page is, from the site's root: one folder per province code (≤ ~10^4 files a folder
        at national scale), a file name that is stable, short and safe on every file system."""
        digest = hashlib.sha1(self.key.encode()).hexdigest()[:10]
        code = self.adcode or "x"
        return f"agency/{code[:2]}/{code}-{digest}.html"


@dataclass
class Cell:
    key: str
    value: str | None
    raw: str | None
    grid: tuple[int | None, int | None, int | None]
    page: int | None
    bbox: list[float] | None
    confidence: float | None
    image: str | None


@dataclass
class Report:
    report_id: str
    year: int | None
    status: str
    is_current: bool
    source: str
    sha256: str
    media_type: str
    formats: dict[str, str]
    n_errors: int
    n_warnings: int
    parser_errors: int
    ocr_pages: int
    ingested_at: Any
    agency_id: str
    title: str | None
    bytes_at: str | None
    part: int | None
    pages: tuple[int | None, int | None]
    cells: dict[str, Cell] = field(default_factory=dict)
    issues: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class AgencyPage:
    agency: Agency
    reports: list[Report]  # every version, newest first within a year
    metrics: list[dict[str, Any]]
    scorecards: dict[int, dict[str, Any]] = field(default_factory=dict)  # year → total, rank, indicators

    def years(self) -> list[int]:
        return sorted({r.year for r in self.reports if r.year is not None})

    def current(self, year: int) -> list[Report]:
        return [r for r in self.reports if r.year == year and r.is_current]

    def versions(self, year: int) -> list[Report]:
        return [r for r in self.reports if r.year == year]


def agencies(conn: duckdb.DuckDBPyConnection) -> list[Agency]:
    return [Agency(*row) for row in conn.execute(SQL["agencies"]).fetchall()]


def _rows(conn: duckdb.DuckDBPyConnection, name: str) -> Iterator[dict[str, Any]]:
    cur = conn.execute(SQL[name])
    cols = [d[0] for d in cur.description]
    while chunk := cur.fetchmany(10_000):
        for row in chunk:
            yield dict(zip(cols, row, strict=True))


def agency_pages(conn: duckdb.DuckDBPyConnection, batch: list[Agency], scorecards: bool = True) -> list[AgencyPage]:
    """The pages of one batch of agencies, with every report version, cell, finding and metric, and
    (``scorecards``, after ``prepare_assessment``) each year's assessment."""
    conn.register("site_batch", pa.table({"agency_key": [a.key for a in batch]}))
    try:
        by_agency: dict[str, list[Report]] = defaultdict(list)
        by_id: dict[str, Report] = {}
        for r in _rows(conn, "reports"):
            report = Report(
                r["report_id"], r["year"], r["status"], r["is_current"], r["source"], r["sha256"], r["media_type"],
                {t: f for t, f in (("T2", r["t2_format"]), ("T3", r["t3_format"]), ("T4", r["t4_format"])) if f},
                r["n_errors"], r["n_warnings"], r["parser_errors"] or 0, r["ocr_pages"] or 0, r["ingested_at"],
                r["agency_id"], r["title"], r["bytes_at"], r["part"], (r["page_first"], r["page_last"]))
            by_agency[r["agency_key"]].append(report)
            by_id.setdefault(report.report_id, report)
        for c in _rows(conn, "cells"):
            report = by_id.get(c["report_id"])
            if report is not None:
                report.cells[c["cell_key"]] = Cell(
                    c["cell_key"], c["value"], c["raw_token"], (c["grid_index"], c["grid_row"], c["grid_col"]),
                    c["page"], json.loads(c["bbox"]) if c["bbox"] else None, c["ocr_confidence"], c["image"])
        for i in _rows(conn, "issues"):
            report = by_id.get(i["report_id"])
            if report is not None:
                report.issues.append(i)
        metrics: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for m in _rows(conn, "metrics"):
            metrics[m.pop("agency_key")].append({k: (float(v) if v is not None else None) if k != "year" else v
                                                 for k, v in m.items()})
        cards: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
        for c in _rows(conn, "scorecards") if scorecards else ():
            card = cards[c["agency_key"]].setdefault(c["year"], {"total": c["total"], "rank": c["rank_in_year"],
                                                                   "of": c["agencies_in_year"], "indicators": []})
            card["indicators"].append(c)
    finally:
        conn.unregister("site_batch")
    return [AgencyPage(a, by_agency.get(a.key, []), metrics.get(a.key, []), cards.get(a.key, {})) for a in batch]


def prepare_assessment(conn: duckdb.DuckDBPyConnection) -> None:
    """Compute the assessment once for the build (temp tables the batches read). A warehouse written
    before the assessment existed, or whose parameters are empty, is assessed with the reviewed
    parameters of this release (on this read-only connection only)."""
    from warehouse import assessment

    try:
        ready = conn.execute("SELECT count(*) FROM assessment_parameters").fetchall()[0][0] > 0
    except duckdb.CatalogException:
        ready = False
    if not ready:
        assessment.use_config(conn, assessment.load_config())
    conn.execute(SQL["assessment_materialise"])


def records(conn: duckdb.DuckDBPyConnection, name: str) -> list[dict[str, Any]]:
    return list(_rows(conn, name))


def records_if_present(conn: duckdb.DuckDBPyConnection, name: str) -> list[dict[str, Any]]:
    """``records``, or none when the warehouse predates the relation it reads (a published copy
    written before it existed is opened read-only: nothing is created in it)."""
    try:
        return records(conn, name)
    except duckdb.CatalogException:
        return []


def ranking(conn: duckdb.DuckDBPyConnection, metric: Metric) -> Iterator[tuple[int, str, str, float | None]]:
    """(year, agency_key, roster status, value) in the order the site shows: SQL's own ORDER BY."""
    if not re.fullmatch(r"\w+", metric.column):
        raise ValueError(metric.column)
    cur = conn.execute(SQL["ranking"].format(metric=metric.column, view=metric.view))
    while chunk := cur.fetchmany(50_000):
        for year, key, status, value in chunk:
            yield year, key, status, (float(value) if value is not None else None)
