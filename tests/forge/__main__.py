"""Regenerate the forge corpus: `uv run python -m tests.forge --out DIR`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tests.forge.render import render_html, render_text
from tests.forge.truths import make_truth

# (name, seed, format, blank style, deliberate error, medium, charset)
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
]
SAMPLES = {"forge-01-2021", "forge-03-2019", "forge-07-2021-t3err", "forge-09-2021", "forge-04-hybrid"}

GUIDE = ("<html><head><meta charset='utf-8'><title>白沙市人民政府办公室政府信息公开指南</title></head><body>"
         "<h1>白沙市人民政府办公室政府信息公开指南</h1><p>一、主动公开：本机关主动公开的政府信息……</p>"
         "<p>二、依申请公开：申请人可以通过信函、网络等方式提出申请。</p></body></html>")


def generate(out: Path, samples_out: Path | None = None) -> list[Path]:
    """Write every planned document with its truth to ``out``. With ``samples_out``, the documents
    shipped as the default run's samples go there instead (their truths stay in ``out``), so the
    repository holds each generated document once."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, seed, fmt_name, blank, error, medium, charset in PLAN:
        truth = make_truth(seed, fmt_name, blank, error)
        data = render_html(truth, charset) if medium == "html" else render_text(truth)
        doc_dir = samples_out if samples_out is not None and name in SAMPLES else out
        doc_dir.mkdir(parents=True, exist_ok=True)
        doc = doc_dir / f"{name}.{'html' if medium == 'html' else 'txt'}"
        doc.write_bytes(data)
        (out / f"{name}.truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
        written.append(doc)
    guide = (samples_out or out) / "guide-not-a-report.html"
    guide.write_text(GUIDE, encoding="utf-8")
    written.append(guide)
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--samples-out", type=Path, help="folder for the documents shipped as the default run's samples")
    args = ap.parse_args()
    for p in generate(args.out, args.samples_out):
        print(p)


if __name__ == "__main__":
    main()
