# One command to install and serve the sample corpus, one to install and run the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

CHROMIUM := /usr/bin/chromium

.PHONY: serve test install install-test chromium screenshot

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

serve: install
	$(BIN)/vnsearch serve --host $(HOST) --port $(PORT)

# Debian's Chromium for the browser tests (Playwright's own download does not work here):
# installed with apt-get as root (CI) or through sudo; otherwise the browser tests skip.
chromium:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then \
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else echo "Chromium is missing and cannot be installed without root: the browser tests will be skipped."; fi

test: install-test chromium
	$(BIN)/pytest

# Refresh the README's pictures (docs/screenshot-*.png): the browser tests that take them copy them there.
screenshot: install-test chromium
	UPDATE_README_SCREENSHOT=1 $(BIN)/pytest tests/browser
