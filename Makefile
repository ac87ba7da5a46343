# OpenDVC — the two commands: `make run` and `make test`. Everything else here serves them.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test lint unit browser install demo migrate translations bench-search bench-dossiers bench-scorecard clean chromium

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) translations

translations: $(STAMP)
	$(BIN)/python scripts/compile_translations.py

migrate: install
	mkdir -p var
	DEBUG=1 $(BIN)/python manage.py migrate --noinput -v0

demo: migrate
	DEBUG=1 $(BIN)/python manage.py load_demo
	DEBUG=1 $(BIN)/python manage.py make_test_pki
	DEBUG=1 $(BIN)/python manage.py create_demo_users
	DEBUG=1 $(BIN)/python manage.py load_demo_forms
	DEBUG=1 $(BIN)/python manage.py load_demo_dossiers
	DEBUG=1 $(BIN)/python manage.py load_demo_payments
	DEBUG=1 $(BIN)/python manage.py load_demo_feedback
	DEBUG=1 $(BIN)/python manage.py load_demo_portal
	DEBUG=1 $(BIN)/python manage.py load_demo_history

run: demo
	@echo "OpenDVC on http://127.0.0.1:$(PORT)/  (Ctrl+C to stop)"
	DEBUG=1 PORTAL_BASE_URL=http://127.0.0.1:$(PORT) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: install
	$(BIN)/ruff check src bench scripts conftest.py manage.py
	$(BIN)/ruff format --check src bench scripts conftest.py manage.py

chromium:
	@bash scripts/ensure-chromium

# Unit, API and browser tests in one run (browser tests are ordered last by pytest-django).
test: lint chromium
	$(BIN)/python -m pytest

# 100,000 generated procedures, 1,000 queries, ours against a naive scan, on SQLite then PostgreSQL.
bench-search: install
	$(BIN)/python bench/search.py --database sqlite $(BENCH_ARGS)
	$(BIN)/python bench/search.py --database postgres $(BENCH_ARGS)

# 1,000,000 generated dossiers on PostgreSQL: the public status lookup against /healthz of the same
# gunicorn server (Redis for cache and rate limits), and submissions per second (about 15 minutes).
bench-dossiers: install
	$(BIN)/python bench/dossiers.py $(BENCH_ARGS)

# The scorecard's pages and API at 10,000 then 10,000,000 generated dossiers on PostgreSQL (goal: at most
# 1.5 times slower), and dossier events applied to the counters per second (about an hour).
bench-scorecard: install
	$(BIN)/python bench/scorecard.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
