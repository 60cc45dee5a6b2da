"""Layouts drawn afresh in the test (not committed) with every dimension of the layout forge at once —
column orders and labels as offices print them (renderings and misprints) on top of ruling, wrapping,
split tables and the rest — in the media the forge renders without LibreOffice (HTML, text, DOCX).

Expected cells are the forge's truths; expected violations its own checker (tests/forge/oracle.py).
PDFs of the same draws are measured by `make forge-measure` (docs/decisions.md has the figures)."""

from __future__ import annotations

import pytest

from pipelines.parse.report import parse_bytes
from pipelines.validate import validate
from tests.forge import layouts, oracle
from tests.forge.truths import make_truth

SEED, COUNT = 4242, 36
MEDIA = ("html", "text", "docx")
DRAWN = layouts.draw_specs(SEED, COUNT, column_orders=True, labels=True)
EXTENSIONS = {"html": "html", "text": "txt", "docx": "docx"}


def test_the_draws_cover_every_dimension() -> None:
    assert {s.ruling for s in DRAWN} == set(layouts.RULINGS)
    assert any(s.labels_seed for s in DRAWN) and not all(s.labels_seed for s in DRAWN)
    assert any(s.t3_columns for s in DRAWN) and any(s.t4_groups or s.t4_results for s in DRAWN)
    assert any(s.t4_split for s in DRAWN) and any(s.repeat_header for s in DRAWN) and any(s.title_wrap for s in DRAWN)


@pytest.mark.parametrize("i", range(COUNT))
def test_fresh_layout_is_read_exactly(i: int) -> None:
    spec, medium = DRAWN[i], MEDIA[i % len(MEDIA)]
    doc = layouts.LayoutDoc(f"fresh-{i:02d}-{medium}", 7000 + i, layouts.FORMATS[i % 3], layouts.BLANKS[i % 4],
                            layouts.ERRORS[i % 4], spec, medium, 1 + i % 20)
    truth = make_truth(doc.seed, doc.fmt_name, doc.blank, doc.error)
    vr = validate(parse_bytes(layouts.render_doc(truth, doc), f"{doc.name}.{EXTENSIONS[medium]}"))
    r = vr.result
    assert (r.status, r.agency, r.year, r.table_formats) == ("parsed", truth["agency"], truth["year"], truth["table_formats"])
    assert r.cell_values() == truth["cells"]
    assert r.raw_tokens() == truth["raw_tokens"]
    found = sorted((i.rule, sorted(i.cells), i.expected, i.found) for i in vr.issues
                   if i.origin == "publisher" and i.severity in ("error", "warning"))
    assert found == oracle.violations(truth["cells"], truth["table_formats"])
    parser = {(i.rule, i.severity) for i in vr.issues if i.origin == "parser"}
    # a misprinted label is read with a warning; nothing else of the parser's may be said
    assert parser <= ({("label_variant", "warning")} if spec.labels_seed else set())
