from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import dagster as dg
import duckdb

from tests.conftest import REPO


def run(args: list[str], home: Path | None, cwd: Path = REPO) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"} | ({"DAGSTER_HOME": str(home)} if home else {})
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", *args], capture_output=True, text=True, check=True,
                          env=env, cwd=cwd)
    return proc.stdout.strip().splitlines()


def _recorded_runs(home: Path) -> list[tuple[str, str, dg.DagsterRunStatus, set[str]]]:
    """Runs in the instance's run storage, newest first, with the checks each evaluated."""
    # deploy/dagster.yaml puts storage under $DAGSTER_HOME: read that instance as the UI would
    with mock.patch.dict(os.environ, {"DAGSTER_HOME": str(home)}), dg.DagsterInstance.get() as instance:
        return [(r.run_id, r.job_name, r.status,
                 {e.dagster_event.event_specific_data.check_name
                  for e in instance.all_logs(r.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)})
                for r in instance.get_runs()]


def test_ingest_bundled_samples_into_a_new_folder(tmp_path: Path) -> None:
    db = tmp_path / "not" / "yet" / "there.duckdb"
    home = tmp_path / "dagster_home"
    first = run(["ingest", "--db", str(db)], home)
    run_line = first.pop()
    m = re.fullmatch(rf"run ([0-9a-f-]{{36}}) of nightly_ingest recorded in the dagster instance: {re.escape(str(home))}",
                     run_line)
    assert m, run_line
    # the run is in the persistent instance the UI reads: Runs, asset and check history
    checks = {"no_failed_parses", "publisher_consistency", "sources_yield_reports", "freshness_check"}
    assert _recorded_runs(home) == [(m.group(1), "nightly_ingest", dg.DagsterRunStatus.SUCCESS, checks)]
    assert first == [
        "documents seen: 8 (parsed now: 8, unchanged: 0)",
        "valid: 6  invalid: 1  failed: 0  not a report: 1",
        "rows loaded: fact_applications=1197, fact_proactive_disclosure=82, fact_review_litigation=105",
        "failing now: 0 documents",
        f"database: {db}",
        f"analysts read: {db.parent / 'published' / db.name} (read-only copy, replaced atomically after each load)",
    ]
    # without DAGSTER_HOME: the default ./.dagster_home (the one `make ui` shows), said out loud
    second = run(["ingest", "--db", str(db)], None, cwd=tmp_path)
    assert second[:3] == ["documents seen: 8 (parsed now: 0, unchanged: 8)",
                          "valid: 0  invalid: 0  failed: 0  not a report: 0", "rows loaded: 0"]
    default_home = (tmp_path / ".dagster_home").resolve()
    assert second[-1].endswith(f"recorded in the dagster instance: {default_home} (DAGSTER_HOME not set: the default "
                               "./.dagster_home, the one `make ui` shows)")
    assert [r[0] for r in _recorded_runs(default_home)] == [second[-1].split()[1]]
    assert len(_recorded_runs(home)) == 1
    with duckdb.connect(str(db), read_only=True) as c:
        assert c.execute("SELECT status, count(*) FROM reports GROUP BY 1 ORDER BY 1").fetchall() == [
            ("invalid", 1), ("not_a_report", 1), ("valid", 6)]
        assert c.execute("SELECT count(*) FROM fact_applications").fetchone() == (1197,)
        # every medium of the bundled samples reached the warehouse
        assert c.execute("SELECT media_type, count(*) FROM reports GROUP BY 1 ORDER BY 1").fetchall() == [
            ("docx", 1), ("html", 5), ("pdf", 1), ("text", 1)]
