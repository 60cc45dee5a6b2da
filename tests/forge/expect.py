"""What the parser must answer for a forged document, from the forge alone: the truth's agency, year
and cells (tests/forge/truths.py, with issue #26's printed variations applied by tests/forge/wild.py),
the forge's own identity checker (oracle.py), the paste enumerator (pasted.py) for cells no reader can
place, ``unidentified`` where nothing printed names the agency, and the warnings a reader owes
(a misprinted label, a unit or mark on a count). Shared by the committed layout corpus and fresh
seeds, so both are held to one definition of "exact"."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tests.forge import oracle, wild
from tests.forge.pasted import ambiguous_cells


def ambiguous(truth: dict[str, Any], spec: Any, medium: str) -> set[str]:
    """Cells of a paste with dropped empty cells that no identity places (pasted.py), else none."""
    if medium != "text" or not getattr(spec, "paste_dropped", False):
        return set()
    return ambiguous_cells(truth, spec.t3_columns)


def _identity_rule(rule: str) -> bool:
    return rule[:1] == "T" and rule[1:2].isdigit() and "." in rule  # T3.balance, T4.review_total …


def allowed_parser_rules(spec: Any, medium: str) -> set[str]:
    """What the parser may say of a forged document: only what a drawn dimension calls for."""
    allowed = {"label_variant"} if spec.labels_seed else set()
    if getattr(spec, "paste_dropped", False) and medium == "text":
        allowed |= {"cells_dropped", "ambiguous_placement"}
    if getattr(spec, "marks_seed", 0):
        allowed |= {"footnote_mark", "unit_stripped"}
    if getattr(spec, "agency_at", "title") != "title":  # the agency read from elsewhere: said, as it should be
        allowed |= {f"identity_agency_from_{place}" for place in ("signature", "page_header", "metadata", "site_name",
                                                                  "article_title")}
    return allowed


def problems(truth: dict[str, Any], spec: Any, medium: str, result: Any, issues: list[Any],
             warehouse_status: str) -> dict[str, Any]:
    """Every way the parse differs from what the forge says (empty = exact). ``medium`` "scan" is a
    forged PDF scanned (tests/forge/scan.py): held to the PDF's answers, except that a broken
    identity is said as the parser's ("read by OCR from a scan": a misread or the publisher's own
    error, docs/ocr.md), that the blanks in a broken identity may be said suspect, and that a number
    read right with low confidence may be flagged for a person to check (the cell must still be
    exact: a flag says "look", never what to read)."""
    to_check = False  # (a low-confidence number in no holding identity: an error for a person, so not valid)
    if medium == "scan":
        medium = "pdf"
        to_check = any(i.rule == "ocr_low_confidence" and i.severity == "error" for i in issues)
        broken = oracle.violations(truth["cells"], truth["table_formats"])
        issues = [replace(i, origin="publisher") if _identity_rule(i.rule) and i.origin == "parser" else i
                  for i in issues if i.rule != "ocr_low_confidence" and not (i.rule == "ocr_blank_suspect" and broken)]
    out: dict[str, Any] = {}
    if not wild.identity_recoverable(spec, medium):
        if (result.status, result.error_type) != ("failed", "unidentified"):
            out["identity"] = ("unidentified expected", result.status, result.agency)
        return out
    got_id = (result.status, result.agency, result.year, result.table_formats)
    if got_id != ("parsed", truth["agency"], truth["year"], truth["table_formats"]):
        return {"identity": (got_id, result.error)}
    unsure = ambiguous(truth, spec, medium)
    got, raw = result.cell_values(), result.raw_tokens()
    if wrong := {k: (v, got.get(k)) for k, v in truth["cells"].items() if k not in unsure and got.get(k) != v}:
        out["cells"] = wrong
    if filled := {k: got.get(k) for k in unsure if got.get(k) is not None}:
        out["ambiguous_filled"] = filled
    if tokens := {k: (truth["raw_tokens"].get(k), raw.get(k)) for k in truth["cells"]
                  if k not in unsure and raw.get(k) != truth["raw_tokens"].get(k)}:
        out["raw_tokens"] = tokens
    flagged = {k for i in issues if i.rule == "ambiguous_placement" for k in i.cells}
    if flagged != unsure:
        out["ambiguous_flags"] = (sorted(unsure - flagged), sorted(flagged - unsure))
    found = sorted((i.rule, sorted(i.cells), i.expected, i.found) for i in issues
                   if i.origin == "publisher" and i.severity in ("error", "warning") and not i.rule.startswith("prose."))
    expected = oracle.violations(truth["cells"], truth["table_formats"])
    if not unsure and found != expected:  # (cells left ambiguous leave their identities unchecked)
        out["violations"] = (expected, found)
    if extra := {i.rule for i in issues if i.origin == "parser"} - allowed_parser_rules(spec, medium):
        out["parser_said"] = sorted(extra)
    warned = {k for i in issues if i.origin == "parser" and i.severity == "warning" for k in i.cells}
    if unwarned := set(wild.marked_cells(truth, spec)) - warned:
        out["marks_unwarned"] = sorted(unwarned)
    errors = to_check or any(i.severity == "error" for i in issues if i.origin == "parser")
    want = "invalid" if found or errors else "valid"
    if warehouse_status != want:
        out["status"] = (want, warehouse_status)
    return out
