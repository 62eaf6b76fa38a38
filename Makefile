# The two commands of the README: `make run` and `make test`. Each creates the virtual
# environment and installs what it needs; nothing is done by hand.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
PORT ?= 8000

export REFLEX_USE_NPM := 1
export PATH := $(abspath $(VENV))/bin:$(PATH)

.PHONY: run test screenshots container-check audit lint format clean

$(VENV)/.run-deps: requirements.txt requirements-frontend.txt constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-frontend.txt
	touch $@

$(VENV)/.dev-deps: $(VENV)/.run-deps requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

## run: the app on the embedded default (SQLite, offline classifier) at http://localhost:$(PORT)/
run: $(VENV)/.run-deps
	$(PY) -m ticket_app.migrate
	APP_URL=$${APP_URL:-http://localhost:$(PORT)} \
		$(VENV)/bin/reflex run --env prod --frontend-port $(PORT) --backend-port $(PORT)

## test: the whole suite on SQLite; WITH_POSTGRES=1 runs it on PostgreSQL as well
test: $(VENV)/.dev-deps
	WITH_POSTGRES=$(WITH_POSTGRES) scripts/test $(ARGS)

## screenshots: run the browser tests and write their screenshots over docs/screenshots/
screenshots: $(VENV)/.dev-deps
	UPDATE_SCREENSHOTS=1 scripts/test -m browser

$(VENV)-audit/.deps: requirements-audit.txt
	test -x $(VENV)-audit/bin/python || $(PYTHON) -m venv $(VENV)-audit
	$(VENV)-audit/bin/python -m pip install --quiet -r requirements-audit.txt
	touch $@

## audit: known vulnerabilities in the pinned Python and npm dependencies (needs the advisory services)
audit: $(VENV)/.run-deps $(VENV)-audit/.deps
	AUDIT_PYTHON=$(VENV)-audit/bin/python scripts/audit

## container-check: build the image and check the compose stack end to end (needs Docker; slow)
# The dev requirements: its two-instance step drives tabs with bench/reflex_client.py.
container-check: $(VENV)/.dev-deps
	CHECK_PYTHON=$(PY) scripts/container-check $(ARGS)

## lint: ruff, then mypy over ticket_app/ (configured in pyproject.toml)
lint: $(VENV)/.dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: $(VENV)/.dev-deps
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf .web .states data .pytest_cache $(VENV)-audit
