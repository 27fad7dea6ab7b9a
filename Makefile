# headroom: the two commands a newcomer needs are `make run` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check unit bench setup clean demo

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

## make run: set up, generate a month of demo data for examples/, load it into the embedded store, print status
run: $(STAMP)
	$(BIN)/headroom demo

## make check: static checks (ruff lint + format, mypy --strict, import-linter layers)
check: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

## make test: static checks and every test (integration tests start real Prometheus, Alertmanager, Chromium)
test: check
	$(BIN)/pytest -p no:cacheprovider tests

unit: $(STAMP)
	$(BIN)/pytest -p no:cacheprovider tests/unit tests/architecture

## make bench: benchmarks, printing figures and ratios (not part of the test suite)
bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) headroom.duckdb .demo
