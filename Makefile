# One way to run things, identical locally and in CI. `make demo` and `make test` install
# whatever is missing first (Debian packages, then the virtual environment in .venv).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
AIPROD := $(VENV)/bin/aiprod
DEB_PACKAGES := ffmpeg espeak-ng fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji \
	fonts-dejavu-core fonts-symbola python3-venv fluidsynth fluid-soundfont-gm timgm6mb-soundfont
STAMP := $(VENV)/.installed

.PHONY: help setup system-deps venv demo test test-fast lint fmt typecheck bench schema clean

help:
	@echo "make demo   - install what is missing, render the brief in examples/brief.txt into out/demo/"
	@echo "make test   - install what is missing, run lint, type checks and every test"
	@echo "make lint | fmt | typecheck | bench | schema | clean"

setup: system-deps venv

system-deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

venv: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip setuptools wheel
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

demo: setup
	$(AIPROD) render --brief "$$(cat examples/brief.txt)" --brand-kit examples/brand-kit.yaml --out out/demo

lint: venv
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

fmt: venv
	$(VENV)/bin/ruff format src tests bench
	$(VENV)/bin/ruff check --fix src tests bench

typecheck: venv
	$(VENV)/bin/mypy src

schema: venv
	$(AIPROD) schema > docs/videospec.schema.json

test: setup lint typecheck
	$(PY) -m pytest -q -p no:cacheprovider

test-fast: venv
	$(PY) -m pytest -q -p no:cacheprovider -m "not slow" tests/unit

bench: setup
	$(PY) bench/render.py

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
