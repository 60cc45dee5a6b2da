"""Parsed report → fact frames validated with the pandera schemas of ``schemas.tables``, plus the
arithmetic rules. The outcome is data (``ValidatedReport``): frames ready to load and one list of
issues, shown the same way by the CLI, the warehouse and Dagster checks."""

from __future__ import annotations

import bisect
import functools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import pandera.errors
import pandera.pandas as pa

from pipelines.parse.cells import Issue
from pipelines.parse.report import ParseResult
from schemas import format as fmt
from schemas import prose, rules
from schemas.tables import (
    FactApplications,
    FactProactiveDisclosure,
    FactReviewLitigation,
    RuleResults,
)

WAREHOUSE_STATUS = {"parsed": "valid", "not_a_report": "not_a_report", "failed": "failed"}


def agency_id_for(agency: str) -> str:
    """Stable key of an agency: its normalised name (readable in SQL; aliases can map onto it)."""
    return agency


def report_id_for(sha256: str, part: int | None = None) -> str:
    """One report per document version; the reports of a collection (汇编) are numbered parts of it."""
    return sha256[:16] if part is None else f"{sha256[:16]}-{part}"


@dataclass
class ValidatedReport:
    result: ParseResult
    report_id: str
    status: str  # valid | invalid | failed | not_a_report
    issues: list[Issue] = field(default_factory=list)
    skipped: list[rules.RuleResult] = field(default_factory=list)
    rules_checked: int = 0
    applications: pd.DataFrame | None = None
    proactive: pd.DataFrame | None = None
    review_litigation: pd.DataFrame | None = None
    provenance: pd.DataFrame | None = None
    catalog_source: str | None = None  # set by the ingestion: which catalogue source found the document
    catalog_region: str | None = None  # … and the region (GB/T 2260) the catalogue gives that source's agencies
    parts: list[ValidatedReport] = field(default_factory=list)  # a collection's reports, each validated
    pending: _Pending | None = None  # prepared, its pandera checks not yet run (``finish``)

    def reports(self) -> list[ValidatedReport]:
        """What the warehouse loads: the reports of a collection, else this one."""
        return self.parts or [self]

    @property
    def agency_id(self) -> str | None:
        return agency_id_for(self.result.agency) if self.result.agency else None

    def violations(self) -> list[Issue]:
        return [i for i in self.issues if i.severity in ("error", "warning")]


@functools.cache
def _table_defs(formats: tuple[tuple[str, str], ...], table: str) -> tuple[fmt.CellDef, ...]:
    return tuple(d for d in fmt.cells_for(dict(formats)) if d.table == table)


def _columns(result: ParseResult, report_id: str, table: str) -> tuple[tuple[fmt.CellDef, ...], dict[str, list]]:
    """A table's cells column by column (one DataFrame built per table, not one row dict per cell:
    this is most of a report's validation time)."""
    defs = _table_defs(tuple(sorted(result.table_formats.items())), table)
    cells = [result.cells.get(d.key) for d in defs]
    n = len(defs)
    return defs, {"report_id": [report_id] * n, "agency_id": [agency_id_for(result.agency or "")] * n,
                  "year": [result.year] * n,
                  "value": [None if cv is None or cv.number is None else cv.number for cv in cells],
                  "raw_token": [None if cv is None else cv.raw for cv in cells]}


def build_frames(result: ParseResult, report_id: str) -> dict[str, pd.DataFrame]:
    defs, c = _columns(result, report_id, "T3")
    t3 = pd.DataFrame({"report_id": c["report_id"], "agency_id": c["agency_id"], "year": c["year"],
                       "category_code": [d.row_code for d in defs], "applicant_code": [d.col_code for d in defs],
                       "value": pd.array([None if v is None else int(v) for v in c["value"]], dtype="Int64"),
                       "raw_token": c["raw_token"]})
    defs, c = _columns(result, report_id, "T2")
    t2 = pd.DataFrame({"report_id": c["report_id"], "agency_id": c["agency_id"], "year": c["year"],
                       "table_format": ["2019" if result.table_formats.get("T2") == "2019" else "2021"] * len(defs),
                       "row_code": [d.row_code for d in defs], "col_code": [d.col_code for d in defs],
                       "value": pd.array([None if v is None else float(v) for v in c["value"]], dtype="Float64"),
                       "raw_token": c["raw_token"]})
    defs, c = _columns(result, report_id, "T4")
    t4 = pd.DataFrame({"report_id": c["report_id"], "agency_id": c["agency_id"], "year": c["year"],
                       "col_code": [d.col_code for d in defs], "proceeding": [d.col_code.split(".")[0] for d in defs],
                       "outcome": [d.col_code.split(".")[1] for d in defs],
                       "value": pd.array([None if v is None else int(v) for v in c["value"]], dtype="Int64"),
                       "raw_token": c["raw_token"]})
    items = list(result.cells.items())
    prov = pd.DataFrame({
        "report_id": [report_id] * len(items), "cell_key": [k for k, _ in items],
        "grid_index": [c.grid for _, c in items], "grid_row": [c.row for _, c in items], "grid_col": [c.col for _, c in items],
        "page": [c.page for _, c in items], "bbox": [json.dumps(c.bbox) if c.bbox else None for _, c in items],
        "raw_token": [c.raw for _, c in items],
        "ocr_confidence": [None if c.confidence is None else round(c.confidence, 4) for _, c in items],
        "image": [c.image for _, c in items]})
    return {"applications": t3, "proactive": t2, "review_litigation": t4, "provenance": prov}


SCHEMAS: dict[str, tuple[type[pa.DataFrameModel], list[str]]] = {  # frame → (schema, the columns naming a cell)
    "applications": (FactApplications, ["category_code", "applicant_code"]),
    "proactive": (FactProactiveDisclosure, ["row_code", "col_code"]),
    "review_litigation": (FactReviewLitigation, ["col_code"]),
}


def _schema_issue(schema: type[pa.DataFrameModel], fc: dict, cells: list[str]) -> Issue:
    check = str(fc.get("check"))
    # a negative count is the report's own; anything else the schema rejects is our extraction's
    origin = "publisher" if (check == "nonneg" or (fc.get("column") == "value"
                                                    and check.startswith("greater_than_or_equal_to"))) else "parser"
    rule = "nonneg" if origin == "publisher" else f"schema.{fc.get('column') or 'frame'}.{check}"
    return Issue(rule, "error", origin, cells,
                 f"{schema.__name__}: {fc.get('column') or ''} failed {check} (value {fc.get('failure_case')})",
                 found=_as_float(fc.get("failure_case")))


def _failure_rows(schema: type[pa.DataFrameModel], frame: pd.DataFrame) -> list[tuple[int | None, dict]]:
    """Validate lazily: each failure case with the frame row it names (None: the frame as a whole).
    The frame is kept as published — a failed check never drops or changes a number."""
    try:
        schema.validate(frame, lazy=True)
        return []
    except pandera.errors.SchemaErrors as err:
        out = []
        for fc in err.failure_cases.to_dict("records"):
            idx = fc.get("index")
            out.append((int(idx) if idx is not None and not pd.isna(idx) and int(idx) in frame.index else None, fc))
        return out


def _schema_issues(schema: type[pa.DataFrameModel], frame: pd.DataFrame, key_cols: list[str]) -> tuple[pd.DataFrame, list[Issue]]:
    """One frame on its own: every failure case an issue naming its cell; the frame kept as is."""
    issues = [_schema_issue(schema, fc, [] if row is None else ["|".join(str(frame.loc[row][c]) for c in key_cols)])
              for row, fc in _failure_rows(schema, frame)]
    return frame, issues


def _batched(frames: list[pd.DataFrame]) -> tuple[pd.DataFrame, list[int]]:
    """Frames of many reports as one (row i of the whole is row i - starts[k] of report k)."""
    starts, n = [], 0
    for f in frames:
        starts.append(n)
        n += len(f)
    return pd.concat(frames, ignore_index=True), starts


def _owner(starts: list[int], row: int) -> int:
    return bisect.bisect_right(starts, row) - 1


def _as_float(v: Any) -> float | None:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


# OCR: a cell read with less confidence than this is checked by a person (a parser issue).
OCR_MIN_CONFIDENCE = 0.80
OCR_ARITHMETIC = "read by OCR from a scan — a misread or the publisher's own error; compare the image: "


def low_confidence_issues(result: ParseResult, evaluated: list[rules.RuleResult]) -> list[Issue]:
    """Cells OCR read with low confidence, for a person to check. A number that every identity it
    takes part in confirms (one that holds, none broken) is a warning: a misread would have to be
    matched by a second one to keep them holding. Any other — in no identity, in a broken one,
    or not a number — is an error. Either way the number stays as read."""
    holding = {c for r in evaluated if r.status == "ok" for c in r.cells}
    broken = {c for r in evaluated if r.status == "violated" for c in r.cells}
    out = []
    for k, c in sorted(result.cells.items()):
        if c.confidence is None or c.confidence >= OCR_MIN_CONFIDENCE:
            continue
        where = f"picture {c.page} ({c.image[:80]})" if c.image else f"page {c.page}"
        confirmed = c.number is not None and k in holding and k not in broken
        out.append(Issue("ocr_low_confidence", "warning" if confirmed else "error", "parser", [k],
                         f"{k}: OCR read {c.raw!r} with confidence {c.confidence:.2f} (< {OCR_MIN_CONFIDENCE}) on {where}; "
                         + ("the identities it takes part in hold" if confirmed else "a person should check it against the image"),
                         found=_as_float(c.number)))
    return out


def blank_suspect_issues(result: ParseResult, already: set[str]) -> list[Issue]:
    """On a scan, a cell read as blank may be a number the engine missed. The identities are
    evaluated again with blanks as 0: one that then fails (and did not already) points at the
    blanks of its cells — flagged for a person, never filled in."""
    values = result.cell_values()
    zeroed = {k: (0 if v is None and k in result.cells else v) for k, v in values.items()}
    out = []
    for r in rules.evaluate(zeroed, result.table_formats):
        blanks = [c for c in r.cells if c in result.cells and values.get(c) is None]
        if r.status == "violated" and blanks and r.rule + "|" + r.scope not in already:
            out.append(Issue("ocr_blank_suspect", "error", "parser", blanks,
                             f"read by OCR from a scan: {r.rule} ({r.scope}) holds only if a cell read as blank "
                             f"({', '.join(blanks)}) has a number; compare the image", r.expected, r.found))
    return out


@dataclass
class _Pending:
    """What the batch step still has to judge of a prepared report: its fact frames (against the
    pandera schemas) and its evaluated identities (against ``RuleResults``); ``tail`` holds the
    issues that follow theirs, so a report's issues keep one order however it was validated."""

    frames: dict[str, pd.DataFrame]
    evaluated: list[rules.RuleResult]
    tail: list[Issue]


def prepare(result: ParseResult) -> ValidatedReport:
    """Everything of validation that is one report's alone: frames, identities evaluated, OCR and
    prose findings. The pandera checks wait for ``finish`` over many reports at once (a schema
    validation costs about the same for 200 rows as for 200,000)."""
    report_id = report_id_for(result.sha256, result.part)
    vr = ValidatedReport(result, report_id, WAREHOUSE_STATUS[result.status], list(result.issues))
    if result.parts:
        vr.parts = [prepare(p) for p in result.parts]
        vr.status = "collection"
        return vr
    if result.status != "parsed":
        return vr
    frames = build_frames(result, report_id)
    vr.provenance = frames.pop("provenance")
    vr.applications, vr.proactive, vr.review_litigation = frames["applications"], frames["proactive"], frames["review_litigation"]
    evaluated = rules.evaluate(result.cell_values(), result.table_formats)
    vr.rules_checked = len(evaluated)
    tail = []
    if result.ocr_pages > 0:
        tail += low_confidence_issues(result, evaluated)
        tail += blank_suspect_issues(result, {r.rule + "|" + r.scope for r in evaluated if r.status == "violated"})
    for f in prose.check(result.sections, result.cell_values()):
        # the narrative contradicting the tables: a warning on the report, numbers kept as printed
        tail.append(Issue(f.rule, "warning", "publisher", f.cells, f.message, expected=f.table, found=f.prose))
    vr.pending = _Pending(frames, evaluated, tail)
    return vr


def finish(prepared: list[ValidatedReport]) -> None:
    """The pandera checks of many prepared reports, one validation per schema over all their rows;
    each failure goes back to its report as the per-report validation would have put it."""
    leaves = [v for vr in prepared for v in vr.reports() if v.pending is not None]
    if not leaves:
        return
    found: list[list[Issue]] = [[] for _ in leaves]
    for name, (schema, key_cols) in SCHEMAS.items():
        frame, starts = _batched([v.pending.frames[name] for v in leaves])
        for row, fc in _failure_rows(schema, frame):
            if row is None:  # a frame-wide failure: every report of the batch
                for i in range(len(leaves)):
                    found[i].append(_schema_issue(schema, fc, []))
                continue
            r = frame.loc[row]
            found[_owner(starts, row)].append(_schema_issue(schema, fc, ["|".join(str(r[c]) for c in key_cols)]))
    identities, starts = _batched([pd.DataFrame([{"rule": r.rule, "scope": r.scope, "status": r.status, "found": r.found,
                                                  "expected": r.expected} for r in v.pending.evaluated],
                                                columns=["rule", "scope", "status", "found", "expected"]) for v in leaves])
    failing: set[int] = {row for row, _fc in _failure_rows(RuleResults, identities) if row is not None}
    for i, vr in enumerate(leaves):
        pending, vr.pending = vr.pending, None
        vr.issues += found[i]
        scanned = vr.result.ocr_pages > 0
        for j, r in enumerate(pending.evaluated):
            if starts[i] + j in failing:
                # On a scan a broken identity is first of all a possible misread: a person compares the
                # image (the numbers stay as read — never repaired from the arithmetic).
                vr.issues.append(Issue(r.rule, "error", "parser" if scanned else "publisher", r.cells,
                                       (OCR_ARITHMETIC + r.message) if scanned else r.message, r.expected, r.found))
            elif r.status == "skipped":
                vr.skipped.append(r)
        vr.issues += pending.tail
        if any(i.severity == "error" for i in vr.issues):
            vr.status = "invalid"


def validate_many(results: list[ParseResult]) -> list[ValidatedReport]:
    out = [prepare(r) for r in results]
    finish(out)
    return out


def validate(result: ParseResult) -> ValidatedReport:
    return validate_many([result])[0]


def to_contract(vr: ValidatedReport) -> dict[str, Any]:
    """The ``nianbao parse --json`` object."""
    r = vr.result
    if vr.parts:
        return {"document": r.document, "sha256": r.sha256, "status": "collection", "media_type": r.media_type,
                "title": r.title, "warehouse_status": vr.status, "parts": [to_contract(p) for p in vr.parts],
                "parser_version": r.parser_version}
    return {
        "document": r.document,
        "sha256": r.sha256,
        "status": r.status,
        "part": r.part,
        "pages": list(r.pages) if r.pages else None,
        "agency": r.agency,
        "year": r.year,
        "media_type": r.media_type,
        "table_formats": r.table_formats,
        "cells": r.cell_values(),
        "raw_tokens": r.raw_tokens(),
        "violations": [
            {"rule": i.rule, "severity": i.severity, "origin": i.origin, "cells": i.cells,
             "expected": i.expected, "found": i.found, "message": i.message}
            for i in vr.violations()
        ],
        "skipped_rules": [{"rule": s.rule, "scope": s.scope, "blank_cells": s.skipped_cells} for s in vr.skipped],
        "rules_checked": vr.rules_checked,
        "warehouse_status": vr.status,
        "sections": r.sections,
        "error": None if r.error_type is None else {"type": r.error_type, "message": r.error},
        "parser_version": r.parser_version,
        "parsed_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
