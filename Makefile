# Motcua — developer commands. Quick start: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell scripts/find-python.sh)
VENV ?= .venv
BIN := $(VENV)/bin
MOTCUA := $(BIN)/motcua
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# Links in e-mails/SMS and on printed forms point at the address the demo is served on
# (the worker has no request to take it from).
export MOTCUA_SITE_URL ?= http://$(HOST):$(PORT)
export MOTCUA_PUBLIC_BASE_URL ?= $(MOTCUA_SITE_URL)

.PHONY: setup demo serve worker scheduler test test-fast test-e2e lint format bench bench-quick scale-demo openapi messages clean

# Idempotent: creates .venv, installs dependencies (only when pyproject.toml changed),
# migrates the database, collects the static files (with brotli/gzip copies; the 12 MB of
# API-docs assets of django-ninja are left out, the demo serves them from source) and loads
# the demo province.
setup: $(VENV)/.installed
	$(MOTCUA) migrate --noinput
	$(MOTCUA) collectstatic --noinput --verbosity 0 --ignore ninja
	$(MOTCUA) demo_load

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python >= 3.12 is required (PYTHON=/path/to/python3.12)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# Runs the web server and the background worker and scheduler on $(HOST):$(PORT),
# after printing the demo logins. Ctrl-C stops all three.
demo: setup
	@$(MOTCUA) demo_logins
	@trap 'kill 0' EXIT INT TERM; \
	$(MOTCUA) run_worker & \
	$(MOTCUA) run_scheduler & \
	$(MOTCUA) runserver $(HOST):$(PORT)

test: $(VENV)/.installed
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.installed
	$(BIN)/pytest -m "not e2e" $(PYTEST_ARGS)

test-e2e: $(VENV)/.installed
	$(BIN)/pytest -m e2e $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy motcua
	DJANGO_SETTINGS_MODULE=motcua.config.settings.test $(MOTCUA) makemigrations --check --dry-run

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/run.py

# CPU ms and SQL queries per portal submission, follow-up job and API create, in process
# (< 3 min; SQLite, or the database in DATABASE_URL: give a throwaway one).
bench-quick: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_quick.py

# Several web processes + Redis task workers against one PostgreSQL (docs/operations/scale-out.md).
scale-demo: $(VENV)/.installed
	scripts/scale_demo.sh

# Regenerate the committed OpenAPI document (tests/api/test_openapi_drift.py checks it).
openapi: $(VENV)/.installed
	DJANGO_SETTINGS_MODULE=motcua.config.settings.test $(MOTCUA) api_schema

messages: $(VENV)/.installed
	cd motcua && ../$(MOTCUA) makemessages -l en --no-obsolete --ignore 'static/*' --ignore '*/static/*' && ../$(MOTCUA) compilemessages

clean:
	rm -rf $(VENV) var/motcua.sqlite3* var/media var/static .pytest_cache .mypy_cache .ruff_cache
