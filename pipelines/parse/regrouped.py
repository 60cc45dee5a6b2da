"""Column orders of headers printed one cell a line (a paste that lost its rows, pipelines/parse/text.py).

Such a header is the table's merged header read row after row: table 3's 自然人 | 法人或其他组织 | 总计,
then the five columns under 法人或其他组织; table 4's 行政复议 | 行政诉讼, then 行政复议's five results
and the two 行政诉讼 proceedings, then each proceeding's five results. Its reading order is not the
columns' order, but the columns' order follows from it level by level — whatever order the office
printed its columns in. A header that does not read as those levels gives no order: the rows are
read by position only where what was read agrees with the template's own reading order, else not
placed (never a guess).
"""

from __future__ import annotations

from pipelines.parse import columns as colmap
from pipelines.parse import labels as lab
from pipelines.parse.columns import ColumnMap
from pipelines.parse.normalize import normalise_label
from schemas import format as fmt

LEGAL_GROUP = "法人或其他组织"
T3_TOP = ("np", "legal", "total")
T3_LEGAL = tuple(c for c in fmt.T3_APPLICANT_COLUMNS if c != "np")
# the template's header read row after row: 自然人, 法人或其他组织, 总计, then the five legal columns
T3_TEMPLATE_READING = ("np", "legal", "total", *T3_LEGAL)
RESULTS = colmap.T4_RESULT_ORDER


def _subsequence(found: list[str], of: tuple[str, ...]) -> bool:
    it = iter(of)
    return len(set(found)) == len(found) and all(c in it for c in found)


def t3_map(texts: list[str]) -> ColumnMap:
    leaves = colmap.t3_leaves()
    seq = []
    for t in texts:
        n = normalise_label(t)
        if n in leaves:
            seq.append(leaves[n])
        elif n == LEGAL_GROUP:
            seq.append("legal")
    found = tuple(c for c in seq if c != "legal")
    top = [c for c in seq if c in T3_TOP]
    legal = [c for c in seq if c in T3_LEGAL]
    if sorted(top) == sorted(T3_TOP) and sorted(legal) == sorted(T3_LEGAL) and len(seq) == 8 \
            and seq[:3] == top:
        codes = tuple(c for u in top for c in (legal if u == "legal" else [u]))
        return ColumnMap(codes, None, found)
    if not found:
        return ColumnMap(None, "missing")
    return ColumnMap(None, "partial" if _subsequence(seq, T3_TEMPLATE_READING) else "ambiguous", found)


def _t4_items(texts: list[str]) -> list[str]:
    """Header words as result codes (maintain …) or proceedings (R, L, LD, LA), in reading order."""
    out = []
    for t in texts:
        n = normalise_label(t)
        if (result := colmap.t4_result_header(n)) is not None:
            out.append(result)
        elif len(parts := lab.t4_parts([t])) == 1:
            out.append(next(iter(parts)))
    return out


def t4_map(texts: list[str]) -> ColumnMap | None:
    """Table 4's fifteen columns (or one proceeding's five results) from its header read row after
    row; None when the texts hold no result header (no header here)."""
    items = _t4_items(texts)
    res = [x for x in items if x in RESULTS]
    if not res:
        return None
    if sorted(res) == sorted(RESULTS):
        return ColumnMap(tuple(res), None, tuple(res))  # one proceeding's sub-table (under its caption)
    # level 1: 行政复议 and 行政诉讼; level 2: 行政复议's results and the two 行政诉讼 proceedings;
    # level 3: the first proceeding's results, then the second's
    if len(items) == 19 and sorted(items[:2]) == ["L", "R"]:
        second, third = items[2:9], items[9:]
        procs = [x for x in second if x in ("LD", "LA")]
        r_results = [x for x in second if x in RESULTS]
        runs = [third[:5], third[5:]]
        if sorted(procs) == ["LA", "LD"] and all(sorted(x) == sorted(RESULTS) for x in (r_results, *runs)):
            order = {"R": r_results, procs[0]: runs[0], procs[1]: runs[1]}
            groups = ["R", *procs] if items[0] == "R" else [*procs, "R"]
            codes = tuple(f"{g}.{r}" for g in groups for r in order[g])
            return ColumnMap(codes, None, codes)
    template = tuple(c.code.split(".")[1] for c in fmt.t4_columns())
    return ColumnMap(None, "partial" if _subsequence_results(res, template) else "ambiguous", tuple(res))


def t4_turned_map(texts: list[str]) -> ColumnMap | None:
    """Table 4 turned (a row per result), its header printed one cell a line: the proceedings' columns
    read level by level — 行政复议 and 行政诉讼 (either first), then 行政诉讼's two proceedings in their
    order; or the three proceedings on one level. None unless the texts name all three proceeding
    columns and no result (then the results are the columns); any other reading is ambiguous, never by position."""
    items = _t4_items(texts)
    procs = [x for x in items if x in ("R", "L", "LD", "LA")]
    if not {"R", "LD", "LA"} <= set(procs) or any(x in RESULTS for x in items):
        return None  # (a list's row names one proceeding, or 行政诉讼 and one of its two, beside its result)
    if len(procs) == 4 and sorted(procs[:2]) == ["L", "R"] and sorted(procs[2:]) == ["LA", "LD"]:
        groups = ("R", *procs[2:]) if procs[0] == "R" else (*procs[2:], "R")
        return ColumnMap(groups, None, groups)
    if sorted(procs) == ["LA", "LD", "R"]:
        return ColumnMap(tuple(procs), None, tuple(procs))
    return ColumnMap(None, "ambiguous", tuple(procs))


def _subsequence_results(found: list[str], of: tuple[str, ...]) -> bool:
    it = iter(of)
    return all(c in it for c in found)
