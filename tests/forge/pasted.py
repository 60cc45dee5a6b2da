"""The forge's own answer for a paste whose empty cells were dropped (LayoutSpec.paste_dropped): which
table-3 cells a reader can place and which are ambiguous — computed from the truth, sharing no code
with ``pipelines/parse/dropped.py``.

What a printed row shows: its tokens left to right with every '' left out. A *placement* puts them
back into the row's seven columns in that order (the other cells blank). The placements that fit are
those under which the whole table satisfies the identities the format prints (a row's 总计 is the sum
of its applicants; per column 一+二 = 三(七)+四 and (七) = the sum of the 三 rows), a blank counting
0. A cell is ambiguous when some fitting placement of the whole table gives it another token than the
truth's — and every cell of the short rows is when none fits (a report breaking an identity itself).
Only table 3 is concerned: the forge prints blank tokens nowhere else.
"""

from __future__ import annotations

import itertools
from functools import cache
from typing import Any

from tests.forge.oracle import APPLICANTS, OTHER_2021, OTHER_SINGLE, OUTCOMES_BEFORE_OTHER, T3_COLUMNS

Vector = tuple[int, ...]


def _token(truth: dict[str, Any], key: str) -> str:
    v = truth["cells"][key]
    return truth["raw_tokens"].get(key, "") if v is None else str(v)


def _numbers(tokens: list[str]) -> Vector:
    return tuple(int(t) if t.lstrip("-").isdigit() else 0 for t in tokens)


def _fits_own_total(v: Vector) -> bool:
    return v[T3_COLUMNS.index("total")] == sum(v[T3_COLUMNS.index(a)] for a in APPLICANTS)


def t3_rows(truth: dict[str, Any]) -> list[str]:
    outcomes = OUTCOMES_BEFORE_OTHER + (OTHER_SINGLE if truth["table_formats"]["T3"] in ("2019", "hybrid") else OTHER_2021)
    return ["3.1", "3.2", *outcomes, "3.3.7", "3.4"]


def _candidates(tokens: list[str]) -> list[list[str]]:
    """Each way to put the printed (non-empty) tokens back into the row's columns, in order."""
    printed = [t for t in tokens if t != ""]
    out = []
    for where in itertools.combinations(range(len(tokens)), len(printed)):
        row = [""] * len(tokens)
        for pos, t in zip(where, printed, strict=True):
            row[pos] = t
        out.append(row)
    return out


def _solvable(options: dict[str, list[Vector]], outcomes: list[str]) -> bool:
    """Some choice of one vector per row satisfies the column identities (row totals are filtered before)."""
    ab = {tuple(x + y for x, y in zip(a, b, strict=True)) for a in options["3.1"] for b in options["3.2"]}
    for v7 in options["3.3.7"]:
        if not any(tuple(x + y for x, y in zip(v7, d, strict=True)) in ab for d in options["3.4"]):
            continue
        lists = tuple(tuple(options[r]) for r in outcomes)

        @cache
        def reach(i: int, rest: Vector, lists: tuple = lists) -> bool:  # the outcome rows from i on make `rest`
            if any(x < 0 for x in rest):
                return False
            if i == len(lists):
                return not any(rest)
            return any(reach(i + 1, tuple(r - x for r, x in zip(rest, v, strict=True))) for v in lists[i])

        if reach(0, v7):
            return True
    return False


def ambiguous_cells(truth: dict[str, Any], printed: tuple[str, ...] = ()) -> set[str]:
    """The table-3 cells of a dropped-cell paste that no reader can place (see the module's text);
    ``printed``: the columns' printed order (LayoutSpec.t3_columns; () = the format's)."""
    rows = t3_rows(truth)
    outcomes = [r for r in rows if r.startswith("3.3.") and r != "3.3.7"]
    order = printed or T3_COLUMNS
    back = [order.index(c) for c in T3_COLUMNS]  # printed position of each column, in the format's order

    def as_format(row: list[str]) -> list[str]:
        return [row[i] for i in back]

    tokens = {r: [_token(truth, f"{r}|{c}") for c in T3_COLUMNS] for r in rows}
    short = [r for r in rows if "" in tokens[r]]
    cands = {r: [as_format(c) for c in _candidates([tokens[r][T3_COLUMNS.index(c)] for c in order])
                 if _fits_own_total(_numbers(as_format(c)))] if r in short else [tokens[r]]
             for r in rows}
    if any(not _fits_own_total(_numbers(tokens[r])) for r in rows if r not in short):
        return {f"{r}|{c}" for r in short for c in T3_COLUMNS}
    options = {r: [_numbers(c) for c in cs] for r, cs in cands.items()}
    if not all(options.values()) or not _solvable(options, outcomes):
        return {f"{r}|{c}" for r in short for c in T3_COLUMNS}
    out: set[str] = set()
    for r in short:
        for cand in cands[r]:
            differ = {f"{r}|{c}" for c, t, u in zip(T3_COLUMNS, cand, tokens[r], strict=True) if t != u}
            if differ - out and _solvable({**options, r: [_numbers(cand)]}, outcomes):
                out |= differ
    return out
