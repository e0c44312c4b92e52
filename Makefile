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

.PHONY: setup demo test bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: setup
	$(VENV)/bin/thesis demo

test: setup
	$(PY) -m pytest

bench: setup
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) .thesis-home .pytest_cache
