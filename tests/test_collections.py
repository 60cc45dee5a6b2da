"""Report collections (汇编): one document holding several agencies' reports becomes one report per
agency-year — every cell, raw token and violation of each against its own truth, PDF page ranges
found independently from the pages' text, and the warehouse rows of each agency exactly its own."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pypdfium2 as pdfium
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.definitions import build_defs
from pipelines.parse.report import parse_bytes, parse_path
from pipelines.validate import validate
from tests.forge.layouts import MEDIA, _text_report, collection_truths, collections, expected_violations
from tests.test_forge_layouts import LAYOUTS, _doc

COLLECTIONS = collections()


def _truth(name: str) -> dict:
    return json.loads((LAYOUTS / f"{name}.truth.json").read_text(encoding="utf-8"))


def _assert_part_exact(part, truth: dict) -> None:  # noqa: ANN001 - a ValidatedReport
    r = part.result
    assert (r.status, r.agency, r.year, r.table_formats) == ("parsed", truth["agency"], truth["year"], truth["table_formats"])
    assert r.cell_values() == truth["cells"]
    assert r.raw_tokens() == truth["raw_tokens"]
    found = sorted((i.rule, sorted(i.cells), i.expected, i.found) for i in part.issues
                   if i.origin == "publisher" and i.severity in ("error", "warning"))
    assert found == expected_violations(truth)
    assert [i for i in part.issues if i.origin == "parser"] == []
    assert part.status == ("invalid" if found else "valid")


def test_collections_in_every_medium_are_committed() -> None:
    assert {(c.name.rsplit("-", 1)[0], c.medium) for c in COLLECTIONS} == {
        (s, m) for s in ("collection-listed", "collection-random") for m in MEDIA}
    for c in COLLECTIONS:
        assert [p["agency"] for p in _truth(c.name)["parts"]] == [a for a, _ in c.members]
        assert len({a for a, _ in c.members}) == 3


@pytest.mark.parametrize("coll", COLLECTIONS, ids=lambda c: c.name)
def test_collection_splits_into_one_exact_report_per_agency(coll) -> None:  # noqa: ANN001 - a CollectionDoc
    truth = _truth(coll.name)
    vr = validate(parse_path(_doc(coll.name)))
    assert vr.status == "collection"
    assert [(p.result.part, p.result.agency) for p in vr.parts] == [(k + 1, t["agency"]) for k, t in enumerate(truth["parts"])]
    assert [p.report_id for p in vr.parts] == [f"{vr.result.sha256[:16]}-{k}" for k in (1, 2, 3)]
    for part, part_truth in zip(vr.parts, truth["parts"], strict=True):
        _assert_part_exact(part, part_truth)
        assert set(part.result.sections) == {"S1", "S2", "S3", "S4", "S5", "S6"}  # each report's own narrative


def _title_pages(pdf: pdfium.PdfDocument, titles: list[str]) -> list[int]:
    """The page each report starts on: the first page after the contents whose text has its title."""
    texts = [re.sub(r"\s", "", pdf[i].get_textpage().get_text_range()) for i in range(len(pdf))]
    body = next(i for i, t in enumerate(texts) if "一、总体情况" in t)
    return [next(i + 1 for i in range(body, len(texts)) if title in texts[i]) for title in titles]


@pytest.mark.parametrize("name", ["collection-listed-pdf", "collection-random-pdf"])
def test_collection_pdf_page_ranges_and_provenance(name: str) -> None:
    """Each report's pages run from the page its title is printed on to the page before the next
    report's; every number of a report is printed on its own pages, at its bounding box."""
    path = _doc(name)
    truth = _truth(name)
    pdf = pdfium.PdfDocument(path.read_bytes())
    starts = _title_pages(pdf, [t["agency"] for t in truth["parts"]])
    expected = [(a, b - 1) for a, b in zip(starts, [*starts[1:], len(pdf) + 1], strict=True)]
    vr = validate(parse_path(path))
    assert [p.result.pages for p in vr.parts] == expected
    assert expected[0][0] == 2  # page 1: the cover and its contents, nobody's report
    for part, (first, last) in zip(vr.parts, expected, strict=True):
        checked = 0
        for key, cell in part.result.cells.items():
            if not cell.raw.strip():
                continue
            assert first <= cell.page <= last, (part.result.agency, key, cell.page)
            page = pdf[cell.page - 1]
            x0, top, x1, bottom = cell.bbox
            h = page.get_height()
            printed = page.get_textpage().get_text_bounded(left=x0 - 0.5, bottom=h - bottom - 0.5, right=x1 + 0.5,
                                                           top=h - top + 0.5)
            assert "".join(printed.split()) == "".join(cell.raw.split()), (key, cell.page)
            checked += 1
        assert checked >= 50  # (blank-styled reports print fewer numbers)
    pdf.close()


def test_a_member_whose_tables_are_not_read_fails_on_its_own() -> None:
    """A report of the collection without readable tables (printed as images) is a failed report
    with its own title, never merged into its neighbour; the others load exactly."""
    coll = next(c for c in COLLECTIONS if c.name == "collection-listed-text")
    truths = collection_truths(coll)
    lines = ["青石县2023年政府信息公开工作年度报告汇编", ""]
    for k, (truth, (_, member)) in enumerate(zip(truths, coll.members, strict=True)):
        body = _text_report(truth, member.spec, member.break_at)
        lines += [ln for ln in body if "\t" not in ln] if k == 1 else body
    vr = validate(parse_bytes("\n".join(lines).encode(), "huibian.txt"))
    assert [(p.result.agency, p.status, p.result.error_type) for p in vr.parts] == [
        ("青石县交通运输局", vr.parts[0].status, None), ("青石县自然资源局", "failed", "no_report_tables"),
        ("青石县教育局", vr.parts[2].status, None)]
    assert "青石县自然资源局2023年政府信息公开工作年度报告" in vr.parts[1].result.error
    _assert_part_exact(vr.parts[0], truths[0])
    _assert_part_exact(vr.parts[2], truths[2])


def test_a_report_naming_itself_twice_or_other_reports_is_not_split() -> None:
    """The same title again (a running header, the heading above the body) and other reports'
    titles without tables under them (a list of the department reports published) leave one report."""
    coll = next(c for c in COLLECTIONS if c.name == "collection-listed-text")
    truth = collection_truths(coll)[0]
    member = coll.members[0][1]
    body = _text_report(truth, member.spec, member.break_at)
    title = body[0]
    others = ["青石县自然资源局2023年政府信息公开工作年度报告", "青石县教育局2023年政府信息公开工作年度报告"]
    text = "\n".join([title, "", *body[:-1], title, *others, ""])
    vr = validate(parse_bytes(text.encode(), "one.txt"))
    assert vr.parts == []
    assert (vr.result.agency, vr.result.year) == (truth["agency"], truth["year"])
    assert vr.result.cell_values() == truth["cells"]


def test_collection_loads_one_report_per_agency(tmp_path: Path) -> None:
    """In the warehouse each agency's fact rows are exactly its own report's numbers: no number is
    attributed to another agency of the collection."""
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(_doc("collection-listed-pdf"), src / "huibian.pdf")
    db = tmp_path / "warehouse.duckdb"
    assert build_defs(str(db), str(src)).resolve_job_def("nightly_ingest").execute_in_process(raise_on_error=False).success
    truth = _truth("collection-listed-pdf")
    with duckdb.connect(str(db), read_only=True) as c:
        reports = c.execute("SELECT report_id, agency_id, year, part, page_first, page_last, status, is_current "
                            "FROM reports ORDER BY part").fetchall()
        sha = c.execute("SELECT DISTINCT sha256 FROM reports").fetchall()
        assert len(sha) == 1
        statuses = ["invalid" if expected_violations(t) else "valid" for t in truth["parts"]]
        assert reports == [(f"{sha[0][0][:16]}-{k}", t["agency"], 2023, k, a, b, s, True)
                           for k, (t, (a, b), s) in enumerate(zip(truth["parts"], [(2, 5), (6, 9), (10, 13)], statuses,
                                                                  strict=True), start=1)]
        for t in truth["parts"]:
            t3 = dict(c.execute("SELECT category_code || '|' || applicant_code, value FROM fact_applications "
                                "WHERE agency_id = ? AND year = 2023", [t["agency"]]).fetchall())
            assert t3 == {k: v for k, v in t["cells"].items() if k.startswith("3.")}
            t4 = dict(c.execute("SELECT '4|' || col_code, value FROM fact_review_litigation WHERE agency_id = ?",
                                [t["agency"]]).fetchall())
            assert t4 == {k: v for k, v in t["cells"].items() if k.startswith("4|")}
        assert c.execute("SELECT count(*) FROM latest_documents").fetchone()[0] == 3
        assert c.execute("SELECT documents, valid + invalid FROM source_status").fetchall() == [(1, 3)]
        pages = c.execute("""SELECT r.agency_id, min(p.page), max(p.page) FROM cell_provenance p JOIN reports r USING (report_id)
                             GROUP BY 1""").fetchall()
        ranges = dict(zip([t["agency"] for t in truth["parts"]], [(2, 5), (6, 9), (10, 13)], strict=True))
        assert len(pages) == 3
        assert all(ranges[agency][0] <= low <= high <= ranges[agency][1] for agency, low, high in pages)


def test_parse_cli_shows_each_report_of_a_collection() -> None:
    path = _doc("collection-random-pdf")
    truth = _truth("collection-random-pdf")
    result = CliRunner().invoke(app, ["parse", str(path)])
    assert result.exit_code == 0, result.output
    heads = [ln for ln in result.output.splitlines() if not ln.startswith("  [")]
    statuses = ["invalid" if expected_violations(t) else "valid" for t in truth["parts"]]
    assert heads == [f"{path}: a collection of 3 reports"] + [
        f"  {path} pages {a}–{b}: parsed ({s}) {t['agency']} {t['year']} {t['table_formats']}"
        for t, s, (a, b) in zip(truth["parts"], statuses, [(2, 5), (6, 9), (10, 13)], strict=True)]
    out = json.loads(CliRunner().invoke(app, ["parse", "--json", str(path)]).output)
    assert [(p["agency"], p["pages"], p["part"]) for p in out["parts"]] == [
        ("南岸县市场监督管理局", [2, 5], 1), ("南岸县人民政府办公室", [6, 9], 2), ("南岸县卫生健康委员会", [10, 13], 3)]
