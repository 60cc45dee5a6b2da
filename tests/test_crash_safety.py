"""The ingestion SIGKILLed at six points of a night (warehouse.faults): while parsing, inside the
load transaction (after the deletes, before the commit), between the load and the cross-year
refresh, and between checkpoint, copy and rename of the published copy. After each kill the
warehouse holds the old or the new state of every agency-year, never a mix; the published copy
opens and is one whole state; a re-run ends with exactly the rows of an uninterrupted night. The
raw archive survives a kill in the middle of writing a body: nothing truncated under a final name."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import FORGE, REPO, forge_doc
from tests.forge.render import render_html
from warehouse.faults import POINTS
from warehouse.publish import published_path_for

OLD = ["forge-01-2021.html", "forge-03-2019.html", "forge-09-2021.txt"]
ADDED = ["forge-04-hybrid.html", "forge-07-2021-t3err.html", "forge-06-2021-slash.txt"]
KILL_POINTS = [p for p in POINTS if not p.startswith("archive:")]


def _ingest(src: Path, db: Path, crash_at: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("NIANBAO_CRASH_AT", "NIANBAO_PUBLISHED_DB")}
    if crash_at:
        env["NIANBAO_CRASH_AT"] = crash_at
    return subprocess.run([sys.executable, "-m", "pipelines.cli", "ingest", "--source", str(src), "--db", str(db)],
                          capture_output=True, text=True, cwd=REPO, env=env, timeout=180)


def _facts(db: Path) -> dict[tuple[str, int], list[tuple]]:
    """Every agency-year's numbers (the state users see)."""
    with duckdb.connect(str(db), read_only=True) as c:
        rows = c.execute("""
            SELECT agency_id, year, 'A' || category_code || '|' || applicant_code, CAST(value AS VARCHAR), raw_token FROM fact_applications
            UNION ALL SELECT agency_id, year, 'P' || row_code || '|' || col_code, CAST(value AS VARCHAR), raw_token FROM fact_proactive_disclosure
            UNION ALL SELECT agency_id, year, 'R' || col_code, CAST(value AS VARCHAR), raw_token FROM fact_review_litigation
            ORDER BY ALL""").fetchall()
    out: dict[tuple[str, int], list[tuple]] = {}
    for agency, year, *cell in rows:
        out.setdefault((agency, year), []).append(tuple(cell))
    return out


def _everything(db: Path) -> dict[str, list[tuple]]:
    """All rows a re-run must reproduce (timestamps and run ids aside)."""
    queries = {
        "reports": "SELECT report_id, agency_id, year, source, sha256, status, error_type, is_current, n_errors, n_warnings "
                   "FROM reports",
        "issues": "SELECT report_id, rule, severity, origin, cells, expected, found, message FROM validation_issues",
        "provenance": "SELECT * FROM cell_provenance", "sections": "SELECT * FROM report_sections",
        "agencies": "SELECT * FROM agencies", "aliases": "SELECT * FROM agency_aliases", "dim_agency": "SELECT * FROM dim_agency",
    }
    with duckdb.connect(str(db), read_only=True) as c:
        out = {k: sorted(c.execute(q).fetchall(), key=repr) for k, q in queries.items()}
    out["facts"] = sorted(_facts(db).items())
    return out


@pytest.fixture(scope="module")
def nights(tmp_path_factory) -> dict:
    """The documents of two nights and the warehouse after an uninterrupted first and second night."""
    root = tmp_path_factory.mktemp("nights")
    src = root / "src"
    src.mkdir()
    for name in OLD:
        shutil.copy(forge_doc(name), src / name)
    ref = root / "ref" / "warehouse.duckdb"
    ref.parent.mkdir()
    assert _ingest(src, ref).returncode == 0
    old_db = root / "old.duckdb"
    shutil.copy(ref, old_db)
    old = {"facts": _facts(ref), "published": _facts(published_path_for(ref))}
    # night 2: three new reports, and forge-01 re-issued at the same path with table 2 changed
    for name in ADDED:
        shutil.copy(forge_doc(name), src / name)
    truth = json.loads((FORGE / "forge-01-2021.truth.json").read_text(encoding="utf-8"))
    truth["cells"]["2.5.1|decisions"] = (truth["cells"]["2.5.1|decisions"] or 0) + 7
    (src / "forge-01-2021.html").write_bytes(render_html(truth))
    assert _ingest(src, ref).returncode == 0
    new = {"facts": _facts(ref), "everything": _everything(ref)}
    assert new["facts"] != old["facts"] and set(old["facts"]) < set(new["facts"])
    return {"src": src, "old_db": old_db, "old": old, "new": new}


@pytest.mark.timeout(600)  # a killed night and its rerun, each with a 180 s limit of its own
@pytest.mark.parametrize("point", KILL_POINTS)
def test_killed_at_any_point_the_warehouse_is_old_or_new_and_a_rerun_completes(nights: dict, point: str,
                                                                                tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(nights["old_db"], db)
    published = published_path_for(db)
    published.parent.mkdir()
    shutil.copy(nights["old_db"], published)  # the copy analysts had after night 1
    killed = _ingest(nights["src"], db, crash_at=point)
    assert killed.returncode == -signal.SIGKILL, (point, killed.returncode, killed.stderr[-2000:])

    old, new = nights["old"]["facts"], nights["new"]["facts"]
    now = _facts(db)
    for agency_year in set(old) | set(new):
        assert now.get(agency_year) in (old.get(agency_year), new.get(agency_year)), (point, agency_year)
    # the published copy opens and is one whole night, never a partial one
    assert _facts(published) in (old, new), point
    assert not [p.name for p in published.parent.iterdir() if p.name != published.name and not p.name.endswith(".incoming")]

    rerun = _ingest(nights["src"], db)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    # the killed run held the DuckDB writer pool's slot: reaped, or this run would have waited forever
    assert "had died mid-run (its process is gone): marked failed, its writer slot freed" in rerun.stderr
    assert _everything(db) == nights["new"]["everything"], point
    assert _facts(published) == new
    assert [p.name for p in published.parent.iterdir()] == [published.name]  # a killed publish's temporary is gone


def test_raw_archive_survives_a_kill_mid_write(tmp_path: Path) -> None:
    """Killed with half a body written: the half stays under a temporary name, never the final
    one; the next put stores the whole body."""
    data = os.urandom(200_000)
    code = ("import sys; from pipelines.scrape.archive import Archive; Archive(sys.argv[1]).put(bytes.fromhex(sys.argv[2]))")
    env = {**os.environ, "NIANBAO_CRASH_AT": "archive:mid_write"}
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path), data[:1000].hex()], env=env, cwd=REPO,
                          capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL
    files = [p for p in (tmp_path / "raw").rglob("*") if p.is_file()]
    assert files and all(p.name.startswith(".incoming-") for p in files)  # half a body, under a temporary name only
    from pipelines.scrape.archive import Archive

    sha, path, new = Archive(tmp_path).put(data)
    assert new and path.read_bytes() == data and hashlib.sha256(path.read_bytes()).hexdigest() == sha == path.name
    finals = [p for p in (tmp_path / "raw").rglob("*") if p.is_file() and not p.name.startswith(".incoming-")]
    assert finals == [path]
