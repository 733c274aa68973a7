# The two commands of the README: `make run` and `make test`. Everything else is set-up.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	&& echo $$p && break; done)
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test lint bench-import clean

$(VENV)/.installed: requirements.lock
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet --require-hashes -r requirements.lock
	touch $@

run: $(VENV)/.installed
	$(PY) manage.py serve

test: $(VENV)/.installed
	@sh scripts/ensure-system-packages.sh
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy kaskad config
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) var
