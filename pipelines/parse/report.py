"""Parse one document: sniff its medium, extract grids with that medium's parser, turn grids into
format cells, identify agency and year, keep the narrative. Never raises for bad input: every
failure becomes ``status='failed'`` with a typed error naming the document."""

from __future__ import annotations

import hashlib
import logging
import re
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.parse import guards
from pipelines.parse.base import ExtractedDocument, MediumParser, ParseError
from pipelines.parse.cells import CellExtraction, CellValue, Issue, extract_cells
from pipelines.parse.collection import Split, part_text, split_collection
from pipelines.parse.docx import DocxParser
from pipelines.parse.html import HtmlParser
from pipelines.parse.identify import find_title, looks_like_other_document, reads_as_report, title_line
from pipelines.parse.identity_sources import resolve_identity
from pipelines.parse.image import ImageParser
from pipelines.parse.legacy import LegacyWordParser
from pipelines.parse.narrative import split_sections
from pipelines.parse.pdf import PdfParser
from pipelines.parse.reader_errors import SIZE_ERRORS, is_reader_error
from pipelines.parse.sniff import SUFFIX_MEDIA, sniff_media
from pipelines.parse.stated import date_in_text
from pipelines.parse.text import TextParser
from schemas import format as fmt

log = logging.getLogger(__name__)

PARSER_VERSION = "0.1.0"
REPORT_SECTIONS = 3  # a body with this many of the format's six section headings is a report

PARSERS: dict[str, MediumParser] = {
    "html": HtmlParser(), "text": TextParser(), "pdf": PdfParser(), "docx": DocxParser(),
    **{m: LegacyWordParser(m) for m in ("doc", "wps", "rtf")}, "image": ImageParser(),
}
# File suffixes a folder source lists as documents: those naming a medium a parser above reads.
READABLE_SUFFIXES = frozenset(s for s, medium in SUFFIX_MEDIA.items() if medium is None or medium in PARSERS)


@dataclass
class ParseResult:
    document: str
    sha256: str
    media_type: str
    status: str  # parsed | not_a_report | failed
    agency: str | None = None
    year: int | None = None
    title: str | None = None
    table_formats: dict[str, str] = field(default_factory=dict)
    cells: dict[str, CellValue] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    sections: dict[str, str] = field(default_factory=dict)
    error_type: str | None = None
    error: str | None = None
    encoding: str | None = None
    parser_version: str = PARSER_VERSION
    # A collection (汇编) of several agencies' reports: one result per report, in document order.
    # The document's own result then holds no cells; each part is validated and loaded on its own.
    parts: list[ParseResult] = field(default_factory=list)
    part: int | None = None  # 1-based position of this report in its collection
    pages: tuple[int, int] | None = None  # first and last page of this report in its collection
    ocr_pages: int = 0  # pages read by OCR: the numbers are an engine's reading of a scan
    # What the document states about itself (pipelines/parse/stated.py): the site of the page it
    # was published on, and when it was published (ISO date, or date and time)
    site: str | None = None
    published_at: str | None = None

    def cell_values(self) -> dict[str, Any]:
        """Every cell of the detected format; None where blank or not found."""
        return {d.key: (self.cells[d.key].value if d.key in self.cells else None)
                for d in fmt.cells_for(self.table_formats)}

    def raw_tokens(self) -> dict[str, str]:
        """The printed token of every null cell that the document does print."""
        return {k: c.raw for k, c in self.cells.items() if c.value is None}


def _failed(name: str, sha: str, media: str, err: ParseError) -> ParseResult:
    return ParseResult(name, sha, media, "failed", error_type=err.error_type, error=f"{name}: {err.message}")


@dataclass(frozen=True)
class IdentityHint:
    """Agency and year as the portal's listing titled the document; used only when the document
    itself does not print them, and then flagged (``identity_from_listing``)."""

    agency: str | None
    year: int | None
    title: str


def parse_bytes(data: bytes, name: str, declared_charset: str | None = None, hint: IdentityHint | None = None,
                resources: Mapping[str, str] | None = None) -> ParseResult:
    """``resources``: what the crawler fetched with a page (its pictures: URL → archived file)."""
    sha = hashlib.sha256(data).hexdigest()
    media = sniff_media(data, name)
    try:
        if not data.strip():
            raise ParseError("empty_document", "the document is empty (0 bytes or only whitespace)", name)
        parser = PARSERS.get(media)
        if parser is None:
            raise ParseError("unsupported_media", f"no parser for {media} documents yet", name)
        guards.check(data, media, name)
        extra = {"fetched": resources} if resources and media == "html" else {}
        doc: ExtractedDocument = parser.extract(data, name, declared_charset, **extra)  # type: ignore[call-arg]
        return _interpret(doc, name, sha, hint)
    except ParseError as err:
        return _failed(name, sha, media, err)
    except Exception as err:  # noqa: BLE001 - typed by its class: a bad file, or a bug of ours
        kind = crash_type(err, media)
        return _failed(name, sha, media, ParseError(kind, _crash_message(err, kind, name), name))


def crash_type(err: BaseException, media: str) -> str:
    """``corrupt_<medium>`` when a reading library gave up on the bytes (one of its own exception
    classes: ``reader_errors``), ``too_large`` on memory exhaustion or a decompression bomb, and
    ``parser_crash`` for anything else — a TypeError or AttributeError raised inside pdfplumber or
    lxml is a bug of ours that passed it something wrong, not a bad file."""
    if isinstance(err, SIZE_ERRORS):
        return "too_large"
    return f"corrupt_{media}" if is_reader_error(err) else "parser_crash"


def _crash_message(err: BaseException, error_type: str, name: str) -> str:
    """The failure's one line; a ``parser_crash`` also logs its whole trace (a bug to fix) and names
    the innermost frame in the line."""
    message = f"{type(err).__name__}: {err}"[:400]
    if error_type == "parser_crash":
        log.error("parser_crash on %s", name, exc_info=err)
        frames = traceback.extract_tb(err.__traceback__)
        if frames:
            message = f"{message} (at {Path(frames[-1].filename).name}:{frames[-1].lineno} in {frames[-1].name})"
    return message[:500]


def parse_path(path: str | Path) -> ParseResult:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as err:
        return ParseResult(str(p), "0" * 64, "unknown", "failed", error_type="unreadable_file",
                           error=f"{p}: {err.strerror or err}")
    return parse_bytes(data, str(p))


def _interpret(doc: ExtractedDocument, name: str, sha: str, hint: IdentityHint | None = None) -> ParseResult:
    split = split_collection(doc)
    if split is not None:
        return _collection(doc, name, sha, split)
    extraction: CellExtraction = extract_cells(doc.grids)
    candidates = _identity_candidates(doc)
    res = ParseResult(name, sha, doc.media_type, "parsed", encoding=doc.encoding, ocr_pages=doc.ocr_pages,
                      **_stated(doc))
    res.sections = split_sections(doc.text)
    if extraction.data_rows == 0:
        # "not a report" only for documents that positively read as something else; a document
        # titled as an annual report that yields no tables (tables as images, a truncated page)
        # is a failure to look at.
        # A report title wins over a body line that names another kind of document ("《…规定》").
        found = find_title(candidates)
        titled = found.title if found else reads_as_report(candidates)
        if titled:
            raise ParseError("no_report_tables", f"titled as an annual report ({titled}) but no table 2/3/4 rows were "
                             "read (tables as images, a truncated page, or a layout the parser does not read)", name)
        body = doc.text[:3000]
        if len(res.sections) >= REPORT_SECTIONS or ("S1" in res.sections and re.search(r"本报告|年度报告", body)
                                                    and "政府信息公开" in body):
            raise ParseError("no_report_tables", f"reads as an annual report without its title (sections "
                             f"{', '.join(res.sections)}) but no table 2/3/4 rows were read", name)
        other = looks_like_other_document(doc.title_candidates)
        res.status = "not_a_report"
        res.title = other or next((c.strip() for c in doc.title_candidates if c.strip()), None)
        res.error = (f"{name}: reads as another kind of document (title: {other}); no report tables" if other else
                     f"{name}: no report tables and no annual-report title")
        return res
    ident = resolve_identity(doc, candidates)
    agency, year = ident.agency, ident.year
    hinted: list[Issue] = []
    if (agency is None or year is None) and hint and (agency or hint.agency) and (year or hint.year) \
            and not ident.conflict:  # (never over sources of the document that disagree)
        agency, year = agency or hint.agency, year or hint.year
        hinted.append(Issue("identity_from_listing", "warning", "parser", [],
                            f"agency/year are not printed in the document's title or first lines; taken from the "
                            f"portal listing title {hint.title!r}: {agency} {year}"))
    if agency is None or year is None:
        seen = "; ".join(ident.found) or "nothing"
        raise ParseError("unidentified", f"report tables found but no certain agency/year (found: {seen})", name)
    res.agency, res.year, res.title = agency, year, ident.title
    res.table_formats = extraction.table_formats
    res.cells = extraction.cells
    for key, printed in doc.raw_tokens.items():  # cells the reader left blank: keep what was printed
        if key in res.cells and res.cells[key].value is None:
            res.cells[key].raw = printed
    res.issues = extraction.issues + doc.issues + ident.issues + hinted
    return res


def _stated(doc: ExtractedDocument) -> dict[str, str | None]:
    return {"site": doc.site, "published_at": doc.published_at or date_in_text(doc.text.splitlines())}


def _identity_candidates(doc: ExtractedDocument) -> list[str]:
    """Title candidates, then the text's first lines — without the running header/footer lines
    that are not titles: a header "青石县统计局" over the title "2023年度…年度报告" on page 1 is no
    wrapped title (it is found as a page header, and flagged as such). A web page's candidates
    come from separate elements (<title> parts, headings): a blank between them keeps the site's
    name ("…_青石县人民政府") from being read as the first line of a wrapped title."""
    running = set(doc.page_headers)
    titles = doc.title_candidates
    if doc.media_type == "html":
        titles = [x for c in titles for x in (c, "")]
    # (a blank between the candidates and the text: the candidates' last line — a caption at the foot of
    # the list, "第二十条第（六）项" — is no first line of a title wrapped into the text's first lines)
    return [c for c in [*titles, "", *doc.text.splitlines()[:80]] if c.strip() not in running or title_line(c)]


def _collection(doc: ExtractedDocument, name: str, sha: str, split: Split) -> ParseResult:
    """One result per report of a collection; each reads only its own tables and text."""
    stated = _stated(doc)  # (a collection is published as one document: its reports share the date)
    res = ParseResult(name, sha, doc.media_type, "parsed", title=next((c for c in doc.title_candidates if c.strip()), None),
                      encoding=doc.encoding, ocr_pages=doc.ocr_pages, **stated)
    for k, part in enumerate(split.parts, start=1):
        extraction = extract_cells(part.grids)
        one = ParseResult(name, sha, doc.media_type, "parsed", part.agency, part.year, part.title, encoding=doc.encoding,
                          part=k, pages=part.pages, ocr_pages=doc.ocr_pages, **stated)
        one.sections = split_sections(part_text(doc, part))
        where = f"pages {part.pages[0]}–{part.pages[1]}" if part.pages else f"report {k}"
        if extraction.data_rows == 0:
            one.status, one.error_type = "failed", "no_report_tables"
            one.error = (f"{name} ({where}, {part.title}): a report of the collection whose tables were not read "
                         "(tables as images, or a layout the parser does not read)")
        else:
            one.table_formats, one.cells, one.issues = extraction.table_formats, extraction.cells, extraction.issues
        if k == 1 and split.unattributed:
            rows = sum(len(g.rows) for g in split.unattributed)
            one.issues.append(Issue("collection_unattributed_tables", "error", "parser", [],
                                    f"{len(split.unattributed)} table(s) ({rows} rows) stand above the collection's first "
                                    "report title; their numbers belong to no report and were not loaded"))
        res.parts.append(one)
    agencies = ", ".join(f"{p.agency} {p.year}" for p in res.parts)
    res.error = f"{name}: a collection of {len(res.parts)} reports ({agencies})"
    return res
