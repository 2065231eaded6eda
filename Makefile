# Two commands on a fresh Debian machine (Python 3.11, root):
#   make booklet   set everything up, then build the sample booklet into dist/
#   make test      set everything up, then run the linter and the whole test suite
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: booklet test setup system-packages fonts schemas

booklet: setup
	$(BIN)/booklet build

test: setup
	@scripts/install-system-packages.sh chromium qpdf
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/pytest

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
