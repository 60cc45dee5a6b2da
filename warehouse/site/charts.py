"""The explorer's charts as data: every series with its Chinese label (the format's own names,
schemas/format_2021.json), its formula and a colour of its own within its chart. site.js only draws
what is described here."""

from __future__ import annotations

import re
from typing import Any

from schemas import format as fmt
from warehouse.site import model

# Table 4: one hue a proceeding, one shade an outcome (dark → light: 维持, 纠正, 其他, 尚未审结).
PROCEEDING_COLOURS = {
    "R": ("#08519c", "#3182bd", "#6baed6", "#bdd7e7"),
    "LD": ("#a63603", "#e6550d", "#fd8d3c", "#fdbe85"),
    "LA": ("#006d2c", "#31a354", "#74c476", "#bae4b3"),
}
# Every other chart: a qualitative palette (Tableau 10), distinct colours in the order series come.
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#bab0ac")
OUTCOMES = ("maintain", "correct", "other", "pending")


def _row_label(code: str) -> str:
    """A table-3 row's name without its numbering or its note: '（二）部分公开（区分处理的…）' → '部分公开'."""
    label = next(r.label for r in fmt.t3_rows_all() if r.code == code)
    return re.sub(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.)|（[^）]*）$", "", label)


def _t4_labels() -> dict[str, str]:
    """'R.maintain' → '行政复议·维持', 'LD.maintain' → '行政诉讼（未经复议直接起诉）·维持', …: the
    column's group (and the 行政诉讼 it belongs to) and its outcome without the word 结果."""
    spec = fmt.spec()["tables"]["T4"]["columns"]
    out = {}
    for c in spec:
        group = f"{c['supergroup']}（{c['group']}）" if c["supergroup"] else c["group"]
        out[c["code"]] = f"{group}·{c['label'].removeprefix('结果').removesuffix('结果')}"
    return out


def overview(totals: list[dict[str, Any]], rl: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The overview's three charts: applications, outcomes, 复议/诉讼 results (sums by year)."""
    years = [t["year"] for t in totals]

    def series(i: int, label: str, field: str, formula: str) -> dict[str, Any]:
        return {"label": label, "formula": formula, "colour": PALETTE[i], "data": [t[field] for t in totals]}

    outcomes = [("3.3.1", "disclosed", "Σ 3.3.1|total"), ("3.3.2", "partly_disclosed", "Σ 3.3.2|total"),
                ("3.3.3", "withheld", "Σ 3.3.3.*|total"), ("3.3.4", "unable_to_provide", "Σ 3.3.4.*|total"),
                ("3.3.5", "not_processed", "Σ 3.3.5.*|total"), ("3.3.6", "other_outcomes", "Σ 3.3.6(.*)|total")]
    rl_years = sorted({r["year"] for r in rl})
    by = {(r["year"], r["proceeding"]): r for r in rl}
    labels = _t4_labels()
    rl_sets = [{"label": labels[f"{p}.{o}"], "stack": p, "formula": f"Σ 4|{p}.{o}", "colour": PROCEEDING_COLOURS[p][i],
                "data": [by.get((y, p), {}).get(o) for y in rl_years]}
               for p in ("R", "LD", "LA") for i, o in enumerate(OUTCOMES)]
    return [
        {"id": "chart-applications", "type": "bar", "title": "申请 applications (件)", "labels": years, "datasets": [
            series(0, _row_label("3.1"), "new_applications", "Σ 3.1|total"),
            series(1, f"{_row_label('3.3')}·{_row_label('3.3.7')}", "handled", "Σ 3.3.7|total")]},
        {"id": "chart-outcomes", "type": "bar", "title": "办理结果 outcomes (件)", "stacked": True, "labels": years,
         "datasets": [series(i, _row_label(code), field, formula) for i, (code, field, formula) in enumerate(outcomes)]},
        {"id": "chart-rl", "type": "bar", "title": "行政复议、行政诉讼结果 (件)", "stacked": True, "labels": rl_years,
         "datasets": rl_sets},
    ]


# The agency page's charts: which metrics each draws (colours: one a metric, distinct over all).
AGENCY_CHARTS = (
    ("chart-volume", "bar", "申请数量 applications (件)", False, ("new_applications", "handled")),
    ("chart-shares", "line", "办理结果占比 outcome shares", True, ("disclose_rate", "withhold_rate", "not_processed_rate")),
    ("chart-correction", "line", "纠错率 correction rates", True, ("review_correction_rate", "litigation_correction_rate")),
)
METRIC_COLOURS = {m.code: PALETTE[i] for i, m in enumerate(model.METRICS)}


def agency(metrics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    defs = {m.code: m for m in model.METRICS}
    years = [m["year"] for m in metrics]
    return [{"id": cid, "type": kind, "title": title, "ratio": ratio, "labels": years,
             "datasets": [{"label": defs[c].label, "formula": defs[c].formula, "colour": METRIC_COLOURS[c],
                           "data": [m[c] for m in metrics]} for c in codes]}
            for cid, kind, title, ratio, codes in AGENCY_CHARTS]
