"""Writing the explorer's pages (Jinja2 templates in templates/) and data files (data/*.js)."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import jinja2

from schemas import format as fmt
from schemas.numbers import number_text
from warehouse.site import charts, model
from warehouse.site.paths import SourcePaths
from warehouse.site.search import spellings

TEMPLATES = Path(__file__).with_name("templates")
STATUS_LABELS = {"valid": "有效 valid", "invalid": "不自洽 invalid", "failed": "读取失败 failed",
                 "parsed": "有效 valid", "missing": "未找到 missing", "found": "待读取 found"}


def read_review(path: Path) -> list[dict[str, str]]:
    """A catalogue build's review.csv (``path``: the file or the build's folder)."""
    f = path / "review.csv" if path.is_dir() else path
    with f.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def display(cell: model.Cell | None) -> tuple[str, str, str]:
    """(text, css class, tooltip) of a cell as printed: the printed token, never a 0 for a blank."""
    if cell is None:
        return "", "absent", "not read from the report"
    if cell.value is None:
        if not (cell.raw or "").strip():
            return "", "blank", "blank in the report (NULL, not 0)"
        return cell.raw or "", "blank", f"printed “{cell.raw}” (NULL, not 0)"
    return (cell.raw if cell.raw not in (None, "") else cell.value) or "", "n", ""


class Renderer:
    def __init__(self, out: Path, paths: SourcePaths | None = None) -> None:
        self.out = out
        self.paths = paths or SourcePaths({})
        self.env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                                      trim_blocks=True, lstrip_blocks=True)
        self.env.filters["json"] = dumps
        self.env.filters["rel"] = self.paths.rel  # a document's path or a message quoting one
        self.env.filters["num"] = number_text  # expected / found: 1191, never 1191.0 or 1.19e+03
        self.env.globals.update(display=display, layout=table_layout, STATUS=STATUS_LABELS, METRICS=model.METRICS,
                                has_review=False, has_assessment=True)

    def _page(self, template: str, rel: str, **context: Any) -> None:
        root = "../" * rel.count("/")
        _write(self.out / rel, self.env.get_template(template).render(root=root, **context))

    def agency(self, page: model.AgencyPage, blocks: list[dict[str, Any]], data: dict[str, Any]) -> None:
        self._page("agency.html", page.agency.href, page=page, a=page.agency, blocks=blocks,
                   data={"reports": data, "metrics": page.metrics, "charts": charts.agency(page.metrics)})

    def overview(self, records: dict[str, list[dict[str, Any]]], agencies: dict[str, model.Agency]) -> None:
        self._page("index.html", "index.html", r=records, agencies=agencies,
                   charts={"charts": charts.overview(records["national_totals"], records["national_review_litigation"])})

    def rankings_page(self) -> None:
        self._page("rankings.html", "rankings.html")

    def assessment_page(self, agencies: list[model.Agency], index: dict[str, int], league: list[dict[str, Any]],
                        distribution: list[dict[str, Any]], indicators: list[dict[str, Any]]) -> None:
        """The assessment page; its league as a data file: per year [agency index, total, rank, results]."""
        years: dict[int, list[list[Any]]] = {}
        for r in league:
            years.setdefault(r["year"], []).append([index[r["agency_key"]], r["total"], r["rank_in_year"], r["results"]])
        _write(self.out / "data" / "assessment.js",
               f"window.NB_ASSESSMENT={dumps({'years': years, 'indicators': indicators})};\n")
        self._page("assessment.html", "assessment.html", distribution=distribution, indicators=indicators,
                   years=sorted(years, reverse=True))

    def search_page(self) -> None:
        self._page("search.html", "search.html")

    def review_page(self, rows: list[dict[str, str]]) -> None:
        """The sites a catalogue build left for a person (rows of its review.csv), grouped by status."""
        order = ["conflict", "moved", "unreachable", "none", "columns"]
        rows = sorted(rows, key=lambda r: (order.index(r["status"]) if r.get("status") in order else len(order), r.get("name", "")))
        counts = [(s, n) for s in order if (n := sum(r.get("status") == s for r in rows))]
        self._page("review.html", "review.html", rows=rows, counts=counts)

    def search_data(self, agencies: list[model.Agency]) -> None:
        # [9]: every name in every spelling the search matches; [10]: the region is not known
        rows = [[a.key, a.name, a.href, a.level, a.kind, a.province, a.prefecture, a.county, a.names,
                 spellings([a.name, *a.names]), a.region_unknown] for a in agencies]
        _write(self.out / "data" / "agencies.js", f"window.NB_AGENCIES={dumps(rows)};\n")

    def ranking_data(self, agencies: list[model.Agency], index: dict[str, int],
                     rankings: dict[str, Iterable[tuple[int, str, str, float | None]]]) -> None:
        """One file per metric and year: [agency index, roster status, value] in the SQL's order."""
        years: dict[str, list[int]] = {}
        for code, rows in rankings.items():
            years[code] = []
            for year, shard in _by_year(rows):
                years[code].append(year)
                body = dumps([[index[key], status, value] for key, status, value in shard])
                _write(self.out / "data" / "rank" / code / f"{year}.js",
                       f"window.NB_RANK&&NB_RANK({dumps(code)},{year},{body});\n")
        meta = {"years": years, "metrics": [[m.code, m.label, m.unit, m.formula] for m in model.METRICS],
                "status": STATUS_LABELS}
        _write(self.out / "data" / "rankings.js", f"window.NB_RANKINGS={dumps(meta)};\n")


def _by_year(rows: Iterable[tuple[int, str, str, float | None]]) -> Iterator[tuple[int, list[tuple[str, str, float | None]]]]:
    year, shard = None, []
    for y, key, status, value in rows:
        if y != year and shard:
            yield year, shard  # type: ignore[misc]
            shard = []
        year = y
        shard.append((key, status, value))
    if shard:
        yield year, shard  # type: ignore[misc]


def table_layout(formats: dict[str, str]) -> dict[str, Any]:
    """Rows and columns of tables 2, 3 and 4 in a report's own formats (labels from schemas/)."""
    t2 = fmt.t2_blocks("2019" if formats.get("T2") == "2019" else "2021")
    t3_rows = fmt.t3_data_rows(formats.get("T3") in ("2019", "hybrid"))
    return {"t2": t2, "t3_rows": t3_rows, "t3_cols": fmt.t3_columns(), "t4_cols": fmt.t4_columns(),
            "t4_groups": fmt.T4_GROUPS}


def dumps(obj: Any) -> str:
    """JSON for a <script> block: compact, and never closing the block early."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str).replace("</", "<\\/")
