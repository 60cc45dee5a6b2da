"""The pictures a provenance click shows: a PDF page rendered at build time, or the table picture
(web page image, Word picture, image report) a number was read from by OCR.

Files are content-addressed (document sha256 + page, or the picture's own sha256), so a rebuild
into the same folder renders only what is new: a nightly rebuild pays for that night's documents."""

from __future__ import annotations

import base64
import hashlib
import os
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

RENDER_DPI = 80  # table tokens stay legible; ~18 KB a page as 4-grey lossless WebP
SCALE = RENDER_DPI / 72  # PDF points → page-image pixels


_POSTERIZE = [min(255, (v // 64) * 85) for v in range(256)]


@dataclass(frozen=True)
class PageJob:
    pdf: str  # the archived document
    page: int  # 1-based, as cell_provenance.page
    out: str


def page_image_path(sha256: str, page: int) -> str:
    return f"pages/{sha256[:2]}/{sha256[:20]}-p{page}.webp"


def _render(job: PageJob) -> str | None:
    import pypdfium2 as pdfium

    out = Path(job.out)
    try:
        pdf = pdfium.PdfDocument(job.pdf)
        try:
            image = pdf[job.page - 1].render(scale=SCALE, grayscale=True).to_pil()
        finally:
            pdf.close()
    except Exception as err:  # noqa: BLE001 - one unreadable page never stops the build; it is reported
        return f"{job.pdf} page {job.page}: {type(err).__name__}: {err}"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part")
    # four grey levels keep anti-aliased glyphs legible and compress 2-3x better than lossy WebP
    image.point(_POSTERIZE).save(tmp, format="WEBP", lossless=True, method=0)  # method 0: 20x faster than 4, ~15 % larger
    os.replace(tmp, out)
    return None


def render_pages(jobs: list[PageJob], workers: int) -> list[str]:
    """Render the pages not rendered yet; returns the problems (one line each)."""
    todo = [j for j in jobs if not Path(j.out).exists()]
    if not todo:
        return []
    if workers <= 1 or len(todo) < 8:
        return [p for p in map(_render, todo) if p]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [p for p in pool.map(_render, todo, chunksize=16) if p]


def picture_bytes(ref: str, report_bytes_at: str | None, archived: dict[str, str]) -> bytes | None:
    """The bytes of the picture a cell was read from: a crawled page's picture from the archive, a
    ``data:`` URI, a Word part of the report's own file, or a file beside a local page (never
    outside its folder), or the report itself when it is an image."""
    if ref in archived:
        return Path(archived[ref]).read_bytes() if Path(archived[ref]).exists() else None
    if ref.startswith("data:") and ";base64," in ref[:100]:
        return base64.b64decode(ref.split(",", 1)[1])
    if report_bytes_at is None or not Path(report_bytes_at).exists():
        return None
    source = Path(report_bytes_at)
    if ref.startswith("/word/") or ref.startswith("word/"):
        with zipfile.ZipFile(source) as z:
            name = ref.lstrip("/")
            return z.read(name) if name in z.namelist() else None
    folder = source.parent.resolve()
    local = (folder / ref).resolve()
    if local.is_file() and local.is_relative_to(folder):
        return local.read_bytes()
    if ref in (source.name, str(source)):
        return source.read_bytes()
    return None


def save_picture(data: bytes, site: Path) -> str:
    """Store a picture under its own sha256 (kept as it is: its pixels are what the bboxes refer to)."""
    sha = hashlib.sha256(data).hexdigest()
    rel = f"pictures/{sha[:2]}/{sha[:20]}"
    out = site / rel
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    return rel
