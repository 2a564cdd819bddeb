# The two commands a newcomer needs: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCKS := requirements.lock requirements-test.lock
PIP_TOOLS := pip-tools==7.6.2
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 3
BACKUP_DIR ?= backups
# make test runs the suite in this many processes (pytest-xdist; auto: one per core); 0 runs it in one process.
TEST_WORKERS ?= auto

.PHONY: run test install lock browser pdf-libs messages check bench clean serve backup restore faults scaleout coverage worker jobs

# The virtualenv is exactly the lock: every package pinned and checked against its hash. No editable install:
# [tool.setuptools] packages = [] installs no code; manage.py, pytest and gunicorn import the apps from here.
$(STAMP): $(LOCKS)
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements-test.lock
	$(BIN)/pip check
	touch $(STAMP)

install: $(STAMP)

## make lock: resolve pyproject.toml's pins again into the two lock files, with the hashes of every package
## (indirect dependencies keep their locked versions; make lock LOCK_ARGS=--upgrade moves them to the newest)
lock:
	@tools=$$(mktemp -d) && trap 'rm -rf "$$tools"' EXIT && \
	$(PYTHON) -m venv "$$tools" && "$$tools/bin/pip" install --quiet $(PIP_TOOLS) && \
	for extra in "" test; do \
	  CUSTOM_COMPILE_COMMAND="make lock" "$$tools/bin/pip-compile" --quiet --generate-hashes --strip-extras \
	    --no-emit-index-url --no-emit-find-links $(LOCK_ARGS) $${extra:+--extra $$extra} \
	    --output-file requirements$${extra:+-$$extra}.lock pyproject.toml || exit 1; \
	done

## make run: virtualenv, install, migrate, demo data, serve on http://127.0.0.1:8000 (SQLite, DEBUG on)
run: install pdf-libs
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py load_demo
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

## make serve: production on $$DATABASE_URL: static files, migrations, then gunicorn (needs SECRET_KEY, ALLOWED_HOSTS)
serve: install pdf-libs
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/gunicorn krem.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile -

## make worker: the job queue for production: a Celery worker with the beat schedule in one process, on the broker
## $$CELERY_BROKER_URL (or $$REDIS_URL), e.g. redis://127.0.0.1:6379/0. Without a broker, cron runs `make jobs`.
worker: install
	@[ -n "$$CELERY_BROKER_URL$$REDIS_URL" ] || { echo "Set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0); without a broker, cron runs 'make jobs'."; exit 1; }
	$(BIN)/celery -A krem worker --beat --loglevel INFO --concurrency 2 --schedule $(VENV)/celerybeat-schedule

## make jobs: every due job now (reminders, digests), sent inline; what cron calls when there is no broker
jobs: install
	$(BIN)/python manage.py run_due_jobs

## make backup: write the database (and beside it the uploaded files) to new files in $(BACKUP_DIR); make restore FILE=...: read them back
backup: install
	$(BIN)/python manage.py backup --dir $(BACKUP_DIR)

restore: install
	$(BIN)/python manage.py restore $(FILE)

## make faults: kill a gunicorn worker and restart PostgreSQL under a stream of writes (root, local PostgreSQL)
faults: install
	$(BIN)/python tests/faults/run_faults.py

## make scaleout: two gunicorn servers on one PostgreSQL and Redis: sessions, conflicts, lockouts, files, cache, a kill
scaleout: install
	$(BIN)/python tests/scaleout/run_scaleout.py

## make test: the whole suite, browser tests included, on $$DATABASE_URL (SQLite by default), in parallel:
## one pytest-xdist worker per core, each with its own test database (make test TEST_WORKERS=0: in one process)
test: install browser pdf-libs
	KREM_TESTING=1 $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

## make coverage: the permission rules and the anonymisation must be fully covered, branches included
COVERED := participants/services/*.py,participants/registry.py,dialogues/personal_data.py,participants/personal_data.py,projects/rules.py,dialogues/rules.py,participants/rules.py
coverage: install
	$(BIN)/coverage erase
	$(BIN)/coverage run --branch --source=. -m pytest -p no:cacheprovider -q -m "not browser" tests/participants tests/dialogues tests/projects tests/test_permission_matrix.py tests/test_rules.py
	$(BIN)/coverage report --include=$(COVERED) --fail-under=100 -m

# A Chromium for the browser tests, which are never skipped: $$KREM_CHROMIUM, else the system's chromium, else
# install Debian's (as root, or with passwordless sudo), else stop with the command to run. Not Playwright's own
# download: it needs Playwright's CDN, which machines like CI's cannot reach.
CHROMIUM_PACKAGES := chromium fonts-dejavu-core
SYSTEM_CHROMIUM := /usr/bin/chromium
browser:
	@if [ -n "$$KREM_CHROMIUM" ]; then \
	  if [ -x "$$KREM_CHROMIUM" ]; then echo "Browser: $$KREM_CHROMIUM"; exit 0; fi; \
	  echo "KREM_CHROMIUM=$$KREM_CHROMIUM is not an executable file." >&2; exit 1; \
	fi; \
	if [ -x $(SYSTEM_CHROMIUM) ]; then echo "Browser: $(SYSTEM_CHROMIUM)"; exit 0; fi; \
	if command -v chromium >/dev/null 2>&1; then echo "Browser: $$(command -v chromium)"; exit 0; fi; \
	install="apt-get update -qq && apt-get install -y -qq $(CHROMIUM_PACKAGES)"; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "No Chromium found for the browser tests. Install Chromium, then run make test again," >&2; \
	  echo "with KREM_CHROMIUM=/path/to/chromium unless it is $(SYSTEM_CHROMIUM) or on the PATH." >&2; exit 1; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "No Chromium found: installing Debian's ($$install)"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(CHROMIUM_PACKAGES) || exit 1; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
	  echo "No Chromium found: installing Debian's with sudo ($$install)"; \
	  sudo -n env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(CHROMIUM_PACKAGES) || exit 1; \
	else \
	  echo "No Chromium found for the browser tests, and installing it needs root. Run this, then make test again:" >&2; \
	  echo "  sudo apt-get update && sudo apt-get install -y $(CHROMIUM_PACKAGES)" >&2; exit 1; \
	fi; \
	if [ -x $(SYSTEM_CHROMIUM) ]; then echo "Browser: $(SYSTEM_CHROMIUM)"; \
	else echo "apt-get installed no $(SYSTEM_CHROMIUM)." >&2; exit 1; fi

# What WeasyPrint (the PDF reports, krem/reports/pdf.py) needs of the system: Pango and the font print.css names.
# Present, or installed from Debian as root or with passwordless sudo, or else stop with the command to run.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fontconfig
# (Asked of the system's Python, so that this target never needs, or builds, the virtualenv.)
HAS_PANGO := import ctypes.util, sys; sys.exit(not ctypes.util.find_library("pangoft2-1.0"))
pdf-libs:
	@if $(PYTHON) -c '$(HAS_PANGO)' && fc-list 2>/dev/null | grep -qi 'DejaVuSans'; then \
	  exit 0; \
	fi; \
	install="apt-get update -qq && apt-get install -y -qq $(PDF_PACKAGES)"; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "The PDF reports need Pango and the DejaVu fonts (Debian: $(PDF_PACKAGES)). Install them, then run make again." >&2; exit 1; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "Installing what the PDF reports need ($$install)"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PDF_PACKAGES) || exit 1; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
	  echo "Installing what the PDF reports need, with sudo ($$install)"; \
	  sudo -n env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PDF_PACKAGES) || exit 1; \
	else \
	  echo "The PDF reports need Pango and the DejaVu fonts, and installing them needs root. Run this, then make again:" >&2; \
	  echo "  sudo apt-get update && sudo apt-get install -y $(PDF_PACKAGES)" >&2; exit 1; \
	fi

## make messages: collect UI strings into locale/ and compile the .mo files (commit both)
messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages -l nb -l en --no-obsolete --ignore=.venv --ignore=staticfiles --ignore=tests
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	KREM_TESTING=1 $(BIN)/python manage.py check
	KREM_TESTING=1 $(BIN)/python manage.py makemigrations --check --dry-run

## make bench: time the busiest pages on a generated data set (not part of make test);
## make bench SCALE=1.0: the national data set (20,000 projects) on PostgreSQL behind gunicorn (tests/bench/national.py)
bench: install
	@if [ -n "$(SCALE)" ]; then SCALE=$(SCALE) $(BIN)/python tests/bench/national.py; \
	else $(BIN)/python tests/bench/run_bench.py; fi

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
