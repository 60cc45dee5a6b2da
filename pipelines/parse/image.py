"""An image published as the report itself (a JPG or PNG attachment of a scanned page): read by
OCR as a one-page scan."""

from __future__ import annotations

from pipelines.parse.base import ExtractedDocument
from pipelines.parse.identify import page_title_candidates
from pipelines.parse.pictures import Picture, read_pictures


class ImageParser:
    media_type = "image"

    def extract(self, data: bytes, name: str, declared_charset: str | None = None) -> ExtractedDocument:
        reading = read_pictures([Picture(name, data)], name)
        lines = [ln.strip() for ln in reading.texts[0].splitlines() if ln.strip()]
        doc = ExtractedDocument(self.media_type, page_title_candidates(lines), "\n".join(lines), reading.grids)
        doc.ocr_pages = reading.pages
        return doc
