"""Exports (Parquet partitioned by year, CSV) read back equal to the warehouse; the data dictionary
is generated and cannot drift; SQL on the published copy from the command line and Harlequin."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.definitions import build_defs
from tests.conftest import REPO, SAMPLES
from warehouse.dictionary import build_fresh
from warehouse.export import export, read_back
from warehouse.publish import published_path_for


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("wh") / "warehouse.duckdb"
    assert build_defs(str(db), str(SAMPLES)).resolve_job_def("nightly_ingest").execute_in_process(raise_on_error=False).success
    return db


def test_parquet_export_reads_back_identical(sample_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "parquet"
    items = export(sample_db, out, "parquet")
    with duckdb.connect(str(sample_db), read_only=True) as c:
        names = {r[0] for r in c.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}
        assert {i.name for i in items} == names  # every table and view
        for item in items:
            assert c.execute(f'SELECT count(*) FROM "{item.name}"').fetchone()[0] == item.rows
            if not item.rows:
                continue
            src, back = f'SELECT * FROM "{item.name}"', f"SELECT * FROM {read_back(out, item, 'parquet')}"
            assert c.execute(f"SELECT count(*) FROM ({back})").fetchone()[0] == item.rows, item.name
            assert c.execute(f"SELECT count(*) FROM (({src}) EXCEPT ALL ({back}))").fetchone()[0] == 0, item.name
            assert c.execute(f"SELECT count(*) FROM (({back}) EXCEPT ALL ({src}))").fetchone()[0] == 0, item.name
    partitioned = {i.name for i in items if i.partitioned_by_year}
    assert {"reports", "fact_applications", "fact_review_litigation", "metric_outcome_shares"} <= partitioned
    years = sorted(p.name for p in (out / "fact_applications").iterdir())
    assert years and all(y.startswith("year=") for y in years)
    assert (out / "DATA_DICTIONARY.md").read_text(encoding="utf-8").startswith("# Data dictionary")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {r["name"]: r["rows"] for r in manifest["relations"]} == {i.name: i.rows for i in items}


def test_csv_export_reads_back_the_same_rows_and_values(sample_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "csv"
    items = {i.name: i for i in export(sample_db, out, "csv")}
    with duckdb.connect(str(sample_db), read_only=True) as c:
        for item in items.values():
            if item.rows:
                assert c.execute(f"SELECT count(*) FROM {read_back(out, item, 'csv')}").fetchone()[0] == item.rows, item.name
        for table, key in (("fact_applications", "category_code, applicant_code"), ("reports", "report_id")):
            cols = "agency_id, year, category_code, applicant_code, value, raw_token" if table == "fact_applications" else \
                "report_id, agency_id, year, status, sha256"
            src = c.execute(f"SELECT {cols} FROM {table} ORDER BY agency_id, year, {key}").fetchall()
            back = c.execute(f"SELECT {cols} FROM read_csv('{out / (table + '.csv')}', header = true, all_varchar = true) "
                             f"ORDER BY agency_id, try_cast(year AS INTEGER), {key}").fetchall()
            assert [tuple("" if v is None else str(v) for v in r) for r in src] == \
                   [tuple("" if v is None else v for v in r) for r in back], table


def test_data_dictionary_is_generated_and_current() -> None:
    """docs/data_dictionary.md is what `nianbao dictionary` writes for this release: it cannot drift."""
    text = (REPO / "docs" / "data_dictionary.md").read_text(encoding="utf-8")
    assert text == build_fresh() + "\n", "run `uv run nianbao dictionary` and commit docs/data_dictionary.md"
    for line in ("| 3.3.3 | （三）不予公开 | withheld |", "| np | 自然人 | natural persons |",
                 "| 4\\|R.correct | 行政复议 结果纠正 | administrative reconsideration: corrected |",
                 "### metric_outcome_shares", "### unresolved_agencies", "### roster"):
        assert line in text, line
    assert "withhold_rate = Σ 3.3.3.1–8|total / 3.3.7|total" in text  # view descriptions come from the SQL comments


def test_sql_command_reads_the_published_copy(sample_db: Path) -> None:
    published = published_path_for(sample_db)
    result = CliRunner().invoke(app, ["sql", "--db", str(published), "SELECT count(*) AS n FROM reports WHERE status = 'valid'"])
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(published), read_only=True) as c:
        n = c.execute("SELECT count(*) FROM reports WHERE status = 'valid'").fetchone()[0]
    assert f"│ {n} " in result.output
    cookbook = REPO / "warehouse" / "cookbook" / "03_missing_2024.sql"
    assert CliRunner().invoke(app, ["sql", "--db", str(published), "--file", str(cookbook)]).exit_code == 0
    bad = CliRunner().invoke(app, ["sql", "--db", str(published), "SELECT * FROM no_such_table"])
    assert bad.exit_code == 2 and "no_such_table" in bad.output


def test_harlequin_opens_the_published_copy_read_only(sample_db: Path) -> None:
    """The interactive IDE (`nianbao sql` without a query) reads this project's DuckDB files."""
    from harlequin_duckdb import DuckDbAdapter

    conn = DuckDbAdapter((str(published_path_for(sample_db)),), read_only=True).connect()
    cursor = conn.execute("SELECT count(*) FROM reports")
    assert cursor.fetchall().to_pylist()[0]["count_star()"] >= 1


def test_export_command(sample_db: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["export", "--format", "csv", "--out", str(tmp_path / "x"), "--db", str(sample_db)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "x" / "reports.csv").exists() and (tmp_path / "x" / "DATA_DICTIONARY.md").exists()
    assert CliRunner().invoke(app, ["export", "--format", "xlsx", "--out", str(tmp_path / "y"), "--db", str(sample_db)]).exit_code == 2
