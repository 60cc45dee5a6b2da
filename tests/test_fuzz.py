"""Property-based fuzzing (hypothesis) of the parsers with mutated real and forged documents.

Properties:
- nothing escapes ``parse_bytes`` + ``validate`` but typed results, and no mutation makes *our* code
  crash (``parser_crash``): a reading library giving up on broken bytes is ``corrupt_<medium>``;
- a changed number (huge, negative, decimal, another value, or two cells swapped) is read as what
  the document now says, or flagged on that cell — and every other cell is read as before; never
  a neighbour's value;
- after structural damage (a row dropped, a table repeated, nested or re-encoded, the page cut off
  inside a table) every number read is the document's own for that cell, or the cell is named by
  an issue; and a cell the document printed a number in that is read as blank or not at all is
  named by a parser-origin issue (lost data is flagged, never silent).

CI runs a bounded campaign with a fixed seed (``NIANBAO_FUZZ_CASES`` cases per property, default
40); ``make fuzz`` runs the long one (10,000 cases in all). The count is written to
test-artifacts/fuzz-summary-<worker>.txt, which ``make test`` prints.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.parse.report import parse_bytes
from pipelines.validate import validate
from schemas import format as fmt
from tests.conftest import FORGE, REPO
from tests.forge.layouts import LayoutSpec
from tests.forge.layouts import render_docx as render_layout_docx
from tests.forge.render import render_html, render_text
from tests.forge.truths import make_truth

CASES = int(os.environ.get("NIANBAO_FUZZ_CASES", "40"))
SUMMARY = REPO / "test-artifacts" / f"fuzz-summary-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.txt"
COUNTS: Counter[str] = Counter()
# the time limit grows with the campaign (CI's 40 cases take seconds; `make fuzz` runs for an hour)
TIME_LIMIT = pytest.mark.timeout(max(300, 3 * CASES))
SETTINGS = settings(max_examples=CASES, deadline=None, derandomize=os.environ.get("NIANBAO_FUZZ_RANDOM") != "1",
                    suppress_health_check=list(HealthCheck), database=None)
BIGINT = 2**63 - 1


def _record(kind: str) -> None:
    COUNTS[kind] += 1
    SUMMARY.parent.mkdir(exist_ok=True)
    total = sum(COUNTS.values())
    SUMMARY.write_text(f"fuzz ({SUMMARY.stem.removeprefix('fuzz-summary-')}): {total} cases passed — " +
                       ", ".join(f"{k} {v}" for k, v in sorted(COUNTS.items())) + "\n", encoding="utf-8")


def _corpus() -> list[Path]:
    docs = sorted(p for p in FORGE.iterdir() if p.suffix in (".html", ".txt", ".docx", ".pdf"))
    real = REPO.parent / "shared" / "corpus" / "real"
    docs += sorted(p for p in real.glob("*") if p.suffix in (".html", ".txt", ".pdf"))
    return docs


CORPUS = _corpus()
# (DOCX through the layout forge's renderer: it builds tables ~10× faster than the Word-variant one)
RENDER = {"html": render_html, "text": render_text, "docx": lambda t: render_layout_docx(t, LayoutSpec())}
EXT = {"html": "html", "text": "txt", "docx": "docx"}


def _no_crash(data: bytes, name: str):  # noqa: ANN202 - a ValidatedReport
    vr = validate(parse_bytes(data, name))
    assert vr.result.error_type != "parser_crash", vr.result.error
    return vr


# --- bytes: truncated, flipped, duplicated -------------------------------------------------------

@TIME_LIMIT
@SETTINGS
@given(doc=st.sampled_from(CORPUS), data=st.data())
def test_damaged_bytes_fail_typed_or_parse(doc: Path, data: st.DataObject) -> None:
    raw = bytearray(doc.read_bytes())
    how = data.draw(st.sampled_from(["truncate", "flip", "duplicate"]))
    if how == "truncate":
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    elif how == "flip":
        for _ in range(data.draw(st.integers(1, 20))):
            i = data.draw(st.integers(0, len(raw) - 1))
            raw[i] ^= data.draw(st.integers(1, 255))
    else:
        a = data.draw(st.integers(0, len(raw)))
        b = data.draw(st.integers(a, min(len(raw), a + 4096)))
        raw = raw[:b] + raw[a:b] + raw[b:]
    _no_crash(bytes(raw), doc.name)
    _record(f"bytes.{how}")


# --- numbers: what the document now says, or flagged --------------------------------------------

def _int_keys(truth: dict) -> list[str]:
    kinds = {d.key: d.kind for d in fmt.cells_for(truth["table_formats"])}
    return sorted(k for k, v in truth["cells"].items() if isinstance(v, int) and kinds.get(k) in ("int", "signed_int"))


NEW_VALUE = st.one_of(st.integers(0, 10**6), st.integers(-500, -1), st.integers(10**15, 10**24),
                      st.decimals(min_value=Decimal("0.1"), max_value=Decimal(1000), places=2))


@TIME_LIMIT
@SETTINGS
@given(seed=st.integers(1, 10_000), fmt_name=st.sampled_from(["2021", "2019", "hybrid"]),
       medium=st.sampled_from(["html", "text", "docx"]), data=st.data())
def test_changed_numbers_are_read_as_printed_or_flagged(seed: int, fmt_name: str, medium: str, data: st.DataObject) -> None:
    truth = make_truth(seed, fmt_name)
    keys = _int_keys(truth)
    changed = dict(truth["cells"])
    if data.draw(st.booleans()):  # one cell gets a new value
        key = data.draw(st.sampled_from(keys))
        value = data.draw(NEW_VALUE)
        changed[key] = value
        targets = {key}
    else:  # two cells of one row swap places
        row = data.draw(st.sampled_from(sorted({k.split("|")[0] for k in keys if k.startswith("3.")})))
        a, b = data.draw(st.lists(st.sampled_from([k for k in keys if k.startswith(row + "|")]), min_size=2, max_size=2,
                                  unique=True))
        changed[a], changed[b] = changed[b], changed[a]
        targets = {a, b}
    printed = dict(truth, cells={k: (str(v) if isinstance(v, Decimal) else v) for k, v in changed.items()})
    vr = _no_crash(RENDER[medium](printed), f"mutated.{EXT[medium]}")
    got = vr.result.cell_values()
    named = {c for i in vr.issues for c in i.cells}
    for key in targets:
        v = changed[key]
        if isinstance(v, Decimal) and v == v.to_integral_value():
            assert got[key] == int(v), (key, v, got[key])  # "1.00" in a count cell says 1
        elif isinstance(v, Decimal):
            assert got[key] is None and any(i.rule == "non_integer" and key in i.cells for i in vr.issues), (key, v)
        elif abs(v) > BIGINT:
            assert got[key] is None and any(i.rule == "value_out_of_range" and key in i.cells for i in vr.issues), (key, v)
        else:
            assert got[key] == v, (key, v, got[key])
            # a negative count is a nonneg violation; 本年增/减 (signed) may be negative
            assert v == truth["cells"][key] or v >= 0 or key in named or key.endswith("|delta"), (key, v)
    assert {k: got[k] for k in got if k not in targets} == {k: v for k, v in truth["cells"].items() if k not in targets}
    _record(f"numbers.{medium}")


# --- structure: rows dropped, tables repeated, nested, re-encoded, cut off ------------------------

_ROW = re.compile(r"<tr>.*?</tr>", re.S)
_TABLE = re.compile(r"<table .*?</table>", re.S)


@TIME_LIMIT
@SETTINGS
@given(seed=st.integers(1, 10_000), fmt_name=st.sampled_from(["2021", "2019", "hybrid"]),
       how=st.sampled_from(["drop_row", "repeat_table", "nest_table", "reencode", "cut_off"]), data=st.data())
def test_structural_damage_never_reads_a_neighbours_value(seed: int, fmt_name: str, how: str, data: st.DataObject) -> None:
    truth = make_truth(seed, fmt_name)
    html = render_html(truth).decode("utf-8")
    tables = _TABLE.findall(html)
    table = data.draw(st.sampled_from(tables))
    if how == "drop_row":
        rows = _ROW.findall(table)
        html = html.replace(table, table.replace(data.draw(st.sampled_from(rows)), "", 1), 1)
    elif how == "repeat_table":
        html = html.replace(table, table + table, 1)
    elif how == "nest_table":
        html = html.replace(table, f"<table><tr><td>{table}</td></tr></table>", 1)
    elif how == "cut_off":  # a truncated download: the page stops somewhere inside the table
        start = html.index(table)
        html = html[: data.draw(st.integers(start, start + len(table)))]
    raw = html.encode("gb18030") if how == "reencode" else html.encode("utf-8")  # (the page still says utf-8)
    vr = _no_crash(raw, f"{how}.html")
    if vr.result.status != "parsed":
        _record(f"structure.{how}.failed_typed")
        return
    got = vr.result.cell_values()
    named = {c for i in vr.issues for c in i.cells}
    wrong = {k: (got[k], truth["cells"].get(k)) for k in got
             if got[k] is not None and got[k] != truth["cells"].get(k) and k not in named}
    assert wrong == {}, wrong
    # a number the document printed that is not read (now blank or NULL) is named by a parser-origin
    # issue: the damage is ours to flag, never a silent blank nor blamed on the publisher's arithmetic
    flagged = {c for i in vr.issues if i.origin == "parser" for c in i.cells}
    lost = {k: (truth["cells"][k], vr.result.cells[k].raw if k in vr.result.cells else None)
            for k in truth["cells"] if truth["cells"][k] is not None and got.get(k) is None and k not in flagged}
    assert lost == {}, lost
    if how == "nest_table":
        assert got == truth["cells"]
    _record(f"structure.{how}")
