"""Dagster's PostgreSQL storage holding its connections open in every process, as the webserver does.

``DagsterPostgresStorage`` opens a new connection for every query outside the webserver (SQLAlchemy's
``NullPool``), so that processes do not accumulate connections. A backfill's processes query all
the time — the queue daemon every second, the sensors, a run's every event, its concurrency-pool
claims — and each new connection is a PostgreSQL backend forked, authenticated and torn down: on the
benchmark's 2 cores, 2,000 documents parsed in one run cost PostgreSQL 6.7 s of CPU beside the parse
workers (docs/decisions.md, "Backfill overhead, session 14"). This storage applies Dagster's own
``optimize_for_webserver`` to its three storages when it is built: one connection kept per storage
(pool of 1, up to 20 short-lived extra ones for threads querying at once), recycled hourly, no statement timeout (a
run's writes must not be cut off as a page's query is). A process holds at most 3 idle connections.

Configured in deploy/dagster-postgres.yaml as ``storage: custom:``; it takes the ``postgres:`` config.
"""

from __future__ import annotations

from typing import Any

from dagster._serdes import ConfigurableClassData
from dagster_postgres import DagsterPostgresStorage
from dagster_postgres.utils import get_token_provider_from_config, pg_url_from_config

POOL_RECYCLE_SECONDS = 3600
MAX_OVERFLOW = 20  # (as the webserver's default: threads querying at once; extra connections close when given back)


class PooledPostgresStorage(DagsterPostgresStorage):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for storage in (self._run_storage, self._event_log_storage, self._schedule_storage):
            storage.optimize_for_webserver(statement_timeout=0, pool_recycle=POOL_RECYCLE_SECONDS,
                                           max_overflow=MAX_OVERFLOW)

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None,  # type: ignore[override]
                          config_value: dict[str, Any]) -> PooledPostgresStorage:
        return cls(inst_data=inst_data, postgres_url=pg_url_from_config(config_value),
                   should_autocreate_tables=config_value.get("should_autocreate_tables", True),
                   token_provider=get_token_provider_from_config(config_value))
