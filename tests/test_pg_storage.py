"""The production instance (deploy/dagster-postgres.yaml) keeps its PostgreSQL connections open: a
process's queries reuse them instead of opening a session (a forked PostgreSQL backend) per query,
and so does a run process, which builds its instance from the instance's ref."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg
import psycopg2
import pytest

from pipelines.defs.instance import DEPLOY
from tests.postgres import postgres_server


def _sessions(url: str) -> int:
    """Sessions PostgreSQL has established on the database so far (pg_stat_database, PostgreSQL ≥ 14;
    this look counts as one)."""
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT pg_stat_force_next_flush()")
        cur.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return cur.fetchone()[0]


def test_the_production_instance_reuses_its_connections(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with postgres_server() as url:
        shutil.copyfile(DEPLOY / "dagster-postgres.yaml", tmp_path / "dagster.yaml")
        monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
        monkeypatch.setenv("NIANBAO_DAGSTER_PG_URL", url)
        with dg.DagsterInstance.get() as instance:
            assert type(instance.run_storage).__name__ == "PostgresRunStorage"
            instance.get_runs_count()  # (each storage's first connection)
            instance.get_latest_materialization_event(dg.AssetKey("x"))
            instance.all_instigator_state()
            before = _sessions(url)
            for _ in range(30):  # what a daemon's loop asks, many times a minute
                instance.get_runs_count(dg.RunsFilter(statuses=[dg.DagsterRunStatus.QUEUED]))
                instance.get_latest_materialization_event(dg.AssetKey("x"))
                instance.all_instigator_state()
            # 90 queries, within the connections already open: the sessions opened since are the looks
            # themselves (1; a little slack for PostgreSQL's own) — Dagster's NullPool opens one a query
            assert _sessions(url) - before <= 3
            ref = instance.get_ref()
        # a run process's instance, built from the ref the run launcher passes it
        monkeypatch.delenv("DAGSTER_HOME")
        with dg.DagsterInstance.from_ref(ref) as in_run:
            in_run.get_runs_count()
            before = _sessions(url)
            for _ in range(30):
                in_run.get_runs_count()
            assert _sessions(url) - before <= 3
        assert os.environ.get("DAGSTER_HOME") is None
