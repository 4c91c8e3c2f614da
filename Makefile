PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: run test install lint worker mutation serve static

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# The TypeScript client check's tools (openapi-typescript, tsc), pinned by package-lock.json. Skipped on a
# machine without npm, or when npm cannot install: the test that needs them skips then (unless
# REQUIRE_TS_CLIENT=1, as in CI's PostgreSQL step, where it fails).
$(NODE_STAMP): package.json package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "npm not found: skipping the TypeScript tools (the generated TypeScript types test will skip)"; \
	elif npm ci --no-audit --no-fund --loglevel=error; then touch $(NODE_STAMP); \
	else echo "WARNING: npm ci failed: the generated TypeScript types test will skip"; fi

# Static files for production (DEBUG off): collected into STATIC_ROOT (default staticfiles/), compressed and with
# hashed names (WhiteNoise's manifest storage). Again only when a static file or an installed package changed.
STATIC_ROOT ?= staticfiles
STATIC_SOURCES := $(shell find static */static -type f 2>/dev/null)
STATIC_MANIFEST_FILE := $(STATIC_ROOT)/staticfiles.json

$(STATIC_MANIFEST_FILE): $(STAMP) $(STATIC_SOURCES)
	STATIC_ROOT=$(abspath $(STATIC_ROOT)) $(PY) manage.py collectstatic --noinput -v 0

static: $(STATIC_MANIFEST_FILE)

install: $(STAMP) $(NODE_STAMP) static

run: $(STAMP)
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed_demo --photos
	DEBUG=$${DEBUG:-1} $(PY) manage.py front_desk_group frontdesk
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver 127.0.0.1:8000

test: $(STAMP) $(NODE_STAMP)
	$(PY) -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .

# The production web server on the environment given (SECRET_KEY, DATABASE_URL, CACHE_URL, CELERY_BROKER_URL,
# ALLOWED_HOSTS...; see the README's "Deploying"). BIND (default 127.0.0.1:8000; 0.0.0.0:8000 behind a load
# balancer elsewhere), WEB_CONCURRENCY workers (default 2 x cores + 1). Migrations are a release step of their own
# (`manage.py migrate`), not run here: several web machines start at once.
serve: $(STAMP) static
	STATIC_ROOT=$(abspath $(STATIC_ROOT)) exec $(VENV)/bin/gunicorn hotelbooking.wsgi:application \
		--bind "$${BIND:-127.0.0.1:8000}" --workers "$${WEB_CONCURRENCY:-$$((2 * $$(nproc) + 1))}" \
		--graceful-timeout 30 --timeout 60 \
		--worker-tmp-dir /dev/shm --forwarded-allow-ips "$${FORWARDED_ALLOW_IPS:-127.0.0.1}" --no-control-socket

worker: $(STAMP)
	$(VENV)/bin/celery -A hotelbooking worker --beat --loglevel=info

# Mutation testing of the money path (by hand, not in CI; CPU-heavy: hours on 2 cores). Configured in
# pyproject.toml [tool.mutmut]; MUTANTS narrows it, e.g. `make mutation MUTANTS='pricing.engine.*'`.
# Results stay in mutants/ (a rerun only tries what changed); record the scores in tests/MUTATION.md.
MUTANTS ?=
mutation: $(STAMP)
	PYTEST_ADDOPTS=--no-migrations nice -n 19 $(VENV)/bin/mutmut run --max-children $${MUTATION_JOBS:-2} $(MUTANTS)
	$(PY) -m tests.mutation_score
