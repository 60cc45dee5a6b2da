from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb


def run(args: list[str]) -> list[str]:
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", *args], capture_output=True, text=True, check=True)
    return proc.stdout.strip().splitlines()


def test_ingest_bundled_samples_into_a_new_folder(tmp_path: Path) -> None:
    db = tmp_path / "not" / "yet" / "there.duckdb"
    first = run(["ingest", "--db", str(db)])
    assert first == [
        "documents seen: 8 (parsed now: 8, unchanged: 0)",
        "valid: 6  invalid: 1  failed: 0  not a report: 1",
        "rows loaded: fact_applications=1197, fact_proactive_disclosure=82, fact_review_litigation=105",
        f"database: {db}",
        f"analysts read: {db.parent / 'published' / db.name} (read-only copy, replaced atomically after each load)",
    ]
    second = run(["ingest", "--db", str(db)])
    assert second[:3] == ["documents seen: 8 (parsed now: 0, unchanged: 8)",
                          "valid: 0  invalid: 0  failed: 0  not a report: 0", "rows loaded: 0"]
    with duckdb.connect(str(db), read_only=True) as c:
        assert c.execute("SELECT status, count(*) FROM reports GROUP BY 1 ORDER BY 1").fetchall() == [
            ("invalid", 1), ("not_a_report", 1), ("valid", 6)]
        assert c.execute("SELECT count(*) FROM fact_applications").fetchone() == (1197,)
        # every medium of the bundled samples reached the warehouse
        assert c.execute("SELECT media_type, count(*) FROM reports GROUP BY 1 ORDER BY 1").fetchall() == [
            ("docx", 1), ("html", 5), ("pdf", 1), ("text", 1)]
