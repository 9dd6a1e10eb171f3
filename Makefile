# `make` sets everything up and prints every edition; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: all build update check test test-fast bench dist preview clean

all: build

$(INSTALLED): pyproject.toml
	@tools/system-packages
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,watch]' --config-settings editable_mode=compat
	@touch $@

# Bring the catalogs up to date with the sources (changed messages become fuzzy), then print.
build: $(INSTALLED)
	$(PY) -m pipeline update
	$(PY) -m pipeline build

update: $(INSTALLED)
	$(PY) -m pipeline update

check: $(INSTALLED)
	$(PY) -m pipeline check

test: $(INSTALLED)
	@tools/system-packages test
	$(VENV)/bin/ruff check pipeline tests bench
	$(VENV)/bin/mypy
	$(PY) -m pytest -n 2

# The unit layer only (no PDF is printed, no browser started): seconds, for the inner loop.
test-fast: $(INSTALLED)
	$(PY) -m pytest -n 2 -m "not slow"

# A release bundle per statement: PDFs, bilingual PDF, HTML edition, SHA256SUMS, manifest.
dist: $(INSTALLED)
	$(PY) -m pipeline update
	$(PY) -m pipeline dist

# Pictures of every first page, as the README shows them.
preview: build
	$(PY) -m pipeline preview --into docs/previews

bench: $(INSTALLED)
	$(PY) bench/bench.py

clean:
	rm -rf output dist
