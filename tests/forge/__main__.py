"""Regenerate the forge corpus: `make forge` (needs LibreOffice and a CJK font for the PDF/.doc
documents: `apt-get install --no-install-recommends libreoffice-writer-nogui fonts-wqy-microhei`)."""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from pipelines.parse.legacy import convert_with_soffice
from tests.forge import layouts, wild
from tests.forge.render import render_html, render_text
from tests.forge.truths import make_truth
from tests.forge.word import WordVariant, render_docx

# Word layouts that PDFs are printed from (see tests/forge/word.py)
WORD_VARIANTS = {
    "word": WordVariant(),
    "long": WordVariant(narrative_paragraphs=12),  # table 3 crosses a page break, rows cut in half
    "long-b": WordVariant(narrative_paragraphs=7),  # a different break point
    "landscape": WordVariant(landscape=True, narrative_paragraphs=4),
    "noborder": WordVariant(landscape=True, borders=False),  # no ruling lines: read by word positions
    "noborder-portrait": WordVariant(borders=False, narrative_paragraphs=3),  # labels wrap in narrow columns
}
MANIFEST = "forge-manifest.json"

# (name, seed, format, blank style, deliberate error, medium, charset or Word variant)
PLAN = [
    ("forge-01-2021", 1, "2021", "zeros", None, "html", "utf-8"),
    ("forge-02-2021-gbk", 2, "2021", "zeros", None, "html", "gbk"),
    ("forge-03-2019", 3, "2019", "zeros", None, "html", "utf-8"),
    ("forge-04-hybrid", 4, "hybrid", "zeros", None, "html", "utf-8"),
    ("forge-05-2021-blank", 5, "2021", "blank", None, "html", "utf-8"),
    ("forge-06-2021-slash", 6, "2021", "slash", None, "text", "utf-8"),
    ("forge-07-2021-t3err", 7, "2021", "zeros", "t3_total", "html", "utf-8"),
    ("forge-08-2019-t4err", 8, "2019", "zeros", "t4_total", "text", "utf-8"),
    ("forge-09-2021", 9, "2021", "zeros", None, "text", "utf-8"),
    ("forge-10-2019-dash", 10, "2019", "dash", None, "text", "utf-8"),
    ("forge-11-hybrid-gbk", 11, "hybrid", "zeros", None, "html", "gb18030"),
    ("forge-12-2021", 12, "2021", "zeros", None, "html", "utf-8"),
    ("forge-13-2021", 13, "2021", "zeros", None, "docx", "word"),
    ("forge-14-2019-blank", 14, "2019", "blank", None, "docx", "word"),
    ("forge-15-hybrid-slash", 15, "hybrid", "slash", None, "docx", "word"),
    ("forge-16-2021-t3err", 16, "2021", "zeros", "t3_total", "docx", "word"),
    ("forge-17-2021", 17, "2021", "blank", None, "doc", "word"),
    ("forge-18-2019-t4err", 18, "2019", "zeros", "t4_total", "doc", "word"),
    ("forge-19-2021-long", 19, "2021", "zeros", None, "pdf", "long"),
    ("forge-20-hybrid-long", 20, "hybrid", "slash", None, "pdf", "long"),
    ("forge-21-2019-long-t4err", 21, "2019", "blank", "t4_total", "pdf", "long-b"),
    ("forge-22-2021-long", 22, "2021", "dash", None, "pdf", "long-b"),
    ("forge-23-2021-landscape", 23, "2021", "zeros", None, "pdf", "landscape"),
    ("forge-24-2019-landscape", 24, "2019", "blank", None, "pdf", "landscape"),
    ("forge-25-hybrid-landscape-t3err", 25, "hybrid", "zeros", "t3_total", "pdf", "landscape"),
    ("forge-26-2021-noborder", 26, "2021", "zeros", None, "pdf", "noborder"),
    ("forge-27-2019-noborder", 27, "2019", "blank", None, "pdf", "noborder"),
    ("forge-28-2021-noborder-portrait", 28, "2021", "slash", None, "pdf", "noborder-portrait"),
    ("forge-29-hybrid-noborder-portrait-t4err", 29, "hybrid", "zeros", "t4_total", "pdf", "noborder-portrait"),
    ("forge-30-2021-blank", 30, "2021", "blank", None, "pdf", "word"),
    ("forge-31-2019-slash", 31, "2019", "slash", None, "html", "utf-8"),
    ("forge-32-hybrid-blank", 32, "hybrid", "blank", None, "text", "utf-8"),
]
EXTENSIONS = {"html": "html", "text": "txt", "docx": "docx", "doc": "doc", "pdf": "pdf"}
SAMPLES = {"forge-01-2021", "forge-03-2019", "forge-07-2021-t3err", "forge-09-2021", "forge-04-hybrid",
           "forge-13-2021", "forge-19-2021-long"}  # the default run sees HTML, text, Word and PDF

GUIDE = ("<html><head><meta charset='utf-8'><title>白沙市人民政府办公室政府信息公开指南</title></head><body>"
         "<h1>白沙市人民政府办公室政府信息公开指南</h1><p>一、主动公开：本机关主动公开的政府信息……</p>"
         "<p>二、依申请公开：申请人可以通过信函、网络等方式提出申请。</p></body></html>")


def render(truth: dict, medium: str, option: str) -> tuple[bytes, bytes | None]:
    """The document's bytes, and for documents printed through LibreOffice the .docx they come from."""
    if medium == "html":
        return render_html(truth, option), None
    if medium == "text":
        return render_text(truth), None
    source = render_docx(truth, WORD_VARIANTS[option])
    if medium == "docx":
        return source, None
    return b"", source


def generate(out: Path, samples_out: Path | None = None, convert: bool = True) -> list[Path]:
    """Write every planned document with its truth to ``out``. With ``samples_out``, the documents
    shipped as the default run's samples go there instead (their truths stay in ``out``), so the
    repository holds each generated document once. PDF and .doc documents are printed from a .docx
    by LibreOffice, whose output embeds dates; ``forge-manifest.json`` records the sha256 of each
    source .docx so a test can check the committed files still match the generator without
    LibreOffice (``convert=False`` writes everything but those files)."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    manifest: dict[str, dict[str, str]] = {}
    for name, seed, fmt_name, blank, error, medium, option in PLAN:
        truth = make_truth(seed, fmt_name, blank, error)
        data, source = render(truth, medium, option)
        doc_dir = samples_out if samples_out is not None and name in SAMPLES else out
        doc_dir.mkdir(parents=True, exist_ok=True)
        doc = doc_dir / f"{name}.{EXTENSIONS[medium]}"
        if source is not None:
            manifest[doc.name] = {"printed_from_docx_sha256": hashlib.sha256(source).hexdigest(), "variant": option}
            if convert:
                doc.write_bytes(convert_with_soffice(source, "docx", medium if medium == "pdf" else "doc:MS Word 97", name))
                written.append(doc)
        else:
            doc.write_bytes(data)
            written.append(doc)
        (out / f"{name}.truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    guide = (samples_out or out) / "guide-not-a-report.html"
    guide.write_text(GUIDE, encoding="utf-8")
    written.append(guide)
    return written


def generate_layouts(out: Path, convert: bool = True) -> list[Path]:
    """The layout corpus (tests/forge/layouts.py): named variants in every medium and random
    combinations of layout dimensions, each with its truth (plus the layout and medium it was
    drawn with). As for the main corpus, PDFs are printed by LibreOffice and the manifest records
    the sha256 of the .docx each is printed from."""
    out.mkdir(parents=True, exist_ok=True)
    written, manifest = [], {}
    before = json.loads((out / MANIFEST).read_text()) if (out / MANIFEST).exists() else {}

    def unchanged(path: Path, source: bytes) -> bool:
        # LibreOffice stamps dates into its PDFs: a PDF printed from the same .docx is kept as it is
        return path.exists() and before.get(path.name, {}).get("printed_from_docx_sha256") == hashlib.sha256(source).hexdigest()

    for doc in layouts.plan():
        truth = wild.apply_to_truth(make_truth(doc.seed, doc.fmt_name, doc.blank, doc.error), doc.spec)
        truth["layout"], truth["medium"] = doc.spec.describe(), doc.medium
        data = layouts.render_doc(truth, doc)
        path = out / f"{doc.name}.{EXTENSIONS[doc.medium]}"
        if doc.medium == "pdf":
            manifest[path.name] = {"printed_from_docx_sha256": hashlib.sha256(data).hexdigest(), "variant": doc.name}
            if convert and not unchanged(path, data):
                printed = convert_with_soffice(data, "docx", "pdf", doc.name)
                path.write_bytes(layouts.rotate_pages(printed, doc.spec.rotate) if doc.spec.rotate else printed)
                written.append(path)
        else:
            path.write_bytes(data)
            written.append(path)
        (out / f"{doc.name}.truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    for coll in layouts.collections():
        truths = layouts.collection_truths(coll)
        data = layouts.render_collection(coll, truths)
        path = out / f"{coll.name}.{EXTENSIONS[coll.medium]}"
        if coll.medium == "pdf":
            manifest[path.name] = {"printed_from_docx_sha256": hashlib.sha256(data).hexdigest(), "variant": coll.name}
            if convert and not unchanged(path, data):
                path.write_bytes(convert_with_soffice(data, "docx", "pdf", coll.name))
                written.append(path)
        else:
            path.write_bytes(data)
            written.append(path)
        truth = {"collection": True, "county": coll.county, "year": coll.year, "medium": coll.medium, "parts": truths}
        (out / f"{coll.name}.truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--samples-out", type=Path, help="folder for the documents shipped as the default run's samples")
    ap.add_argument("--layouts-out", type=Path, help="folder for the layout corpus (random layout combinations)")
    args = ap.parse_args()
    for p in generate(args.out, args.samples_out):
        print(p)
    if args.layouts_out:
        for p in generate_layouts(args.layouts_out):
            print(p)


if __name__ == "__main__":
    main()
