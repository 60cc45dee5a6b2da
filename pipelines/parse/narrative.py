"""Narrative sections 一 … 六 kept as text, keyed S1 … S6, for later prose-vs-table checks."""

from __future__ import annotations

from pipelines.parse.labels import section_code

ORDER = ("S1", "S2", "S3", "S4", "S5", "S6")


def split_sections(text: str) -> dict[str, str]:
    """Cut the text at the six headings, in order (a heading may appear only after the previous)."""
    out: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        code = section_code(stripped) if len(stripped) < 60 else None
        if code and (current is None or ORDER.index(code) > ORDER.index(current)):
            current = code
            out[code] = [stripped]
            continue
        if current:
            out[current].append(stripped.replace("\t", " "))
    return {k: "\n".join(v) for k, v in out.items()}
