# Two commands for a newcomer: `make demo` (set up and start with demo data), `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

AXE := .cache/npm/node_modules/axe-core/axe.min.js

.PHONY: demo test install system-deps bench vendor-socketio

$(BIN)/okenko: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,bench]"
	touch $@

install: $(BIN)/okenko

demo: install
	$(BIN)/okenko demo --host $(HOST) --port $(PORT)

system-deps:
	sh tests/system-deps.sh

# axe-core checks the public pages for WCAG 2.2 AA in the browser tests (npm registry, not committed).
$(AXE):
	npm install --no-audit --no-fund --silent --prefix .cache/npm axe-core@4

test: install system-deps $(AXE)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/issue_tickets.py

# The official Socket.IO browser client, committed (offline kiosk networks): see its README.md.
SOCKETIO_VERSION ?= 4.8.4
SOCKETIO_DIR := okenko/static/vendor/socket.io
vendor-socketio:
	rm -rf .cache/socketio && mkdir -p .cache/socketio
	cd .cache/socketio && npm pack --silent socket.io-client@$(SOCKETIO_VERSION) && tar xzf socket.io-client-$(SOCKETIO_VERSION).tgz
	cp .cache/socketio/package/dist/socket.io.min.js .cache/socketio/package/LICENSE $(SOCKETIO_DIR)/
