"""Traditional → simplified conversion (zhconv), imported quietly: zhconv reads its tables through
pkg_resources when setuptools is installed (cpca needs it), which warns on import though it works."""

from __future__ import annotations

import warnings
from functools import cache

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
    from zhconv import convert as _convert
    from zhconv import zhconv as _tables

__all__ = ["convert"]


@cache
def _first_characters(locale: str) -> frozenset[str]:
    """Every character a conversion entry of ``locale`` starts with."""
    return frozenset(word[0] for word in _tables.getdict(locale) if word)


def convert(text: str, locale: str) -> str:
    """zhconv's conversion, answered at once for text none of whose characters starts an entry —
    most text, which is simplified already. zhconv walks such text character by character and
    returns it as it was (maximal forward matching only ever starts at an entry's first character),
    at ~40 µs a line: identifying a report converts every title and body line."""
    if _first_characters(locale).isdisjoint(text):
        return text
    return _convert(text, locale)
