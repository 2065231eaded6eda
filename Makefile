# Two commands on a fresh Debian machine (Python 3.11, root):
#   make booklet   set everything up, then build the sample booklet into dist/
#   make test      set everything up, then run the linter and the whole test suite
#   make test-fast the same, less the tests marked slow (browser, many builds): under a
#                  minute on two idle cores
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: booklet test test-fast test-weasyprint setup system-packages fonts schemas

booklet: setup
	$(BIN)/booklet build

test: setup
	@scripts/install-system-packages.sh chromium qpdf
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/pytest

# The tests marked `slow` (pyproject.toml) left out: no browser, no run of many builds.
test-fast: setup
	@scripts/install-system-packages.sh qpdf
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/pytest -m "not slow"

setup: system-packages $(VENV)/.installed

system-packages:
	@scripts/install-system-packages.sh

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

# Maintainers only: remake the bundled fonts (needs Debian's fonts-noto-cjk)
# and the JSON Schemas (after a change to src/booklet/project/model.py).
fonts: setup
	apt-get install -y --no-install-recommends fonts-noto-cjk
	$(BIN)/python scripts/make_fonts.py

schemas: setup
	$(BIN)/python scripts/make_schemas.py

# Maintainers only: WeasyPrint's own test suite, from the sdist of the version installed,
# run plain and with booklet's patches installed; fails if the two runs' outcomes differ.
# Needs Debian's ghostscript; works in .booklet-weasyprint-tests/ (ignored by git).
test-weasyprint: setup
	@scripts/install-system-packages.sh ghostscript
	VENV=$(VENV) scripts/test-weasyprint.sh
