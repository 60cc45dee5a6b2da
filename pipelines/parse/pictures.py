"""Tables printed as pictures: a report page whose tables are ``<img>`` images (a screenshot of
each table, or every page of the report as an image), a Word file whose tables are pasted
pictures, an image published as the report itself.

Pictures are read only where they are needed — when the document's own tables do not hold the
report's tables 2, 3 and 4 — and then by the scan path (``pdf.scanned_grids``): each picture is a
page, so a table cut between two pictures is joined as at a page break, and the grids go through
the shared grid → cells step. Every cell read from a picture keeps the picture's reference (URL,
file or Word part), its box in the picture's own pixels and the engine's confidence.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote_to_bytes, urljoin, urlsplit

import numpy as np
from PIL import Image, ImageOps

from pipelines.parse import ocr
from pipelines.parse.base import Grid, ParseError
from pipelines.parse.cells import extract_cells
from pipelines.parse.sniff import is_image

MAX_PICTURES = 30  # a report as page images runs to ~10; more is a gallery, not a report
MIN_SIDE_PX = 120  # icons, badges, QR codes and spacers are smaller (by their declared size)
MAX_PICTURE_BYTES = 20 * 1024 * 1024
REPORT_TABLES = {"T2", "T3", "T4"}
# Site furniture a saved portal page carries around the article: never a table
_CHROME = re.compile(r"(?i)logo|icon|banner|qrcode|qr_|ewm|erweima|share|weixin|weibo|wza|jiucuo|dzjg|badge|"
                     r"arrow|btn|button|spacer|blank\.gif|search|nav|footer|header|gh\.png|police|beian")

# Pictures (a table image on a web page, a picture in a Word file) carry no size on paper: their
# pixels are brought to about the render's resolution so that text is as tall, in points, as on a
# rendered page (the table finder's tolerances are in points).
PICTURE_SHORTEST_LINE_IN = 0.2  # (see ruling_lines)
SCREEN_DPI = 96  # a picture without a resolution of its own and no wider than a screen
MAX_PICTURE_PIXELS = 40_000_000  # decoded size cap (a decompression bomb is refused, typed)


LINE_HEIGHT_PX = 30  # the lower quartile of the text detector's line boxes on pages rendered at RENDER_DPI (measured: 25–34)


def line_height(grey: np.ndarray) -> float | None:
    """The lower quartile of the heights (px) of the text detector's line boxes (detection only,
    ~1 s) — single lines, not the boxes of wrapped labels — or None when it finds fewer than three
    lines. (Ink-profile estimates were tried: rows of a dense table merge and mislead them by up to
    5×; this one is within ±20 % on the picture test set.)"""
    result, _ = ocr._engine()(ocr._rgb(grey), use_det=True, use_cls=False, use_rec=False)  # type: ignore[misc]
    heights = [max(p[1] for p in quad) - min(p[1] for p in quad) for quad in result or []]
    return float(np.percentile(heights, 25)) if len(heights) >= 3 else None


@dataclass
class Picture:
    """An image holding part of a report: ``ref`` says where it came from (its URL, its file, or
    its part of a Word package), for provenance."""

    ref: str
    data: bytes


def picture_page(picture: Picture, number: int) -> tuple[ocr.OcrPage, float]:
    """A picture read as a page numbered ``number``; also the factor its pixels were scaled by
    (page pixels = picture pixels × factor), to map boxes back onto the picture."""
    Image.MAX_IMAGE_PIXELS = MAX_PICTURE_PIXELS  # larger raises DecompressionBombError (a typed failure)
    image = Image.open(io.BytesIO(picture.data))
    image.seek(0)  # the first frame of an animated GIF
    dpi = image.info.get("dpi")
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P", "PA"):
        image = image.convert("RGBA")
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image)
    grey = image.convert("L")
    height = line_height(np.asarray(grey))
    if height is not None:
        factor = LINE_HEIGHT_PX / height
    else:  # no text lines to measure: the picture's own resolution, else a screen's
        own = float(dpi[0]) if dpi and 50 <= float(dpi[0]) <= 1200 else None
        factor = ocr.RENDER_DPI / (own or (SCREEN_DPI if grey.width <= 1400 else ocr.RENDER_DPI))
    factor = min(max(factor, 0.5), 3.0)
    if abs(factor - 1) > 0.05:
        grey = grey.resize((round(grey.width * factor), round(grey.height * factor)), Image.BICUBIC)
    width_pt, height_pt = grey.width * 72 / ocr.RENDER_DPI, grey.height * 72 / ocr.RENDER_DPI
    return ocr.OcrPage(np.asarray(grey), number, width_pt, height_pt, PICTURE_SHORTEST_LINE_IN), factor


def holds_report_tables(grids: list[Grid]) -> bool:
    """The document's own tables already give tables 2, 3 and 4: its pictures are not read."""
    return set(extract_cells(grids).table_formats) >= REPORT_TABLES


def _declared_size(attrs: Mapping[str, str | None]) -> int | None:
    sizes = []
    for key in ("width", "height"):
        m = re.match(r"\s*(\d+)\s*(px)?\s*$", attrs.get(key) or "")
        if m:
            sizes.append(int(m.group(1)))
    style = attrs.get("style") or ""
    sizes += [int(v) for v in re.findall(r"(?i)(?:^|;|\s)(?:width|height)\s*:\s*(\d+)px", style)]
    return min(sizes) if sizes else None


def may_be_table(src: str, attrs: Mapping[str, str | None]) -> bool:
    """An ``<img>`` that may show a table: not site furniture by its name, class or declared size."""
    if not src or src.startswith("#"):
        return False
    size = _declared_size(attrs)
    if size is not None and size < MIN_SIDE_PX:
        return False
    named = " ".join(filter(None, (src[:200] if not src.startswith("data:") else "", attrs.get("class"),
                                   attrs.get("id"), attrs.get("alt"))))
    return not _CHROME.search(named)


def fetchable_urls(sources: list[str], base_url: str) -> list[str]:
    """The absolute http(s) URLs of picture sources (inline ``data:`` pictures need no request)."""
    out: list[str] = []
    for src in sources:
        if src.startswith("data:"):
            continue
        url = urljoin(base_url, src.strip())
        if urlsplit(url).scheme in ("http", "https") and url not in out:
            out.append(url)
    return out[:MAX_PICTURES]


@dataclass
class PictureSource:
    """Where a document's pictures are: fetched with it by the crawler (URL → archived file), inline
    (``data:`` URIs), or files beside a local document (never outside its folder)."""

    document: str  # the document's name: its URL, or its path on disk
    fetched: Mapping[str, str] = field(default_factory=dict)

    def get(self, src: str) -> Picture | None:
        src = src.strip()
        if src.startswith("data:"):
            return _data_uri(src)
        if urlsplit(self.document).scheme in ("http", "https"):
            url = urljoin(self.document, src)
            path = self.fetched.get(url)
            return _file(url, Path(path)) if path else None
        if urlsplit(src).scheme:
            path = self.fetched.get(src)
            return _file(src, Path(path)) if path else None
        folder = Path(self.document).resolve().parent
        path = (folder / unquote_to_bytes(src.split("?")[0].split("#")[0]).decode("utf-8", "replace")).resolve()
        if not path.is_relative_to(folder):
            return None  # a local document names files beside it, never elsewhere on the machine
        return _file(str(path), path)


def _file(ref: str, path: Path) -> Picture | None:
    try:
        if not path.is_file() or path.stat().st_size > MAX_PICTURE_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    return Picture(ref, data) if is_image(data) else None


def _data_uri(src: str) -> Picture | None:
    head, _, payload = src.partition(",")
    if ";base64" not in head.lower() or len(payload) > MAX_PICTURE_BYTES * 4 // 3:
        return None
    try:
        data = base64.b64decode(payload.strip(), validate=False)
    except (binascii.Error, ValueError):
        return None
    return Picture(f"{head}, {len(data)} bytes", data) if is_image(data) else None


@dataclass
class PictureReading:
    grids: list[Grid]  # in picture order; cells carry their picture's ref and box in its pixels
    texts: list[str]  # each picture's text
    pages: int  # pictures read

    def grids_of(self) -> dict[int, list[Grid]]:
        """Grids by the 0-based picture they start in (to place them where each picture stands)."""
        out: dict[int, list[Grid]] = {}
        for g in self.grids:
            first = next((c.page for row in g.rows for c in row if c.page), 1)
            out.setdefault(first - 1, []).append(g)
        return out


def read_pictures(pictures: list[Picture], name: str) -> PictureReading:
    """OCR every picture as a page of a scan and rebuild its tables by the scan path."""
    from pipelines.parse.pdf import scanned_grids

    if not ocr.available():
        raise ParseError("needs_ocr", f"the report's tables are {len(pictures)} picture(s); OCR needed and no OCR "
                         "engine is installed (or NIANBAO_OCR=off)", name)
    pictures = pictures[:MAX_PICTURES]
    ocr.announce(len(pictures))
    pages, factors = {}, {}
    for i, picture in enumerate(pictures):
        try:
            pages[i], factors[i] = picture_page(picture, i + 1)
        except Image.DecompressionBombError as err:
            raise ParseError("too_large", f"picture {picture.ref[:120]}: {err}", name) from err
        except (OSError, ValueError, SyntaxError) as err:  # Pillow's errors for bytes it cannot decode
            raise ParseError("corrupt_image", f"picture {picture.ref[:120]} cannot be decoded ({type(err).__name__}: "
                             f"{err})", name) from err
    grids, texts = scanned_grids(pages)
    to_pixels = ocr.RENDER_DPI / 72
    for cell in (c for g in grids for row in g.rows for c in row if c.page):
        k = cell.page - 1
        cell.image = pictures[k].ref
        if cell.bbox is not None:
            cell.bbox = tuple(round(v * to_pixels / factors[k], 1) for v in cell.bbox)  # type: ignore[assignment]
    return PictureReading(grids, texts, len(pictures))
