# `make chat` and `make test` set everything up on first use (a .venv/ at the repo root).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup chat test ingest eval clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
		{ echo "companion needs Python 3.11: install it, or run make PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# The CPU build of torch first: an unpinned resolve would pull gigabytes of CUDA packages.
	$(BIN)/python -m pip install --quiet 'torch==2.13.0'
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

chat: setup
	$(BIN)/companion chat

test: setup
	$(BIN)/python -m pytest

ingest: setup
	$(BIN)/companion ingest

eval: setup
	$(BIN)/python benchmarks/eval_search.py

clean:
	rm -rf $(VENV) .pytest_cache
