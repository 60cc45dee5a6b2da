"""The committed forge corpus: every cell exact, every deliberate publisher error reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.parse.report import parse_path
from pipelines.validate import validate
from tests.conftest import FORGE, SAMPLES
from tests.forge.__main__ import generate

TRUTHS = sorted(FORGE.glob("*.truth.json"))


def _doc_for(truth_path: Path) -> Path:
    stem = truth_path.name.removesuffix(".truth.json")
    return next(p for d in (FORGE, SAMPLES) for p in d.glob(f"{stem}.*") if not p.name.endswith(".json"))


def test_forge_corpus_present() -> None:
    assert len(TRUTHS) >= 12


@pytest.mark.parametrize("truth_path", TRUTHS, ids=lambda p: p.name)
def test_forge_document_exact(truth_path: Path) -> None:
    t = json.loads(truth_path.read_text(encoding="utf-8"))
    vr = validate(parse_path(_doc_for(truth_path)))
    r = vr.result
    assert (r.status, r.agency, r.year, r.table_formats) == ("parsed", t["agency"], t["year"], t["table_formats"])
    got = r.cell_values()
    assert got == t["cells"]
    assert r.raw_tokens() == t["raw_tokens"]
    publisher_rules = {i.rule for i in vr.issues if i.origin == "publisher"}
    assert publisher_rules == {e["rule"] for e in t["deliberate_errors"]}
    assert [i for i in vr.issues if i.origin == "parser"] == []
    assert vr.status == ("invalid" if t["deliberate_errors"] else "valid")


def test_forge_regenerates_identically(tmp_path: Path) -> None:
    generate(tmp_path / "forge", tmp_path / "samples")
    for folder, committed in (("forge", FORGE), ("samples", SAMPLES)):
        assert sorted(p.name for p in (tmp_path / folder).iterdir()) == sorted(p.name for p in committed.iterdir())
        for p in committed.iterdir():
            assert (tmp_path / folder / p.name).read_bytes() == p.read_bytes(), p.name
