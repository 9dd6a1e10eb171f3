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
# A statement with a mistake never stops the others: `update` leaves its messages as they were and
# reports it, the build still prints everything else, and `make` fails at the end. One process
# does both (`build --update`): with nothing to do, `make` costs one start of Python, not two.
build: $(INSTALLED)
	@$(PY) -m pipeline build --update

update: $(INSTALLED)
	$(PY) -m pipeline update

check: $(INSTALLED)
	$(PY) -m pipeline check

# The web checks (tests/webcheck.py) need Chromium and Java, which `tools/system-packages browser`
# installs as root (otherwise it prints the command, and those tests skip, naming what is missing),
# and the validators package-lock.json pins, in node_modules/.
test: $(INSTALLED) node_modules
	@tools/system-packages test
	@tools/system-packages browser || echo "Without them the web checks are skipped." >&2
	$(VENV)/bin/ruff check pipeline tests bench
	$(VENV)/bin/mypy
	$(PY) -m pytest -n 2

# The validators of the web checks, as package-lock.json pins them (vnu.jar, axe-core, pa11y,
# Lighthouse): installed again only when the lock file is newer. --ignore-scripts: vnu-jar's install
# script would download a Java runtime and Puppeteer's (pa11y's) a Chrome; the checks use the
# system's Java and Chromium. pa11y and Lighthouse need Node.js 20 or newer.
node_modules: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --ignore-scripts && touch $@; \
	else \
		echo "npm is missing: install Node.js with npm for the web checks, which are skipped without it." >&2; \
	fi

# The unit layer only (no PDF is printed, no browser started): seconds, for the inner loop. GNU
# gettext is required (the catalog tests compare with msgfmt, msgcat and msgmerge).
test-fast: $(INSTALLED)
	@tools/system-packages test
	$(PY) -m pytest -n 2 -m "not slow"

# A release bundle per statement: PDFs, bilingual PDF, HTML edition, SHA256SUMS, manifest.
dist: $(INSTALLED)
	@$(PY) -m pipeline update; updated=$$?; $(PY) -m pipeline dist && exit $$updated

# Pictures of every first page, as the README shows them.
preview: build
	$(PY) -m pipeline preview --into docs/previews

bench: $(INSTALLED)
	$(PY) bench/bench.py

clean:
	rm -rf output dist
