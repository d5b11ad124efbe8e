# Two commands: `make run` (install, migrate, start all five parts on SQLite) and `make test`.
# Needs only Python 3.11+ and make.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP     := $(VENV)/.dev-installed
SYSTEM_STAMP  := $(VENV)/.system-tools

.PHONY: screenshots run test check install install-dev demo bench lint fuzz clean lock

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %s)" % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)

# Everything installed comes from the locks, each file checked against its hash (pip and setuptools
# included); the project itself is installed without build isolation, so that nothing unlocked is
# fetched to build it. To change a dependency: edit requirements.in or requirements-dev.in, `make lock`.
$(RUNTIME_STAMP): $(BIN)/python requirements.txt pyproject.toml
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

$(DEV_STAMP): $(RUNTIME_STAMP) requirements-dev.txt
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.txt
	@touch $@

# Tools from Debian that tests drive: nginx (the proxy's config check, the load balancer of the replica
# test), pg_dump and pg_restore (the restore drill), Chromium (the pages' browser tests: Playwright drives
# it, no browser download) and promtool (checks and unit-tests the alert rules). nginx is installed as root where apt-get
# exists; promtool is taken out of Debian's prometheus package into .venv/tools, without installing
# (or starting) a Prometheus server. Elsewhere those tests skip and say why (CI fails them).
PROMTOOL := $(VENV)/tools/promtool
$(SYSTEM_STAMP): $(BIN)/python
	@if command -v nginx >/dev/null 2>&1 && command -v pg_dump >/dev/null 2>&1 && [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			nginx-light postgresql-client chromium; \
	else echo "nginx, pg_dump or chromium is missing and this is not root on Debian: the tests that need them will skip"; fi
	@if command -v promtool >/dev/null 2>&1 || [ -x $(PROMTOOL) ]; then :; \
	elif command -v apt-get >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1; then \
		tmp=$$(mktemp -d) && (cd $$tmp && (apt-get download -qq prometheus 2>/dev/null || \
			(apt-get update -qq && apt-get download -qq prometheus 2>/dev/null))) && \
		dpkg-deb -x $$tmp/prometheus_*.deb $$tmp/root && install -D -m 0755 $$tmp/root/usr/bin/promtool $(PROMTOOL); \
		rm -rf $$tmp; \
	else echo "promtool is not installed and this is not Debian: the alert rules' tests will skip"; fi
	@touch $@

# The OpenID provider the single sign-on tests sign in through (oidc-provider, from npm, as locked).
OIDC_PROVIDER := tests/support/oidc_provider
OIDC_STAMP    := $(OIDC_PROVIDER)/node_modules/.package-lock.json
$(OIDC_STAMP): $(OIDC_PROVIDER)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then cd $(OIDC_PROVIDER) && npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm is missing: the single sign-on tests will skip (CI fails them)"; fi

install: $(RUNTIME_STAMP)
install-dev: $(DEV_STAMP) $(SYSTEM_STAMP) $(OIDC_STAMP)

## Start the gateway (http://127.0.0.1:8000), the three services and the pages on SQLite; Ctrl-C stops all five.
## Ports come from the parts' settings: GATEWAY_PORT, IDEAS_PORT, VOTING_PORT, FOLLOWUP_PORT, WEB_PORT.
run: install
	$(BIN)/python -m tools.run

## Run the whole test suite (SQLite and PostgreSQL; PostgreSQL cases skip on a machine without it) in two
## pytest-xdist workers: every test on SQLite on one and every test on PostgreSQL on the other, each with its
## own platform, the rest shared out a module at a time (tests/conftest.py groups them, and refuses to run
## if xdist does not). TEST_WORKERS=0 runs everything in one process. The 20 slowest tests are listed last.
TEST_WORKERS ?= 2
test: install-dev
	$(BIN)/python -m pytest $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadgroup) --durations=20 $(PYTEST_ARGS)

## Fill a running platform with a realistic hack day through the public API: `make demo` for the one
## `make run` started, `make demo URL=https://hackday.example.gov.uk` for another.
URL ?= http://127.0.0.1:$(or $(GATEWAY_PORT),8000)
demo: install
	$(BIN)/python -m tools.demo --url $(URL)

## The pages' screenshots in docs/screenshots/ (375 and 1280 px), made again from a platform of their own.
screenshots: install-dev
	$(BIN)/python -m tools.screenshots

## Benchmarks (each prints figures measured side by side in one run).
bench: install-dev
	$(BIN)/python benchmarks/run_all.py

## A long schema-fuzzing run: every role, every phase, 100 examples per operation, a random (printed) seed.
fuzz: install-dev
	FUZZ_EXAMPLES=100 FUZZ_PHASES=examples,coverage,fuzzing,stateful FUZZ_ALL_ROLES=1 FUZZ_SEED=random \
		$(BIN)/python -m pytest tests/reliability/test_fuzz.py tests/reliability/test_findings.py $(PYTEST_ARGS)

## Format, lint and type checks, as CI runs them before the tests (also a pre-commit hook).
check: install-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

lint: check

## Re-lock after editing requirements.in / requirements-dev.in: every package pinned with its hashes
## (versions already locked are kept unless the .in files ask otherwise). Needs PyPI.
lock: install-dev
	$(BIN)/uv pip compile --quiet --generate-hashes --python-version 3.11 --universal requirements.in -o requirements.txt
	$(BIN)/uv pip compile --quiet --generate-hashes --python-version 3.11 --universal requirements-dev.in \
		-c requirements.txt -o requirements-dev.txt

clean:
	rm -rf $(VENV) .data
