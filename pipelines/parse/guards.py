"""Checks on a document's bytes before any parser reads them, the same on the command line as in
the nightly job: a size cap per medium, a ZIP guard for DOCX (total uncompressed size and
compression ratio, read from the central directory without inflating anything), a page cap for
PDF, and size and nesting caps for HTML. A document over a cap fails typed (``too_large``,
``zip_bomb``, ``too_many_pages``, ``too_deeply_nested``) naming the cap; nothing else is read.

The caps sit far above any real report (the largest real page seen is 355 KB of HTML; reports run
to tens of pages) and are environment-tunable for unusual sources.
"""

from __future__ import annotations

import io
import os
import re
import zipfile

from pipelines.parse.base import ParseError

MB = 1024 * 1024


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


MAX_BYTES = {  # per medium
    "html": _env_int("NIANBAO_MAX_HTML_MB", 20) * MB,
    "text": _env_int("NIANBAO_MAX_TEXT_MB", 10) * MB,
    "pdf": _env_int("NIANBAO_MAX_PDF_MB", 200) * MB,
    "docx": _env_int("NIANBAO_MAX_DOCX_MB", 50) * MB,
    "doc": 50 * MB, "wps": 50 * MB, "rtf": 50 * MB, "image": _env_int("NIANBAO_MAX_IMAGE_MB", 30) * MB,
}
MAX_UNCOMPRESSED = _env_int("NIANBAO_MAX_UNZIPPED_MB", 200) * MB
MAX_RATIO = 100  # a member inflating more than 100× (over 1 MB) is a bomb, not a report
MAX_PDF_PAGES = _env_int("NIANBAO_MAX_PDF_PAGES", 500)
MAX_TABLE_DEPTH = 20
MAX_TABLES = 5000
_TABLE_TAG = re.compile(rb"<\s*(/?)\s*table\b", re.I)


def check(data: bytes, media: str, name: str) -> None:
    cap = MAX_BYTES.get(media)
    if cap is not None and len(data) > cap:
        raise ParseError("too_large", f"{len(data) / MB:.1f} MB is over the {cap // MB} MB cap for {media} documents", name)
    if media == "docx":
        _zip(data, name)
    elif media == "html":
        _html(data, name)
    elif media == "pdf":
        _pdf(data, name)


def _zip(data: bytes, name: str) -> None:
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as err:
        raise ParseError("corrupt_docx", f"not a readable ZIP container ({type(err).__name__}: {err})", name) from err
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED:
        raise ParseError("zip_bomb", f"the container unpacks to {total / MB:.0f} MB (cap {MAX_UNCOMPRESSED // MB} MB)", name)
    for m in members:
        if m.file_size > MB and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise ParseError("zip_bomb", f"{m.filename} inflates {m.file_size / max(m.compress_size, 1):.0f}× "
                             f"({m.compress_size} → {m.file_size} bytes; cap {MAX_RATIO}×)", name)


def _html(data: bytes, name: str) -> None:
    depth = deepest = count = 0
    for m in _TABLE_TAG.finditer(data):
        if m.group(1):
            depth = max(0, depth - 1)
        else:
            depth += 1
            count += 1
            deepest = max(deepest, depth)
            if deepest > MAX_TABLE_DEPTH or count > MAX_TABLES:
                raise ParseError("too_deeply_nested", f"more than {MAX_TABLE_DEPTH} nested tables or {MAX_TABLES} "
                                 "tables in all: not a report page", name)


def _pdf(data: bytes, name: str) -> None:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        raise ParseError("corrupt_pdf", f"not a readable PDF ({err})", name) from err
    try:
        pages = len(pdf)
    finally:
        pdf.close()
    if pages > MAX_PDF_PAGES:
        raise ParseError("too_many_pages", f"{pages} pages (cap {MAX_PDF_PAGES})", name)
