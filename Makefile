# `make chat` and `make test` set everything up on first use (a .venv/ at the repo root).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# A lean llama.cpp: no tools, tests or server binaries. GGML_NATIVE=OFF because the native
# build (AVX512/AMX on these machines) segfaulted on the first token.
export CMAKE_ARGS := -DGGML_NATIVE=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
	-DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_CURL=OFF

.PHONY: setup chat test ingest eval bench clean chromium

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
		{ echo "companion needs Python 3.11: install it, or run make PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# The CPU build of torch first: an unpinned resolve would pull gigabytes of CUDA packages.
	$(BIN)/python -m pip install --quiet 'torch==2.13.0'
	@echo "llama-cpp-python compiles from source the first time (5-12 minutes on 2 cores); pip caches it..."
	$(BIN)/python -m pip install --progress-bar off 'llama-cpp-python[server]>=0.3.36,<0.4'
	$(BIN)/python -m pip install --quiet -e '.[dev,local]'
	touch $(STAMP)

chat: setup
	$(BIN)/companion chat

test: setup chromium
	$(BIN)/ruff check companion tests benchmarks
	$(BIN)/python -m pytest

# The browser test (tests/test_serve.py) drives Debian's chromium through Playwright; nothing downloads a browser.
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's chromium for the browser test (tests/test_serve.py)..."; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1 || \
			echo "could not install chromium: the browser test will be skipped"; \
	else echo "not installing chromium (needs root and apt-get): the browser test will be skipped"; fi

ingest: setup
	$(BIN)/companion ingest

eval: setup
	@if [ -f ../shared/eval/questions.jsonl ] && ! cmp -s eval/questions.jsonl ../shared/eval/questions.jsonl; then \
		echo "warning: eval/questions.jsonl differs from ../shared/eval/questions.jsonl (copy it over)" >&2; fi
	$(BIN)/companion eval eval/questions.jsonl --split test --shuffled

bench: setup
	$(BIN)/python benchmarks/bench_startup.py
	$(BIN)/python benchmarks/bench_speed.py
	$(BIN)/python benchmarks/bench_backends.py

clean:
	rm -rf $(VENV) .pytest_cache
