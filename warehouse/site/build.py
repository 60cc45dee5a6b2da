"""``nianbao site``: the published warehouse as a static web site (overview, agency profiles,
rankings, search; every number one click from where it was printed).

Static on purpose: it opens from ``file://`` or any static host and makes no request outside its
own folder. Everything a page needs is in the page or in plain ``<script src>`` data files next to
it (``fetch`` of local files is refused by browsers under ``file://``). Design and scale:
docs/explorer.md."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from warehouse.site import images, model, pages
from warehouse.site.paths import SourcePaths
from warehouse.site.vendor import vendor_into

STATIC = Path(__file__).with_name("static")
EXTENSIONS = {"text": "txt", "image": "img"}
BATCH = 2000  # agencies per read: bounds memory at national scale


@dataclass
class SiteSummary:
    out: Path
    agencies: int = 0
    agency_years: int = 0
    reports: int = 0
    page_images: int = 0
    pictures: int = 0
    archived: int = 0
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    bytes: int = 0
    files: int = 0


def _link_or_copy(src: Path, dst: Path) -> None:
    if dst.exists():
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)  # the raw archive is immutable: a hard link costs no space
    except OSError:
        shutil.copyfile(src, dst)


class _Assets:
    """Archived copies, page images and pictures of the site, and the page-render jobs."""

    def __init__(self, out: Path, archived_pictures: dict[str, str], summary: SiteSummary,
                 archive_url: str | None = None) -> None:
        self.out, self.archived_pictures, self.summary = out, archived_pictures, summary
        self.archive_url = archive_url
        self.jobs: dict[str, images.PageJob] = {}

    def archive(self, report: model.Report) -> str | None:
        """Where the version's archived copy is: in the site (a hard link into the raw archive), or
        under ``archive_url`` when the raw archive is served on its own (<sha[:2]>/<sha>, its layout)."""
        if self.archive_url:
            return f"{self.archive_url.rstrip('/')}/{report.sha256[:2]}/{report.sha256}"
        if not report.bytes_at or not Path(report.bytes_at).is_file():
            return None
        rel = f"archive/{report.sha256[:2]}/{report.sha256}.{EXTENSIONS.get(report.media_type, report.media_type)}"
        if not (self.out / rel).exists():
            _link_or_copy(Path(report.bytes_at), self.out / rel)
            self.summary.archived += 1
        return rel

    def provenance(self, report: model.Report) -> dict[str, Any]:
        """The report's clickable cells, compact (the page holds ~200 a report): per cell its grid
        position [table, row, column], then for a cell read from a PDF page or a picture the index of
        that picture in ``files`` and the box, then the OCR confidence. The printed token is the
        table cell's own text."""
        files: list[list[Any]] = []
        file_index: dict[tuple[str, Any], int] = {}
        cells: dict[str, list[Any]] = {}
        for key, c in report.cells.items():
            entry: list[Any] = list(c.grid)
            ref: tuple[str, Any] | None = None
            if c.bbox is not None and c.image:
                ref = ("i", c.image)
            elif c.bbox is not None and c.page is not None and report.media_type == "pdf" and report.bytes_at:
                ref = ("p", c.page)
            if ref is not None:
                if ref not in file_index:
                    file_index[ref] = len(files)
                    files.append(self._file(report, ref))
                entry += [file_index[ref], *(round(v, 1) for v in c.bbox or [])]
                if c.confidence is not None:
                    entry.append(round(c.confidence, 3))
            cells[key] = entry
        return {"media": report.media_type, "scale": images.SCALE, "files": files, "cells": cells}

    def _file(self, report: model.Report, ref: tuple[str, Any]) -> list[Any]:
        """[kind, path from the site's root (None: not available), page or picture number]."""
        kind, what = ref
        if kind == "p":
            rel = images.page_image_path(report.sha256, what)
            self.jobs.setdefault(rel, images.PageJob(str(report.bytes_at), what, str(self.out / rel)))
            return ["p", rel, what]
        data = images.picture_bytes(what, report.bytes_at, self.archived_pictures)
        self.summary.pictures += bool(data)
        page = next((c.page for c in report.cells.values() if c.image == what), None)
        return ["i", images.save_picture(data, self.out) if data else None, page]


def _year_blocks(page: model.AgencyPage, assets: _Assets) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Per year its versions with their archived copies, and the provenance of the current reports."""
    blocks, data = [], {}
    for year in page.years():
        versions = [{"report": r, "archive": assets.archive(r)} for r in page.versions(year)]
        for r in page.current(year):
            data[r.report_id] = assets.provenance(r)
        blocks.append({"year": year, "current": page.current(year), "versions": versions})
    return blocks, data


def build_site(db: str | Path, out: str | Path, workers: int = 2, batch: int = BATCH,
               archive_url: str | None = None, review: Path | None = None, assessment: bool = True) -> SiteSummary:
    """``review``: a ``nianbao catalogue build`` folder (or its review.csv): adds the 待审核 page.
    ``assessment=False`` leaves out the assessment page and the scorecards (and does not compute the
    assessment): what ``make bench-site`` measures the assessment's cost against."""
    start = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    summary = SiteSummary(out)
    vendor_into(out / "assets")
    for f in STATIC.iterdir():
        shutil.copyfile(f, out / "assets" / f.name)
    with duckdb.connect(str(db), read_only=True) as conn:
        located = conn.execute(model.SQL["document_paths"]).fetchall()
        renderer = pages.Renderer(out, SourcePaths.of((s for s, _ in located), (b for _, b in located)))
        if review is not None:
            renderer.env.globals["has_review"] = True
            renderer.review_page(pages.read_review(review))
        everyone = model.agencies(conn)
        renderer.env.globals["has_assessment"] = assessment
        if assessment:
            model.prepare_assessment(conn)
        archived_pictures = dict(conn.execute(model.SQL["pictures"]).fetchall())
        assets = _Assets(out, archived_pictures, summary, archive_url)
        index = {a.key: i for i, a in enumerate(everyone)}
        for at in range(0, len(everyone), batch):
            for page in model.agency_pages(conn, everyone[at:at + batch], scorecards=assessment):
                blocks, data = _year_blocks(page, assets)
                renderer.agency(page, blocks, data)
                summary.agencies += 1
                summary.agency_years += len(page.years())
                summary.reports += len(page.reports)
        renderer.ranking_data(everyone, index, {m.code: model.ranking(conn, m) for m in model.METRICS})
        renderer.search_data(everyone)
        renderer.overview({name: model.records(conn, name) for name in (
            "coverage_by_year", "coverage_by_province", "national_totals", "national_review_litigation", "problems")}
            | {"catalogue_coverage": model.records_if_present(conn, "catalogue_coverage")},
            {a.key: a for a in everyone})
        renderer.rankings_page()
        if assessment:
            renderer.assessment_page(everyone, index, model.records(conn, "assessment_league"), model.records(
                conn, "assessment_distribution"), model.records(conn, "assessment_indicators"))
        renderer.search_page()
    summary.page_images = len(assets.jobs)
    summary.problems += images.render_pages(list(assets.jobs.values()), workers)
    summary.seconds = time.perf_counter() - start
    for p in out.rglob("*"):
        if p.is_file():
            summary.files += 1
            summary.bytes += p.stat().st_size
    return summary
