# Two commands for a fresh machine: `make serve` and `make test`.
# The first Python >= 3.12 (Panel 1.10 needs it) that runs: python3.12-3.14 or python3 on
# PATH, then pyenv's installed versions. Each is run, not just looked up: a pyenv shim of a
# version that is not active is on PATH but fails. `make PYTHON=/path/to/python` overrides.
PY_OK  := -c 'import sys; sys.exit(sys.version_info < (3, 12))'
PYTHON ?= $(shell for p in python3.12 python3.13 python3.14 python3 \
            "$${PYENV_ROOT:-$$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3; do \
            "$$p" $(PY_OK) 2>/dev/null && { command -v "$$p"; break; }; done)
VENV   := .venv
PY     := $(VENV)/bin/python
DB     ?= data/jobs.duckdb
PORT   ?= 5006

.PHONY: serve test lint demo bench chromium clean

$(PY):
	@test -n "$(PYTHON)" || { echo "jobdash needs Python >= 3.12 and found none (python3.12-3.14," \
	  "python3, pyenv versions). Install one, or run: make PYTHON=/path/to/python3.12" >&2; exit 1; }
	@$(PYTHON) $(PY_OK) || { echo "$(PYTHON) is older than Python 3.12, which jobdash needs." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	@$(PY) $(PY_OK) || { echo "$(VENV) is older than Python 3.12: run 'make clean', then retry." >&2; exit 1; }
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	@$(PY) $(PY_OK) || { echo "$(VENV) is older than Python 3.12: run 'make clean', then retry." >&2; exit 1; }
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

## serve: install, create the demo history if there is none, serve on http://127.0.0.1:$(PORT)
serve: $(VENV)/.installed
	@test -f $(DB) || $(PY) -m jobdash demo --db $(DB)
	$(PY) -m jobdash serve --db $(DB) --port $(PORT)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

## test: install with the test extra and Debian's chromium, lint, run every test
test: lint chromium
	$(PY) -m pytest

## lint: ruff (lint + format) and mypy over the Python, Biome over the UI's JS and CSS
lint: $(VENV)/.installed-test node_modules/.installed
	$(VENV)/bin/ruff check jobdash tests benchmarks
	$(VENV)/bin/ruff format --check jobdash tests benchmarks
	$(VENV)/bin/mypy
	node_modules/.bin/biome check jobdash/ui/assets

## demo: (re)build the demo history from scratch
demo: $(VENV)/.installed
	rm -rf $(DB) $(DB).wal $(DB).deleting $(dir $(DB))images
	$(PY) -m jobdash demo --db $(DB)

## bench: every benchmark at 1M jobs (contract also at 100k; ~10 minutes; not part of make test)
bench: $(VENV)/.installed-test chromium
	-$(PY) -m benchmarks.bench_contract --json benchmarks/results/contract.json
	-$(PY) -m benchmarks.bench_page --json benchmarks/results/page.json
	-$(PY) -m benchmarks.bench_detail --json benchmarks/results/detail.json
	-$(PY) -m benchmarks.bench_detail_served --json benchmarks/results/detail_served.json
	-$(PY) -m benchmarks.bench_batch --json benchmarks/results/batch.json
	-$(PY) -m benchmarks.bench_client --json benchmarks/results/client.json

chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Browser tests need Debian's chromium at /usr/bin/chromium." >&2; \
	    echo "Run 'sudo apt-get install chromium' once (or run make test as root), then retry." >&2; \
	    exit 1; \
	  fi; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache node_modules
