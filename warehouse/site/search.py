"""What the search page matches an agency by: every printed name in simplified and in traditional
characters, so 「洪澤」 finds 洪泽区人民政府 and 「洪泽」 a name printed 洪澤 (the page compares strings;
converting a query in the browser would need zhconv's tables there)."""

from __future__ import annotations

import warnings
from collections.abc import Iterable

with warnings.catch_warnings():
    # zhconv reads its tables through pkg_resources, which warns on import though it works
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
    from zhconv import convert

# Simplified, and the traditional of the mainland, Taiwan and Hong Kong (they differ on a few
# characters: 台/臺, 着/著 …).
LOCALES = ("zh-hans", "zh-hant", "zh-tw", "zh-hk")


def spellings(names: Iterable[str]) -> list[str]:
    """Every name as printed and in every locale's spelling, each once, in a stable order."""
    out: dict[str, None] = {}
    for name in names:
        out.setdefault(name, None)
        for locale in LOCALES:
            out.setdefault(convert(name, locale), None)
    return list(out)
