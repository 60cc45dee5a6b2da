"""The Dagster wiring, in one room: assets, asset checks, sensors, the per-source partitions with their
jobs and schedule, resources, run tags, the instance, the UI launcher and runs started from the
command line. Each is thin over the plain steps in ``pipelines/`` (ingest, staging, validate, parse,
scrape), which tests call directly; ``pipelines/definitions.py`` gathers them into the code location."""
