"""Label → code matching, driven by the variant data in ``schemas.labels``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from rapidfuzz.distance import Indel, Levenshtein

from pipelines.parse.normalize import normalise_label, strip_ordinal
from schemas import format as fmt
from schemas import labels as L

# The label tests below are pure functions of a cell's text, asked of every cell in every layout
# pass, and printed labels repeat across rows, tables and reports: each answer is kept.
LABEL_CACHE = 1 << 16


@cache
def _compiled(patterns: tuple[tuple[str, str], ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((code, re.compile(p)) for code, p in patterns)


def _first_code(patterns: tuple[tuple[str, str], ...], text: str) -> str | None:
    """The code of the first pattern found in ``text``."""
    return next((code for code, pat in _compiled(patterns) if pat.search(text)), None)


def core(label: str) -> str:
    """Normalised label without its leading ordinal."""
    return strip_ordinal(normalise_label(label))


@lru_cache(maxsize=LABEL_CACHE)
def t3_row_code(label: str, group: str | None) -> str | None:
    c = core(label)
    if not c:
        return None
    if code := _first_code(L.T3_ROW_PATTERNS, c):
        return code
    if re.search(L.T3_OTHER_LEAF, c) and group == "3.3.6":
        return "3.3.6.3"
    return None


@lru_cache(maxsize=LABEL_CACHE)
def t3_group_code(label: str) -> str | None:
    return _first_code(L.T3_GROUP_PATTERNS, core(label))


def t2_row_code(label: str) -> str | None:
    return L.T2_ROW_LABELS.get(core(label))


@lru_cache(maxsize=LABEL_CACHE)
def t2_caption_block(label: str) -> str | None:
    m = re.search(L.T2_CAPTION, normalise_label(label))
    return L.T2_CAPTION_BLOCKS.get(m.group(1)) if m else None


@lru_cache(maxsize=LABEL_CACHE)
def t2_header_format(label: str) -> str | None:
    n = normalise_label(label)
    if any(w in n for w in L.T2_HEADERS_2019):
        return "2019"
    if any(w in n for w in L.T2_HEADERS_2021):
        return "2021"
    return None


def has_any(labels: list[str], words: tuple[str, ...]) -> bool:
    normalised = [normalise_label(x) for x in labels]
    return any(w in n for n in normalised for w in words)


def t4_parts(labels: list[str]) -> set[str]:
    """The table-4 proceedings (R, LD, LA; L = litigation in general) that labels name, one per label."""
    return {code for code in map(_t4_part, labels) if code}


@lru_cache(maxsize=LABEL_CACHE)
def _t4_part(label: str) -> str | None:
    return _first_code(L.T4_PART_PATTERNS, normalise_label(label))


@lru_cache(maxsize=LABEL_CACHE)
def t4_proceeding(label: str) -> str | None:
    """The one table-4 proceeding a label names (R, LD, LA; L = litigation in general), or None —
    also for a heading or caption naming the whole table (行政复议、行政诉讼情况: review and litigation)."""
    n = normalise_label(label)
    if section_code(n):
        return None
    named = {code for code, pat in _compiled(L.T4_PART_PATTERNS) if pat.search(n)}
    if named & {"LA", "LD"}:
        return "LA" if "LA" in named else "LD"  # (复议后起诉 names 复议 too)
    if named == {"R", "L"}:
        return None
    return next(iter(named), None)


def t4_single_proceeding(labels: list[str]) -> str | None:
    """The proceeding a row's labels name between them: one of R, LD, LA, alone or under 行政诉讼
    (行政诉讼 | 未经复议直接起诉); None when they name none, or two (a header over several)."""
    parts = {p for p in map(t4_proceeding, labels) if p}
    proper = parts - {"L"}
    if len(proper) != 1 or ("L" in parts and proper == {"R"}):
        return None
    return next(iter(proper))


@dataclass(frozen=True)
class ResultMatch:
    code: str  # maintain | correct | other | pending | total
    nearest: Nearest | None = None  # set when the label was read as the nearest result (a warning)


@lru_cache(maxsize=LABEL_CACHE)
def t4_result(label: str) -> ResultMatch | None:
    """The table-4 result one label names: by the patterns (as printed, or with its proceeding:
    行政复议结果维持), else the nearest result label under the margin rule; None when it names none
    or several (labels of one column run together)."""
    c = core(label)
    named = {code for code, pat in _compiled(L.T4_RESULT_PATTERNS) if pat.search(c)}
    if len(named) == 1:
        return ResultMatch(next(iter(named)))
    if named:
        return None
    near = _nearest(c, _t4_result_cores())
    return ResultMatch(near.code, near) if near else None


def t4_row_result(labels: list[str]) -> ResultMatch | None:
    """The one result a row's labels name (a row of table 4 printed as a list or turned); None when
    they name none or several (a header row over the results)."""
    found = [m for m in map(t4_result, labels) if m]
    return found[0] if len({m.code for m in found}) == 1 and len(found) == 1 else None


@cache
def _t4_result_cores() -> tuple[tuple[str, str, str], ...]:
    return tuple((c.code.split(".", 1)[1], c.label, core(c.label)) for c in fmt.t4_columns() if c.code.startswith("R."))


@lru_cache(maxsize=LABEL_CACHE)
def section_code(line: str) -> str | None:
    return _first_code(L.SECTION_PATTERNS, normalise_label(line))


# --- Labels as printed, not as specified -------------------------------------------------------
# A row label that none of the patterns above recognises (a typo such as 补证 for 补正, a dropped or
# doubled character, a vertically merged label whose glyphs came out in another order) is matched to
# the nearest row of the format — only when it is clearly nearer to one row than to any other, and
# always with a warning naming the distance, so a person can see what was read as what.

@dataclass(frozen=True)
class Nearest:
    code: str
    official: str
    distance: int
    runner_up: str | None
    runner_up_distance: int | None

    def describe(self, printed: str) -> str:
        other = (f"; the next nearest, {self.runner_up}, is {self.runner_up_distance} away"
                 if self.runner_up else "")
        return (f"label {printed!r} matches no row as printed; read as {self.code} {self.official!r} "
                f"({self.distance} character edit{'s' if self.distance != 1 else ''} away{other})")


MIN_MARGIN = 2  # the best row must be at least this many edits nearer than the second best


def _distance(printed: str, official: str) -> int:
    d = Levenshtein.distance(printed, official)
    # glyphs of one label in another order (a vertically merged cell read column-wise): same characters
    return min(d, Indel.distance("".join(sorted(printed)), "".join(sorted(official))) + 1)


def _allowed(official: str) -> int:
    return len(official) // 4  # labels under 4 characters are matched only as printed


@cache
def _t3_leaf_cores() -> tuple[tuple[str, str, str], ...]:
    rows = [r for r in fmt.t3_rows_all() if r.kind in ("leaf", "total") and r.code != "3.3.6.3"]
    return tuple((r.code, r.label, core(r.label)) for r in rows)


@cache
def _t2_row_cores() -> tuple[tuple[str, str, str], ...]:
    return tuple((code, label, core(label)) for label, code in L.T2_ROW_LABELS.items())


def _nearest(printed_core: str, candidates: tuple[tuple[str, str, str], ...]) -> Nearest | None:
    if not printed_core:
        return None
    scored = sorted((_distance(printed_core, c), code, label) for code, label, c in candidates)
    best_d, best_code, best_label = scored[0]
    second = next(((d, code, label) for d, code, label in scored[1:] if code != best_code), None)
    best_core = next(c for code, label, c in candidates if code == best_code and label == best_label)
    if best_d == 0 or best_d > _allowed(best_core):
        return None
    if second is not None and second[0] - best_d < MIN_MARGIN:
        return None  # two rows about as near: never guess between them
    return Nearest(best_code, best_label, best_d, second[2] if second else None, second[0] if second else None)


@lru_cache(maxsize=LABEL_CACHE)
def nearest_t4_result(label: str) -> Nearest | None:
    """The table-4 result a printed header clearly means when it is none as printed."""
    return _nearest(core(label), _t4_result_cores())


@lru_cache(maxsize=LABEL_CACHE)
def nearest_t3_row(label: str) -> Nearest | None:
    """The table-3 row a printed label clearly means when no pattern recognises it."""
    return _nearest(core(label), _t3_leaf_cores())


@lru_cache(maxsize=LABEL_CACHE)
def nearest_t2_row(label: str) -> Nearest | None:
    return _nearest(core(label), _t2_row_cores())


def names_format_row(label: str, group: str | None = None) -> bool:
    """Whether a label names a row of tables 2 or 3, as printed or clearly misprinted (the nearest-row
    rule above, margin and all). For finding rows only — which row it is, and the warning that a
    misprint was read, are the cell step's."""
    return bool(t2_row_code(label) or t3_row_code(label, group) or t3_group_code(label)
                or nearest_t3_row(label) or nearest_t2_row(label))
