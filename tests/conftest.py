from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
FORGE = REPO / "tests" / "fixtures" / "forge"  # truths of every forged document; documents not shipped as samples
SAMPLES = REPO / "pipelines" / "samples"  # forged documents shipped as the default run


REQUIRE_CORPUS = os.environ.get("NIANBAO_REQUIRE_CORPUS") == "1"  # CI: a missing corpus fails, never skips


def pytest_configure(config: pytest.Config) -> None:
    # Tests record their Dagster runs in a temporary instance, never the user's ./.dagster_home
    # (the CLI writes to $DAGSTER_HOME, which the Makefile points there).
    os.environ["DAGSTER_HOME"] = tempfile.mkdtemp(prefix="nianbao-test-dagster-home-")
    if REQUIRE_CORPUS and not (CORPUS / "real").is_dir():
        pytest.exit(f"NIANBAO_REQUIRE_CORPUS=1 but the shared corpus is missing at {CORPUS}: the real-report tests "
                    "cannot run (../shared sits beside the repository in every session and in CI)", returncode=3)


def forge_doc(name: str) -> Path:
    """A forged document, wherever the repository keeps it."""
    for folder in (FORGE, SAMPLES):
        if (folder / name).exists():
            return folder / name
    raise FileNotFoundError(name)


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


def q(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Rows of one query on a warehouse file, read-only."""
    with duckdb.connect(str(db), read_only=True) as c:
        return c.execute(sql, params or []).fetchall()


def truth(name: str) -> dict:
    return json.loads((corpus_or_skip() / "truth" / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def corpus() -> Path:
    return corpus_or_skip()
