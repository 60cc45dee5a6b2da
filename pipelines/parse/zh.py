"""Traditional → simplified conversion (zhconv), imported quietly: zhconv reads its tables through
pkg_resources when setuptools is installed (cpca needs it), which warns on import though it works."""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
    from zhconv import convert

__all__ = ["convert"]
