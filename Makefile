# Two commands: `make run` needs Python; `make test` also needs npm, and runs the browser and
# shared-cache tests where Chromium, Java and Redis are installed (the README says what each needs).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
FIXTURE := fixtures/china_belarus.json
DEV_ENV := DJANGO_DEBUG=1

.PHONY: install install-dev run test bench lint migrate load clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files make the install re-run only when the requirements change.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

migrate: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput

# Loads the fixtures into an empty database; an existing one keeps its edits.
load: migrate
	$(DEV_ENV) $(BIN)/python manage.py import_timeline $(FIXTURE) --if-empty

run: load
	$(DEV_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# axe-core and TimelineJS for the browser tests (accessibility, the TimelineJS export).
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "make test needs npm (apt-get install npm) to install the tests' tools"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error

test: install-dev node_modules/.package-lock.json
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=config.settings_test
	$(BIN)/pytest

# Seeds 10k and 100k synthetic events (once, in bench/data/), serves them with
# gunicorn in production settings, loads them with wrk; writes BENCHMARKS.md.
# BENCH_ARGS runs a part: make bench BENCH_ARGS="--engines sqlite --sizes 100000 --only first-requests"
bench: install-dev
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles bench/data
