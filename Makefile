# The two commands of the README: `make run` and `make test` (and `make bench`, `make lint`).
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := kommunkarta

.PHONY: run test test-fast bench load audit lint lock translations extract-messages

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# Each set installs exactly the versions in its lock file, requirements/SET.txt (hashes
# checked), then the project itself: runtime (make run), test (make test), dev (make lint,
# make audit, make lock). The lock files are written by `make lock` from pyproject.toml.
$(VENV)/.installed-%: requirements/%.txt pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements/$*.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $@

translations: $(VENV)/.installed-runtime
	$(VENV)/bin/pybabel compile --statistics -d kommunkarta/translations

# Rate limits and sign-in delays are counted in the limiter's storage: without REDIS_URL that
# is the memory of one process, so make run serves from one worker process with threads
# (every request counts against the same limits); with Redis, workers share it.
WORKERS = $(if $(REDIS_URL),--workers 2 --threads 4,--workers 1 --threads 8)

run: translations
	$(VENV)/bin/flask init-db
	$(VENV)/bin/flask seed-demo --if-empty
	$(VENV)/bin/gunicorn $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - wsgi:app

test: translations $(VENV)/.installed-test
	$(VENV)/bin/pytest

# The quick loop while working: unit and integration tests on SQLite, spread over the cores,
# without the browser tests, the ones that start other processes or wait out timeouts, and
# the benchmark's (`make test` runs them all, one at a time).
FAST := -m "not browser and not processes and not benchmark and not slow" -k "not postgresql"
test-fast: translations $(VENV)/.installed-test
	$(VENV)/bin/pytest tests/unit tests/integration $(FAST) -q -n auto

# Options as variables: make bench BENCH_SIZES=1000,10000 BENCH_DATABASES=sqlite (see README)
bench: translations $(VENV)/.installed-test
	$(PY) -m benchmarks

# Sustained load on localhost, not part of make test (see docs/benchmarks.md):
# make load LOAD_SECONDS=60 LOAD_SIZE=10000 LOAD_DATABASES=sqlite,postgresql
load: translations $(VENV)/.installed-test
	$(PY) -m benchmarks.sustained

# Known vulnerabilities in the installed dependencies; fails on any, and on a release it
# could not look up (.ci/run first checks that pip-audit's service can be reached)
audit: $(VENV)/.installed-dev
	$(VENV)/bin/pip-audit --strict --skip-editable --progress-spinner off

# The checks CI runs before the tests (and .pre-commit-config.yaml on each commit): lint and
# format over the whole tree, types (strict on the services and the filter), dependencies.
lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/deptry .

# Rewrite the lock files after a change to the dependencies in pyproject.toml: one resolution
# of every extra (dev.txt), and the smaller sets held to the same versions. Versions already
# locked stay unless pyproject.toml rules them out; `make lock UPGRADE=--upgrade` moves all.
LOCK := $(VENV)/bin/uv pip compile -q pyproject.toml --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command 'make lock' $(UPGRADE)
lock: $(VENV)/.installed-dev
	$(LOCK) --all-extras -o requirements/dev.txt
	$(LOCK) -c requirements/dev.txt -o requirements/runtime.txt
	$(LOCK) -c requirements/dev.txt --extra geodata -o requirements/geodata.txt
	$(LOCK) -c requirements/dev.txt --extra test -o requirements/test.txt

# Collect new UI strings into the catalogues; then fill in the Swedish msgstr lines.
extract-messages: $(VENV)/.installed-runtime
	$(VENV)/bin/pybabel extract --ignore-dirs='.* __pycache__' -F babel.cfg -k _l -k _pattern:1,2 -o kommunkarta/translations/messages.pot .
	$(VENV)/bin/pybabel update --no-fuzzy-matching --ignore-obsolete -i kommunkarta/translations/messages.pot -d kommunkarta/translations
