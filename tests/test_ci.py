"""How CI runs the suite (issue #27, point 11): on both cores with pytest-xdist, every test under a
time limit so a hang fails with its name, one shared ingest of the real corpus."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def _test_recipe() -> list[str]:
    lines = (REPO / "Makefile").read_text(encoding="utf-8").splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("test:"))
    recipe = []
    for ln in lines[start + 1:]:
        if not ln.startswith("\t"):
            break
        recipe.append(ln.strip())
    return recipe


def test_make_test_runs_pytest_on_two_workers_grouped_by_module_fixture() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    [pytest_line] = [ln for ln in _test_recipe() if " pytest " in f" {ln} "]
    assert re.search(r"(^|\s)-n \$\(TEST_WORKERS\)(\s|$)", pytest_line), pytest_line
    assert re.search(r"(?m)^TEST_WORKERS \?= 2$", makefile)
    assert "--dist loadgroup" in pytest_line
    assert (REPO / ".ci" / "run").read_text(encoding="utf-8").count("make test") >= 1


def test_every_test_has_a_time_limit(request: pytest.FixtureRequest) -> None:
    assert request.config.getini("timeout") == "300"
    assert request.config.getini("timeout_method") == "signal"


def test_a_hanging_test_fails_by_name_under_xdist_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "test_hang.py").write_text(
        "import time\n\n\ndef test_sleeps_forever():\n    time.sleep(120)\n\n\ndef test_fine():\n    assert True\n",
        encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\ntimeout = 3\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-n", "2", "-rf",
                           "--rootdir", str(tmp_path), "-c", str(tmp_path / "pytest.ini"), str(tmp_path)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert re.search(r"FAILED test_hang\.py::test_sleeps_forever - Failed: Timeout", proc.stdout), proc.stdout
    assert "1 failed, 1 passed" in proc.stdout


def test_modules_sharing_a_module_fixture_are_grouped(tmp_path: Path) -> None:
    """The tests of a module with a module-scoped warehouse get one xdist group (the module), so
    --dist loadgroup builds that warehouse on one worker only; other tests go to any free worker."""
    (tmp_path / "groups_probe.py").write_text(
        "def pytest_collection_finish(session):\n"
        "    for item in session.items:\n"
        "        print('GROUP', item.nodeid, [m.args[0] for m in item.iter_markers('xdist_group')])\n",
        encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "groups_probe", "--collect-only",
                           "-q", "tests/test_warehouse_e2e.py", "tests/test_bad_input.py"],
                          capture_output=True, text=True, timeout=240, cwd=REPO,
                          env={**os.environ, "PYTHONPATH": str(tmp_path)})
    groups = dict(re.findall(r"(?m)^GROUP (\S+) (\[.*\])$", proc.stdout))
    assert groups["tests/test_warehouse_e2e.py::test_every_fact_equals_truth"] == "['tests/test_warehouse_e2e.py']"
    assert groups["tests/test_warehouse_e2e.py::test_publisher_issues_view"] == "['tests/test_warehouse_e2e.py']"
    assert groups["tests/test_warehouse_e2e.py::test_ingest_twice_is_idempotent"] == "[]"  # its own tmp_path only
    assert groups["tests/test_bad_input.py::test_empty_file"] == "[]"


def test_the_real_corpus_is_ingested_once_per_run() -> None:
    """e2e and the analyst's tests read one shared ingest (conftest.real_corpus_warehouse), not their own."""
    for module in ("test_warehouse_e2e.py", "test_analyst.py"):
        text = (REPO / "tests" / module).read_text(encoding="utf-8")
        assert "real_corpus_warehouse" in text and "copy_real_reports" not in text, module
