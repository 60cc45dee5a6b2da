"""Bad arguments end in one line on stderr and exit 2 before any Dagster run starts (no run recorded,
no warehouse created), and `nianbao sql --format table|csv|json|line` prints a result for tools or
for wide rows (issue #27, point 7)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.defs.instance import open_instance
from tests.conftest import REPO
from warehouse.db import connect


def _cli(home: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "pipelines.cli", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=300)


def _runs(home: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    instance, _ = open_instance()
    with instance:
        return [r.run_id for r in instance.get_runs()]


def _refused(proc: subprocess.CompletedProcess[str]) -> tuple[int, str, str]:
    return proc.returncode, proc.stdout, proc.stderr


def test_ingest_refuses_a_missing_folder_or_catalogue_before_any_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home, db = tmp_path / "home", tmp_path / "w" / "w.duckdb"
    missing = tmp_path / "no-such-folder"
    assert _refused(_cli(home, "ingest", "--source", missing, "--db", db)) == (
        2, "", f"error: --source: no such folder: {missing}\n")
    catalogue = tmp_path / "no-such.yaml"
    assert _refused(_cli(home, "ingest", "--catalog", catalogue, "--db", db)) == (
        2, "", f"error: --catalog: {catalogue}: cannot read the catalogue (No such file or directory)\n")
    broken = tmp_path / "broken.yaml"
    broken.write_text("sources:\n  - name: a\n   kind: [folder\n", encoding="utf-8")
    assert _refused(_cli(home, "ingest", "--catalog", broken, "--db", db)) == (
        2, "", f"error: --catalog: {broken}: not valid YAML (while parsing a block collection in \"<unicode string>\", "
               "line 2, column 3: - name: a ^ expected <block end>, but found '<block mapping start>' in "
               "\"<unicode string>\", line 3, column 4: kind: [folder ^)\n")
    # a catalogue whose folder source is not there: named, not a step failure with retries
    folder_source = tmp_path / "folder.yaml"
    folder_source.write_text("sources:\n  - name: here\n    kind: folder\n    path: gone\n", encoding="utf-8")
    assert _refused(_cli(home, "ingest", "--catalog", folder_source, "--db", db)) == (
        2, "", f"error: --catalog: {folder_source}: source here: no such folder: {tmp_path / 'gone'}\n")
    assert _runs(home, monkeypatch) == []
    assert not db.parent.exists()


def test_reparse_refuses_keys_that_name_no_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    fresh = tmp_path / "fresh" / "w.duckdb"
    assert _refused(_cli(home, "reparse", "abc123", "--db", fresh)) == (
        2, "", f"error: --db: no warehouse at {fresh}: nothing to re-parse\n")
    assert not fresh.parent.exists()  # no new, empty warehouse
    db = tmp_path / "w.duckdb"
    with connect(db) as conn:  # a warehouse holding one document
        conn.execute("INSERT INTO reports (report_id, source, sha256, media_type, status, ingested_at, parser_version) "
                     "VALUES ('r1', '/docs/a.html', 'abcdef0123', 'html', 'failed', now(), 'test')")
    assert _refused(_cli(home, "reparse", "abc123", "abcd", "nothing", "--db", db)) == (
        2, "", f"error: no loaded document in {db} has the source or sha256 prefix: abc123, nothing\n")
    assert _runs(home, monkeypatch) == []


def _wide(tmp_path: Path) -> Path:
    db = tmp_path / "q.duckdb"
    with duckdb.connect(str(db)) as conn:
        conn.execute("CREATE TABLE t (agency_id VARCHAR, year INTEGER, share DECIMAL(5, 2), note VARCHAR, "
                     "cells VARCHAR[], day DATE)")
        conn.execute("INSERT INTO t VALUES ('北京市教育委员会', 2023, 12.50, 'a, \"quoted\" note', ['3.1|np', '3.1|total'], "
                     "DATE '2024-01-31'), ('b', NULL, NULL, NULL, [], NULL)")
    return db


def test_sql_prints_csv_json_and_lines(tmp_path: Path) -> None:
    db, home = _wide(tmp_path), tmp_path / "home"
    query = "SELECT * FROM t ORDER BY year NULLS LAST"
    csv_out = _cli(home, "sql", "--db", db, "--format", "csv", query)
    assert (csv_out.returncode, csv_out.stdout) == (0, (
        "agency_id,year,share,note,cells,day\n"
        "北京市教育委员会,2023,12.50,\"a, \"\"quoted\"\" note\",\"['3.1|np', '3.1|total']\",2024-01-31\n"
        "b,,,,[],\n"))
    js = _cli(home, "sql", "--db", db, "--format", "json", query)
    assert js.returncode == 0
    assert json.loads(js.stdout) == [
        {"agency_id": "北京市教育委员会", "year": 2023, "share": 12.5, "note": 'a, "quoted" note',
         "cells": ["3.1|np", "3.1|total"], "day": "2024-01-31"},
        {"agency_id": "b", "year": None, "share": None, "note": None, "cells": [], "day": None}]
    lines = _cli(home, "sql", "--db", db, "--format", "line", query)
    assert (lines.returncode, lines.stdout) == (0, (
        "agency_id = 北京市教育委员会\n"
        "     year = 2023\n"
        "    share = 12.50\n"
        "     note = a, \"quoted\" note\n"
        "    cells = ['3.1|np', '3.1|total']\n"
        "      day = 2024-01-31\n"
        "\n"
        "agency_id = b\n"
        "     year = NULL\n"
        "    share = NULL\n"
        "     note = NULL\n"
        "    cells = []\n"
        "      day = NULL\n"))
    # the default is the table it always was
    assert _cli(home, "sql", "--db", db, "--format", "table", query).stdout == _cli(home, "sql", "--db", db, query).stdout


def test_sql_refuses_a_missing_file_or_warehouse_in_one_line(tmp_path: Path) -> None:
    db, home = _wide(tmp_path), tmp_path / "home"
    missing = tmp_path / "missing.sql"
    assert _refused(_cli(home, "sql", "--db", db, "--file", missing)) == (
        2, "", f"error: --file: cannot read {missing} (No such file or directory)\n")
    nowhere = tmp_path / "nowhere.duckdb"
    assert _refused(_cli(home, "sql", "--db", nowhere, "SELECT 1")) == (
        2, "", f"error: no warehouse at {nowhere} (run `make ingest` first)\n")
    assert not nowhere.exists()
