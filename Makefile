# Tongban: `make run` serves the portal with demo data; `make test` runs the whole suite.
# Both do all their own set-up on a fresh Debian machine with Python 3.11.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
SYSTEM_PACKAGES := chromium fonts-noto-cjk fonts-wqy-microhei poppler-utils gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 nginx postgresql-client
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run stack test setup sysdeps node-tools venv messages compile-messages migrate demo lint check-migrations format bench clean

run: setup demo
	scripts/run-portal

# The suite runs in parallel, one pytest-xdist worker per core (each with its own test database, Redis
# database and var/xdist/<worker>/ files: tests/conftest.py); `make test PYTEST_WORKERS=0` runs it in one process.
PYTEST_WORKERS ?= auto
test: sysdeps venv node-tools compile-messages lint check-migrations
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

setup: sysdeps venv migrate

# The production stack of docs/deploy.md on loopback (nginx → 2 gunicorn, 2 Celery workers, 1 beat) over
# PostgreSQL and Redis: DATABASE_URL, CELERY_BROKER_URL, CACHE_URL (defaults: scripts/stack.py). Ctrl-C stops it.
stack: sysdeps venv compile-messages
	$(BIN)/python scripts/stack.py

# System packages: a CJK font for PDFs, chromium for browser tests, poppler for PDF checks, nginx for `make stack`,
# pg_dump and pg_restore for `manage.py backup` and `restore`.
sysdeps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages: $$missing"; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	fi

# Test-only JavaScript (axe-core for the accessibility test), from the npm registry; node and npm from
# Debian where the machine has none.
node-tools: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q nodejs npm; }
	npm ci --no-audit --no-fund
	touch $@

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

# Translations: the English catalogue is locale/en/LC_MESSAGES/django.po. `make messages` adds the
# new msgids of the code and templates to it (translate them there); the set-up compiles it.
messages: venv
	$(BIN)/python manage.py makemessages -l en --no-obsolete --add-location=file --ignore='node_modules/*'

compile-messages: venv
	$(BIN)/python manage.py compilemessages -l en --ignore='.venv' --ignore='node_modules'

migrate: venv compile-messages
	$(BIN)/python manage.py migrate --noinput

# Demo data, idempotent: the organisation, then the catalogue and sample cases where the apps have them.
demo: migrate
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py sm2_keys
	$(BIN)/python manage.py seed_calendar
	$(BIN)/python manage.py seed_catalogue
	$(BIN)/python manage.py seed_catalogue_reviewers
	$(BIN)/python manage.py seed_cases
	$(BIN)/python manage.py seed_delivery
	$(BIN)/python manage.py seed_handoffs
	$(BIN)/python manage.py seed_ratings
	$(BIN)/python manage.py seed_floor

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-migrations: venv
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf var test-artifacts
