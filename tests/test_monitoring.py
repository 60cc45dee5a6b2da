"""Operations checks judge the warehouse, not one run's batch: a failed parse stays red night after
night (new, then outstanding since the night it appeared) until a re-parse fixes it; alerts fire
once per run with new failures; a missed night fails the freshness check; health per source and
the numeric series the UI plots come from the warehouse."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster._core.test_utils import freeze_time

from pipelines.definitions import build_defs
from pipelines.defs.checks import freshness_checks
from pipelines.defs.sensors import new_failures_alert
from pipelines.parse import report
from pipelines.parse.report import parse_bytes
from tests.conftest import FORGE, forge_doc
from tests.doubles import failing_on_marker

GOOD = ("forge-01-2021.html", "forge-09-2021.txt")
INCONSISTENT = "forge-08-2019-t4err.txt"


def _folder(tmp_path: Path) -> tuple[Path, Path]:
    src = tmp_path / "night"
    src.mkdir()
    for name in (*GOOD, INCONSISTENT):
        (src / name).write_bytes(forge_doc(name).read_bytes())
    fixable = src / "fixable.html"  # fails under the buggy release, parses after the fix
    fixable.write_bytes(forge_doc("forge-12-2021.html").read_bytes().replace(b"</body>", b"<!-- FIXME --></body>"))
    return src, fixable


def _checks(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def _meta(e: dg.AssetCheckEvaluation) -> dict:
    return {k: v.value for k, v in e.metadata.items()}


def _series(result: dg.ExecuteInProcessResult) -> dict[str, int]:
    mat = next(m for m in result.get_asset_materialization_events()
               if m.asset_key == dg.AssetKey("warehouse_tables")).materialization
    keys = ("documents_valid", "documents_invalid", "documents_failing", "documents_not_a_report", "new_documents",
            "outstanding_failures")
    return {k: mat.metadata[k].value for k in keys}


def test_a_failure_stays_red_until_fixed_and_alerts_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, fixable = _folder(tmp_path)
    db = tmp_path / "w.duckdb"
    defs = build_defs(str(db), str(src))
    with dg.instance_for_test() as instance:
        monkeypatch.setattr(report, "parse_bytes", failing_on_marker)  # the release with the bug
        night1 = defs.resolve_job_def("nightly_ingest").execute_in_process(instance=instance)
        with duckdb.connect(str(db), read_only=True) as c:
            sha, since = c.execute("SELECT sha256, failing_since FROM reports WHERE source = ?", [str(fixable)]).fetchone()
        night2 = defs.resolve_job_def("nightly_ingest").execute_in_process(instance=instance)
        monkeypatch.undo()  # the fixed release
        night3 = defs.resolve_job_def("reparse_failed").execute_in_process(instance=instance)

        # night 1: the failure is new, with where, since when, and how to re-parse it
        c1 = _checks(night1)
        m1 = _meta(c1["no_failed_parses"])
        assert (c1["no_failed_parses"].passed, m1["failed_documents"], m1["new_this_run"], m1["outstanding"]) == (False, 1, 1, 0)
        assert m1["summary"] == "fixable.html: parser_crash (new)"
        row = next(line for line in m1["documents"].splitlines() if "fixable.html" in line)
        cells = [x.strip() for x in row.strip("|").split("|")]
        assert cells == ["new", str(fixable), "folder", "-", "-", "failed", "parser_crash",
                         since.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"), night1.run_id[:8],
                         f"nianbao reparse {sha[:12]}", sha, "-",  # "-": its file is not gone
                         f"{fixable}: simulated parser bug",
                         "A bug in nianbao: open an issue with the file and the message; once the fix is released, "
                         "`nianbao reparse-failed` (or `nianbao reparse <sha256 prefix>`)."]
        pub1 = _meta(c1["publisher_consistency"])
        assert (c1["publisher_consistency"].passed, c1["publisher_consistency"].severity) == (False, dg.AssetCheckSeverity.WARN)
        assert (pub1["violations"], pub1["new_this_run"]) == (1, 1)
        assert pub1["summary"].startswith(f"{INCONSISTENT}: T4.review_total (found ")

        # night 2: nothing new was parsed, yet the check still fails — outstanding since night 1
        c2 = _checks(night2)
        m2 = _meta(c2["no_failed_parses"])
        assert len(night2.output_for_node("parsed_reports")) == 0
        assert (c2["no_failed_parses"].passed, m2["failed_documents"], m2["new_this_run"], m2["outstanding"]) == (False, 1, 0, 1)
        assert m2["summary"] == (f"fixable.html: parser_crash (outstanding since "
                                 f"{since.astimezone(UTC).strftime('%Y-%m-%d %H:%M UTC')}, run {night1.run_id[:8]})")
        assert "nianbao reparse-failed" in m2["how_to_fix"]
        pub2 = _meta(c2["publisher_consistency"])
        assert (c2["publisher_consistency"].passed, pub2["violations"], pub2["new_this_run"]) == (False, 1, 0)

        # alerts: one for the night the failure appeared, none for the night it was only outstanding
        alert = new_failures_alert(instance, instance.get_run_by_id(night1.run_id))
        assert alert is not None and (alert["run_id"], alert["new_failures"], alert["outstanding"]) == (night1.run_id, 1, 0)
        assert alert["message"] == "fixable.html: parser_crash (new)"
        assert new_failures_alert(instance, instance.get_run_by_id(night2.run_id)) is None

        # night 3: after the fix, reparse_failed re-parses exactly that document and the check passes
        assert [v.result.document for v in night3.output_for_node("parsed_reports")] == [str(fixable)]
        c3 = _checks(night3)
        assert (c3["no_failed_parses"].passed, _meta(c3["no_failed_parses"])["failed_documents"]) == (True, 0)
        assert (c3["publisher_consistency"].passed, _meta(c3["publisher_consistency"])["violations"]) == (False, 1)
        assert new_failures_alert(instance, instance.get_run_by_id(night3.run_id)) is None

    # the numeric series the UI plots, night by night
    assert _series(night1) == {"documents_valid": 2, "documents_invalid": 1, "documents_failing": 1,
                               "documents_not_a_report": 0, "new_documents": 4, "outstanding_failures": 0}
    assert _series(night2) == {**_series(night1), "new_documents": 0, "outstanding_failures": 1}
    assert _series(night3) == {"documents_valid": 3, "documents_invalid": 1, "documents_failing": 0,
                               "documents_not_a_report": 0, "new_documents": 1, "outstanding_failures": 0}
    with duckdb.connect(str(db), read_only=True) as c:
        assert c.execute("SELECT count(*) FROM outstanding_failures").fetchone() == (0,)
        assert c.execute("SELECT status, failing_since, failing_since_run FROM reports WHERE source = ?",
                         [str(fixable)]).fetchone() == ("valid", None, None)
        status = c.execute("SELECT source, found_last_crawl, documents, parsed, valid, invalid, failing, not_a_report, "
                           "last_successful_crawl IS NOT NULL FROM source_status").fetchall()
        assert status == [("folder", 4, 4, 4, 3, 1, 0, 0, True)]
        assert c.execute("SELECT year, documents, valid, invalid, failing FROM year_status ORDER BY year").fetchall() == _year_rows()


def _year_rows() -> list[tuple]:
    """year_status expected from the forged truths: the three good documents and the inconsistent one."""
    counts: dict[int, list[int]] = {}
    for name, state in (("forge-01-2021", "valid"), ("forge-09-2021", "valid"), ("forge-12-2021", "valid"),
                        ("forge-08-2019-t4err", "invalid")):
        year = json.loads((FORGE / f"{name}.truth.json").read_text(encoding="utf-8"))["year"]
        row = counts.setdefault(year, [0, 0, 0, 0])
        row[0] += 1
        row[1 if state == "valid" else 2] += 1
    return sorted((y, *r) for y, r in counts.items())


def test_a_titled_report_without_tables_fails_and_other_documents_are_counted_with_their_title(tmp_path: Path) -> None:
    shanghai = "<html><head><title>2022年上海市政府信息公开工作年度报告</title></head><body><h1>2022年上海市政府信息公开工作年度报告</h1>" \
               "<p>本报告的统计表见下图。</p><img src='t2.png'><img src='t3.png'></body></html>"
    r = parse_bytes(shanghai.encode(), "shanghai-2022.html")
    assert (r.status, r.error_type) == ("failed", "no_report_tables")
    assert r.error.startswith("shanghai-2022.html: titled as an annual report (2022年上海市政府信息公开工作年度报告)")
    # a year and the report title but no agency printed: still an annual report, still a failure
    no_agency = parse_bytes("2023年政府信息公开工作年度报告\n\n一、总体情况\n本年度……".encode(), "untitled.txt")
    assert (no_agency.status, no_agency.error_type) == ("failed", "no_report_tables")
    # documents that positively read as something else are not reports, with the deciding title
    guide = parse_bytes("<html><body><h1>上海市政府信息公开指南</h1><p>一、主动公开</p></body></html>".encode(), "guide.html")
    assert (guide.status, guide.title) == ("not_a_report", "上海市政府信息公开指南")
    notice = parse_bytes("关于开展政务公开专项检查的通知\n各区：……".encode(), "notice.txt")
    assert (notice.status, notice.title) == ("not_a_report", "关于开展政务公开专项检查的通知")

    src = tmp_path / "src"
    src.mkdir()
    (src / "shanghai-2022.html").write_text(shanghai, encoding="utf-8")
    (src / "guide.html").write_text("<html><body><h1>上海市政府信息公开指南</h1><p>一、主动公开</p></body></html>", encoding="utf-8")
    db = tmp_path / "w.duckdb"
    result = build_defs(str(db), str(src)).resolve_job_def("nightly_ingest").execute_in_process()
    with duckdb.connect(str(db), read_only=True) as c:
        assert c.execute("SELECT regexp_extract(source, '[^/]+$'), title FROM not_a_report_documents").fetchall() == [
            ("guide.html", "上海市政府信息公开指南")]
        assert c.execute("SELECT regexp_extract(source, '[^/]+$'), error_type FROM outstanding_failures").fetchall() == [
            ("shanghai-2022.html", "no_report_tables")]
    summary = next(m for m in result.get_asset_materialization_events()
                   if m.asset_key == dg.AssetKey("warehouse_tables")).materialization.metadata["run_summary"].value
    assert f"| new | {src / 'guide.html'} | folder | 上海市政府信息公开指南 |" in summary
    assert _checks(result)["no_failed_parses"].passed is False


def test_a_missed_night_fails_the_freshness_check() -> None:
    defs = build_defs(":memory:")
    job = dg.Definitions(assets=defs.assets, asset_checks=freshness_checks, resources=defs.resources, jobs=[
        dg.define_asset_job("freshness", selection=dg.AssetSelection.checks(*freshness_checks))]).resolve_job_def("freshness")
    now = datetime.now(UTC)
    outcomes = []
    with dg.instance_for_test() as instance:
        for hours_ago in (27, 25):  # the last load 27 h ago (a night missed), then one 25 h ago
            with freeze_time(now - timedelta(hours=hours_ago)):
                instance.report_runless_asset_event(dg.AssetMaterialization(asset_key="warehouse_tables"))
            with freeze_time(now):
                (evaluation,) = job.execute_in_process(instance=instance).get_asset_check_evaluations()
            outcomes.append((evaluation.passed, evaluation.severity))
    assert outcomes == [(False, dg.AssetCheckSeverity.ERROR), (True, dg.AssetCheckSeverity.ERROR)]
