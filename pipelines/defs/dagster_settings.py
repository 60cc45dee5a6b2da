"""Dagster's own switches for runs over many partitions, set in this process's environment on import.

Kept apart from the instance module (no Dagster import here): `nianbao ui`'s supervisor needs them
for the daemon and the webserver it starts, and stays a small process that stops fast.
"""

from __future__ import annotations

import os

# Dagster's own switches for runs over many partitions (a night's batch of portals is a range of
# hundreds: docs/decisions.md, "A night of portals in batches"). Without them a run of N portals
# writes 2N "planned" events when it is created and 2N materialisations one row at a time — the
# bulk of a quiet night's cost in Dagster. With them: one planned event per asset with the range's
# subset, and a range's materialisations inserted as one batch (PostgreSQL storage). The price:
# a batch run that fails does not mark its partitions failed (the run, its failure alert and the
# failed sources' observations say it). Every process that imports the code location gets them (the
# command line, the code server, each run); the daemon and the webserver inherit them from `nianbao
# ui`, and a deployment that starts `dagster-daemon` itself sets them in its environment.
DAGSTER_SETTINGS = {"DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS": "1", "DAGSTER_EVENT_BATCH_SIZE": "1000"}
for _key, _value in DAGSTER_SETTINGS.items():
    os.environ.setdefault(_key, _value)
