"""Report collections (汇编): one document holding several agencies' annual reports, split into
one report per agency-year.

A county often publishes its departments' reports as one PDF (or Word file): a cover, maybe a
table of contents, then each report under its own title. The split is medium-independent: report
titles are found as lines of the document's text (``identify.title_lines``: a line that is a title
and nothing else, so a sentence or a contents entry with dots and a page number is not one), every
grid is placed at the text line where it starts, and each grid belongs to the last title above it.

A document is a collection only when at least two *different* agency-years each own tables. A
report whose title is printed again (a running header on every page, the title repeated above the
body) stays one report: consecutive titles of the same agency-year are one part. Titles that own no
tables (a cover, a contents page) start no report. Tables above the first title are nobody's: they
are reported, never attributed to a guessed agency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipelines.parse.base import ExtractedDocument, Grid
from pipelines.parse.identify import title_lines
from pipelines.parse.tokens import is_value_token

_SPACE = re.compile(r"\s+")
CONTENTS_ENTRY_LINES = 3  # a title with at most this many non-empty lines under it (itself included) owns no text
PROBE_CHARS = 4  # the first characters of a grid's first cell that are looked for in the text


@dataclass
class Part:
    """One report of a collection: the lines [first_line, end_line) of the document's text."""

    agency: str
    year: int
    title: str
    first_line: int
    end_line: int
    grids: list[Grid] = field(default_factory=list)
    pages: tuple[int, int] | None = None  # first and last page (paged media)


@dataclass
class Split:
    parts: list[Part]
    unattributed: list[Grid]  # tables above the first report title


def _probe(grid: Grid) -> str | None:
    for row in grid.rows:
        for cell in row:
            text = _SPACE.sub("", cell.text)
            if text and not text.replace(".", "").isdigit():
                return text[:PROBE_CHARS]
    return None


def _has_numbers(grid: Grid) -> bool:
    return any(is_value_token(c.text) and any(ch.isdigit() for ch in c.text) for row in grid.rows for c in row)


def _owns_numbers(part: Part) -> bool:
    return any(_has_numbers(g) for g in part.grids)


def _grid_page(grid: Grid) -> int | None:
    return next((c.page for row in grid.rows for c in row if c.page is not None), None)


def grid_lines(doc: ExtractedDocument, lines: list[str]) -> list[int]:
    """The text line each grid starts at: what the medium parser recorded, else the first line at or
    after the previous grid's (on the grid's own page, for paged media) that holds the start of the
    grid's first text cell. A grid whose text is not found stays at the previous grid's line."""
    if len(doc.grid_lines) == len(doc.grids):
        return list(doc.grid_lines)
    flat = [_SPACE.sub("", ln) for ln in lines]
    out, cursor = [], 0
    for grid in doc.grids:
        probe, page = _probe(grid), _grid_page(grid)
        start = cursor
        if page is not None and doc.line_pages:
            # a grid starts on its own page: search from that page's first line (or the cursor)
            start = max(cursor, next((i for i, p in enumerate(doc.line_pages) if p >= page), cursor))
        found = None
        if probe:
            found = next((i for i in range(start, len(flat))
                          if probe in flat[i] and (page is None or not doc.line_pages or doc.line_pages[i] == page)), None)
        cursor = found if found is not None else start
        out.append(cursor)
    return out


def split_collection(doc: ExtractedDocument) -> Split | None:
    """The document's reports when it is a collection of two or more agency-years, else None."""
    lines = doc.text.split("\n")
    titles = title_lines(lines)
    if len({(t[2], t[3]) for t in titles}) < 2:
        return None
    parts: list[Part] = []
    for first, _span, agency, year, title in titles:
        if parts and (parts[-1].agency, parts[-1].year) == (agency, year):
            continue  # the same report's title again (running header, repeated heading)
        if parts:
            parts[-1].end_line = first
        parts.append(Part(agency, year, title, first, len(lines)))
    starts = grid_lines(doc, lines)
    unattributed: list[Grid] = []
    for grid, line in zip(doc.grids, starts, strict=True):
        owner = next((p for p in reversed(parts) if p.first_line <= line), None)
        if owner:
            owner.grids.append(grid)
        elif _has_numbers(grid):
            unattributed.append(grid)  # (a table without numbers above every title: layout, contents)
    owning = [p for p in parts if _owns_numbers(p)]
    if len({(p.agency, p.year) for p in owning}) < 2:
        return None
    # Titles before the first report with tables are a cover or a contents page; a later title
    # with text of its own but no tables is a report whose tables were not read (images, an
    # unread layout): kept, so it fails visibly instead of vanishing into its neighbour. A title
    # with next to no text under it (a contents entry) gives its lines to the report before it.
    first = next(i for i, p in enumerate(parts) if _owns_numbers(p))
    merged: list[Part] = []
    for p in parts[first:]:
        body = sum(1 for ln in lines[p.first_line:p.end_line] if ln.strip())
        if _owns_numbers(p) or body > CONTENTS_ENTRY_LINES:
            merged.append(p)
        else:
            merged[-1].end_line = p.end_line
            merged[-1].grids += p.grids
    if doc.line_pages:
        for p in merged:
            pages = [doc.line_pages[i] for i in range(p.first_line, p.end_line) if lines[i].strip()]
            pages += [c.page for g in p.grids for row in g.rows for c in row if c.page is not None]
            p.pages = (min(pages), max(pages))
    return Split(merged, unattributed)


def part_text(doc: ExtractedDocument, part: Part) -> str:
    return "\n".join(doc.text.split("\n")[part.first_line:part.end_line])
