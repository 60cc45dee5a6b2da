"""PDF parse speed: ours per report next to plain pdfplumber ``extract_tables()`` over all pages
and pypdfium2 text extraction, measured in the same run on the same files.

    make bench            # or: uv run python -m benchmarks.pdf_parse [--repeat N] [--scans N] [--ocr-only] [PDF ...]

Prints one row per PDF (median of N runs) and the ratio ours / plain pdfplumber; the target is
≤ 0.5. Defaults to the real PDFs in ../shared/corpus/real, the forged PDFs and the named layout
variants (repeated headers, unruled / 三线 / frame tables with wrapped labels, split table 4).

Then the scanned test set (tests/fixtures/forge-scans): OCR seconds per page and per report, next
to the same report's text-layer PDF parsed in the same run (the baseline), once each (OCR is slow).
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
from rich.console import Console
from rich.table import Table

from pipelines.parse import ocr
from pipelines.parse.report import parse_bytes

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PDFS = [*sorted((REPO.parent / "shared" / "corpus" / "real").glob("*.pdf")),
                *sorted((REPO / "tests" / "fixtures" / "forge").glob("*.pdf")),
                *sorted(p for p in (REPO / "tests" / "fixtures" / "forge-layouts").glob("layout-*.pdf")
                        if not p.name.startswith(("layout-random-", "layout-wild-"))),  # the named layout variants
                *sorted((REPO / "tests" / "fixtures" / "forge-layouts").glob("collection-*.pdf"))]  # 汇编


def plain_pdfplumber(data: bytes) -> None:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_tables()


def pdfium_text(data: bytes) -> None:
    pdf = pdfium.PdfDocument(data)
    for i in range(len(pdf)):
        pdf[i].get_textpage().get_text_range()
    pdf.close()


def ours(data: bytes) -> None:
    result = parse_bytes(data, "bench.pdf")
    if result.status != "parsed":
        raise SystemExit(f"benchmark document did not parse: {result.error}")


def median_seconds(fn: Callable[[bytes], None], data: bytes, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(data)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pdfs", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--scans", type=int, default=16, help="scanned documents to OCR (0: none)")
    ap.add_argument("--ocr-only", action="store_true", help="only the scans and pictures (no text-layer table)")
    args = ap.parse_args()
    if args.ocr_only:
        console = Console()
        bench_scans(console, args.scans)
        bench_pictures(console)
        return
    pdfs = args.pdfs or DEFAULT_PDFS
    table = Table(title=f"PDF parse time per report (median of {args.repeat})")
    for col in ("document", "pages", "ours ms", "pdfplumber extract_tables ms", "pypdfium2 text ms", "ours / pdfplumber"):
        table.add_column(col, justify="right" if col != "document" else "left")
    ratios = []
    for path in pdfs:
        data = path.read_bytes()
        pages = len(pdfium.PdfDocument(data))
        ours_s = median_seconds(ours, data, args.repeat)
        plain_s = median_seconds(plain_pdfplumber, data, args.repeat)
        text_s = median_seconds(pdfium_text, data, args.repeat)
        ratios.append(ours_s / plain_s)
        table.add_row(path.name, str(pages), f"{ours_s * 1000:.0f}", f"{plain_s * 1000:.0f}", f"{text_s * 1000:.1f}", f"{ours_s / plain_s:.2f}")
    console = Console()
    console.print(table)
    console.print(f"geometric-mean ratio ours / plain pdfplumber: {statistics.geometric_mean(ratios):.2f} (target ≤ 0.50)")
    for group, members in (("real", [r for p, r in zip(pdfs, ratios, strict=True) if "shared" in p.parts]),
                           ("layout variants", [r for p, r in zip(pdfs, ratios, strict=True) if p.name.startswith("layout-")]),
                           ("collections", [r for p, r in zip(pdfs, ratios, strict=True) if p.name.startswith("collection-")])):
        if members:
            console.print(f"  {group}: {len(members)} PDFs, ratio {min(members):.2f}–{max(members):.2f}, "
                          f"geometric mean {statistics.geometric_mean(members):.2f}")
    if args.scans:
        bench_scans(console, args.scans)
        bench_pictures(console)


def bench_scans(console: Console, limit: int) -> None:
    import json

    from tests.conftest import forge_doc

    folder = REPO / "tests" / "fixtures" / "forge-scans"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))[:limit]
    if not ocr.available():
        console.print("OCR engine not available: scans not benchmarked")
        return
    ocr._engine()  # loaded once per worker; not part of any document's time
    table = Table(title="Scanned reports: OCR (once each) vs the same report's text-layer PDF (median of 3)")
    for col in ("document", "dpi", "pages", "OCR s", "OCR s / page", "parse s / report", "text-layer ms", "scan / text-layer"):
        table.add_column(col, justify="right" if col != "document" else "left")
    per_page, per_report = [], []
    for m in manifest:
        data = (folder / m["file"]).read_bytes()
        pages = len(pdfium.PdfDocument(data))
        source = m["source"]
        original = (forge_doc(source + ".pdf") if source.startswith("forge-")
                    else REPO / "tests" / "fixtures" / "forge-layouts" / f"{source}.pdf").read_bytes()
        before = ocr.STATS.seconds
        t0 = time.perf_counter()
        parse_bytes(data, m["file"])
        total = time.perf_counter() - t0
        engine = ocr.STATS.seconds - before
        base = median_seconds(ours, original, 3)
        per_page.append(engine / pages)
        per_report.append(total)
        table.add_row(m["file"], str(m["dpi"]), str(pages), f"{engine:.1f}", f"{engine / pages:.2f}", f"{total:.1f}",
                      f"{base * 1000:.0f}", f"{total / base:.0f}×")
    console.print(table)
    console.print(f"OCR: median {statistics.median(per_page):.2f} s a page, {statistics.median(per_report):.1f} s a report "
                  f"({len(manifest)} scans)")


def bench_pictures(console: Console) -> None:
    """Documents whose tables are pictures (web pages, Word), against their source PDF's text layer."""
    import json

    from pipelines.parse.report import parse_path
    from tests.conftest import forge_doc

    folder = REPO / "tests" / "fixtures" / "forge-pictures"
    if not ocr.available():
        console.print("OCR engine not available: pictures not benchmarked")
        return
    table = Table(title="Table pictures: OCR (once each) vs the source report's text-layer PDF (median of 3)")
    for col in ("document", "pictures", "OCR s", "OCR s / picture", "parse s / report", "text-layer ms", "pictures / text-layer"):
        table.add_column(col, justify="right" if col != "document" else "left")
    for m in json.loads((folder / "manifest.json").read_text(encoding="utf-8")):
        before, t0 = ocr.STATS.seconds, time.perf_counter()
        result = parse_path(folder / m["file"])
        total, engine = time.perf_counter() - t0, ocr.STATS.seconds - before
        base = median_seconds(ours, forge_doc(m["source"] + ".pdf").read_bytes(), 3)
        n = max(result.ocr_pages, 1)
        table.add_row(m["file"], str(result.ocr_pages), f"{engine:.1f}", f"{engine / n:.2f}", f"{total:.1f}",
                      f"{base * 1000:.0f}", f"{total / base:.0f}×")
    console.print(table)


if __name__ == "__main__":
    main()
