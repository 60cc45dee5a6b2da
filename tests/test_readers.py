"""An analyst holding a SQL session during the nightly load: both succeed; the analyst sees the old
warehouse or the new one, never a mix."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from tests.conftest import forge_doc

FIRST = ("forge-01-2021.html", "forge-03-2019.html")
LATER = ("forge-09-2021.txt", "forge-12-2021.html", "forge-14-2019-blank.docx")

CONSISTENT = """SELECT (SELECT count(*) FROM reports),
                      (SELECT count(*) FROM fact_applications),
                      (SELECT count(*) FROM fact_applications f
                        WHERE NOT EXISTS (SELECT 1 FROM reports r WHERE r.report_id = f.report_id AND r.is_current))"""


def _folder(root: Path, names: tuple[str, ...]) -> Path:
    root.mkdir()
    for n in names:
        shutil.copy(forge_doc(n), root / n)
    return root


def _ingest(src: Path, db: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipelines.cli", "ingest", "--source", str(src), "--db", str(db)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_reader_session_during_a_load(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    assert _ingest(_folder(tmp_path / "night1", FIRST), db).wait() == 0
    published = tmp_path / "published" / "w.duckdb"
    reader = duckdb.connect(str(published), read_only=True)
    before = reader.execute(CONSISTENT).fetchone()
    assert before[0] == 2 and before[2] == 0

    load = _ingest(_folder(tmp_path / "night2", FIRST + LATER), db)
    seen = set()
    while load.poll() is None:  # the analyst keeps querying while the load runs
        seen.add(reader.execute(CONSISTENT).fetchone())
    out, err = load.communicate()
    assert load.returncode == 0, err[-2000:]
    assert "parsed now: 3" in out
    seen.add(reader.execute(CONSISTENT).fetchone())
    assert seen == {before}  # the open session kept its snapshot throughout
    reader.close()

    with duckdb.connect(str(published), read_only=True) as fresh:
        after = fresh.execute(CONSISTENT).fetchone()
    assert after[0] == 5 and after[1] > before[1] and after[2] == 0
    # the writer's own file was never opened by the analyst and holds the same data
    with duckdb.connect(str(db), read_only=True) as writer_view:
        assert writer_view.execute(CONSISTENT).fetchone() == after
