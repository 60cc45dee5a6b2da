"""Paths of the machine that built the warehouse, shown relative to their source in the site.

A folder source's documents are stored with their absolute path (``/home/…/reports/x.pdf``), and
failure messages quote it; the site is published, so it must not show where the builder kept its
files (issue #27). A document's path is shown relative to its folder source's root (``x.pdf``), a
raw-archive copy as ``archive/<sha[:2]>/<sha>`` (the archive's own layout). Crawled documents are
shown by their URL, which is already where they came from."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import PurePosixPath


def _is_path(source: str | None) -> bool:
    return bool(source) and source.startswith("/")  # type: ignore[union-attr]


class SourcePaths:
    """Replaces every known root (a folder source's, the raw archive's) by its relative form."""

    def __init__(self, roots: dict[str, str]) -> None:
        # the longest root first: a folder inside another is cut at its own root
        self.roots = sorted(((r.rstrip("/") + "/", to) for r, to in roots.items() if r.strip("/")),
                            key=lambda r: -len(r[0]))

    @classmethod
    def of(cls, sources: Iterable[str | None], archived: Iterable[str | None]) -> SourcePaths:
        """``sources``: every document source (paths of folder sources, URLs); ``archived``: every
        raw-archive path (``<root>/<sha[:2]>/<sha>``)."""
        folders = sorted({str(PurePosixPath(s).parent) for s in sources if _is_path(s)})
        roots: dict[str, str] = {}
        if folders:
            common = os.path.commonpath(folders)
            # documents from folders with nothing in common but "/": each folder is its own root
            for root in ([common] if common.strip("/") else folders):
                roots[root] = ""
        for a in archived:
            if _is_path(a):
                roots.setdefault(str(PurePosixPath(a).parent.parent), "archive/")
        return cls(roots)

    def rel(self, text: object) -> str:
        """The text with every path under a known root shown relative to it."""
        if text is None:
            return ""
        out = str(text)
        for root, to in self.roots:
            out = out.replace(root, to)
        return out
