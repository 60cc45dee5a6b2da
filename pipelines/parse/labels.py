"""Label → code matching, driven by the variant data in ``schemas.labels``."""

from __future__ import annotations

import re
from functools import cache

from pipelines.parse.normalize import normalise_label, strip_ordinal
from schemas import labels as L


@cache
def _compiled(patterns: tuple[tuple[str, str], ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((code, re.compile(p)) for code, p in patterns)


def core(label: str) -> str:
    """Normalised label without its leading ordinal."""
    return strip_ordinal(normalise_label(label))


def t3_row_code(label: str, group: str | None) -> str | None:
    c = core(label)
    if not c:
        return None
    for code, pat in _compiled(L.T3_ROW_PATTERNS):
        if pat.search(c):
            return code
    if re.search(L.T3_OTHER_LEAF, c) and group == "3.3.6":
        return "3.3.6.3"
    return None


def t3_group_code(label: str) -> str | None:
    c = core(label)
    for code, pat in _compiled(L.T3_GROUP_PATTERNS):
        if pat.search(c):
            return code
    return None


def t2_row_code(label: str) -> str | None:
    return L.T2_ROW_LABELS.get(core(label))


def t2_caption_block(label: str) -> str | None:
    m = re.search(L.T2_CAPTION, normalise_label(label))
    return L.T2_CAPTION_BLOCKS.get(m.group(1)) if m else None


def t2_header_format(label: str) -> str | None:
    n = normalise_label(label)
    if any(w in n for w in L.T2_HEADERS_2019):
        return "2019"
    if any(w in n for w in L.T2_HEADERS_2021):
        return "2021"
    return None


def has_any(labels: list[str], words: tuple[str, ...]) -> bool:
    return any(w in normalise_label(x) for x in labels for w in words)


def t4_parts(labels: list[str]) -> set[str]:
    """The table-4 proceedings (R, LD, LA; L = litigation in general) that labels name, one per label."""
    found = set()
    for x in labels:
        n = normalise_label(x)
        for code, pat in L.T4_PART_PATTERNS:
            if re.search(pat, n):
                found.add(code)
                break
    return found


def section_code(line: str) -> str | None:
    n = normalise_label(line)
    for code, pat in _compiled(L.SECTION_PATTERNS):
        if re.search(pat, n):
            return code
    return None
