"""The Dagster UI in a real browser, over three nights on one instance, driven through the command
line as an operator would: night 1 ingests a folder with one broken and one inconsistent document
while the daemon's sensors tick — the command line's run is on the job's page with its tags, on the
Overview timeline, and the run-status sensor alerts on its new failure, as for a scheduled night;
night 2 finds nothing new, and the failure is still shown, outstanding since night 1; after a parser
fix `nianbao reparse-failed` runs, its run shows and the check passes. Screenshots of every step go
to test-artifacts/."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO, SAMPLES, forge_doc

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
pytestmark = pytest.mark.skipif(not CHROMIUM.exists() and os.environ.get("NIANBAO_REQUIRE_BROWSER") != "1",
                                reason="Debian chromium not installed; `make system-deps` installs it (CI does)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Operator:
    """Runs `nianbao` commands against one instance and one warehouse, as cron or a person would."""

    def __init__(self, home: Path, db: Path) -> None:
        self.env = {**os.environ, "DAGSTER_HOME": str(home)}
        self.db = db

    def run(self, module: str, *args: str) -> str:
        out = subprocess.run([sys.executable, "-m", module, *args, "--db", str(self.db)], cwd=REPO, env=self.env,
                             capture_output=True, text=True, check=True).stdout.strip().splitlines()
        return out[-1].split()[1]  # "run <run_id> of <job> recorded in …"


@pytest.fixture
def night(tmp_path: Path) -> Iterator[tuple[str, Operator, Path]]:
    home = tmp_path / "dagster_home"
    (home / ".nux").mkdir(parents=True)
    shutil.copy(REPO / "deploy" / "dagster.yaml", home / "dagster.yaml")
    (home / ".nux" / "nux.yaml").write_text("seen: 1\n", encoding="utf-8")
    src = tmp_path / "night"
    src.mkdir()
    shutil.copy(SAMPLES / "forge-01-2021.html", src)
    shutil.copy(forge_doc("forge-08-2019-t4err.txt"), src)  # the inconsistent one
    # the broken one: fails under the buggy release, parses after the fix
    (src / "broken-report.html").write_bytes(forge_doc("forge-12-2021.html").read_bytes().replace(b"</body>", b"<!-- FIXME --></body>"))
    operator = Operator(home, tmp_path / "w.duckdb")
    port = _free_port()
    web = subprocess.Popen([str(Path(sys.executable).parent / "dagster-webserver"), "-w", "workspace.yaml",
                            "-h", "127.0.0.1", "-p", str(port)], cwd=REPO, env=operator.env, start_new_session=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/server_info", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("dagster-webserver did not come up within 90 s")
        yield base, operator, src
    finally:
        os.killpg(web.pid, signal.SIGTERM)  # the webserver and the code server it started
        try:
            web.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(web.pid, signal.SIGKILL)


@pytest.mark.timeout(600)  # a UI start (up to 90 s), three nights, a dozen page waits of up to 30 s
def test_three_nights_in_the_ui(night: tuple[str, Operator, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import dagster as dg
    from playwright.sync_api import Page, sync_playwright
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    from tests.sensor_daemon import sensor_ticks

    ui, operator, src = night
    ARTIFACTS.mkdir(exist_ok=True)
    home = Path(operator.env["DAGSTER_HOME"])
    monkeypatch.setenv("DAGSTER_HOME", str(home))  # the sensors' code server writes alerts.jsonl there
    monkeypatch.delenv("NIANBAO_ALERT_WEBHOOK", raising=False)
    monkeypatch.chdir(REPO)

    def check(page: Page, name: str, expect: str, shot: str, asset: str = "warehouse_tables") -> str:
        page.goto(f"{ui}/assets/{asset}?view=checks", wait_until="networkidle")
        page.get_by_text(name, exact=True).first.click()
        page.get_by_text(expect).first.wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
        return page.inner_text("body")

    def runs(page: Page, run_ids: list[str], shot: str) -> None:
        page.goto(f"{ui}/runs", wait_until="networkidle")
        for run_id in run_ids:
            page.get_by_text(run_id[:8]).first.wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / shot), full_page=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})

        # night 1 (the release with the bug), from the command line while the daemon's sensors run
        with dg.DagsterInstance.get() as instance, sensor_ticks(instance) as (tick, _workspace):
            tick()
            night1 = operator.run("tests.buggy_release", "ingest", "--source", str(src))
            tick()
        # the CLI run is on the job's page (Jobs › nightly_ingest › Runs), with the tags saying what it did …
        page.goto(f"{ui}/locations/pipelines.definitions/jobs/nightly_ingest/runs", wait_until="networkidle")
        page.get_by_text(night1[:8]).first.wait_for(timeout=30_000)
        for tag in ("nianbao/command: ingest", f"nianbao/source: folder {src}", "nianbao/documents: 3"):
            page.get_by_text(tag).first.wait_for(timeout=10_000)
        page.screenshot(path=str(ARTIFACTS / "night1-job-runs.png"), full_page=True)
        # … and on the Overview timeline: the job's row holds the run (its popover links to it)
        page.goto(f"{ui}/overview/activity/timeline", wait_until="networkidle")
        row = page.locator("[class*='RunTimeline_timelineRowContainer']",
                           has=page.locator("a[href='/locations/pipelines.definitions/jobs/nightly_ingest']"))
        # The row's chunks: the run, and in the hour before 02:00 Asia/Shanghai (18:00 UTC) the schedule's
        # next tick too, drawn after it — so each chunk is hovered until one's popover links to the run.
        link = page.locator(f"a[href*='/runs/{night1}']").first
        chunks = row.locator(".chunk-popover-target")
        chunks.first.wait_for(timeout=30_000)
        for i in range(chunks.count()):
            chunks.nth(i).hover()
            try:
                link.wait_for(timeout=5_000)
                break
            except PlaywrightTimeout:
                page.mouse.move(0, 0)
        else:
            raise AssertionError(f"no chunk of the nightly_ingest row on the timeline links to run {night1}")
        page.screenshot(path=str(ARTIFACTS / "night1-timeline.png"), full_page=True)

        # the run-status sensor alerted on the CLI night's new failure, like on a scheduled night's
        (alert,) = [json.loads(line) for line in (home / "alerts.jsonl").read_text(encoding="utf-8").splitlines()]
        assert {k: v for k, v in alert.items() if k != "at"} == {
            "run_id": night1, "job": "nightly_ingest", "kind": "new_failed_parses", "new_failures": 1, "outstanding": 0,
            "message": "broken-report.html: parser_crash (new)"}

        # night 1 in the asset checks: the failed check naming the document, the warning
        runs(page, [night1], "night1-runs.png")
        body = check(page, "no_failed_parses", "broken-report.html: parser_crash (new)", "night1-no-failed-parses.png")
        assert "Failed" in body
        page.get_by_text("[Show Markdown]").first.click()
        page.get_by_text("nianbao reparse ").first.wait_for(timeout=10_000)
        page.screenshot(path=str(ARTIFACTS / "night1-failed-documents.png"), full_page=True)
        page.get_by_role("button", name="Close").click()
        check(page, "publisher_consistency", "forge-08-2019-t4err.txt: T4.review_total", "night1-publisher-warning.png",
              asset="analyst_tables")

        # night 2: nothing new, the failure still shows, outstanding since night 1
        night2 = operator.run("tests.buggy_release", "ingest", "--source", str(src))
        runs(page, [night1, night2], "night2-runs.png")
        body = check(page, "no_failed_parses", f"run {night1[:8]})", "night2-outstanding.png")
        assert "broken-report.html: parser_crash (outstanding since " in body and "Failed" in body

        # the fix is released; the operator re-parses the failed documents from the command line
        night3 = operator.run("pipelines.cli", "reparse-failed")
        runs(page, [night1, night2, night3], "night3-runs.png")
        page.get_by_text("reparse_failed").first.wait_for(timeout=30_000)
        body = check(page, "no_failed_parses", "Passed", "night3-check-passes.png")
        assert "broken-report.html" not in body
        # the numeric series night by night (asset page → Overview → Metadata → Plots)
        page.goto(f"{ui}/assets/warehouse_tables?view=overview", wait_until="networkidle")
        page.get_by_text("Plots", exact=True).first.click()
        page.get_by_text("outstanding_failures").first.wait_for(timeout=30_000)
        page.get_by_text("documents_failing").first.wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "night3-plots.png"), full_page=True)
        browser.close()
    for shot in ("night1-runs.png", "night1-no-failed-parses.png", "night2-outstanding.png", "night3-check-passes.png"):
        assert (ARTIFACTS / shot).stat().st_size > 10_000, shot
