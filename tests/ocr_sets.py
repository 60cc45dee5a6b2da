"""What the OCR test sets (forged scans, forged table pictures) share: every cell compared with its
truth, the accuracy written to the test artifacts, and the no-silent-misread check."""

from __future__ import annotations

from pathlib import Path

from pipelines.parse.report import ParseResult
from pipelines.validate import ValidatedReport
from tests.conftest import REPO

MIN_ACCURACY = 0.99


def wrong_cells(result: ParseResult, truth: dict) -> dict[str, tuple]:
    """Cell → (truth, read) for every cell not read exactly."""
    got = result.cell_values() if result.status == "parsed" else {}
    return {k: (v, got.get(k)) for k, v in truth["cells"].items() if got.get(k) != v}


def assert_accuracy(read: dict[str, ValidatedReport], truths: dict[str, dict], artifact: str) -> None:
    """Every document parsed and identified; ≥ MIN_ACCURACY of all cells exact; the per-document
    count written to test-artifacts/<artifact>."""
    total = exact = 0
    lines = []
    for name, truth in truths.items():
        vr = read[name]
        assert vr.result.status == "parsed", (name, vr.result.error)
        assert (vr.result.agency, vr.result.year) == (truth["agency"], truth["year"]), name
        wrong = wrong_cells(vr.result, truth)
        total += len(truth["cells"])
        exact += len(truth["cells"]) - len(wrong)
        lines.append(f"{name}: {len(truth['cells']) - len(wrong)}/{len(truth['cells'])} exact, wrong {wrong}")
    report = "\n".join(lines)
    out = Path(REPO / "test-artifacts")
    out.mkdir(exist_ok=True)
    (out / artifact).write_text(f"{exact}/{total} = {exact / total:.4f}\n{report}\n", encoding="utf-8")
    assert exact / total >= MIN_ACCURACY, f"{exact}/{total} = {exact / total:.4f}\n{report}"


def assert_no_silent_misread(read: dict[str, ValidatedReport], truths: dict[str, dict]) -> None:
    """A document with any wrong cell carries a parser-origin error and is not valid."""
    for name, truth in truths.items():
        vr = read[name]
        if wrong_cells(vr.result, truth):
            assert vr.status != "valid", name
            assert any(i.origin == "parser" and i.severity == "error" for i in vr.issues), name
