from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
FORGE = REPO / "tests" / "fixtures" / "forge"  # truths of every forged document; documents not shipped as samples
SAMPLES = REPO / "pipelines" / "samples"  # forged documents shipped as the default run


REQUIRE_CORPUS = os.environ.get("NIANBAO_REQUIRE_CORPUS") == "1"  # CI: a missing corpus fails, never skips


def pytest_configure(config: pytest.Config) -> None:
    # Tests record their Dagster runs in a temporary instance, never the user's ./.dagster_home
    # (the CLI writes to $DAGSTER_HOME, which the Makefile points there): one per process here (each
    # xdist worker), and one per test (``own_dagster_home``).
    os.environ["DAGSTER_HOME"] = tempfile.mkdtemp(prefix="nianbao-test-dagster-home-")
    # The default warehouse and raw archive are under ./data (importing pipelines.definitions creates
    # the folder): never the repository's during tests (they pass their own).
    data = tempfile.mkdtemp(prefix="nianbao-test-data-")
    os.environ.setdefault("NIANBAO_DATA_DIR", data)
    os.environ.setdefault("NIANBAO_DB", os.path.join(data, "warehouse.duckdb"))
    if REQUIRE_CORPUS and not (CORPUS / "real").is_dir():
        pytest.exit(f"NIANBAO_REQUIRE_CORPUS=1 but the shared corpus is missing at {CORPUS}: the real-report tests "
                    "cannot run (../shared sits beside the repository in every session and in CI)", returncode=3)


def forge_doc(name: str) -> Path:
    """A forged document, wherever the repository keeps it."""
    for folder in (FORGE, SAMPLES):
        if (folder / name).exists():
            return folder / name
    raise FileNotFoundError(name)


def folder_catalog(tmp: Path, sources: dict[str, list[str]]) -> Path:
    """A catalogue of folder sources under ``tmp``, each holding its forged documents."""
    entries = []
    for name, docs in sources.items():
        folder = tmp / "sources" / name
        folder.mkdir(parents=True)
        for doc in docs:
            (folder / doc).write_bytes(forge_doc(doc).read_bytes())
        entries.append({"name": name, "kind": "folder", "path": str(folder)})
    path = tmp / "catalog.yaml"
    path.write_text(yaml.safe_dump({"sources": entries}), encoding="utf-8")
    return path


def corpus_or_skip() -> Path:
    if not (CORPUS / "real").is_dir():
        why = f"shared corpus not found at {CORPUS} (it sits beside the repo in every session and in CI)"
        if REQUIRE_CORPUS:
            pytest.fail(why)
        pytest.skip(why)
    return CORPUS


def corpus_files(folder: str, pattern: str) -> list[Path]:
    """Corpus files to parametrise over. Without the corpus the list is one placeholder whose test
    skips (fails under NIANBAO_REQUIRE_CORPUS=1) — cases never drop out silently."""
    if not (CORPUS / folder).is_dir():
        return [CORPUS / folder / "(corpus missing)"]
    return sorted((CORPUS / folder).glob(pattern))


def copy_real_reports(folder: Path) -> Path:
    """The real corpus's report documents (HTML, text, PDF) copied into ``folder``, a source to ingest."""
    for p in (corpus_or_skip() / "real").glob("*"):
        if p.suffix in (".html", ".txt", ".pdf"):
            shutil.copy(p, folder / p.name)
    return folder


BROKEN_HTML = b"\x00\xff" * 500  # a binary file named .html: the one failure in the corpus warehouse


@pytest.fixture(scope="session")
def real_corpus_warehouse(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The real corpus (and one broken file, ``broken.html``) ingested by one night of the job, once
    per test run: the first xdist worker to ask builds it under a file lock in the run's shared
    temporary folder, the others wait and read it. Read-only: a test that writes takes a copy
    (``warehouse_copy``)."""
    from filelock import FileLock

    corpus_or_skip()
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent  # (each worker's base is <run>/popen-gwN: the run's folder is above)
    home, db = shared / "real-corpus", shared / "real-corpus" / "warehouse" / "warehouse.duckdb"
    with FileLock(str(shared / "real-corpus.lock")):
        if not (home / "built").exists():
            from pipelines.definitions import build_defs

            shutil.rmtree(home, ignore_errors=True)  # (a build that died half-way)
            src = home / "src"
            src.mkdir(parents=True)
            copy_real_reports(src)
            (src / "broken.html").write_bytes(BROKEN_HTML)
            run = build_defs(str(db), str(src), data_dir=str(home / "data")).resolve_job_def("nightly_ingest")
            assert run.execute_in_process(raise_on_error=False).success
            (home / "built").touch()
    return db


def warehouse_copy(db: Path, folder: Path) -> Path:
    """A writable copy of a warehouse file, for a test that changes it."""
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(db, folder / db.name))


def q(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Rows of one query on a warehouse file, read-only."""
    with duckdb.connect(str(db), read_only=True) as c:
        return c.execute(sql, params or []).fetchall()


def truth(name: str) -> dict:
    return json.loads((corpus_or_skip() / "truth" / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def corpus() -> Path:
    return corpus_or_skip()


@pytest.fixture(autouse=True)
def own_dagster_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test its own Dagster instance folder: a run one test records is never another's."""
    home = tmp_path_factory.mktemp("dagster-home")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def sigterm_as_it_was() -> Iterator[None]:
    """A test that runs a job in-process (``materialize``, ``execute_in_process``) leaves SIGTERM set to
    SIGINT's handler — ignored, when the run started in the background (CI) — and every process a
    later test of the worker started inherited that: `make ui` ignored the SIGTERM test_ui_stop sent.
    Each test ends with the worker's SIGTERM as it found it (the product's own guard:
    pipelines.defs.cli_runs.sigterm_kept)."""
    before = signal.getsignal(signal.SIGTERM)
    yield
    if before is not None:
        signal.signal(signal.SIGTERM, before)


@pytest.fixture(autouse=True)
def no_leftover_defs_state_storage() -> Iterator[None]:
    """Dagster 1.13's ``DagsterInstance.__exit__`` disposes the instance but never resets the context
    variable its ``__enter__`` set to the instance's defs-state storage: a later test in the same
    worker that loads definitions then reads a dead instance ("Attempted to resolve undefined
    DagsterInstance weakref"). Each test starts and ends without one."""
    from dagster._core.storage.defs_state import base as defs_state

    defs_state._current_storage.set(None)
    yield
    defs_state._current_storage.set(None)
