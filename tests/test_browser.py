"""The Dagster UI in a real browser: a prepared instance with one run that has a failed parse; the
asset's failed check shows the document and the rule. Saves a screenshot in test-artifacts/."""

from __future__ import annotations

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

PREPARE = """
import sys
from dagster import DagsterInstance
from pipelines.definitions import build_defs
home, src = sys.argv[1], sys.argv[2]
result = build_defs(home + "/w.duckdb", src).resolve_job_def("nightly_ingest").execute_in_process(
    instance=DagsterInstance.get(), raise_on_error=False)
assert result.success
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def ui(tmp_path: Path) -> Iterator[str]:
    home = tmp_path / "dagster_home"
    (home / ".nux").mkdir(parents=True)
    shutil.copy(REPO / "deploy" / "dagster.yaml", home / "dagster.yaml")
    (home / ".nux" / "nux.yaml").write_text("seen: 1\n", encoding="utf-8")
    src = tmp_path / "night"
    src.mkdir()
    shutil.copy(SAMPLES / "forge-01-2021.html", src)
    shutil.copy(forge_doc("forge-08-2019-t4err.txt"), src)
    (src / "broken-report.html").write_bytes(b"\x00\x01" * 100)
    env = {**os.environ, "DAGSTER_HOME": str(home), "NIANBAO_DB": str(home / "w.duckdb")}
    subprocess.run([sys.executable, "-c", PREPARE, str(home), str(src)], cwd=REPO, env=env, check=True, capture_output=True)
    port = _free_port()
    web = subprocess.Popen([str(Path(sys.executable).parent / "dagster-webserver"), "-w", "workspace.yaml",
                            "-h", "127.0.0.1", "-p", str(port)], cwd=REPO, env=env, start_new_session=True,
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
        yield base
    finally:
        os.killpg(web.pid, signal.SIGTERM)  # the webserver and the code server it started
        try:
            web.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(web.pid, signal.SIGKILL)


def test_failed_parse_check_shows_document_and_rule_in_the_ui(ui: str) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{ui}/assets/validated_facts?view=checks", wait_until="networkidle")
        page.get_by_text("no_failed_parses").first.click()
        page.get_by_text("broken-report.html: binary_content").wait_for(timeout=30_000)
        assert "Failed" in page.inner_text("body")
        page.get_by_text("[Show Markdown]").first.click()
        page.get_by_text("the file holds binary data").wait_for(timeout=10_000)
        page.screenshot(path=str(ARTIFACTS / "dagster-ui-failed-parse-check.png"), full_page=True)
        page.get_by_role("button", name="Close").click()
        page.get_by_text("publisher_consistency").first.click()
        page.get_by_text("forge-08-2019-t4err.txt: T4.review_total").wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "dagster-ui-publisher-check.png"), full_page=True)
        browser.close()
    assert (ARTIFACTS / "dagster-ui-failed-parse-check.png").stat().st_size > 10_000
