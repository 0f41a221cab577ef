# Two commands on a fresh clone: `make run` and `make test`. `make help` lists every target.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export FLASK_APP := survey

.DEFAULT_GOAL := help
.PHONY: help run serve setup test test-sqlite test-postgres browser topology-tools lint check lock translations catalog bench clean

help: ## List every target
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-15s %s\n", $$1, $$2}'

# Python 3.11's venv seeds setuptools 65.5.0, inside PYSEC-2022-43012 (a ReDoS in package_index); the app never
# imports it, but nothing in the venv should be a known-vulnerable version, so it is upgraded with pip.
$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip setuptools

# requirements.lock pins every runtime package (constraints only: it installs nothing by itself), so what is
# installed is what `make check` audits; dev tools resolve freely around those pins.
$(VENV)/.runtime: requirements.txt requirements.lock | $(BIN)/activate
	$(BIN)/pip install -q -r requirements.txt -c requirements.lock
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt requirements.lock | $(BIN)/activate
	$(BIN)/pip install -q -r requirements-dev.txt -c requirements.lock
	touch $(VENV)/.runtime $@

lock: ## Re-resolve requirements.txt in a fresh runtime-only virtualenv and rewrite requirements.lock
	@set -euo pipefail; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(PYTHON) -m venv "$$tmp/venv"; \
	"$$tmp/venv/bin/pip" install -q --upgrade pip; \
	"$$tmp/venv/bin/pip" install -q -r requirements.txt; \
	{ echo "# Exact runtime versions, installed as a constraints file (\`pip install -r requirements.txt -c requirements.lock\`)"; \
	  echo "# by the Makefile and audited by \`make check\` (.ci/pip_audit_check.py; offline review: .ci/advisory-review.txt)."; \
	  echo "# Generated from requirements.txt in a fresh runtime-only virtualenv; do not edit by hand."; \
	  echo "# Regenerate with \`make lock\` (then review the changed pins in .ci/advisory-review.txt, or \`make check\` fails)."; \
	  "$$tmp/venv/bin/pip" freeze; } > "$$tmp/requirements.lock"; \
	mv "$$tmp/requirements.lock" requirements.lock
	@git diff --stat -- requirements.lock 2>/dev/null || true

translations: $(VENV)/.runtime ## Compile the interface translations (.po -> .mo)
	@if ls survey/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then $(BIN)/pybabel -q compile -f -d survey/translations; fi

catalog: $(VENV)/.runtime ## Extract interface text into messages.pot and merge it into every language's .po (then translate, `make translations`)
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_pgettext:1c,2 -w 120 -o survey/translations/messages.pot .
	$(BIN)/pybabel -q update -w 120 -i survey/translations/messages.pot -d survey/translations

setup: $(VENV)/.runtime translations ## Install, migrate the database and seed demo data if it is empty
	SURVEY_DEV=1 $(BIN)/flask setup

run: setup ## Start the app on SQLite with demo data at http://127.0.0.1:$(PORT)
	SURVEY_DEV=1 $(BIN)/gunicorn -c gunicorn.conf.py --bind 127.0.0.1:$(PORT) --reload 'survey:create_app()'

serve: $(VENV)/.runtime translations ## Production-style serving with gunicorn on 127.0.0.1:8000 (needs SECRET_KEY, SURVEY_PARTICIPANT_CODE_KEY, SURVEY_PUBLIC_URL)
	$(BIN)/flask setup --no-demo
	$(BIN)/gunicorn -c gunicorn.conf.py 'survey:create_app()'

browser: ## Install Debian's chromium (apt; never `playwright install`) and axe-core (npm) for the browser tests
	@command -v chromium >/dev/null || { apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }; }
	@test -f node_modules/axe-core/axe.min.js || npm ci --no-audit --no-fund --silent

# The topology test (tests/topology/) runs an nginx and a redis-server of its own, in the foreground on spare ports:
# installing the packages must not start their system services (nginx would take port 80), so invoke-rc.d is told
# no meanwhile (policy-rc.d exits 101; Debian's container images ship that file, elsewhere it is made and removed).
# faketime (libfaketime) is there for time travel with a real server (see NOTES: LD_PRELOAD with exec).
topology-tools: ## Install Debian's nginx, redis-server and faketime (apt; no system service is started)
	@test -x /usr/sbin/nginx -a -x /usr/bin/redis-server -a -x /usr/bin/faketime || { \
	  made=; if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; \
	    chmod +x /usr/sbin/policy-rc.d; made=1; fi; \
	  apt-get install -y -q nginx redis-server faketime >/dev/null 2>&1 \
	    || { apt-get update -q >/dev/null && apt-get install -y -q nginx redis-server faketime >/dev/null; }; \
	  status=$$?; if [ -n "$$made" ]; then rm -f /usr/sbin/policy-rc.d; fi; exit $$status; }

test: $(VENV)/.dev translations browser topology-tools ## Install dev dependencies and run the whole suite on SQLite, then PostgreSQL
	$(MAKE) --no-print-directory test-sqlite
	@if $(BIN)/python tests/pg_available.py "$${TEST_DATABASE_URL:-$(PG_URL)}"; then \
		$(MAKE) --no-print-directory test-postgres; \
	elif [ -n "$$REQUIRE_POSTGRES" ]; then echo "PostgreSQL is required (REQUIRE_POSTGRES) but does not answer"; exit 1; \
	else echo "PostgreSQL does not answer: the suite ran on SQLite only"; fi

test-sqlite: $(VENV)/.dev ## Run the suite on SQLite
	TEST_DATABASE_URL= $(BIN)/pytest -q

test-postgres: $(VENV)/.dev ## Run the suite on PostgreSQL (TEST_DATABASE_URL or the local test database)
	TEST_DATABASE_URL="$${TEST_DATABASE_URL:-$(PG_URL)}" $(BIN)/pytest -q -m "not browser and not topology"

lint: $(VENV)/.dev ## ruff (format check and lint), mypy, and the import layers (lint-imports, pyproject.toml)
	$(BIN)/ruff format --check survey tests bench .ci
	$(BIN)/ruff check survey tests bench .ci
	$(BIN)/mypy survey
	$(BIN)/lint-imports

check: $(VENV)/.dev ## Static analysis and supply chain: ruff check, bandit (no medium or high finding), pip-audit of requirements.lock
	$(BIN)/ruff check survey tests bench .ci
	$(BIN)/bandit -q -ll -r survey
	$(BIN)/python .ci/pip_audit_check.py

bench: $(VENV)/.dev ## Run the benchmarks (by hand; prints figures side by side)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean: ## Remove the virtual environment and caches (keeps instance/ and its database)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
