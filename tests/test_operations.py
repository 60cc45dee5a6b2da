"""Production operations: failed parses with their evidence in checks and in SQL, the failure
sensor, and re-parsing only the failed documents after a parser fix."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.definitions import build_defs, defs
from pipelines.parse import report
from tests.conftest import FORGE, forge_doc
from tests.doubles import failing_on_marker

DOCS = ("forge-01-2021.html", "forge-03-2019.html", "forge-09-2021.txt", "forge-08-2019-t4err.txt")


def _night(tmp_path: Path, broken: bytes | None = None) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    for name in DOCS:
        (src / name).write_bytes(forge_doc(name).read_bytes())
    if broken is not None:
        (src / "broken.html").write_bytes(broken)
    return src


def test_one_broken_and_one_inconsistent_document_show_exactly_with_evidence(tmp_path: Path) -> None:
    src = _night(tmp_path, b"\x00\x01\x02" * 40)
    db = tmp_path / "w.duckdb"
    result = build_defs(str(db), str(src)).resolve_job_def("nightly_ingest").execute_in_process(raise_on_error=False)
    assert result.success
    evals = {e.check_name: e for e in result.get_asset_check_evaluations()}
    failed, pub = evals["no_failed_parses"], evals["publisher_consistency"]
    assert (failed.passed, failed.metadata["failed_documents"].value) == (False, 1)
    md = failed.metadata["documents"].value
    assert str(src / "broken.html") in md and "binary_content" in md
    with duckdb.connect(str(db), read_only=True) as c:
        sha = c.execute("SELECT sha256 FROM reports WHERE source LIKE '%broken.html'").fetchone()[0]
        assert sha in md
        problems = c.execute("SELECT problem, severity, source, sha256, error_type, rule, cells, pages, expected, found, "
                             "bytes_at FROM parse_failures ORDER BY problem").fetchall()
        # the other documents loaded
        assert c.execute("SELECT status, count(*) FROM reports GROUP BY 1 ORDER BY 1").fetchall() == [
            ("failed", 1), ("invalid", 1), ("valid", 3)]
        truth = json.loads((FORGE / "forge-08-2019-t4err.truth.json").read_text(encoding="utf-8"))
        agency, year = truth["agency"], truth["year"]
        issues = c.execute("SELECT source, agency_id, year, rule, cells, expected, found FROM publisher_issues").fetchall()
    rule_cells = ["4|R.maintain", "4|R.correct", "4|R.other", "4|R.pending", "4|R.total"]  # parts, then the total
    parts = sum(truth["cells"][k] for k in rule_cells[:-1])
    inconsistent = str(src / "forge-08-2019-t4err.txt")
    # exactly the two documents, each with its evidence
    assert [p[:2] + p[2:3] + p[4:] for p in problems] == [
        ("failed_parse", "error", str(src / "broken.html"), "binary_content", "parse.binary_content", [], [], None, None,
         str(src / "broken.html")),
        ("publisher_inconsistency", "error", inconsistent, "T4.review_total", "T4.review_total", rule_cells, [],
         float(parts), float(truth["cells"]["4|R.total"]), inconsistent)]
    assert problems[0][3] == sha
    assert issues == [(str(src / "forge-08-2019-t4err.txt"), agency, year, "T4.review_total", rule_cells,
                       float(parts), float(truth["cells"]["4|R.total"]))]
    assert (pub.passed, pub.severity, pub.metadata["violations"].value) == (False, dg.AssetCheckSeverity.WARN, 1)
    details = pub.metadata["details"].value
    for evidence in ("forge-08-2019-t4err.txt", agency, str(year), "T4.review_total", "4/R.total", f"| {parts} |"):
        assert evidence in details, evidence
    # counts as the integers printed, never 3.0 (issue #27)
    assert f"| {parts}.0 |" not in details and f"(found {truth['cells']['4|R.total']}, expected {parts})" in pub.metadata["summary"].value
    summary = next(m for m in result.get_asset_materialization_events()
                   if m.asset_key == dg.AssetKey("warehouse_tables")).materialization.metadata["run_summary"].value
    assert "| failed | 1 |" in summary and "T4.review_total" in summary


def test_failure_sensor_is_running_by_default_and_records_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sensor = defs.get_sensor_def("alert_on_run_failure")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    from pipelines.defs.sensors import notify

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    notify({"run_id": "r1", "job": "nightly_ingest", "message": "boom"})
    assert json.loads((tmp_path / "alerts.jsonl").read_text(encoding="utf-8")) == {
        "run_id": "r1", "job": "nightly_ingest", "message": "boom"}


def test_reparse_only_the_failed_documents_after_a_parser_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fixable = forge_doc("forge-12-2021.html").read_bytes().replace(b"</body>", b"<!-- FIXME --></body>")
    src = _night(tmp_path, fixable)
    db = tmp_path / "w.duckdb"
    monkeypatch.setattr(report, "parse_bytes", failing_on_marker)  # the release with the bug
    night = build_defs(str(db), str(src)).resolve_job_def("nightly_ingest").execute_in_process(raise_on_error=False)
    assert night.success
    with duckdb.connect(str(db), read_only=True) as c:
        before = c.execute("SELECT report_id, status, ingested_at FROM reports ORDER BY 1").fetchall()
        assert c.execute("SELECT source FROM failed_documents").fetchall() == [(str(src / "broken.html"),)]
    monkeypatch.undo()  # the fixed release
    out = subprocess.run([sys.executable, "-m", "pipelines.cli", "reparse-failed", "--db", str(db)],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[:2] == ["documents seen: 1 (parsed now: 1, unchanged: 0)", "valid: 1  invalid: 0  failed: 0  not a report: 0"]
    with duckdb.connect(str(db), read_only=True) as c:
        after = c.execute("SELECT report_id, status, ingested_at FROM reports ORDER BY 1").fetchall()
        assert c.execute("SELECT count(*) FROM failed_documents").fetchone() == (0,)
    changed = [(b, a) for b, a in zip(before, after, strict=True) if b != a]
    assert len(before) == len(after) == 5 and len(changed) == 1
    (old, new), = changed
    assert (old[1], new[1]) == ("failed", "valid")


def test_backfill_runs_are_bounded_and_one_document_reparses_on_its_own(tmp_path: Path) -> None:
    src = _night(tmp_path)
    db = tmp_path / "w.duckdb"
    job = build_defs(str(db), str(src)).resolve_job_def("nightly_ingest")
    capped = {"ops": {"source_documents": {"config": {"max_documents": 3}}}}
    per_run = []
    for _ in range(3):
        result = job.execute_in_process(run_config=capped)
        per_run.append(len(result.output_for_node("parsed_reports")))
    assert per_run == [3, 1, 0]  # 4 documents, at most 3 per run: 2 runs do the work, the third finds nothing new
    with duckdb.connect(str(db), read_only=True) as c:
        before = dict(c.execute("SELECT sha256, ingested_at FROM reports").fetchall())
    assert len(before) == 4
    target = sorted(before)[0]
    redo = {"ops": {"source_documents": {"config": {"reparse": [target[:12]]}}, "parsed_reports": {"config": {"force": True}}}}
    result = job.execute_in_process(run_config=redo)
    assert [vr.result.sha256 for vr in result.output_for_node("parsed_reports")] == [target]
    with duckdb.connect(str(db), read_only=True) as c:
        after = dict(c.execute("SELECT sha256, ingested_at FROM reports").fetchall())
    assert after == before  # same rows; the re-parsed version keeps its first ingestion time


def test_reparse_command_takes_a_path_a_url_or_a_sha256_prefix(tmp_path: Path) -> None:
    """`nianbao reparse` re-parses exactly the documents named, by source path (or URL: the same
    column), or by a sha256 prefix; an unknown key re-parses nothing (exit 2)."""
    from typer.testing import CliRunner

    from pipelines.cli import app

    src = _night(tmp_path)
    db = tmp_path / "w.duckdb"
    build_defs(str(db), str(src)).resolve_job_def("nightly_ingest").execute_in_process()
    with duckdb.connect(str(db), read_only=True) as c:
        docs = sorted(c.execute("SELECT source, sha256, parsed_at FROM reports").fetchall())
    runner = CliRunner()
    for key, expected in ((docs[0][0], {docs[0][1]}), (docs[1][1][:10], {docs[1][1]}), ("0000000000", set())):
        with duckdb.connect(str(db), read_only=True) as c:
            before = dict(c.execute("SELECT sha256, parsed_at FROM reports").fetchall())
        result = runner.invoke(app, ["reparse", key, "--db", str(db)])
        assert result.exit_code == (0 if expected else 2), result.output  # an unknown key: refused before a run
        with duckdb.connect(str(db), read_only=True) as c:
            after = dict(c.execute("SELECT sha256, parsed_at FROM reports").fetchall())
        assert {sha for sha in after if after[sha] != before[sha]} == expected, key


def test_alerts_are_posted_to_the_webhook_and_a_dead_webhook_fails_nothing(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The alert JSON reaches a webhook (a local HTTP server on 127.0.0.1) exactly as written to
    alerts.jsonl; a webhook that is down loses the POST but not the alerts.jsonl line."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from pipelines.defs.sensors import notify

    received: list[tuple[str, dict]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            body = self.rfile.read(int(self.headers["content-length"]))
            received.append((self.headers["content-type"], json.loads(body)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    payload = {"run_id": "r2", "job": "nightly_ingest", "kind": "new_failed_parses", "new_failures": 1, "message": "x.html"}
    try:
        monkeypatch.setenv("NIANBAO_ALERT_WEBHOOK", f"http://127.0.0.1:{server.server_port}/hook")
        notify(payload)
    finally:
        server.shutdown()
    assert received == [("application/json", payload)]
    monkeypatch.setenv("NIANBAO_ALERT_WEBHOOK", f"http://127.0.0.1:{server.server_port}/hook")  # now closed
    notify({**payload, "run_id": "r3"})
    lines = [json.loads(x) for x in (tmp_path / "alerts.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [x["run_id"] for x in lines] == ["r2", "r3"]
