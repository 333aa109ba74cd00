# The two commands of the README's quick start, and the benchmark.
# (PYTHONWARNINGS=ignore: setuptools prints a ten-line note on every editable install; nothing is wrong.)
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: run test lint bench install install-test clean

$(BIN)/claimdesk: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	PYTHONWARNINGS=ignore $(BIN)/pip install --quiet -e .
	@touch $@

install: $(BIN)/claimdesk

install-test: install
	PYTHONWARNINGS=ignore $(BIN)/pip install --quiet -e '.[test,lint]'

# Open the TUI on the bundled sample reports, in the default database.
run: install
	$(BIN)/claimdesk add sample_reports/*
	$(BIN)/claimdesk

# The linters, the type checker and the import contracts configured in pyproject.toml.
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# The whole test suite (unit, Pilot, snapshots, end-to-end).
test: install-test
	$(BIN)/python -m pytest -n 2

bench: install-test
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info
