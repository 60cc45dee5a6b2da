"""The committed forge corpus: every cell exact, every deliberate publisher error reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.parse.report import parse_path
from pipelines.validate import validate
from tests.conftest import FORGE, SAMPLES
from tests.forge.__main__ import MANIFEST, PLAN, generate
from tests.forge.layouts import expected_violations

TRUTHS = sorted(FORGE.glob("*.truth.json"))
PRINTED = json.loads((FORGE / MANIFEST).read_text(encoding="utf-8"))  # PDF / .doc made by LibreOffice


def _doc_for(truth_path: Path) -> Path:
    stem = truth_path.name.removesuffix(".truth.json")
    return next(p for d in (FORGE, SAMPLES) for p in d.glob(f"{stem}.*") if not p.name.endswith(".json"))


def test_forge_corpus_present() -> None:
    assert len(TRUTHS) == len(PLAN) >= 30
    assert all(any((d / name).exists() for d in (FORGE, SAMPLES)) for name in PRINTED)
    media = {p.suffix for p in map(_doc_for, TRUTHS)}
    assert media == {".html", ".txt", ".docx", ".doc", ".pdf"}


@pytest.mark.parametrize("truth_path", TRUTHS, ids=lambda p: p.name)
def test_forge_document_exact(truth_path: Path) -> None:
    t = json.loads(truth_path.read_text(encoding="utf-8"))
    vr = validate(parse_path(_doc_for(truth_path)))
    r = vr.result
    assert (r.status, r.agency, r.year, r.table_formats) == ("parsed", t["agency"], t["year"], t["table_formats"])
    got = r.cell_values()
    assert got == t["cells"]
    assert r.raw_tokens() == t["raw_tokens"]
    # every violation the printed numbers imply — rule, cells, expected, found — and only those;
    # each deliberate error among them
    found = sorted((i.rule, sorted(i.cells), i.expected, i.found) for i in vr.issues
                   if i.origin == "publisher" and i.severity in ("error", "warning"))
    assert found == expected_violations(t)
    assert {e["rule"] for e in t["deliberate_errors"]} == {f[0] for f in found}
    assert [i for i in vr.issues if i.origin == "parser"] == []
    assert vr.status == ("invalid" if t["deliberate_errors"] else "valid")


def test_forge_regenerates_identically(tmp_path: Path) -> None:
    """Every committed document is what `make forge` writes: byte for byte, and for the documents
    LibreOffice prints (whose output embeds dates) the .docx they are printed from."""
    generate(tmp_path / "forge", tmp_path / "samples", convert=False)
    assert json.loads((tmp_path / "forge" / MANIFEST).read_text(encoding="utf-8")) == PRINTED
    for folder, committed in (("forge", FORGE), ("samples", SAMPLES)):
        regenerated = {p.name for p in (tmp_path / folder).iterdir()}
        committed_names = {p.name for p in committed.iterdir()}
        assert regenerated | (set(PRINTED) & committed_names) == committed_names
        for name in regenerated:
            assert (tmp_path / folder / name).read_bytes() == (committed / name).read_bytes(), name
