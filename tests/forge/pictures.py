"""Reports whose tables are pictures, made from forged PDFs whose every cell is known:

- a web page that shows every page of the report as a JPEG image (图片版), the title as HTML text;
- a web page whose text is HTML and whose tables 2–4 are screenshots inlined as ``data:`` PNGs;
- a Word file whose tables are pasted pictures (a table cut by a page break becomes two).

Pictures are rendered from the PDF's pages (PDFium), cut to each table's box (pdfplumber's table
finder on the text layer), and lightly degraded (blur, JPEG). ``uv run python -m tests.forge.pictures``
rebuilds the committed set; the test rebuilds it and compares sha256."""

from __future__ import annotations

import base64
import hashlib
import html as h
import io
import json
import random
import re
from pathlib import Path

import docx
import pdfplumber
import pypdfium2 as pdfium
from docx.shared import Mm
from PIL import Image, ImageFilter

from tests.forge.render import HEADINGS, NARRATIVE, render_html, title
from tests.forge.word import _fixed_zip

PICTURES = "forge-pictures"
# (stem, source PDF, kind, seed)
SOURCES = [
    ("picture-01-pages-html", "forge-22-2021-long", "pages", 4101),
    ("picture-02-tables-html", "forge-25-hybrid-landscape-t3err", "tables", 4201),
    ("picture-03-tables-docx", "forge-19-2021-long", "docx", 4301),
]
_SECTION_WORDS = (("S2", re.compile(r"信息内容|本年制发|本年新")), ("S3", re.compile(r"申请人情况|本年新收|上年结转")),
                  ("S4", re.compile(r"行政复议|行政诉讼")))


def _render(pdf: pdfium.PdfDocument, i: int, dpi: int) -> Image.Image:
    return pdf[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")


def _degrade(image: Image.Image, rng: random.Random) -> Image.Image:
    blur = rng.choice((0.0, 0.4, 0.6))
    return image.filter(ImageFilter.GaussianBlur(blur)) if blur else image


def _jpeg(image: Image.Image, quality: int, dpi: int | None) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality, **({"dpi": (dpi, dpi)} if dpi else {}))
    return buf.getvalue()


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def table_crops(pdf_bytes: bytes, dpi: int, rng: random.Random) -> list[tuple[str, Image.Image]]:
    """Each table of the PDF cut out of its page render, with the section it belongs to (a part of
    a table after a page break belongs to the section before it)."""
    out: list[tuple[str, Image.Image]] = []
    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        with pdfplumber.open(io.BytesIO(pdf_bytes)) as plumber:
            for i, page in enumerate(plumber.pages):
                tables = page.find_tables()
                if not tables:
                    continue
                image = _render(pdf, i, dpi)
                s = dpi / 72
                for t in tables:
                    x0, top, x1, bottom = t.bbox
                    text = page.crop(t.bbox).extract_text() or ""
                    section = next((sec for sec, words in _SECTION_WORDS if words.search(text)), out[-1][0] if out else "S2")
                    box = (max(int((x0 - 6) * s), 0), max(int((top - 6) * s), 0),
                           min(int((x1 + 6) * s), image.width), min(int((bottom + 6) * s), image.height))
                    out.append((section, _degrade(image.crop(box), rng)))
    finally:
        pdf.close()
    return out


def pages_html(pdf_bytes: bytes, truth: dict, stem: str, rng: random.Random) -> dict[str, bytes]:
    """图片版: the title as text, every page a JPEG beside the page (with its resolution recorded)."""
    dpi, quality = rng.choice((110, 130)), rng.choice((75, 85))
    files: dict[str, bytes] = {}
    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        for i in range(len(pdf)):
            files[f"{stem}/page-{i + 1}.jpg"] = _jpeg(_degrade(_render(pdf, i, dpi), rng), quality, dpi)
    finally:
        pdf.close()
    images = "\n".join(f'<p style="text-align:center"><img src="{stem}/page-{k}.jpg" alt="" style="width:100%"></p>'
                       for k in range(1, len(files) + 1))
    name = h.escape(title(truth))
    page = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{name}</title></head><body>'
            f'<div class="header"><img src="/images/logo.png" class="logo"></div><h1 class="title">{name}</h1>'
            f'<div class="info">发布时间：{truth["year"] + 1}-01-20</div>\n<div class="content">{images}</div>'
            f'<div class="footer"><img src="/images/jiucuo.png" width="110" height="55"></div></body></html>')
    return {f"{stem}.html": page.encode("utf-8"), **files}


def tables_html(pdf_bytes: bytes, truth: dict, stem: str, rng: random.Random) -> dict[str, bytes]:
    """The report as HTML text, each of tables 2–4 replaced by screenshots inlined as data: PNGs
    (no resolution recorded: a screen's)."""
    crops = table_crops(pdf_bytes, 96, rng)
    page = render_html(truth).decode("utf-8")
    tables = re.findall(r"<table\b.*?</table>", page, flags=re.S)
    for table, section in zip(tables, ("S2", "S3", "S4"), strict=True):
        images = "".join(f'<p><img src="data:image/png;base64,{base64.b64encode(_png(img)).decode()}"></p>'
                         for sec, img in crops if sec == section)
        page = page.replace(table, images, 1)
    return {f"{stem}.html": page.encode("utf-8")}


def tables_docx(pdf_bytes: bytes, truth: dict, stem: str, rng: random.Random) -> dict[str, bytes]:
    """A Word file with the report's text and its tables pasted as pictures."""
    crops = table_crops(pdf_bytes, 150, rng)
    document = docx.Document()
    document.add_paragraph(title(truth))
    for s in ("S1", "S2", "S3", "S4", "S5", "S6"):
        document.add_paragraph(HEADINGS[s])
        for x in NARRATIVE.get(s, "").split("\n") if s in NARRATIVE else []:
            document.add_paragraph(x)
        for sec, img in crops:
            if sec == s:
                document.add_paragraph().add_run().add_picture(io.BytesIO(_png(img)), width=Mm(min(170, img.width / 150 * 25.4)))
    buf = io.BytesIO()
    document.save(buf)
    return {f"{stem}.docx": _fixed_zip(buf.getvalue())}


KINDS = {"pages": pages_html, "tables": tables_html, "docx": tables_docx}


def build(out: Path) -> list[dict]:
    from tests.conftest import FORGE, forge_doc

    out.mkdir(parents=True, exist_ok=True)
    manifest = []
    for stem, source, kind, seed in SOURCES:
        truth = json.loads((FORGE / f"{source}.truth.json").read_text(encoding="utf-8"))
        files = KINDS[kind](forge_doc(source + ".pdf").read_bytes(), truth, stem, random.Random(seed))
        for rel, data in files.items():
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            (out / rel).write_bytes(data)
        document = next(rel for rel in files if "/" not in rel)
        (out / f"{stem}.truth.json").write_text(json.dumps({**truth, "pictured_from": source, "kind": kind},
                                                           ensure_ascii=False, indent=1), encoding="utf-8")
        manifest.append({"file": document, "source": source, "kind": kind, "seed": seed,
                         "files": {rel: hashlib.sha256(data).hexdigest() for rel, data in sorted(files.items())}})
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


if __name__ == "__main__":
    from tests.conftest import REPO

    for row in build(REPO / "tests" / "fixtures" / PICTURES):
        print(row["file"], len(row["files"]), "file(s)")
