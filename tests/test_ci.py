"""How CI runs the suite (issue #27, point 11): on both cores with pytest-xdist, each module's
warehouse built once, every test under a time limit so a hang fails with its name, one shared
ingest of the real corpus. The scheduling is checked by running a small suite with the very flags
of `make test`."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def make_test_pytest_flags() -> list[str]:
    """The flags `make test` gives pytest, with the Makefile's worker count."""
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    workers = re.search(r"(?m)^TEST_WORKERS \?= (\d+)$", makefile)
    recipe = makefile[makefile.index("\ntest:"):].split("\n\n", 1)[0]
    [line] = [ln for ln in recipe.splitlines() if re.search(r"\brun pytest\b", ln)]
    flags = line.split("run pytest", 1)[1].replace("$(TEST_WORKERS)", workers.group(1) if workers else "?")
    return flags.split()


def _run(folder: Path, flags: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", *flags, "-rf", "--rootdir", str(folder),
                           "-c", str(folder / "pytest.ini"), str(folder)],
                          capture_output=True, text=True, timeout=240, cwd=folder)


def test_make_test_runs_two_workers_and_ci_runs_make_test() -> None:
    flags = make_test_pytest_flags()
    assert flags[flags.index("-n") + 1] == "2" and flags[flags.index("--dist") + 1] == "loadfile", flags
    assert "\nmake test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_under_make_tests_flags_each_module_fixture_is_built_once(tmp_path: Path) -> None:
    """Two modules of four tests, each with a module-scoped fixture that leaves a mark per build:
    under the Makefile's flags both workers work, and each module's fixture is built once."""
    marks = tmp_path / "marks"
    marks.mkdir()
    for m in ("one", "two"):
        (tmp_path / f"test_{m}.py").write_text(
            "import os, pytest, time\n\n\n@pytest.fixture(scope='module')\ndef built():\n"
            f"    open(os.path.join({str(marks)!r}, '{m}-' + os.environ['PYTEST_XDIST_WORKER'] + '-' + str(time.time_ns())),"
            " 'w').close()\n    time.sleep(1)\n\n\n"
            + "".join(f"def test_{m}_{i}(built):\n    time.sleep(0.3)\n\n\n" for i in range(4)), encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    proc = _run(tmp_path, make_test_pytest_flags())
    assert proc.returncode == 0 and "8 passed" in proc.stdout, proc.stdout + proc.stderr
    built = sorted(p.name.rsplit("-", 1)[0] for p in marks.iterdir())
    assert [b.split("-")[0] for b in built] == ["one", "two"], built  # once each
    assert {b.split("-")[1] for b in built} == {"gw0", "gw1"}, built  # on both workers


def test_every_test_has_a_time_limit(request: pytest.FixtureRequest) -> None:
    assert request.config.getini("timeout") == "300"
    assert request.config.getini("timeout_method") == "signal"


def test_a_hanging_test_fails_by_name_under_xdist_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "test_hang.py").write_text(
        "import time\n\n\ndef test_sleeps_forever():\n    time.sleep(120)\n\n\ndef test_fine():\n    assert True\n",
        encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\ntimeout = 3\n", encoding="utf-8")
    proc = _run(tmp_path, make_test_pytest_flags())
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert re.search(r"FAILED test_hang\.py::test_sleeps_forever - Failed: Timeout", proc.stdout), proc.stdout
    assert "1 failed, 1 passed" in proc.stdout


def test_the_real_corpus_is_ingested_once_per_run() -> None:
    """e2e and the analyst's tests read one shared ingest (conftest.real_corpus_warehouse), not their own."""
    for module in ("test_warehouse_e2e.py", "test_analyst.py"):
        text = (REPO / "tests" / module).read_text(encoding="utf-8")
        assert "real_corpus_warehouse" in text and "copy_real_reports" not in text, module


def test_a_test_writes_its_dagster_instance_and_default_warehouse_outside_the_repository(own_dagster_home: Path) -> None:
    import os

    assert os.environ["DAGSTER_HOME"] == str(own_dagster_home) and own_dagster_home.is_dir()
    for var in ("DAGSTER_HOME", "NIANBAO_DATA_DIR", "NIANBAO_DB"):
        assert not Path(os.environ[var]).resolve().is_relative_to(REPO), var
    from pipelines.defs import resources

    assert not Path(resources.DEFAULT_DB).resolve().is_relative_to(REPO)
    assert not Path(resources.DEFAULT_DATA_DIR).resolve().is_relative_to(REPO)
