"""Measure the parser on a fresh forge seed: documents nobody has looked at, scored cell by cell
against the forge's truths and its own identity checker (tests/forge/oracle.py).

    uv run python -m tests.forge.measure --seed 7301 --count 100 [--out DIR [--reuse]] [--media pdf] [--json FILE]

Draws ``count`` random layouts (every dimension of tests/forge/layouts.py, the random corpus's media
mix), renders them (PDFs printed by LibreOffice from the DOCX, as the committed set), parses and
validates each, and prints: cells exact, cells wrong (a different number), blanks filled (printed
blank, read as a number), cells missed (printed, read as blank or not found), reports marked valid
with any of those, wrong agency or year, failures. Nothing here is committed: a seed is for measuring
a parser change, its figures go to docs/.

``--media pdf`` scores only the documents drawn as that medium (the draws stay those of the whole
seed, so a document keeps its name and layout); ``--out DIR --reuse`` re-scores documents already
rendered into DIR instead of printing them again (LibreOffice is the slow part), so a parser change
can be measured on the same files in seconds.

A document whose only printed agency is in a place its medium does not have (issue #26: a page header
in HTML) is scored on its answer alone: ``unidentified`` is right, any agency a guess; its cells are
not counted.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from pipelines.parse.report import parse_path
from pipelines.validate import validate
from tests.forge import layouts, oracle, wild
from tests.forge.__main__ import EXTENSIONS, convert_with_soffice
from tests.forge.truths import make_truth


def random_docs(seed: int, count: int) -> list[layouts.LayoutDoc]:
    """``count`` documents drawn like the committed random set, from another seed, with every dimension
    (column orders, printed label variants, table 4's shape and pastes with dropped cells too)."""
    rnd = random.Random(seed)
    docs = []
    specs = layouts.draw_specs(seed, count, column_orders=True, labels=True, t4_shapes=True, paste_dropped=True,
                               wild=True)
    for i, spec in enumerate(specs):
        medium = rnd.choice(("pdf", "pdf", "pdf", "docx", "html", "text"))
        docs.append(layouts.LayoutDoc(f"seed{seed}-{i:03d}-{medium}", seed * 1000 + i, rnd.choice(layouts.FORMATS),
                                      rnd.choice(layouts.BLANKS), rnd.choice(layouts.ERRORS), spec, medium,
                                      rnd.randint(1, 20)))
    return docs


def doc_truth(doc: layouts.LayoutDoc) -> dict[str, Any]:
    """The document's truth: drawn from its seed, a blank-marks row applied (issue #26), with the
    layout, the medium and whether the printed document names its agency anywhere."""
    truth = wild.apply_to_truth(make_truth(doc.seed, doc.fmt_name, doc.blank, doc.error), doc.spec)
    truth["layout"], truth["medium"] = doc.spec.describe(), doc.medium
    truth["identity_printed"] = wild.identity_recoverable(doc.spec, doc.medium)
    return truth


def write(doc: layouts.LayoutDoc, out: Path, reuse: bool = False) -> tuple[Path, dict[str, Any]]:
    truth = doc_truth(doc)
    path = out / f"{doc.name}.{EXTENSIONS[doc.medium]}"
    if reuse and path.exists():
        return path, truth
    data = layouts.render_doc(truth, doc)
    if doc.medium == "pdf":
        printed = convert_with_soffice(data, "docx", "pdf", doc.name)
        data = layouts.rotate_pages(printed, doc.spec.rotate) if doc.spec.rotate else printed
    path.write_bytes(data)
    return path, truth


def score(path: Path, truth: dict[str, Any]) -> dict[str, Any]:
    vr = validate(parse_path(path))
    r = vr.result
    if not truth.get("identity_printed", True):  # nothing names the agency: refusing is the only right answer
        refused = r.status != "parsed" and r.error_type == "unidentified"
        return {"document": path.name, "status": r.status, "warehouse_status": vr.status, "error": r.error_type,
                "cells": 0, "exact": 0, "identity_ok": refused, "violations_ok": True, "unrecoverable": True,
                "valid_but_wrong": vr.status == "valid", "layout": truth["layout"]}
    got = r.cell_values()
    counts: Counter[str] = Counter()
    for key, want in truth["cells"].items():
        have = got.get(key)
        if have == want and isinstance(have, str) == isinstance(want, str):
            counts["exact"] += 1
        elif want is None:
            counts["blank_filled"] += 1
        elif have is None:
            counts["missed"] += 1
        else:
            counts["wrong"] += 1
    identity_ok = (r.agency, r.year) == (truth["agency"], truth["year"])
    expected = oracle.violations(truth["cells"], truth["table_formats"])
    # (sorted as text: a schema check's violation, e.g. nonneg on a misplaced value, has no expected/found)
    found = sorted(((i.rule, sorted(i.cells), i.expected, i.found) for i in vr.issues
                    if i.origin == "publisher" and i.severity in ("error", "warning") and not i.rule.startswith("prose.")),
                   key=str)
    return {
        "document": path.name, "status": r.status, "warehouse_status": vr.status, "error": r.error_type,
        "cells": len(truth["cells"]), **counts, "identity_ok": identity_ok if r.status == "parsed" else None,
        "violations_ok": found == sorted(expected, key=str),
        "valid_but_wrong": vr.status == "valid" and (counts["wrong"] or counts["blank_filled"] or not identity_ok),
        "layout": truth.get("layout"),
    }


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    cells = sum(r["cells"] for r in rows)
    exact = sum(r.get("exact", 0) for r in rows)
    return {
        "documents": len(rows), "cells": cells, "exact": exact, "exact_pct": round(100 * exact / cells, 3) if cells else None,
        "wrong": sum(r.get("wrong", 0) for r in rows), "blank_filled": sum(r.get("blank_filled", 0) for r in rows),
        "missed": sum(r.get("missed", 0) for r in rows), "failed": sum(r["status"] != "parsed" for r in rows),
        "wrong_identity": sum(r["identity_ok"] is False for r in rows),
        "unrecoverable_identity": sum(bool(r.get("unrecoverable")) for r in rows),
        "violations_differ": sum(not r["violations_ok"] for r in rows if r["status"] == "parsed"),
        "valid_but_wrong": sum(bool(r["valid_but_wrong"]) for r in rows),
        "media": dict(Counter(r["document"].rsplit("-", 1)[1].split(".")[0] for r in rows)),
    }


def _medium(row: dict[str, Any]) -> str:
    return row["document"].rsplit("-", 1)[1].split(".")[0]


def per_dimension(rows: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Issue #26's dimensions: per drawn value (where the document's medium prints it), the
    documents, those not exact (a cell, the identity or a violation wrong), cells exact %."""
    out: dict[str, dict[str, str]] = {}
    only = {"html_cells": ("html",), "char_spans": ("html",), "running": ("docx", "pdf"),
            "watermark": ("docx", "pdf"), "shaded": ("html", "docx", "pdf")}
    for name, default in layouts.WILD_DEFAULTS.items():
        groups: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            if _medium(r) not in only.get(name, ("html", "text", "docx", "pdf")):
                continue
            value = r["layout"].get(name, default)
            key = "drawn" if name == "marks_seed" and value else str(value)
            groups.setdefault(key, []).append(r)
        out[name] = {}
        for value, rs in sorted(groups.items()):
            cells = sum(r["cells"] for r in rs)
            bad = sum(r.get("exact", 0) != r["cells"] or not r["violations_ok"] or r["identity_ok"] is False for r in rs)
            pct = f"{100 * sum(r.get('exact', 0) for r in rs) / cells:.2f}%" if cells else "-"
            out[name][value] = f"{len(rs)} docs, {bad} not exact, cells {pct}"
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--out", type=Path, help="keep the documents here (default: a temporary folder)")
    ap.add_argument("--json", type=Path, help="write every document's score here")
    ap.add_argument("--media", choices=sorted(EXTENSIONS), help="score only the documents drawn as this medium")
    ap.add_argument("--reuse", action="store_true", help="with --out: re-score documents already rendered there")
    args = ap.parse_args()
    if args.reuse and not args.out:
        ap.error("--reuse needs --out (the folder of documents rendered before)")
    out = args.out or Path(tempfile.mkdtemp(prefix=f"forge-seed-{args.seed}-"))
    out.mkdir(parents=True, exist_ok=True)
    docs = [d for d in random_docs(args.seed, args.count) if args.media in (None, d.medium)]
    rows = [score(*write(doc, out, args.reuse)) for doc in docs]
    if args.json:
        args.json.write_text(json.dumps({"seed": args.seed, "rows": rows}, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps({"seed": args.seed, **summary(rows)}, ensure_ascii=False))
    for name, values in per_dimension(rows).items():
        print(f"  {name}: " + "; ".join(f"{v} = {x}" for v, x in values.items()))
    for r in rows:
        if r.get("exact", 0) != r["cells"] or not r["violations_ok"] or r["identity_ok"] is False:
            print("  ", json.dumps({k: v for k, v in r.items() if k != "layout"}, ensure_ascii=False))


if __name__ == "__main__":
    main()
