"""Scanned versions of forged PDFs: every page rendered to a greyscale image at 150–200 dpi,
turned by up to ±1°, blurred, speckled with noise and JPEG-compressed, then wrapped back into an
image-only PDF (no text layer) — what a township office's 扫描件 looks like."""

from __future__ import annotations

import io
import random
import time
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter


def scan_pdf(pdf_bytes: bytes, seed: int) -> tuple[bytes, dict]:
    """The scanned PDF and the degradation drawn for it (dpi, per-page skew, blur, noise, quality)."""
    rng = random.Random(seed)
    dpi = rng.choice((150, 175, 200))
    blur = rng.choice((0.0, 0.4, 0.7))
    noise = rng.choice((0.0, 4.0, 8.0))
    quality = rng.choice((55, 70, 85))
    pdf = pdfium.PdfDocument(pdf_bytes)
    pages, skews = [], []
    try:
        for i in range(len(pdf)):
            image = pdf[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            skew = round(rng.uniform(-1.0, 1.0), 2)
            skews.append(skew)
            image = image.rotate(skew, resample=Image.BICUBIC, expand=False, fillcolor=255)
            if blur:
                image = image.filter(ImageFilter.GaussianBlur(blur))
            if noise:
                arr = np.asarray(image, dtype=np.float32)
                arr = arr + np.random.default_rng(seed * 1000 + i).normal(0, noise, arr.shape)
                image = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
            buf = io.BytesIO()
            image.save(buf, "JPEG", quality=quality)
            pages.append(Image.open(io.BytesIO(buf.getvalue())))
    finally:
        pdf.close()
    out = io.BytesIO()
    # fixed dates: Pillow stamps the current time otherwise, and the set is compared by sha256
    when = time.gmtime(1_767_225_600)  # 2026-01-01
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=dpi, creationDate=when, modDate=when)
    return out.getvalue(), {"dpi": dpi, "skew": skews, "blur": blur, "noise": noise, "jpeg_quality": quality}


# The committed scanned test set: (source document, seed). Ruled, unruled, long (tables over page
# breaks), landscape, blank cells, deliberate arithmetic errors, and named layout variants.
SOURCES = [
    ("forge-19-2021-long", 1901), ("forge-20-hybrid-long", 2001), ("forge-21-2019-long-t4err", 2101),
    ("forge-22-2021-long", 2201), ("forge-23-2021-landscape", 2301), ("forge-24-2019-landscape", 2401),
    ("forge-25-hybrid-landscape-t3err", 2501), ("forge-26-2021-noborder", 2601), ("forge-27-2019-noborder", 2701),
    ("forge-28-2021-noborder-portrait", 2801), ("forge-29-hybrid-noborder-portrait-t4err", 2901),
    ("forge-30-2021-blank", 3001), ("layout-frame-pdf", 3101), ("layout-threeline-pdf", 3201),
    ("layout-rephead-ruled-pdf", 3301), ("layout-wrap-middle-pdf", 3401),
    # issue #26's every-dimension layouts (tests/forge/wild.py): watermarks (WordArt and text),
    # running headers and footers, shaded cells, a row of blank marks, years in 〇/○ numerals, the
    # agency only in the page header, table 4 as a list and turned, marks and units
    ("layout-wild-01-pdf", 4011), ("layout-wild-08-pdf", 4081), ("layout-wild-16-pdf", 4161),
    ("layout-wild-24-pdf", 4241),
]
SCANS = "forge-scans"


def _source(name: str) -> tuple[bytes, dict]:
    import json

    from tests.conftest import FORGE, REPO, forge_doc

    folder = FORGE if name.startswith("forge-") else REPO / "tests" / "fixtures" / "forge-layouts"
    pdf = forge_doc(name + ".pdf") if name.startswith("forge-") else (folder / f"{name}.pdf").read_bytes()
    data = pdf.read_bytes() if hasattr(pdf, "read_bytes") else pdf
    return data, json.loads((folder / f"{name}.truth.json").read_text(encoding="utf-8"))


def build(out: Path) -> list[dict]:
    """Write the scanned test set and its manifest; returns the manifest."""
    import hashlib
    import json

    out.mkdir(parents=True, exist_ok=True)
    manifest = []
    for n, (name, seed) in enumerate(SOURCES, 1):
        data, truth = _source(name)
        scanned, how = scan_pdf(data, seed)
        stem = f"scan-{n:02d}-{name}"
        (out / f"{stem}.pdf").write_bytes(scanned)
        (out / f"{stem}.truth.json").write_text(json.dumps({**truth, "scan": how, "scanned_from": name}, ensure_ascii=False,
                                                           indent=1), encoding="utf-8")
        manifest.append({"file": f"{stem}.pdf", "source": name, "seed": seed, **how,
                         "sha256": hashlib.sha256(scanned).hexdigest()})
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


if __name__ == "__main__":
    from tests.conftest import REPO

    for row in build(REPO / "tests" / "fixtures" / SCANS):
        print(row["file"], row["dpi"], row["skew"])
