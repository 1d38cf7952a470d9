# The whole set-up is two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell scripts/find-python)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run install lint test test-sqlite test-postgres browser bench vendor clean

run: install ## Install, migrate, load the demo and serve at http://127.0.0.1:8000
	$(BIN)/ownup migrate
	$(BIN)/ownup demo
	$(BIN)/ownup serve

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	@test -n "$(PYTHON)" || { echo "ownup needs Python 3.12 or later" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]'
	# Byte-code compiled once here, so no start of ownup compiles its imports again, also
	# where PYTHONDONTWRITEBYTECODE keeps Python from writing it (a third of a second each).
	$(BIN)/python -m compileall -q -j 0 $(VENV)/lib ownup bench > /dev/null
	touch $@

lint: install ## ruff and mypy
	$(BIN)/ruff check ownup tests bench
	$(BIN)/ruff format --check ownup tests bench
	$(BIN)/mypy ownup bench

browser: ## Debian's Chromium for the browser tests (never a downloaded browser)
	@scripts/ensure-chromium

test: install lint browser test-sqlite test-postgres ## Install, lint, and the whole suite

test-sqlite: install
	$(BIN)/pytest

test-postgres: install
	@if [ -n "$$OWNUP_TEST_DATABASE_URL" ]; then \
		echo "== the suite again, on PostgreSQL"; \
		OWNUP_TEST_DB=postgres $(BIN)/pytest; \
	else \
		echo "== OWNUP_TEST_DATABASE_URL is not set: the suite ran on SQLite only"; \
	fi

bench: install ## Speed promises against their ceilings (QUICK=1 for a short run)
	@scripts/ensure-wrk
	$(BIN)/python -m bench $(if $(QUICK),--quick,)

vendor: ## Refresh htmx and Chart.js from their npm packages
	scripts/vendor-assets

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
