"""Every file of a source folder is accounted for (a document, or skipped with its reason), and a
document whose file vanished is `gone`: re-parsing it changes nothing and says why; an operator can
retire it, and the failed-parse check then lists it as retired instead of counting it (issue #27)."""

from __future__ import annotations

import getpass
import hashlib
import shutil
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from PIL import Image
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.definitions import build_defs
from tests.conftest import forge_doc
from warehouse import health

RTF = rb"{\rtf1\ansi Minutes of the office meeting.\par}"  # a Word-processor file that is no report


def _cli(args: list[str]) -> tuple[int, list[str], list[str]]:
    result = CliRunner().invoke(app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout.splitlines(), result.stderr.splitlines()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "dagster_home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


def test_every_file_of_a_folder_is_a_document_or_skipped_with_its_reason(tmp_path: Path, home: Path) -> None:
    src = tmp_path / "src"
    (src / ".git").mkdir(parents=True)
    (src / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (src / "sub").mkdir()
    shutil.copy(forge_doc("forge-01-2021.html"), src / "forge-01-2021.html")
    (src / "notes.rtf").write_bytes(RTF)
    Image.new("RGB", (120, 80), "white").save(src / "scan.png")
    Image.new("RGB", (90, 60), "white").save(src / "sub" / "photo.JPG")
    (src / "data.xyz").write_bytes(b"x,y\n1,2\n")
    (src / ".~lock.notes.rtf#").write_bytes(b"lock")
    (src / "empty.txt").write_bytes(b"")
    db = tmp_path / "w.duckdb"

    code, out, _err = _cli(["ingest", "--source", str(src), "--db", str(db), "--data-dir", str(tmp_path / "data")])

    assert code == 0
    assert out[:8] == [
        "documents seen: 5 (parsed now: 5, unchanged: 0)",
        "valid: 1  invalid: 0  failed: 1  not a report: 3",
        "scans read by OCR: 2 document(s), 2 page(s)",
        "files skipped: 3 (hidden: 1, hidden_folder: 1, unsupported_suffix: 1)",
        f"  skipped hidden_folder: {src / '.git'}",
        f"  skipped hidden: {src / '.~lock.notes.rtf#'}",
        f"  skipped unsupported_suffix: {src / 'data.xyz'}",
        "rows loaded: fact_applications=175, fact_proactive_disclosure=10, fact_review_litigation=15",
    ]
    with duckdb.connect(str(db), read_only=True) as c:
        # each readable file is a document (the .rtf through LibreOffice, the pictures through OCR)
        assert c.execute("SELECT source, media_type, status, error_type FROM reports ORDER BY source").fetchall() == [
            (str(src / "empty.txt"), "text", "failed", "empty_document"),
            (str(src / "forge-01-2021.html"), "html", "valid", None),
            (str(src / "notes.rtf"), "rtf", "not_a_report", None),
            (str(src / "scan.png"), "image", "not_a_report", None),
            (str(src / "sub" / "photo.JPG"), "image", "not_a_report", None),
        ]
        # … and every other file is listed with its reason
        assert c.execute("SELECT catalog_source, path, reason, size FROM latest_skipped_files ORDER BY path").fetchall() == [
            ("folder", str(src / ".git"), "hidden_folder", None),
            ("folder", str(src / ".~lock.notes.rtf#"), "hidden", 4),
            ("folder", str(src / "data.xyz"), "unsupported_suffix", 8),
        ]
        detail = c.execute("SELECT detail FROM skipped_files WHERE reason = 'unsupported_suffix'").fetchone()[0]
    assert detail.startswith("'.xyz' is not a medium nianbao parse reads (") and " .rtf " in detail and " .png " in detail


def _rows(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as c:
        return {
            "reports": c.execute("SELECT source, sha256, status, error_type, failing_since, failing_since_run, is_current "
                                 "FROM reports ORDER BY source").fetchall(),
            "facts": c.execute("SELECT * FROM fact_applications ORDER BY ALL").fetchall(),
        }


def _night(src: Path, db: Path) -> dict[str, dg.AssetCheckEvaluation]:
    result = build_defs(str(db), str(src)).resolve_job_def("nightly_ingest").execute_in_process(raise_on_error=False)
    assert result.success
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def test_a_vanished_file_is_gone_reparse_changes_nothing_and_retire_stops_the_check_counting_it(
        tmp_path: Path, home: Path) -> None:
    src, moved = tmp_path / "src", tmp_path / "moved"
    src.mkdir()
    moved.mkdir()
    shutil.copy(forge_doc("forge-01-2021.html"), src / "good.html")
    (src / "broken.html").write_bytes(b"\x00\x01\x02" * 40)
    db = tmp_path / "w.duckdb"
    first = _night(src, db)
    assert (first["no_failed_parses"].passed, first["no_failed_parses"].metadata["failed_documents"].value) == (False, 1)
    before = _rows(db)
    assert [r[2:4] for r in before["reports"]] == [("failed", "binary_content"), ("valid", None)]
    assert len(before["facts"]) == 175
    good_sha, broken_sha = before["reports"][1][1], before["reports"][0][1]

    for name in ("good.html", "broken.html"):  # both files are moved away
        (src / name).rename(moved / name)
    t0 = datetime.now(UTC)
    code, out, err = _cli(["reparse", good_sha[:10], broken_sha[:10], "--db", str(db)])
    t1 = datetime.now(UTC)

    # the same versions (no all-zero sha256), the same facts, failing since the same time and run
    assert _rows(db) == before
    with duckdb.connect(str(db), read_only=True) as c:
        gone = c.execute("SELECT source, sha256, state, gone_since, gone_evidence FROM document_states "
                         "ORDER BY source").fetchall()
    assert [g[:3] + g[4:] for g in gone] == [
        (str(src / "broken.html"), broken_sha, "gone", f"file not found: {src / 'broken.html'}"),
        (str(src / "good.html"), good_sha, "gone", f"file not found: {src / 'good.html'}")]
    assert all(t0 <= g[3] <= t1 for g in gone)
    # nothing re-parsed, nothing loaded; the command says why and exits 3
    assert code == 3
    assert out[0] == "documents seen: 0 (parsed now: 0, unchanged: 0)"
    assert err == [
        f"not re-parsed: {src / name} is gone since {since.astimezone(UTC):%Y-%m-%d %H:%M} UTC (file not found: "
        f"{src / name}); its last loaded version stays as it was. Restore the file, or if it will not come back: "
        f"nianbao retire {sha[:12]} --why \"…\""
        for (name, sha), since in zip((("broken.html", broken_sha), ("good.html", good_sha)), (gone[0][3], gone[1][3]),
                                      strict=True)]

    # re-parsing every failing document skips the gone one, says so, and changes nothing either
    code, _out, err = _cli(["reparse-failed", "--db", str(db)])
    assert (code, err) == (0, [
        f"not re-parsed: {src / 'broken.html'} is gone since {gone[0][3].astimezone(UTC):%Y-%m-%d %H:%M} UTC; restore "
        f"the file, or if it will not come back: nianbao retire {broken_sha[:12]} --why \"…\""])
    assert _rows(db) == before

    # the broken one will never come back: retired, with who and why
    code, out, _err = _cli(["retire", broken_sha[:10], "--why", "withdrawn by the publisher", "--by", "li.wei",
                            "--db", str(db)])
    assert code == 0
    assert out[0].startswith(f"retired {src / 'broken.html'} (sha256 {broken_sha[:12]}) at ")
    assert out[0].endswith(" UTC by li.wei: withdrawn by the publisher")
    # a key naming no loaded document retires nothing
    assert _cli(["retire", "ffffffffff", "--why", "x", "--db", str(db)])[0] == 2

    night = _night(src, db)  # the folder listing notices the same files missing: gone since stays the first notice
    check = night["no_failed_parses"]
    assert (check.passed, check.metadata["failed_documents"].value, check.metadata["retired"].value) == (True, 0, 1)
    retired_md = check.metadata["retired_documents"].value
    assert str(src / "broken.html") in retired_md and "li.wei" in retired_md and "withdrawn by the publisher" in retired_md
    assert _rows(db) == before
    with duckdb.connect(str(db), read_only=True) as c:
        assert c.execute("SELECT count(*) FROM outstanding_failures").fetchone() == (0,)
        assert health.status_counts(c, None)["failing"] == 0  # the UI's plotted series leave it out too
        assert c.execute("SELECT source, state, gone_since, retired_by, retired_why FROM document_states "
                         "ORDER BY source").fetchall() == [
            (str(src / "broken.html"), "retired", gone[0][3], "li.wei", "withdrawn by the publisher"),
            (str(src / "good.html"), "gone", gone[1][3], None, None)]
        assert c.execute("SELECT source, error_type, retired_by, why FROM retired_failures").fetchall() == [
            (str(src / "broken.html"), "binary_content", "li.wei", "withdrawn by the publisher")]

    # without --by the operating-system user is recorded; the good file comes back: no longer gone
    assert _cli(["retire", str(src / "good.html"), "--why", "superseded", "--db", str(db)])[0] == 0
    (moved / "good.html").rename(src / "good.html")
    _night(src, db)
    with duckdb.connect(str(db), read_only=True) as c:
        assert c.execute("SELECT state, gone_since, retired_by, retired_why FROM document_states "
                         "WHERE source = $s", {"s": str(src / "good.html")}).fetchall() == [
            ("retired", None, getpass.getuser(), "superseded")]


def test_the_nightly_listing_notices_a_file_gone_and_names_where_a_renamed_one_went(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(forge_doc("forge-01-2021.html"), src / "a.html")
    shutil.copy(forge_doc("forge-03-2019.html"), src / "b.html")
    db = tmp_path / "w.duckdb"
    _night(src, db)
    before = _rows(db)
    (src / "a.html").rename(src / "renamed.html")
    (src / "b.html").unlink()
    _night(src, db)
    assert _rows(db) == before  # the renamed bytes are already loaded: nothing new, nothing lost
    with duckdb.connect(str(db), read_only=True) as c:
        rows = c.execute("SELECT source, evidence, noticed_in[:6] FROM gone_documents ORDER BY source").fetchall()
    assert rows == [(str(src / "a.html"), f"file not found: {src / 'a.html'} (the same bytes are now at "
                                          f"{src / 'renamed.html'})", "crawl "),
                    (str(src / "b.html"), f"file not found: {src / 'b.html'}", "crawl ")]


def test_links_and_special_files_are_listed_as_skipped(tmp_path: Path) -> None:
    import os

    from pipelines.folder import list_folder

    src = tmp_path / "src"
    (src / "real").mkdir(parents=True)
    (src / "real" / "r.txt").write_text("2023年度报告")
    (src / "to-real").symlink_to(src / "real", target_is_directory=True)
    (src / "dangling.pdf").symlink_to(tmp_path / "nowhere.pdf")
    os.mkfifo(src / "pipe.txt")
    listing = list_folder(src)
    assert [(f.path, f.size) for f in listing.files] == [(str(src / "real" / "r.txt"), 16)]
    assert [(k.path, k.reason) for k in listing.skipped] == [
        (str(src / "dangling.pdf"), "not_a_regular_file"), (str(src / "pipe.txt"), "not_a_regular_file"),
        (str(src / "to-real"), "linked_folder")]


def test_an_archived_url_answering_404_is_gone_until_it_answers_again(tmp_path: Path) -> None:
    from pipelines.scrape.catalog import load_catalog
    from pipelines.scrape.crawl import crawl_into
    from tests.conftest import corpus_or_skip
    from tests.portal import LISTING, Portal, build_pingtan_portal, catalog_yaml

    corpus_or_skip()  # the portal serves the corpus's real pages
    portal = Portal().start()
    try:
        served = build_pingtan_portal(portal, 0.6)
        catalog, data = load_catalog(catalog_yaml(portal, tmp_path / "catalog.yaml", 0.6)), tmp_path / "data"
        page = f"{LISTING}202302/t20230220_80629.htm"
        with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
            crawl_into(conn, catalog, data)
            route = portal.routes.pop(page)  # taken down: the portal answers 404
            crawl_into(conn, catalog, data)
            url = portal.base + page
            assert conn.execute("SELECT source, sha256, evidence FROM gone_documents").fetchall() == [
                (url, hashlib.sha256(served[url]).hexdigest(),
                 f"HTTP 404 at {url} (detail); the archived copy is kept")]
            portal.routes[page] = route  # back
            crawl_into(conn, catalog, data)
            assert conn.execute("SELECT count(*) FROM gone_documents").fetchone() == (0,)
    finally:
        portal.stop()
