# Two commands: `make demo` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

SHARED_DATA := $(abspath ../shared/market-data)
ifeq ($(origin THESIS_DATA), undefined)
  ifneq ($(wildcard $(SHARED_DATA)),)
    export THESIS_DATA := $(SHARED_DATA)
  endif
endif
# Keep the demo's store inside the checkout unless the user chose one.
export THESIS_HOME ?= $(abspath .thesis-home)

comma := ,
.PHONY: setup demo test bench clean browser vendor-charts mutate lock lint types imports check schema

setup: $(STAMP)

# The exact versions come from the lock (CI stays reproducible); the package itself goes in
# editable without resolving anything again. pyproject.toml holds the ranges users get.
LOCK := requirements.lock
EXTRAS := dask,web,alerts,yahoo,quantlib,dev

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	@# compile the numba kernels now, not in the user's first batch command (docs/speed.md)
	$(VENV)/bin/thesis warmup || echo "note: thesis warmup failed: batch commands compile their kernels on first use"
	touch $(STAMP)

# Rewrite the lock after a change of pyproject.toml's dependencies: keeps every pin that still
# fits (add --upgrade by hand to move them all), adds what is new. Every extra plus dev.
lock: setup
	$(PY) -m piptools compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
	  $(foreach e,$(subst $(comma), ,$(EXTRAS)),--extra $(e)) -o $(LOCK) pyproject.toml

demo: setup
	$(VENV)/bin/thesis demo
	$(VENV)/bin/thesis scorecard examples/authors --report out/scorecard
	$(VENV)/bin/thesis watch --once --asof 2023-06-14 --dry-run examples/
	@echo "dashboard: $(VENV)/bin/thesis serve   then open http://127.0.0.1:8765/ (the board of examples/)"

# One pytest worker per core (pytest-xdist), each test file on one worker so its module fixtures
# are built once; every test has its own THESIS_HOME (tests/conftest.py). PYTEST_WORKERS= runs serially.
PYTEST_WORKERS ?= -n auto --dist loadfile
# Hypothesis runs derandomized ("ci" profile) unless HYPOTHESIS_PROFILE says otherwise (e.g. dev).
test: setup browser
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(PY) -m pytest $(PYTEST_WORKERS)

# The checks .ci/run makes before the suite; each tool comes from the lock (make setup).
lint: setup
	$(VENV)/bin/ruff check thesis tests benchmarks tools

types: setup
	$(VENV)/bin/mypy

# The layer contracts in pyproject.toml [tool.importlinter] (docs/architecture.md).
imports: setup
	$(VENV)/bin/lint-imports --no-cache

check: lint types imports

# docs/schema/*.json from the documents' models (thesis.replay.document, thesis.watch.document)
schema: setup
	$(PY) tools/write_schemas.py

bench: setup
	$(PY) -m benchmarks

# Mutation testing (mutmut, in a copy under build/mutate; slow, never part of `make test`).
# MUTATE="thesis/risk thesis/replay" picks paths; MUTATE_SAMPLE=0.3 tests a fixed 30% sample.
mutate: setup
	$(PY) tools/mutate.py $(MUTATE)

# The dashboard's browser tests drive Debian's chromium (never a browser download of
# Playwright's own). As root (CI) install it; otherwise say how and let the tests skip.
CHROMIUM := /usr/bin/chromium
browser:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then echo "installing chromium for the dashboard's browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	else echo "note: $(CHROMIUM) is missing and this is not root: run 'sudo apt-get install chromium chromium-driver'" \
	  "or the dashboard's browser tests skip (they never skip under CI)"; fi

# Vendor TradingView's lightweight-charts (standalone production build) into the web app.
# Needs npm once; the result is committed, so nothing else ever fetches it.
LWC_VERSION := 5.2.1
LWC_DIR := thesis/web/static/vendor/lightweight-charts
LWC_JS := lightweight-charts.standalone.production.js
vendor-charts:
	@command -v npm >/dev/null || { echo "vendor-charts needs npm (apt-get install npm)"; exit 2; }
	@tmp=$$(mktemp -d) && (cd $$tmp && npm pack --silent lightweight-charts@$(LWC_VERSION) >/dev/null && \
	  tar xzf lightweight-charts-$(LWC_VERSION).tgz) && mkdir -p $(LWC_DIR) && \
	  cp $$tmp/package/dist/$(LWC_JS) $$tmp/package/LICENSE $(LWC_DIR)/ && rm -rf $$tmp
	@printf 'TradingView Lightweight Charts\nCopyright (c) 2023 TradingView, Inc. https://www.tradingview.com/\n' \
	  > $(LWC_DIR)/NOTICE
	@printf 'package: lightweight-charts (npm)\nversion: $(LWC_VERSION)\nfile: $(LWC_JS)\nsha256: %s\nlicense: Apache-2.0 (LICENSE; attribution in NOTICE, logo kept on every chart)\n' \
	  "$$(sha256sum $(LWC_DIR)/$(LWC_JS) | cut -d' ' -f1)" > $(LWC_DIR)/VENDOR
	@cat $(LWC_DIR)/VENDOR

clean:
	rm -rf $(VENV) .thesis-home .pytest_cache .mypy_cache .ruff_cache
