# Backoffice: two commands, `make run` and `make test` (DESIGN.md §9).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.8
# No ahead-of-time bytecode compilation: Python compiles what it imports on first use (a
# fraction of the lock) and caches it, even where PYTHONDONTWRITEBYTECODE is set machine-wide:
# without the cache every process (prepare_run, gunicorn, the worker, each test worker)
# compiles Django and the app again, ~2 s each (issue 12). The Dockerfile compiles at build.
export PYTHONDONTWRITEBYTECODE :=
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Hard links into uv's cache (uv falls back to copies across file systems): a fresh clone's
# 600 MB environment in ~4 s instead of copying it (issue 12).
export UV_LINK_MODE ?= hardlink
PYTEST_ARGS ?=
# pytest-xdist workers for `make test` (each has its own test database); 0 runs in-process.
# Three on two cores: the browser, live-server and thread tests leave a core idle part of
# the time (docs/performance.md "Test suite time").
TEST_WORKERS ?= 3
STRESS_RUNS ?= 20
STRESS_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/backoffice_stress
# make bench: the data scale and the PostgreSQL database it is built in (kept and reused)
BENCH_SCALE ?= 100000
BENCH_DB ?= postgres://postgres@127.0.0.1:5432/bench_report

.PHONY: help install run warm serve backup restore test stress lint format browsers check-books seed bench bench-all-scripts migrate clean

help:
	@echo "make run          install, migrate, load demo data, serve http://127.0.0.1:$(PORT) + worker"
	@echo "make test         install and run the whole test suite (DATABASE_URL selects the database)"
	@echo "make stress       every concurrency test $(STRESS_RUNS) times on SQLite and on PostgreSQL"
	@echo "make lint         ruff check + format check + import layers"
	@echo "make check-books  verify every invariant of the books"
	@echo "make backup       database + media to var/backups/; make restore FILE=... puts one back"
	@echo "make bench        one report of every performance goal (PostgreSQL; BENCH_SCALE=2000 for a quick run)"
	@echo "make bench-all-scripts  every bench/bench_*.py in turn, each with its own database"

$(VENV)/.installed: uv.lock pyproject.toml
	@test -x $(PY) || python3 -m venv --without-pip $(VENV)
	@test -x $(VENV)/bin/uv || python3 -m pip --python $(PY) install -q "uv==$(UV_VERSION)" \
	  || { $(PY) -m ensurepip -q && $(VENV)/bin/pip install -q "uv==$(UV_VERSION)"; }
	$(VENV)/bin/uv sync --frozen --quiet
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

# After adding or changing a migration: rewrite backoffice/schema/sqlite.sql, the schema a
# fresh SQLite database is built from by `make run` (a test fails while it is stale).
.PHONY: schema
schema: install
	$(PY) manage.py schema_snapshot

# Debian's Chromium for the browser tests; pdftoppm for PDF checks; curl and jq for the
# docs/api.md examples test.
browsers:
	@if ! command -v chromium >/dev/null || ! command -v pdftoppm >/dev/null \
	    || ! command -v curl >/dev/null || ! command -v jq >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing chromium, poppler-utils, curl and jq from Debian"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils curl jq >/dev/null; \
	  else \
	    echo "The tests need Debian's chromium, poppler-utils, curl and jq: sudo apt-get install -y chromium poppler-utils curl jq" >&2; exit 1; \
	  fi; \
	fi

# One Django process migrates, syncs the schedules and loads the demo data (once); static
# files are collected meanwhile (plain copies, no compression: a local server), and only when
# static/ or the lock changed.
run: install
	@{ $(MAKE) --no-print-directory warm; $(MAKE) --no-print-directory var/staticfiles/.collected; } & \
	  static=$$!; $(PY) manage.py prepare_run; prepared=$$?; \
	  wait $$static && exit $$prepared
	@echo "Backoffice on http://127.0.0.1:$(PORT)  (log in as admin@demo.test / demo-pass-2026; Ctrl-C stops)"
	@$(MAKE) --no-print-directory serve

# Web + worker from the Procfile under one supervisor (honcho): SIGINT or SIGTERM stops
# both (SIGKILL after 5 s), and when either dies the other is stopped too.
serve: install
	@PATH="$(CURDIR)/$(VENV)/bin:$$PATH" DJANGO_SETTINGS_MODULE=backoffice.settings.base \
	  DEBUG=$${DEBUG:-false} BIND=127.0.0.1 PORT=$(PORT) \
	  exec $(VENV)/bin/honcho start --no-colour -f Procfile web worker

# The packages every Django process imports, compiled to bytecode on the second core while
# prepare_run migrates on the first (a fresh clone has no bytecode yet: ~2 s of compiling
# on the first process's path otherwise, issue 12). Quick when already compiled.
WARM_PACKAGES := django rest_framework drf_spectacular django_tables2 django_filters django_q \
  axes psycopg requests urllib3 yaml pygments PIL rest_framework_simplejwt asgiref environ \
  crispy_forms crispy_bootstrap5 django_htmx phonenumber_field sqlparse template_partials \
  whitenoise segno charset_normalizer idna certifi picklefield inflection uritemplate \
  gunicorn honcho
warm: install
	@site=$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'); \
	  $(PY) -m compileall -q -j1 $(addprefix $$site/,$(WARM_PACKAGES)) apps backoffice >/dev/null || true

var/staticfiles/.collected: $(VENV)/.installed $(shell find static apps/*/static -type f 2>/dev/null)
	STATIC_COMPRESS=false $(PY) manage.py collectstatic --noinput -v0
	@touch $@

# The whole suite on TEST_WORKERS pytest-xdist workers, an idle worker taking queued tests
# from a busy one (worksteal: a few tests take 20-100 s); ends with pytest's summary.
test: install browsers
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# Every concurrency test STRESS_RUNS times in a row on SQLite, then on PostgreSQL; stops at
# the first failure. CI runs each once (make test); this is the "is it luck?" check.
stress: install
	@set -e; for db in sqlite "$(STRESS_DATABASE_URL)"; do \
	  for i in $$(seq $(STRESS_RUNS)); do \
	    echo "== concurrency tests on $$db, run $$i of $(STRESS_RUNS)"; \
	    if [ "$$db" = sqlite ]; then \
	      env -u DATABASE_URL $(PY) -m pytest -m concurrency -q -p no:cacheprovider --reuse-db; \
	    else \
	      DATABASE_URL="$$db" $(PY) -m pytest -m concurrency -q -p no:cacheprovider --reuse-db; \
	    fi; \
	  done; \
	done; echo "stress: $(STRESS_RUNS) runs on SQLite and $(STRESS_RUNS) on PostgreSQL, no failure"

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check-books: install
	$(PY) manage.py check_books

seed: install
	$(PY) manage.py seed_demo

# Database (SQLite online backup / pg_dump -Fc) + media in one archive under var/backups/.
backup: install
	$(PY) manage.py backup

# Stop `make run` first.  make restore FILE=var/backups/backoffice-....tar.gz
restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/backoffice-....tar.gz" >&2; exit 2; }
	$(PY) manage.py restore "$(FILE)" --yes
	$(PY) manage.py check_books

# One table of every goal of issue 14 (bench/report.py; docs/performance.md "Benchmark report").
bench: install
	BENCH_SCALE=$(BENCH_SCALE) BENCH_DB=$(BENCH_DB) $(PY) bench/report.py

bench-all-scripts: install
	@for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) var/staticfiles var/test_*.sqlite3*
