# nianbao — the two set-up commands (README): `make ingest` and `make test`.
# Both create the environment themselves on a fresh machine (uv + uv.lock).
SHELL := /bin/bash
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
DB ?= data/warehouse.duckdb
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home

.PHONY: env ingest test lint ui samples forge clean

env:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv==$(UV_VERSION)"
	@$(UV) sync --frozen --quiet
	@mkdir -p $(DAGSTER_HOME) && [ -e $(DAGSTER_HOME)/dagster.yaml ] || cp deploy/dagster.yaml $(DAGSTER_HOME)/dagster.yaml

## The nightly ingestion once, on the bundled sample documents (no network) → $(DB)
ingest: env
	$(UV) run nianbao ingest --db $(DB)

## The test suite (reads ../shared/corpus where present)
test: env
	$(UV) run ruff check .
	$(UV) run pytest -q -p no:cacheprovider

lint: env
	$(UV) run ruff check .

## Optional: the Dagster UI (asset graph, nightly schedule, checks) on http://127.0.0.1:3000
ui: env
	$(UV) run dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

## Regenerate the committed forge corpus and the bundled samples
forge: env
	rm -rf tests/fixtures/forge pipelines/samples
	$(UV) run python -m tests.forge --out tests/fixtures/forge --samples-out pipelines/samples

clean:
	rm -rf data .dagster_home .pytest_cache .ruff_cache
