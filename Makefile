# Lotse — everyday commands. `make run` starts the demo, `make test` runs everything.
#
# Python 3.12+ is found by scripts/find-python.sh (override: make PYTHON=/path/to/python3.12).
# Install steps leave stamp files, so a second `make setup` only redoes what changed:
# Python packages when requirements/lock.txt or pyproject.toml change, npm packages when
# package-lock.json changes, translations when a .po file changes, the collected static files
# (staticfiles/, hashed names) when a static file or a package changes.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV := .venv
PY := $(VENV)/bin/python
LOTSE := $(VENV)/bin/lotse
PYTEST := $(VENV)/bin/pytest
PY_STAMP := $(VENV)/.lotse-installed
NPM_STAMP := node_modules/.lotse-installed
PO_FILES := $(shell find src -path '*/locale/*/LC_MESSAGES/*.po' 2>/dev/null)
MO_FILES := $(PO_FILES:.po=.mo)
STATIC_FILES := $(shell find src -path '*/static/*' -type f 2>/dev/null)
STATIC_STAMP := staticfiles/.lotse-collected

BIND ?= 127.0.0.1:8000
PYTEST_ARGS ?=
# pytest-xdist workers, one per core of a 2-core machine; TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
LOCK_ARGS ?=
BENCH_ARGS ?=
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PIP_NO_INPUT := 1

.PHONY: help run setup system-packages test test-sqlite test-postgres services lint bench lock clean

help:
	@echo "make run            demo on http://$(BIND) (setup, migrate, demo data, worker + server)"
	@echo "make test           whole test suite on SQLite, then the engine-dependent part on PostgreSQL"
	@echo "make test-sqlite    test suite on SQLite only     (PYTEST_ARGS='-k ...' to narrow)"
	@echo "make test-postgres  engine-dependent tests on PostgreSQL only (TEST_WORKERS=0: no xdist)"
	@echo "make lint           ruff check, ruff format --check, mypy"
	@echo "make bench          benchmarks (bench/run.py with BENCH_ARGS='...', matching, mail import)"
	@echo "make setup          virtualenv, Python and npm packages, translations, static files"
	@echo "make lock           regenerate requirements/lock.txt with uv (LOCK_ARGS=--upgrade)"
	@echo "make clean          remove virtualenv, node_modules, compiled files, test database"

# --- setup -----------------------------------------------------------------------------------

setup: system-packages $(PY_STAMP) $(NPM_STAMP) $(MO_FILES) $(STATIC_STAMP)

# What the app itself needs from the system: msgfmt for compilemessages, and WeasyPrint's
# libraries and a font for PDFs. Installed only if missing (needs root or sudo then).
system-packages:
	@scripts/apt-ensure.sh gettext libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core

$(PY_STAMP): requirements/bootstrap.txt requirements/lock.txt pyproject.toml
	@if ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		rm -rf $(VENV); \
		python="$$(scripts/find-python.sh)"; \
		echo "==> creating $(VENV) with $$python"; \
		"$$python" -m venv $(VENV); \
	fi
	@echo "==> bringing pip to the version in requirements/bootstrap.txt"
	$(PY) -m pip install --quiet --require-hashes -r requirements/bootstrap.txt
	@echo "==> installing Python packages from requirements/lock.txt"
	$(PY) -m pip install --quiet --require-hashes -r requirements/lock.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $@

# npm ci empties node_modules first, so the stamp goes with it.
$(NPM_STAMP): package-lock.json package.json
	@command -v npm >/dev/null || scripts/apt-ensure.sh nodejs npm
	@echo "==> installing npm packages from package-lock.json"
	npm ci --no-audit --no-fund
	@touch $@

# compilemessages skips catalogues whose .mo is already newer, so one run serves all targets.
$(MO_FILES): %.mo: %.po | $(PY_STAMP) system-packages
	cd src/lotse && ../../$(LOTSE) compilemessages
	@touch $@

# Copies every static file (Lotse's, KERN UX and htmx from node_modules, the admin's and
# allauth's) under hashed names into staticfiles/, which WhiteNoise serves; production then needs
# no node_modules. Old hashed files stay, so a running server keeps serving the pages it gave out.
$(STATIC_STAMP): $(STATIC_FILES) $(PY_STAMP) $(NPM_STAMP)
	@echo "==> collecting static files into staticfiles/"
	$(LOTSE) collectstatic --no-input --verbosity 0
	@touch $@

# --- run -------------------------------------------------------------------------------------

# The demo: LOTSE_DEMO=true (the published development key, a generated encryption key in var/,
# demo accounts). Reads ./.env if present (see .env.example). The worker runs in the background
# and is stopped when the server ends (Ctrl-C included). Both get LOTSE_BIND=$(BIND), so links in
# mails lead to the address the server binds to, unless LOTSE_BASE_URL says otherwise.
run: setup
	@export LOTSE_DEMO=true; \
	if [[ -f .env ]]; then set -a; source ./.env; set +a; fi; \
	export LOTSE_BIND="$(BIND)"; \
	$(LOTSE) migrate --no-input; \
	$(LOTSE) seed_demo --if-empty; \
	$(LOTSE) worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null || true; wait $$worker 2>/dev/null || true' EXIT; \
	trap 'exit 130' INT; trap 'exit 143' TERM; \
	$(LOTSE) serve --bind $(BIND)

# --- tests -----------------------------------------------------------------------------------

# System packages (Chromium, Dovecot, gettext, WeasyPrint libraries, PostgreSQL) and the
# throwaway PostgreSQL on 127.0.0.1:54329.
services:
	@scripts/test-services.sh >/dev/null

# Both suites run even if the first fails; the target fails if either did. SQLite runs every
# test; PostgreSQL runs the tests that depend on the database engine (tests/conftest.py marks the
# others `engine_independent`: no database, or the browser tests). See README, "Tests".
test: setup services
	@status=0; \
	$(MAKE) test-sqlite || status=1; \
	$(MAKE) test-postgres || status=1; \
	if [[ $$status -ne 0 ]]; then echo "==> tests FAILED (see above)"; fi; \
	exit $$status

test-sqlite: setup services
	@echo "==> pytest on SQLite"
	env -u DATABASE_URL $(PYTEST) -n $(TEST_WORKERS) $(PYTEST_ARGS)

test-postgres: setup
	@url="$$(scripts/test-services.sh)"; \
	echo "==> pytest on PostgreSQL ($$url): the engine-dependent tests"; \
	DATABASE_URL="$$url" $(PYTEST) -n $(TEST_WORKERS) -m "not engine_independent" $(PYTEST_ARGS)

# --- other -----------------------------------------------------------------------------------

# All three run, so one pass shows every complaint; the target fails if any did.
lint: $(PY_STAMP)
	@status=0; \
	echo "==> ruff check"; $(VENV)/bin/ruff check . || status=1; \
	echo "==> ruff format --check"; $(VENV)/bin/ruff format --check . || status=1; \
	echo "==> mypy"; $(VENV)/bin/mypy || status=1; \
	exit $$status

bench: setup
	$(PY) bench/run.py $(BENCH_ARGS)
	$(PY) bench/matching.py
	$(PY) bench/mail_import.py

lock: $(PY_STAMP)
	@[[ -x $(VENV)/bin/uv ]] || $(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile --quiet pyproject.toml --extra dev --python-version 3.12 \
		--generate-hashes -o requirements/lock.txt $(LOCK_ARGS)

clean:
	-scripts/test-services.sh destroy
	rm -rf $(VENV) node_modules staticfiles .mypy_cache .ruff_cache .pytest_cache test-results src/*.egg-info
	find src tests bench -name __pycache__ -type d -prune -exec rm -rf {} + 2>/dev/null || true
	find src -path '*/locale/*/LC_MESSAGES/*.mo' -delete 2>/dev/null || true
