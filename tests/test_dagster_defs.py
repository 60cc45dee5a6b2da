from __future__ import annotations

import os
import subprocess
from pathlib import Path

import dagster as dg

from pipelines.definitions import build_defs, defs
from tests.conftest import REPO, forge_doc


def test_definitions_validate() -> None:
    env = {**os.environ}
    env.pop("DAGSTER_HOME", None)
    proc = subprocess.run([str(Path(os.sys.executable).parent / "dagster"), "definitions", "validate", "-w", "workspace.yaml"],
                          cwd=REPO, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Validation successful" in proc.stderr + proc.stdout


def test_schedule_is_nightly_running_by_default() -> None:
    sched = defs.get_schedule_def("nightly_ingest_schedule")
    assert sched.cron_schedule == "0 2 * * *"
    assert sched.execution_timezone == "Asia/Shanghai"
    assert sched.default_status == dg.DefaultScheduleStatus.RUNNING
    assert sched.job_name == "nightly_ingest"


def test_checks_report_failed_and_inconsistent_documents(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name in ("forge-01-2021.html", "forge-08-2019-t4err.txt"):
        (src / name).write_bytes(forge_doc(name).read_bytes())
    (src / "truncated-binary.html").write_bytes(b"\x00" * 64)
    result = build_defs(str(tmp_path / "w.duckdb"), str(src)).resolve_job_def("nightly_ingest").execute_in_process(raise_on_error=False)
    assert result.success
    evals = {e.check_name: e for e in result.get_asset_check_evaluations()}
    failed = evals["no_failed_parses"]
    assert not failed.passed and failed.severity == dg.AssetCheckSeverity.ERROR
    md = failed.metadata["documents"].value
    assert "truncated-binary.html" in md and "binary_content" in md
    pub = evals["publisher_consistency"]
    assert not pub.passed and pub.severity == dg.AssetCheckSeverity.WARN
    assert "forge-08-2019-t4err.txt" in pub.metadata["details"].value and "T4.review_total" in pub.metadata["details"].value
    assert pub.metadata["violations"].value == 1


def test_assets_materialize_in_process(tmp_path: Path) -> None:
    from pipelines.definitions import make_resources
    from pipelines.defs.assets import parsed_reports, source_documents, validated_facts, warehouse_tables

    src = tmp_path / "src"
    src.mkdir()
    (src / "a.html").write_bytes((forge_doc("forge-03-2019.html")).read_bytes())
    db = tmp_path / "w.duckdb"
    result = dg.materialize([source_documents, parsed_reports, validated_facts, warehouse_tables],
                            resources=make_resources(str(db), str(src)))
    assert result.success
    [vr] = result.output_for_node("parsed_reports")
    assert (vr.status, vr.result.table_formats["T3"]) == ("valid", "2019")
    import duckdb
    with duckdb.connect(str(db), read_only=True) as c:
        assert c.execute("SELECT count(*), min(t3_format) FROM reports").fetchone() == (1, "2019")
        assert c.execute("SELECT count(*) FROM fact_applications").fetchone() == (161,)
