# nianbao — the two set-up commands (README): `make ingest` and `make test`.
# Both create the environment themselves on a fresh machine (uv + uv.lock).
SHELL := /bin/bash
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
DB ?= data/warehouse.duckdb
UI_PORT ?= 3000
SITE ?= site
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
# Dagster's run/event/schedule storage: sqlite (default, no set-up) or postgres (production; the URL in
# $NIANBAO_DAGSTER_PG_URL): deploy/dagster.yaml or deploy/dagster-postgres.yaml becomes the instance config.
export NIANBAO_DAGSTER_STORAGE ?= sqlite
INSTANCE_YAML := deploy/$(if $(filter postgres,$(NIANBAO_DAGSTER_STORAGE)),dagster-postgres,dagster).yaml

# Debian packages some features need: LibreOffice converts .doc/.wps/.rtf reports; Chromium runs
# the browser test of the Dagster UI; PostgreSQL is the production Dagster instance's storage, which
# the national-mode test starts on 127.0.0.1 (the tests skip without them, except in CI). The CJK
# font lets LibreOffice print forged reports to PDF with their Chinese text (`make forge`, and the tests
# that print permuted-column documents at run time).
APT_PACKAGES := libreoffice-writer-nogui chromium postgresql fonts-wqy-microhei
FORGE_APT_PACKAGES := $(APT_PACKAGES)
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc

.PHONY: env system-deps test-deps ingest reparse-failed test fuzz bench bench-night bench-site bench-national lint ui site sql export dictionary samples forge forge-measure clean

env:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv==$(UV_VERSION)"
	@# Bytecode compiled once here: with PYTHONDONTWRITEBYTECODE set (as on the build machines) nothing
	@# writes .pyc at import, and every process — each Dagster run, the daemon, a code server —
	@# compiled dagster, pandas and sqlalchemy from source again (measured: 8.6 s → 2.3 s to import
	@# pipelines.definitions; docs/decisions.md). Stale .pyc of edited files are ignored by Python.
	@$(UV) sync --frozen --quiet --compile-bytecode
	@$(UV) run --frozen python -m compileall -q -j 0 pipelines schemas warehouse benchmarks tests >/dev/null
	@mkdir -p $(DAGSTER_HOME)/.nux
	@cmp -s $(INSTANCE_YAML) $(DAGSTER_HOME)/dagster.yaml || cp $(INSTANCE_YAML) $(DAGSTER_HOME)/dagster.yaml  # the chosen config, kept in step
	@[ -e $(DAGSTER_HOME)/.nux/nux.yaml ] || echo "seen: 1" > $(DAGSTER_HOME)/.nux/nux.yaml  # no community pop-up in the UI

## The nightly ingestion once, on the bundled sample documents (no network) → $(DB)
ingest: env
	$(UV) run nianbao ingest --db $(DB)

## The test suite (reads ../shared/corpus where present): on both cores (pytest-xdist; each module on one
## worker, so a module-scoped warehouse is built once), each test under a time limit (pytest-timeout,
## pyproject.toml), the slowest 25 listed
TEST_WORKERS ?= 2
test: env test-deps
	$(UV) run ruff check .
	@rm -f test-artifacts/fuzz-summary-*.txt
	$(UV) run pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile --durations 25
	@cat test-artifacts/fuzz-summary-*.txt

## The long fuzz campaign (≈10,000 cases; CI runs 40 per property): docs/decisions.md keeps its last result
fuzz: env
	@rm -f test-artifacts/fuzz-summary-*.txt
	NIANBAO_FUZZ_CASES=3334 $(UV) run pytest -q -p no:cacheprovider -n 2 tests/test_fuzz.py
	@cat test-artifacts/fuzz-summary-*.txt

## Re-parse only the documents whose last parse failed (after a parser fix), from the raw archive
reparse-failed: env
	$(UV) run nianbao reparse-failed --db $(DB)

## PDF parse speed: ours vs plain pdfplumber extract_tables() vs pypdfium2 text (same run)
bench: env
	$(UV) run python -m benchmarks.pdf_parse

## A synthetic night of 1,000 documents: Dagster overhead per document vs parse time (same run)
bench-night: env
	$(UV) run python -m benchmarks.night --documents 1000

## The explorer at 10^4 forged agency-years: build time and size next to the targets (same-run baseline: export)
bench-site: env
	$(UV) run python -m benchmarks.site

## National scale (< 20 min): the warehouse at 3.5 × 10^8 fact rows, a 1,000-host crawl, a backfill on
## PostgreSQL as partitioned runs, the incremental night, peak memory → docs/benchmarks.md
bench-national: env test-deps
	$(UV) run python -m benchmarks.national

## The Debian packages the tests need: installed when this is root with apt (CI, a fresh container);
## otherwise named, and the tests that need them skip (NIANBAO_REQUIRE_* make them fail instead)
test-deps:
	@missing=""; command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-writer-nogui"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	{ command -v pg_ctl || ls /usr/lib/postgresql/*/bin/pg_ctl; } >/dev/null 2>&1 || missing="$$missing postgresql"; \
	[ -e $(CJK_FONT) ] || missing="$$missing fonts-wqy-microhei"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "make test: installing$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else echo "make test: missing Debian packages:$$missing (as root: apt-get install --no-install-recommends$$missing); the tests that need them will skip"; fi; \
	fi

## Debian packages (root): LibreOffice for legacy Word reports, Chromium for the UI browser test, PostgreSQL
system-deps:
	{ command -v soffice && command -v chromium && ls /usr/lib/postgresql/*/bin/pg_ctl && ls $(CJK_FONT); } >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(APT_PACKAGES); }

lint: env
	$(UV) run ruff check .

## Optional: the Dagster UI (runs, asset graph, nightly schedule, checks) on http://127.0.0.1:3000; Ctrl-C/SIGTERM stops all of it
ui: env
	$(UV) run nianbao ui --host 127.0.0.1 --port $(UI_PORT)

## Optional: the web explorer of the published warehouse → $(SITE)/ (static; opens from file://), opened in a browser when there is a display
site: env
	$(UV) run nianbao site --db $(dir $(DB))published/$(notdir $(DB)) --out $(SITE)
	@echo "open file://$(abspath $(SITE))/index.html"
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then $(UV) run python -m webbrowser -t "file://$(abspath $(SITE))/index.html" >/dev/null 2>&1 || true; fi

## SQL on the published warehouse in a terminal SQL IDE (Harlequin, read-only; `nianbao sql "…"` for one query)
sql: env
	$(UV) run nianbao sql --db $(dir $(DB))published/$(notdir $(DB))

## Every table and view as Parquet (by year) with the data dictionary → export/ (FORMAT=csv for CSV)
export: env
	$(UV) run nianbao export --format $(or $(FORMAT),parquet) --out export --db $(dir $(DB))published/$(notdir $(DB))

## Regenerate docs/data_dictionary.md from the DDL, the SQL comments and schemas/
dictionary: env
	$(UV) run nianbao dictionary --out docs/data_dictionary.md

## Regenerate the committed forge corpus and the bundled samples (needs $(FORGE_APT_PACKAGES))
forge: env
	rm -rf tests/fixtures/forge pipelines/samples  # (layout PDFs whose .docx is unchanged are kept: LibreOffice stamps dates)
	$(UV) run python -m tests.forge --out tests/fixtures/forge --samples-out pipelines/samples --layouts-out tests/fixtures/forge-layouts

## The parser on a fresh forge seed (not committed): cells exact, wrong, blanks filled, valid-but-wrong reports
## (needs $(FORGE_APT_PACKAGES) for the PDFs); e.g. make forge-measure SEED=7301 COUNT=100
forge-measure: env
	$(UV) run python -m tests.forge.measure --seed $(or $(SEED),7301) --count $(or $(COUNT),100)

clean:
	rm -rf data .dagster_home .pytest_cache .ruff_cache test-artifacts $(SITE)
