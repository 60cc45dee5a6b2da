"""Table 4 printed long: as a list (one row per proceeding × result, one value column) or turned
(a row per result, a column per proceeding) — read from the grid any medium yields, by labels.

A list row names one result (结果维持 … 总计) and carries one value; its proceeding is named in the
row (行政复议 | 结果维持 | 0, the label repeated or printed with the result), or by a label merged
over the proceeding's rows. A merged label stands where the medium puts it: on the first row of its
run (HTML, Word, ruled PDF), on a middle row (an unruled PDF prints it centred), or on a row of its
own above the run (a caption, a group row). So rows are taken in runs — a run ends where a result
comes again or another proceeding is named — and a run's proceeding is the one named anywhere in
it. Runs whose proceeding no label names are placed in the format's order (行政复议, 直接起诉,
复议后起诉) only when no run names one, with a warning; otherwise they are not placed.

A turned row names one result and carries a value per proceeding; the proceedings are read off the
header cells above (columns.t4_proceeding_map), as any table's columns are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.parse.base import GridCell
from pipelines.parse.tokens import Token
from schemas import format as fmt

PROCEEDINGS = tuple(fmt.T4_GROUPS)  # R, LD, LA: the format's order
RESULTS = ("maintain", "correct", "other", "pending", "total")

Value = tuple[GridCell, Token]


@dataclass
class ListRow:
    result: str
    part: str | None  # the proceeding named in the row itself
    value: Value
    label: str
    variant: str | None = None  # the label was read as the nearest result: the warning to give


@dataclass
class _Run:
    part: str | None = None
    rows: dict[str, ListRow] = field(default_factory=dict)

    def complete(self) -> bool:
        return len(self.rows) == len(RESULTS)


@dataclass
class ListTable:
    """Table 4's list rows and proceeding labels, in document order."""

    events: list[ListRow | str] = field(default_factory=list)  # a str: a proceeding named on a row of its own

    def row(self, row: ListRow) -> None:
        self.events.append(row)

    def proceeding(self, part: str) -> None:
        self.events.append(part)

    def __bool__(self) -> bool:
        return any(isinstance(e, ListRow) for e in self.events)

    def runs(self) -> list[_Run]:
        runs: list[_Run] = []
        cur = _Run()
        for e in self.events:
            if isinstance(e, str):
                # a label on a row of its own: above its run (the run so far is complete or empty),
                # or inside it (centred on an unruled page)
                if cur.part in (None, e) and not cur.complete():
                    cur.part = e
                else:
                    runs.append(cur)
                    cur = _Run(e)
                continue
            if e.result in cur.rows or (e.part and cur.part and e.part != cur.part):
                runs.append(cur)
                cur = _Run()
            cur.part = cur.part or e.part
            cur.rows[e.result] = e
        runs.append(cur)
        return [r for r in runs if r.rows]


@dataclass
class Placed:
    """The list's cells: (proceeding, result) → the row, and what could not be placed."""

    cells: dict[tuple[str, str], ListRow] = field(default_factory=dict)
    by_position: bool = False  # no proceeding named at all: runs taken in the format's order
    unplaced: list[ListRow] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)


def place_list(table: ListTable) -> Placed:
    out = Placed()
    runs = table.runs()
    if runs and not any(r.part for r in runs) and len(runs) <= len(PROCEEDINGS):
        out.by_position = True
        for run, part in zip(runs, PROCEEDINGS, strict=False):
            run.part = part
    for run in runs:
        if run.part is None:
            out.unplaced += run.rows.values()
            continue
        for result, row in run.rows.items():
            key = (run.part, result)
            if key in out.cells:
                out.duplicates.append(key)
            else:
                out.cells[key] = row
    return out
