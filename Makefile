# Developer commands. The two that matter:
#   make run    set up, load the demo data and serve the app on http://127.0.0.1:8000
#   make test   set up and run the test suite (SQLite, unless DATABASE_URL is set)
# Set-up (a .venv with Python 3.12+, the Python packages, the front-end build) happens on first use and is quick
# after that. DATABASE_URL and CELERY_BROKER_URL are read from your environment when you set them.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
# Touched after each install, so packages are reinstalled only when the lock files or pyproject.toml change.
INSTALLED := $(VENV)/.installed
# The lock files pin every Python package, with hashes: app.txt what production runs, test.txt that plus the
# test tools. `make lock` rewrites them after a change to pyproject.toml; `make lock-upgrade` moves every pin on.
LOCK_APP := requirements/app.txt
LOCK_TEST := requirements/test.txt
UV := $(BIN)/uv
UV_VERSION := 0.13.10
COMPILE = $(UV) pip compile pyproject.toml --quiet --universal --python-version 3.12 --generate-hashes \
	--custom-compile-command "make lock"
# Tests run on every CPU (pytest-xdist); setting PYTEST_ARGS replaces that (one process unless it says -n).
PYTEST_ARGS ?= -n auto

# The first of these that is Python 3.12 or newer creates the venv. Under pyenv, `python` follows
# .python-version in this directory; the last candidate asks pyenv for that version explicitly.
PYTHON_CANDIDATES := python3.12 python python3 "PYENV_VERSION=$(shell cat .python-version 2>/dev/null) pyenv exec python"
IS_PY312 := -c 'import sys; sys.exit(sys.version_info < (3, 12))'

.PHONY: help run test lint bench worker beat install lock lock-upgrade static clean distclean

help:
	@echo "make run        set up, load demo data, serve on http://127.0.0.1:8000 (DEBUG on, SQLite by default)"
	@echo "make test       set up and run the tests; extra pytest options: make test PYTEST_ARGS='-k invite -x'"
	@echo "make lint       ruff check"
	@echo "make bench      time re-scoring 500 offers, the impact dashboard over 400,000 lines and the identikit check"
	@echo "                against 20,000 earlier submissions (docs/performance.md)"
	@echo "make worker     a Celery worker (needs CELERY_BROKER_URL; without it tasks run in-process)"
	@echo "make beat       Celery beat, for scheduled reminders"
	@echo "make lock       pin the Python packages again after changing pyproject.toml (requirements/*.txt)"
	@echo "make clean      remove built assets and caches; make distclean also removes .venv and node_modules"

# Local development: DEBUG on means SQLite, in-process Celery tasks and console email unless configured,
# and no SECRET_KEY needed.
run worker beat: export DJANGO_DEBUG = 1

run: install static
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install static
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python benchmarks/scoring_bench.py
	$(BIN)/python benchmarks/impact_bench.py
	$(BIN)/python benchmarks/identikit_bench.py

worker: install
	$(BIN)/celery -A config worker -l info

beat: install
	$(BIN)/celery -A config beat -l info --schedule $(VENV)/celerybeat-schedule

install: $(INSTALLED)

$(INSTALLED): pyproject.toml $(LOCK_APP) $(LOCK_TEST) | $(BIN)/python
	@$(BIN)/python $(IS_PY312) || { \
	  echo "$(VENV) has $$($(BIN)/python --version); this project needs 3.12 or newer." >&2; \
	  echo "Remove it (rm -rf $(VENV)) and run make again." >&2; exit 1; }
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK_TEST)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

# The test lock is compiled within the app lock (-c), so tests run on exactly the versions production runs.
lock lock-upgrade: | $(BIN)/python
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"
	$(COMPILE) $(if $(filter lock-upgrade,$@),--upgrade) -o $(LOCK_APP)
	$(COMPILE) $(if $(filter lock-upgrade,$@),--upgrade) --extra test -c $(LOCK_APP) -o $(LOCK_TEST)

$(BIN)/python:
	@for python in $(PYTHON_CANDIDATES); do \
	  if env $$python $(IS_PY312) 2>/dev/null; then \
	    echo "Creating $(VENV) with $$(env $$python --version)"; \
	    env $$python -m venv $(VENV); exit $$?; \
	  fi; \
	done; \
	echo "Python 3.12 or newer is needed (Django 6.1); python3.12, python and python3 are missing or older." >&2; \
	echo "Install it, or with pyenv: pyenv install $$(cat .python-version)" >&2; \
	exit 1

static:
	bash scripts/build_static.sh

clean:
	rm -rf static/build staticfiles .pytest_cache .ruff_cache .hypothesis test-results
	find . -path ./$(VENV) -prune -o -path ./node_modules -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) node_modules
