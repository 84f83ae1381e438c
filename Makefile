# NHCS — `make run` serves the app (and runs the worker that sends the e-mails), `make test` runs the
# whole suite. Both set up a fresh Debian machine first (virtualenv, Python requirements, the system
# packages that are missing) and are quick the second time: every step checks before it installs.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
REQ_STAMP := $(VENV)/.requirements-$(shell sha1sum requirements.txt | cut -c1-12)
# Where `make run` serves (make run HOST=192.168.1.20:8000); links in e-mails follow it (NHCS_HOST).
HOST   ?= 127.0.0.1:8000
# The suite runs on one pytest-xdist worker per core (`make test TEST_WORKERS=0` runs it in one process), and
# lists its 30 slowest set-ups, calls and teardowns (CI's time limit: see where the time goes).
TEST_WORKERS ?= auto

# Debian packages: a CJK font for PDFs (WeasyPrint prints boxes without one); for the tests, also
# poppler (pdftotext/pdftoppm), gettext (catalogue checks) and chromium (browser tests).
RUN_DEBS  := fonts-noto-cjk
TEST_DEBS := $(RUN_DEBS) poppler-utils gettext chromium

.PHONY: run test lint prod-check backup restore setup setup-test sysdeps-run sysdeps-test migrate messages bench clean

# DEBUG is off unless asked for (nhcs/settings.py); the development targets ask for it. prod-check does not.
run migrate messages bench: export DEBUG = true

run: setup migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py send_reminders --schedule
	NHCS_HOST=$(HOST) PY=$(PY) bash scripts/run-dev.sh $(HOST)

test: setup-test lint prod-check
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --cov --cov-report=term --durations=30 $(PYTEST_ARGS)

# The README's production section, run as written on a throw-away database (scripts/prod_check.py): DEBUG
# off, collectstatic, check --deploy, gunicorn on a free port and the worker; then every page of the
# navigation with its security headers. Within PROD_CHECK_BUDGET seconds (240 by default).
prod-check: setup
	$(PY) scripts/prod_check.py

# Lint and format check (ruff, configured in pyproject.toml): unused imports and dead code stop here.
lint: $(REQ_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

setup: sysdeps-run $(REQ_STAMP)
setup-test: sysdeps-test $(REQ_STAMP)

sysdeps-run:
	@bash scripts/apt-ensure.sh $(RUN_DEBS)
sysdeps-test:
	@bash scripts/apt-ensure.sh $(TEST_DEBS)

$(REQ_STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.requirements-*
	touch $@

migrate: setup
	$(PY) manage.py migrate --noinput

# Refresh both catalogues after changing UI strings (needs gettext).
messages: setup-test
	$(PY) manage.py makemessages -l zh_Hans -l en --no-obsolete --ignore=.venv --ignore=var --ignore=tests --ignore=bench --ignore=static --ignore=staticfiles
	$(PY) scripts/fill_en_catalogue.py
	$(PY) manage.py compilemessages --ignore=.venv

# Backup and restore (nhcs/ops/backup.py): the database and MEDIA_ROOT in one archive with SHA-256 checksums,
# with the environment of the installation (DATABASE_URL, MEDIA_ROOT …). `make backup [TO=file.tar]`;
# `make restore FROM=file.tar` checks every checksum first and asks before it replaces anything.
backup: setup
	$(PY) manage.py backup $(if $(TO),--output $(TO))

restore: setup
	@test -n "$(FROM)" || { echo "make restore FROM=var/backups/nhcs-….tar"; exit 2; }
	$(PY) manage.py restore $(FROM)

# Benchmarks (bench/): volume data on PostgreSQL (127.0.0.1:5432, user postgres), pages against the admin,
# exports, a locust run; results into BENCHMARKS.md. Installs the bench-only packages (requirements-bench.txt).
bench: setup
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/test-*.sqlite3
