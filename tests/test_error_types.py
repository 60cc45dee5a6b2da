"""Every error type the code can emit has a meaning and a how-to-fix (schemas/error_types.py).

The emitters are found by reading the code (its syntax tree), not the table: every
``ParseError(<type>, …)``, every ``error_type=<type>`` keyword, every ``….error_type = <type>``
assignment, isolation's ``_failed(job, <type>, …)`` and every ``Issue(<rule>, "error", "parser", …)``
in pipelines/ (the crawler's fetch errors, pipelines/scrape, are another vocabulary). A string
literal (or either branch of ``a if c else b``) is read as is; a computed value must be one of the
few sites resolved below, so a new computed emitter fails this test until it is accounted for."""

from __future__ import annotations

import ast
from pathlib import Path

from schemas.error_types import ERROR_TYPES, lookup
from schemas.rules import RULE_DESCRIPTIONS
from tests.conftest import REPO

PIPELINES = REPO / "pipelines"


def _function(path: Path, name: str) -> ast.FunctionDef:
    return next(n for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                if isinstance(n, ast.FunctionDef) and n.name == name)


def _literals(node: ast.expr | None) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _literals(node.body) | _literals(node.orelse)
    return set()


def _returned_strings(path: Path, name: str) -> set[str]:
    return {s for r in ast.walk(_function(path, name)) if isinstance(r, ast.Return) for s in _literals(r.value)}


MEDIA = _returned_strings(PIPELINES / "parse" / "sniff.py", "sniff_media")
# Computed emitters: (file, expression) → the values it can take, each derived from the code it reads.
RESOLVED: dict[tuple[str, str], set[str]] = {
    # a library's exception → corrupt_<medium> for the sniffed medium, else parser_crash / too_large
    ("parse/report.py", "kind"): {f"corrupt_{m}" for m in MEDIA}  # kind = crash_type(err, media)
    | _returned_strings(PIPELINES / "parse" / "report.py", "crash_type"),
    ("parse/pdf.py", "problem"): _returned_strings(PIPELINES / "parse" / "pdf.py", "_pdf_text_problem"),
    # pass-throughs of a value emitted elsewhere (a ParseError's type; isolation's _failed parameter)
    ("parse/report.py", "err.error_type"): set(),
    ("isolation.py", "error_type"): set(),
    ("parse/base.py", "error_type"): set(),  # ParseError.__init__ storing its argument
    # pandera's failure cases: schema.<column>.<check> (or publisher 'nonneg', not a parser error)
    ("validate.py", "rule"): {"schema.*"},
    # cells._column_issue: columns_ambiguous is the error (columns_by_position a warning)
    ("parse/cells.py", "rule"): {"columns_ambiguous"},
    # identity_sources._flag(rule, message, severity): the one flag raised as an error
    ("parse/identity_sources.py", "rule"): {"identity_year_conflict"},
    # an arithmetic rule (schemas/rules.py) broken in a report read by OCR
    ("validate.py", "r.rule"): set(RULE_DESCRIPTIONS),
}


def _values(node: ast.expr, where: str, unresolved: list[str]) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _values(node.body, where, unresolved) | _values(node.orelse, where, unresolved)
    key = (where, ast.unparse(node))
    if key not in RESOLVED:
        unresolved.append(f"{where}:{node.lineno}: {ast.unparse(node)}")
        return set()
    return RESOLVED[key]


def _may_be(node: ast.expr, value: str) -> bool:
    """A severity or origin argument that can be ``value`` (a literal, either branch, or a computed name)."""
    if isinstance(node, ast.Constant):
        return node.value == value
    if isinstance(node, ast.IfExp):
        return _may_be(node.body, value) or _may_be(node.orelse, value)
    return True


def emitted_error_types() -> tuple[set[str], list[str]]:
    found: set[str] = set()
    unresolved: list[str] = []
    for path in sorted(PIPELINES.rglob("*.py")):
        where = str(path.relative_to(PIPELINES))
        if where.startswith("scrape/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                if name == "ParseError" and node.args:
                    found |= _values(node.args[0], where, unresolved)
                elif name == "_failed" and where == "isolation.py":
                    found |= _values(node.args[1], where, unresolved)
                elif (name == "Issue" and len(node.args) >= 3 and _may_be(node.args[1], "error")
                      and _may_be(node.args[2], "parser")):
                    found |= _values(node.args[0], where, unresolved)
                found |= {v for kw in node.keywords if kw.arg == "error_type" for v in _values(kw.value, where, unresolved)}
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    pairs = (zip(target.elts, node.value.elts, strict=True)
                             if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple)
                             else [(target, node.value)])
                    for t, v in pairs:
                        if isinstance(t, ast.Attribute) and t.attr == "error_type":
                            found |= _values(v, where, unresolved)
    return found, unresolved


def test_every_error_type_the_code_emits_has_a_meaning_and_a_how_to_fix() -> None:
    found, unresolved = emitted_error_types()
    assert unresolved == [], "computed error types to account for in RESOLVED"
    # the scan sees the emitters it is meant to (a scan that found nothing would pass vacuously)
    assert {"corrupt_pdf", "corrupt_docx", "parser_crash", "too_large", "timeout", "worker_crash", "needs_ocr",
            "unreadable_text", "converter_missing", "no_report_tables", "unreadable_file", "cell_missing",
            "schema.*", "T4.review_total"} <= found
    assert sorted(code for code in found if lookup(code) is None) == []
    # and the table holds nothing the code cannot emit (a retired type is removed with its emitter)
    assert sorted(set(ERROR_TYPES) - found) == []


def test_a_pandera_rule_finds_its_family_entry() -> None:
    entry = lookup("schema.value.isin")
    assert entry is not None and entry == ERROR_TYPES["schema.*"]
    assert lookup("no_such_type") is None
