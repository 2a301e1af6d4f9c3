# Everything installs into .venv from the pinned lock file; python3 is all it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install refresh demo test bench lock clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

## The nightly job: fetch AUPE and CUPE into courses.duckdb (with a temporary Prefect server that ends with the run).
refresh: $(STAMP)
	PREFECT_SERVER_ANALYTICS_ENABLED=false $(BIN)/courses refresh

## The same, offline, from the reconstructed pages in samples/.
demo: $(STAMP)
	PREFECT_SERVER_ANALYTICS_ENABLED=false $(BIN)/courses refresh --from-archive samples/archive --db demo.duckdb

## PYTHONDONTWRITEBYTECODE, if the environment sets it, is unset: with it, every process of the suite
## (pytest, a `courses` command, a killed refresh, a worker's flow run) compiles the project's modules anew.
## The tests' Prefect server starts from a migrated empty database, built once per Prefect version (tests/serverdb.py).
test: $(STAMP)
	$(BIN)/python -m tests.serverdb
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m bench $(if $(BENCH_SIZES),--sizes $(BENCH_SIZES))

## Re-pin: resolve pyproject.toml's dependencies afresh into requirements.lock.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet '.[test,bench]'
	.lock-venv/bin/pip freeze --exclude-editable | grep -v '^union-courses' > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
