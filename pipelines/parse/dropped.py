"""Rows whose empty cells were dropped: a paste with one cell a line (or a web table whose empty
``<td>``s an editor removed) prints a row's values without the blank cells between them, so a row
of table 3 shows 3 numbers for 7 columns and nothing says which columns they sat in.

The printed values keep their order; what was lost is where the gaps were. Every placement of the
values into the row's columns in that order (the dropped cells blank) is tried, and kept only where
the format's own identities then hold for the whole table — a table-3 row's 总计 is the sum of its
applicant columns, and across the rows, in every column, 一+二 = 三(七)+四 and (七) = the sum of the
三 rows; table 4's 总计 of each proceeding is the sum of its four results. For placing only, a blank
counts as 0 (the stored cell stays NULL with its raw token ''): an office leaves a cell blank for
"none". A cell on which every surviving placement agrees is read; one on which they differ — or
every cell of the table's short rows when nothing fits (a report that itself breaks an identity) —
is ambiguous: left NULL with the row's printed values as its raw token and a ``parser`` error, never
one placement picked silently. Table 2 has no identities: a short table-2 row is never placed.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from pipelines.parse.tokens import parse_token
from schemas import format as fmt

APPLICANTS = fmt.T3_APPLICANT_COLUMNS
T3_CODES = (*APPLICANTS, "total")
MAX_STATES = 200_000  # bound on the partial sums kept while matching (七); beyond it nothing is placed
MAX_COMBINATIONS = 200_000  # bound on the 一/二/四 combinations tried against one (七)


@dataclass
class ShortRow:
    """One row printed with fewer values than columns: its columns in printed order (format column
    codes) and the printed tokens, left to right."""

    code: str  # T3 row code, "4" (table 4 as one row), "4:R" (one proceeding's sub-table), or a T2 row code
    columns: list[str]
    tokens: list[str]
    feasible: list[tuple[int, ...]] = field(default_factory=list)  # placements that fit (column positions)
    placements: int = 0  # placements tried

    def cells(self, placement: tuple[int, ...]) -> list[str]:
        """The row's tokens in printed column order under one placement ('' where a cell was dropped)."""
        out = [""] * len(self.columns)
        for pos, tok in zip(placement, self.tokens, strict=True):
            out[pos] = tok
        return out

    def agreed(self) -> list[int | None]:
        """Each cell where every fitting placement agrees on its token: the index of the printed value
        it holds, or -1 for a dropped (blank) cell; None where they differ (or none fits)."""
        if not self.feasible:
            return [None] * len(self.columns)
        rows = [self.cells(p) for p in self.feasible]
        first = {pos: j for j, pos in enumerate(self.feasible[0])}
        return [first.get(i, -1) if len(set(col)) == 1 else None for i, col in enumerate(zip(*rows, strict=True))]


def number(token: str) -> Decimal:
    """A printed token's number for the identities, read as every cell is read (a unit or a
    footnote mark after it — "4※", "5件" — is no part of it); a blank or a text token ('/', '—')
    counts 0."""
    parsed = parse_token(token)
    return parsed.value if parsed is not None and parsed.value is not None else Decimal(0)


def _vector(columns: Sequence[str], tokens: Sequence[str], codes: Sequence[str]) -> tuple[Decimal, ...]:
    by_code = dict(zip(columns, tokens, strict=True))
    return tuple(number(by_code.get(c, "")) for c in codes)


def placements(n: int, k: int) -> list[tuple[int, ...]]:
    return list(itertools.combinations(range(n), k))


def _row_total_holds(v: tuple[Decimal, ...]) -> bool:
    return v[-1] == sum(v[:-1], Decimal(0))


def resolve_t3(fixed: dict[str, list[str]], fixed_columns: dict[str, list[str]], short: list[ShortRow],
               single: bool) -> None:
    """Set ``feasible`` on each short table-3 row: the placements that belong to at least one way of
    placing every short row under which the whole table satisfies its identities. ``fixed`` holds the
    rows read in full (tokens in printed order, ``fixed_columns`` their columns)."""
    vectors: dict[str, list[tuple[Decimal, ...]]] = {}
    for code, tokens in fixed.items():
        v = _vector(fixed_columns[code], tokens, T3_CODES)
        if not _row_total_holds(v):
            return  # the report breaks an identity itself: no placement fits
        vectors[code] = [v]
    options: dict[str, list[tuple[int, ...]]] = {}
    for row in short:
        ps = placements(len(row.columns), len(row.tokens))
        row.placements = len(ps)
        options[row.code] = [p for p in ps if _row_total_holds(_vector(row.columns, row.cells(p), T3_CODES))]
        vectors[row.code] = [_vector(row.columns, row.cells(p), T3_CODES) for p in options[row.code]]
    if any(not v for v in vectors.values()):
        return
    feasible = _t3_feasible(vectors, [r.code for r in fmt.t3_data_rows(single)])
    if feasible is None:
        return
    for row in short:
        row.feasible = [options[row.code][i] for i in sorted(feasible[row.code])]


def _t3_feasible(vectors: dict[str, list[tuple[Decimal, ...]]], rows: list[str]) -> dict[str, set[int]] | None:
    """For each row, the indices of its candidate vectors that take part in a solution of table 3's
    column identities; None when the search exceeds its bounds."""
    every = {c: set(range(len(v))) for c, v in vectors.items()}
    if "3.3.7" not in vectors:
        return every  # both identities across rows need (七)
    leaves = [c for c in rows if c.startswith("3.3.") and c != "3.3.7"]
    check_results = all(c in vectors for c in leaves)
    check_balance = all(c in vectors for c in ("3.1", "3.2", "3.4"))
    out: dict[str, set[int]] = {c: set() for c in vectors}
    for i7, v7 in enumerate(vectors["3.3.7"]):
        if check_balance:
            n = len(vectors["3.1"]) * len(vectors["3.2"]) * len(vectors["3.4"])
            if n > MAX_COMBINATIONS:
                return None
            bal: dict[str, set[int]] = {"3.1": set(), "3.2": set(), "3.4": set()}
            for (a, va), (b, vb), (d, vd) in itertools.product(*(enumerate(vectors[c]) for c in ("3.1", "3.2", "3.4"))):
                if all(x + y == z + w for x, y, z, w in zip(va, vb, v7, vd, strict=True)):
                    bal["3.1"].add(a)
                    bal["3.2"].add(b)
                    bal["3.4"].add(d)
            if not bal["3.1"]:
                continue
        else:
            bal = {c: every[c] for c in ("3.1", "3.2", "3.4") if c in every}
        if check_results and leaves:
            res = _sums_to([vectors[c] for c in leaves], v7)
            if res is None:
                return None
            if not res[0]:
                continue
            results = dict(zip(leaves, res, strict=True))
        else:
            results = {c: every[c] for c in leaves if c in every}
        out["3.3.7"].add(i7)
        for part in (bal, results):
            for c, idx in part.items():
                out[c] |= idx
    return out


def _sums_to(options: list[list[tuple[Decimal, ...]]], target: tuple[Decimal, ...]) -> list[set[int]] | None:
    """For each list, the indices of its vectors that are part of a choice (one vector per list)
    summing to ``target``; None when the partial sums outgrow MAX_STATES."""
    nonneg = all(x >= 0 for opts in options for v in opts for x in v)
    zero = tuple(Decimal(0) for _ in target)
    reach: list[set[tuple[Decimal, ...]]] = [{zero}]
    for opts in options:  # forward: the partial sums reachable (never past the target: counts are >= 0)
        nxt = {tuple(a + b for a, b in zip(s, v, strict=True)) for s in reach[-1] for v in opts}
        if nonneg:
            nxt = {s for s in nxt if all(a <= t for a, t in zip(s, target, strict=True))}
        if len(nxt) > MAX_STATES:
            return None
        reach.append(nxt)
    good = reach[-1] & {target}
    out: list[set[int]] = [set() for _ in options]
    for i in range(len(options) - 1, -1, -1):  # backward: the partial sums from which the target is reached
        prev: set[tuple[Decimal, ...]] = set()
        for s in reach[i]:
            for j, v in enumerate(options[i]):
                if tuple(a + b for a, b in zip(s, v, strict=True)) in good:
                    out[i].add(j)
                    prev.add(s)
        good = prev
    return out


def resolve_t4(row: ShortRow) -> None:
    """Table 4 (or one proceeding's sub-table): each proceeding's 总计 is the sum of its four results."""
    ps = placements(len(row.columns), len(row.tokens))
    row.placements = len(ps)
    groups = sorted({c.split(".")[0] for c in row.columns})
    results = ("maintain", "correct", "other", "pending")

    def holds(p: tuple[int, ...]) -> bool:
        by_code = dict(zip(row.columns, row.cells(p), strict=True))
        return all(number(by_code.get(f"{g}.total", "")) == sum((number(by_code.get(f"{g}.{r}", "")) for r in results),
                                                               Decimal(0)) for g in groups)

    row.feasible = [p for p in ps if holds(p)]


def resolve_free(row: ShortRow) -> None:
    """A row without identities (table 2): every placement fits."""
    row.feasible = placements(len(row.columns), len(row.tokens))
    row.placements = len(row.feasible)
