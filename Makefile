# Two commands for a fresh machine with Python 3.11 and make:
#   make demo   set up .venv and run the main job (the demo scenario, end to end)
#   make test   set up .venv and run lint, the layering check and the tests
#               (on SQLite, then again on a throwaway PostgreSQL cluster)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/uncounted demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest
	$(BIN)/pytest --postgres -m postgres

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
