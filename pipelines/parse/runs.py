"""Tables whose cell boundaries were lost: crawler text where a row's cells run together
(`一、本年新收政府信息公开申请数量640020470` is 64 | 0 | 0 | 2 | 0 | 4 | 70).

Such text has no separators to read, so a row's digits are cut into the row's number of cells in
every way a printed number allows (no leading zeros, a decimal point only in a decimal column, a sign
only in a signed one, a space always a boundary), and the cuts are kept only where the format's own
identities hold: a table-3 row's 总计 is the sum of its applicant columns, table 4's 总计 the sum of its
four results, and across table 3's rows 一+二 = 三(七)+四 and (七) = the sum of the 三 rows. Cells on
which every surviving cut agrees are read; a cell on which they differ (or where no cut fits) is
ambiguous: it stays null with the row's printed digits as its raw token and a ``parser`` error naming
the alternatives — never one picked silently. Table 2 has no identities, so a multi-column table-2 row
is read only where its digits allow one cut.

The result is ordinary grids (one row per printed label, its value cells cut apart), so the shared
cells step maps them like any other medium's.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipelines.parse import labels as lab
from pipelines.parse.base import Grid, GridCell
from pipelines.parse.tokens import UNREADABLE
from schemas import format as fmt

if TYPE_CHECKING:
    from pipelines.parse.cells import Issue

# A value run: digits with the points, signs and spaces a printed number or a row of them can hold.
_RUN = re.compile(r"[-−－]?\d(?:[\d.\s]|[-−－](?=\d))*")
_UNIT = re.compile(r"^\s*(万元|元|件|个|项|条)")
# An item number starting a label ("2.其他法律…", "1、申请人…"): the digit belongs to the label, not the run.
_ENUMERATOR_AFTER = re.compile(r"^[.．、]\s*[^\d\s.．、]")
# Where a row label starts inside a run of header and label text: its ordinal.
_ORDINAL = re.compile(r"[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\)|\d{1,2}[.．、]")
_SIGNS = "-−－"
MAX_CUTS = 200_000  # enumeration bound for one row; beyond it the row is ambiguous, not guessed
MAX_COMBINATIONS = 100_000  # bound on the cross-row search in table 3
MARKERS = ("本年新收政府信息公开申请数量", "上年结转政府信息公开申请数量")


@dataclass
class RunTogether:
    grids: list[Grid]
    issues: list[Issue] = field(default_factory=list)
    raw: dict[str, str] = field(default_factory=dict)  # cell key → the printed digits of an ambiguous cell


@dataclass
class _Row:
    label: str
    run: str
    table: str
    code: str  # row code (T2/T3) or "4"
    keys: list[str]
    kinds: list[str]
    context: list[str]  # header/caption text printed before the label
    cuts: list[list[str]] = field(default_factory=list)
    chosen: list[str | None] | None = None


def is_run_together(text: str) -> bool:
    """True when table 3's first rows print their digits straight after the label, without a separator."""
    # (spaces only: a paste with one cell per line puts the number on the next line, a table a tab or '|')
    return any(re.search(re.escape(m) + r"[ \u3000\u00a0]*[-−－]?\d", text) for m in MARKERS)


def _pieces(region: str) -> list[tuple[str, str]]:
    """(label text, value run) pairs in printed order; the run is '' for trailing text."""
    out: list[tuple[str, str]] = []
    pos = label_start = 0
    carry = ""  # an item number cut from the end of the previous run: the start of the next label
    while m := _RUN.search(region, pos):
        core = m.group().rstrip()
        run_end = m.start() + len(core)
        item = ""
        if core[-1] in ".．" and _ENUMERATOR_AFTER.match(region[run_end - 1:]):
            # "…00000002.其他法律…": the last digit and its point number the next label
            item = core[-2:] if len(core) >= 2 and core[-2].isdigit() else core[-1]
            core = core[: -len(item)]
        elif _ENUMERATOR_AFTER.match(region[run_end:]):  # "…3、其他"
            item, core = core[-1], core[:-1]
        core = core.strip()
        label = carry + region[label_start:m.start()]
        if core:
            out.append((label.strip(), core))
            carry = item
            unit = _UNIT.match(region[run_end:])
            label_start = run_end + (unit.end() if unit else 0)
        else:  # a lone item number ("（三）不予公开1.属于…"): part of the label
            carry = label + item
            label_start = run_end
        pos = max(label_start, run_end)
    tail = (carry + region[label_start:]).strip()
    if tail:
        out.append((tail, ""))
    return out


def _split_label(text: str, table: str | None) -> tuple[str, str]:
    """(context, row label): the row label is the printed text's last item, the rest is caption/header."""
    if table == "T2" or lab.t2_row_code(text) or any(lab.t2_row_code(text[i:]) for i in range(len(text))):
        for i in range(len(text)):
            if lab.t2_row_code(text[i:]):
                return text[:i], text[i:]
    starts = [m.start() for m in _ORDINAL.finditer(text)]
    if starts:
        return text[: starts[-1]], text[starts[-1]:]
    return "", text


def _valid_number(s: str, kind: str) -> bool:
    body = s[1:] if s[:1] in _SIGNS else s
    if s[:1] in _SIGNS and kind != "signed_int":
        return False
    if not body or not body[0].isdigit():
        return False
    whole, _, frac = body.partition(".")
    if "." in body and (kind not in ("decimal", "text_amount") or not frac.isdigit()):
        return False
    return whole.isdigit() and (whole == "0" or not whole.startswith("0"))


def cuts(run: str, kinds: list[str], limit: int = MAX_CUTS) -> list[list[str]] | None:
    """Every way to cut ``run`` into ``len(kinds)`` printed numbers (a space is always a boundary);
    None when there are more than ``limit``."""
    chunks = run.split()
    s = "".join(chunks)
    forced = set(itertools.accumulate(len(c) for c in chunks[:-1]))
    n = len(kinds)
    found: list[list[str]] = []
    acc: list[str] = []

    def walk(start: int, k: int) -> bool:
        last = k == n - 1
        for end in range(len(s) if last else start + 1, len(s) - (n - k - 1) + 1):
            if any(start < f < end for f in forced):
                break  # a space inside: never one number
            piece = s[start:end]
            if not _valid_number(piece, kinds[k]) or (not last and s[end] in ".．"):
                if piece.lstrip(_SIGNS).startswith("0") and len(piece.lstrip(_SIGNS)) > 1:
                    break  # a leading zero only grows
                continue
            acc.append(piece)
            if last:
                found.append(list(acc))
            ok = len(found) <= limit and (last or walk(end, k + 1))
            acc.pop()
            if not ok:
                return False
        return True

    if n == 0 or not s or not walk(0, 0):
        return None if n and s else []
    return found


def _ints(values: list[str]) -> list[int] | None:
    try:
        return [int(v) for v in values]
    except ValueError:
        return None


def _row_identity(row: _Row, values: list[str]) -> bool:
    if row.table == "T2":
        return True
    nums = _ints(values)
    if nums is None:
        return False
    if row.table == "T3":
        return nums[-1] == sum(nums[:-1])
    groups = [nums[i:i + 5] for i in range(0, 15, 5)]  # T4: per proceeding, 总计 = its four results
    return all(g[4] == sum(g[:4]) for g in groups)


def _t3_columns_hold(rows: dict[str, list[int]]) -> bool:
    """一+二 = 三(七)+四 and (七) = the sum of the 三 rows, in every column, where the rows are present."""
    if "3.3.7" not in rows:
        return True
    total = rows["3.3.7"]
    leaves = [v for code, v in rows.items() if code.startswith("3.3.") and code != "3.3.7"]
    for c in range(len(total)):
        if leaves and sum(v[c] for v in leaves) != total[c]:
            return False
        if all(k in rows for k in ("3.1", "3.2", "3.4")) and rows["3.1"][c] + rows["3.2"][c] != total[c] + rows["3.4"][c]:
            return False
    return True


def _resolve_t3(rows: list[_Row]) -> None:
    """Choose each table-3 row's cells from the cuts the column identities allow."""
    open_rows = [r for r in rows if len(r.cuts) > 1]
    fixed = {r.code: _ints(r.cuts[0]) for r in rows if len(r.cuts) == 1}
    n_combos = 1
    for r in open_rows:
        n_combos *= len(r.cuts)
    survivors: list[tuple[list[str], ...]] = []
    if open_rows and n_combos <= MAX_COMBINATIONS and all(len(r.cuts) == 1 or r.cuts for r in rows):
        for combo in itertools.product(*(r.cuts for r in open_rows)):
            trial = dict(fixed)
            trial.update({r.code: _ints(c) for r, c in zip(open_rows, combo, strict=True)})
            if _t3_columns_hold({k: v for k, v in trial.items() if v is not None}):
                survivors.append(combo)
    for i, r in enumerate(open_rows):
        options = [s[i] for s in survivors] if survivors else r.cuts
        r.chosen = [col[0] if len(set(col)) == 1 else None for col in zip(*options, strict=True)]


def _choose(row: _Row) -> None:
    if row.chosen is not None:
        return
    if len(row.cuts) == 1:
        row.chosen = list(row.cuts[0])
    elif not row.cuts:
        row.chosen = [None] * len(row.keys)
    else:
        row.chosen = [col[0] if len(set(col)) == 1 else None for col in zip(*row.cuts, strict=True)]


def read_run_together(text: str) -> RunTogether | None:
    """Grids for tables 2–4 of a text whose cells run together, or None when it holds none."""
    if not is_run_together(text):
        return None
    flat = re.sub(r"\s*\n\s*", " ", text)
    start = next((m.start() for m in re.finditer(r"二、\s*主动公开政府信息情况", flat)), None)
    s3 = flat.find("申请人情况")
    if s3 < 0:
        return None
    if start is None or start > s3:
        start = max(0, flat.rfind("三、", 0, s3))
    end_m = re.search(r"五、\s*(政府信息公开工作)?存在的主要问题", flat[s3:])
    region = flat[start: s3 + end_m.start()] if end_m else flat[start:]
    rows, context_rows = _rows(_pieces(region))
    for r in rows:
        r.cuts = cuts(r.run, r.kinds) or []
        r.cuts = [c for c in r.cuts if _row_identity(r, c)]
    _resolve_t3([r for r in rows if r.table == "T3"])
    out = RunTogether([])
    grid = Grid(index=0)
    out.grids.append(grid)
    for i, r in enumerate(rows):
        _choose(r)
        for ctx in context_rows.get(i, []):
            grid.rows.append([GridCell(ctx, len(grid.rows), 0)])
        cells = [GridCell(r.label, len(grid.rows), 0)]
        assert r.chosen is not None
        for j, v in enumerate(r.chosen):
            cells.append(GridCell(UNREADABLE if v is None else v, len(grid.rows), j + 1))
        grid.rows.append(cells)
        unsure = [k for k, v in zip(r.keys, r.chosen, strict=True) if v is None]
        if unsure:
            from pipelines.parse.cells import Issue

            shown = " or ".join("|".join(c) for c in r.cuts[:4]) + (" …" if len(r.cuts) > 4 else "")
            out.issues.append(Issue(
                "ambiguous_segmentation", "error", "parser", unsure,
                f"{r.label}: the digits '{r.run}' run together; "
                + (f"{len(r.cuts)} readings remain{' after the format identities' if r.table != 'T2' else ''} ({shown})"
                   if r.cuts else "no cut into the row's cells fits the format's identities")
                + "; these cells are left blank for a person to read"))
            for k in unsure:
                out.raw[k] = r.run
    for ctx in context_rows.get(len(rows), []):
        grid.rows.append([GridCell(ctx, len(grid.rows), 0)])
    if out.grids and rows:
        from pipelines.parse.cells import Issue

        out.issues.insert(0, Issue("cells_run_together", "warning", "parser", [],
                                   f"the tables' cells run together without separators ({len(rows)} rows); "
                                   "cut apart where the format's identities allow exactly one reading"))
    return out


def _rows(pieces: list[tuple[str, str]]) -> tuple[list[_Row], dict[int, list[str]]]:
    """Rows with their cell keys, and the caption/header text before each row (by row index)."""
    rows: list[_Row] = []
    context: dict[int, list[str]] = {}
    table: str | None = None
    block: str | None = None
    t2_format = "2021"
    group: str | None = None
    for text, run in pieces:
        ctx, label = _split_label(text, table)
        for t in (ctx, label):
            sec = lab.section_code(t) if t else None
            if sec in ("S2", "S3", "S4"):
                table = {"S2": "T2", "S3": "T3", "S4": "T4"}[sec]
            if t and (b := lab.t2_caption_block(t)):
                table, block = "T2", b
            if t and (hf := lab.t2_header_format(t)) and table == "T2":
                t2_format = hf
            if t and (g := lab.t3_group_code(t)) and g != "3.3":
                table, group = "T3", g
            if t and "申请人情况" in t:
                table = "T3"
        if ctx.strip():
            context.setdefault(len(rows), []).append(ctx.strip())
        if not run:
            if label.strip():
                context.setdefault(len(rows), []).append(label.strip())
            continue
        row = _row(label, run, table, block, t2_format, group)
        if row is None:
            context.setdefault(len(rows), []).append(label)
            continue
        if row.table == "T3" and row.code.startswith("3.3.6"):
            group = "3.3.6"
        rows.append(row)
    return rows, context


def _row(label: str, run: str, table: str | None, block: str | None, t2_format: str,
         group: str | None) -> _Row | None:
    t2 = lab.t2_row_code(label)
    if t2:
        for b in fmt.t2_blocks(t2_format):
            if any(r.code == t2 for r in b.rows):
                return _Row(label, run, "T2", t2, [fmt.cell_key(t2, c.code) for c in b.columns],
                            [c.kind for c in b.columns], [])
        return None
    if table == "T4" or lab.t4_parts([label]) or (table != "T3" and len(run.replace(" ", "")) >= 15):
        cols = fmt.t4_columns()
        return _Row(label, run, "T4", "4", [fmt.cell_key("4", c.code) for c in cols], ["int"] * len(cols), [])
    code = lab.t3_row_code(label, group)
    if code is None and lab.t3_group_code(label) == "3.3.6":
        code = "3.3.6"
    if code is None:
        return None
    cols = fmt.t3_columns()
    return _Row(label, run, "T3", code, [fmt.cell_key(code, c.code) for c in cols], ["int"] * len(cols), [])
