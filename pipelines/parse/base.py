"""The one interface every medium's parser implements, and the intermediate shape they all return.

A medium parser (HTML, text, later PDF/Word/OCR) turns bytes into an ``ExtractedDocument``: the
title candidates, the plain text (for identification and narrative sections) and the tables as
grids of ``GridCell``s with their position. One shared step (``pipelines.parse.cells``) turns grids
into format cells, so a fix to label matching helps every medium.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class ParseError(Exception):
    """A document that cannot be parsed. ``error_type`` is a stable, queryable category."""

    def __init__(self, error_type: str, message: str, document: str = "") -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.document = document

    def __str__(self) -> str:
        where = f"{self.document}: " if self.document else ""
        return f"{where}{self.error_type}: {self.message}"


@dataclass
class GridCell:
    text: str
    row: int  # grid row index inside its table
    col: int  # first grid column (after rowspan/colspan expansion)
    rowspan: int = 1
    colspan: int = 1
    page: int | None = None  # PDF page (1-based), when the medium has pages
    bbox: tuple[float, float, float, float] | None = None
    confidence: float | None = None  # OCR: the engine's lowest confidence for the cell's text
    image: str | None = None  # read from a picture: its URL, file or Word part (``page`` = its number)
    # a PDF page read turned upright (a rotated table): the box as read, in the table's own frame
    # (``bbox`` is mapped back to the page's coordinates, where left-to-right is not the table's)
    upright: tuple[float, float, float, float] | None = None


@dataclass
class Grid:
    """One table as extracted. ``rows`` hold only the cells that *start* in that row; cells spanning
    down from earlier rows are not repeated, so merged cells are never read twice."""

    index: int
    rows: list[list[GridCell]] = field(default_factory=list)
    caption: str = ""  # the short line printed just above the table, if any (e.g. 行政复议 over a sub-table)
    # rows regrouped from text with one cell a line (pipelines/parse/text.py): their cells kept no
    # columns, so a header's order says nothing and a short row lost where its gaps were
    regrouped: set[int] = field(default_factory=set)


@dataclass
class ExtractedDocument:
    media_type: str  # html | text | pdf | docx
    title_candidates: list[str]
    text: str  # the document's text in reading order, tables included as lines
    grids: list[Grid]
    encoding: str | None = None
    # Where things are, for splitting a collection (汇编) into its reports: the text line each grid
    # starts at, when the medium knows it (else it is located from the grid's text), and the page
    # of every text line (paged media).
    grid_lines: list[int] = field(default_factory=list)
    line_pages: list[int] = field(default_factory=list)
    ocr_pages: int = 0  # pages read by OCR (a scan)
    # What the medium's reader itself has to say about cells (text whose cells ran together: the cuts
    # it could not make), and the printed text of the cells it left blank for that reason.
    issues: list = field(default_factory=list)
    raw_tokens: dict[str, str] = field(default_factory=dict)
    # What a web page states about itself (pipelines/parse/stated.py): its site (SiteIDCode, else
    # SiteName meta tag) and publication date (PubDate meta tag).
    site: str | None = None
    published_at: str | None = None
    # Where a report's identity may also be printed when its title names no agency: the HTML
    # page's <meta> tags (ArticleTitle, SiteName, ColumnName…) and the running header/footer lines
    # printed on the pages (PDF lines repeated on every page, Word header/footer parts).
    metadata: dict[str, str] = field(default_factory=dict)
    page_headers: list[str] = field(default_factory=list)


class MediumParser(Protocol):
    media_type: str

    def extract(self, data: bytes, name: str) -> ExtractedDocument: ...
