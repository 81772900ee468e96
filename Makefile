# The two commands of the README: `make run` and `make test` (and `make bench`).
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := kommunkarta

.PHONY: run test bench load audit lint translations extract-messages

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: $(VENV)/bin/python pyproject.toml
	$(PY) -m pip install -q -e '.[test]'
	touch $@

translations: $(VENV)/.installed
	$(VENV)/bin/pybabel compile --statistics -d kommunkarta/translations

run: translations
	$(VENV)/bin/flask init-db
	$(VENV)/bin/flask seed-demo --if-empty
	$(VENV)/bin/gunicorn --workers 2 --bind $(HOST):$(PORT) --access-logfile - wsgi:app

test: translations
	$(VENV)/bin/pytest

# Options as variables: make bench BENCH_SIZES=1000,10000 BENCH_DATABASES=sqlite (see README)
bench: translations
	$(PY) -m benchmarks

# Sustained load on localhost, not part of make test (see docs/benchmarks.md):
# make load LOAD_SECONDS=60 LOAD_SIZE=10000 LOAD_DATABASES=sqlite,postgresql
load: translations
	$(PY) -m benchmarks.sustained

# Known vulnerabilities in the installed dependencies; fails on any, and on a release it
# could not look up (.ci/run first checks that pip-audit's service can be reached)
audit: $(VENV)/.installed
	$(VENV)/bin/pip-audit --strict --skip-editable --progress-spinner off

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check kommunkarta tests benchmarks

# Collect new UI strings into the catalogues; then fill in the Swedish msgstr lines.
extract-messages: $(VENV)/.installed
	$(VENV)/bin/pybabel extract --ignore-dirs='.* __pycache__' -F babel.cfg -k _l -o kommunkarta/translations/messages.pot .
	$(VENV)/bin/pybabel update --no-fuzzy-matching --ignore-obsolete -i kommunkarta/translations/messages.pot -d kommunkarta/translations
