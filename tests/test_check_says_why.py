"""The check says why (issue #27, point 6): the no_failed_parses table gives each failing document's
readable message and what fixes it — a corrupt file is not fixed by a parser release — and so do
SQL (outstanding_failures.how_to_fix, dim_error_types) and the ingest summary, which counts what is
failing in the warehouse now, not only what failed in this run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.definitions import build_defs
from pipelines.parse import report
from tests.conftest import REPO, forge_doc
from tests.doubles import failing_on_marker

CORRUPT = b"%PDF-1.4\n1 0 obj garbage\n"  # a PDF header and nothing a PDF reader can load
# Written out here, not read from schemas/error_types.py: what an operator is told.
CORRUPT_PDF_FIX = ("A parser release will not fix it. Open the file (bytes_at) to confirm. Fetch a good copy from the "
                   "source or ask the publisher for one. If it opens fine in a viewer, open an issue with the file.")
PARSER_CRASH_FIX = ("A bug in nianbao: open an issue with the file and the message; once the fix is released, "
                    "`nianbao reparse-failed` (or `nianbao reparse <sha256 prefix>`).")


def _md_rows(md: str) -> list[dict[str, str]]:
    header, _rule, *rows = md.splitlines()
    names = [x.strip() for x in header.strip("|").split("|")]
    return [dict(zip(names, (x.strip() for x in row.strip("|").split("|")), strict=True)) for row in rows]


def test_the_failing_documents_table_says_what_failed_and_how_to_fix_it(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "good.html").write_bytes(forge_doc("forge-01-2021.html").read_bytes())
    (src / "bad.pdf").write_bytes(CORRUPT)
    (src / "crash.html").write_bytes(forge_doc("forge-12-2021.html").read_bytes().replace(b"</body>", b"<!-- FIXME --></body>"))
    monkeypatch.setattr(report, "parse_bytes", failing_on_marker)  # a parser bug on crash.html
    db = tmp_path / "w.duckdb"
    result = build_defs(str(db), str(src)).resolve_job_def("nightly_ingest").execute_in_process(raise_on_error=False)
    assert result.success
    [check] = [e for e in result.get_asset_check_evaluations() if e.check_name == "no_failed_parses"]
    rows = {Path(r["source"]).name: r for r in _md_rows(check.metadata["documents"].value)}
    assert sorted(rows) == ["bad.pdf", "crash.html"]
    assert list(rows["bad.pdf"])[-2:] == ["message", "how_to_fix"]
    assert {name: (r["error_type"], r["message"], r["how_to_fix"]) for name, r in rows.items()} == {
        "bad.pdf": ("corrupt_pdf", f"{src / 'bad.pdf'}: not a readable PDF (Failed to load document (PDFium: Data "
                                   "format error).)", CORRUPT_PDF_FIX),
        "crash.html": ("parser_crash", f"{src / 'crash.html'}: simulated parser bug", PARSER_CRASH_FIX),
    }
    assert "not every failure is a parser bug" in check.metadata["how_to_fix"].value
    with duckdb.connect(str(db), read_only=True) as c:
        assert c.execute("SELECT regexp_extract(source, '[^/]+$'), error_type, how_to_fix FROM outstanding_failures "
                         "ORDER BY 1").fetchall() == [("bad.pdf", "corrupt_pdf", CORRUPT_PDF_FIX),
                                                      ("crash.html", "parser_crash", PARSER_CRASH_FIX)]
        assert c.execute("SELECT kind, how_to_fix FROM dim_error_types WHERE error_type = 'corrupt_pdf'").fetchall() == [
            ("failed_parse", CORRUPT_PDF_FIX)]


def test_a_long_multi_line_message_is_one_line_in_the_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash's message carries a traceback: one line of at most 300 characters in the Markdown
    table (a newline would break the table), all of it in SQL."""
    from pipelines.parse.report import ParseResult

    def crashing(data: bytes, name: str, **kw: object) -> ParseResult:
        return ParseResult(name, "0" * 64, "html", "failed", error_type="parser_crash",
                           error=f"{name}: Boom\nTraceback (most recent call last):\n" + "  frame | x\n" * 60)

    src = tmp_path / "src"
    src.mkdir()
    (src / "a.html").write_bytes(b"<html><body>x</body></html>")
    monkeypatch.setattr(report, "parse_bytes", crashing)
    result = build_defs(str(tmp_path / "w.duckdb"), str(src)).resolve_job_def("nightly_ingest").execute_in_process()
    [check] = [e for e in result.get_asset_check_evaluations() if e.check_name == "no_failed_parses"]
    [row] = _md_rows(check.metadata["documents"].value)
    head = f"{src / 'a.html'}: Boom Traceback (most recent call last): " + "frame / x " * 60
    assert row["message"] == head[:299] + "…"
    assert row["how_to_fix"] == PARSER_CRASH_FIX


def _ingest(src: Path, db: Path, home: Path) -> list[str]:
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", "ingest", "--source", str(src), "--db", str(db)],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout.splitlines()


def test_the_ingest_summary_counts_what_is_failing_now_and_where_to_look(tmp_path: Path) -> None:
    src, db, home = tmp_path / "src", tmp_path / "w.duckdb", tmp_path / "home"
    src.mkdir()
    (src / "good.html").write_bytes(forge_doc("forge-01-2021.html").read_bytes())
    (src / "bad.pdf").write_bytes(CORRUPT)
    published = tmp_path / "published" / "w.duckdb"
    look = f"see `nianbao sql --db {published} \"SELECT * FROM outstanding_failures\"` or check no_failed_parses in the UI"
    first = _ingest(src, db, home)
    assert first[:2] + first[3:6] == [  # (line 3: the rows loaded)
        "documents seen: 2 (parsed now: 2, unchanged: 0)",
        "valid: 1  invalid: 0  failed: 1  not a report: 0",
        f"failing now: 1 document(s), 1 new this run — {look}",
        f"  corrupt_pdf: 1 — {CORRUPT_PDF_FIX}",
        f"database: {db}",
    ]
    # the next night parses nothing new: the failure is still counted, outstanding
    second = _ingest(src, db, home)
    assert second[:6] == [
        "documents seen: 2 (parsed now: 0, unchanged: 2)",
        "valid: 0  invalid: 0  failed: 0  not a report: 0",
        "rows loaded: 0",
        f"failing now: 1 document(s), 0 new this run — {look}",
        f"  corrupt_pdf: 1 — {CORRUPT_PDF_FIX}",
        f"database: {db}",
    ]


def test_a_document_with_parser_errors_gets_the_fix_of_each_rule(tmp_path: Path) -> None:
    """A document that parsed with cells left unplaced fails on its parser-error rules: its
    how_to_fix is their fixes, a pandera rule finding the schema.* family entry."""
    from warehouse.db import connect

    compare = ("Compare the cells with the document (bytes_at, the cell's page); a layout the parser misreads is a "
               "parser issue: open one with the file, then `nianbao reparse-failed` (or `nianbao reparse <sha256 "
               "prefix>`) after the fix.")
    with connect(tmp_path / "w.duckdb") as c:
        c.execute("""INSERT INTO reports (report_id, source, sha256, media_type, status, ingested_at, parser_version) VALUES
                     ('r1', 'a.html', 'aa', 'html', 'valid', now(), 't'),
                     ('r2', 'b.html', 'bb', 'html', 'valid', now(), 't'),
                     ('r3', 'c.html', 'cc', 'html', 'invalid', now(), 't')""")
        c.execute("""INSERT INTO validation_issues (report_id, rule, severity, origin, message) VALUES
                     ('r1', 'cell_missing', 'error', 'parser', 'm1'), ('r1', 'row_shape', 'error', 'parser', 'm2'),
                     ('r2', 'schema.value.isin', 'error', 'parser', 'm3'), ('r2', 'cell_missing', 'error', 'parser', 'm4'),
                     ('r3', 'T3.balance', 'error', 'publisher', 'm5')""")
        assert c.execute("SELECT source, error_type, error, how_to_fix FROM outstanding_failures ORDER BY 1").fetchall() == [
            ("a.html", "cell_missing, row_shape", "m1", compare),  # one fix for both
            ("b.html", "cell_missing, schema.value.isin", "m3", f"{PARSER_CRASH_FIX} / {compare}"),
        ]
