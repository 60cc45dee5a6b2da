"""Label → code matching, driven by the variant data in ``schemas.labels``."""

from __future__ import annotations

import re
from functools import cache, lru_cache

from pipelines.parse.normalize import normalise_label, strip_ordinal
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
def section_code(line: str) -> str | None:
    return _first_code(L.SECTION_PATTERNS, normalise_label(line))
