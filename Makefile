# citytwin — every target bootstraps its own .venv; nothing needs to be installed by hand.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DATA ?= ./citytwin-data

.PHONY: demo test deps-debian deps-node deps-bench contracts bench lint soak clean web

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/citytwin --data-dir $(DATA) demo

# Debian packages the tests use: Mosquitto, the MQTT broker the ingest tests start (run as root in CI);
# Chromium (and a CJK font for its screenshots), the browser the dashboard tests drive.
deps-debian:
	command -v mosquitto >/dev/null || (apt-get update -qq && apt-get install -y -qq mosquitto)
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei)

# Node packages pinned in contracts/package-lock.json: solc-js (make contracts) and anvil, the local
# EVM JSON-RPC node that the anchoring tests start.
NODE_STAMP := contracts/node_modules/.installed
$(NODE_STAMP): contracts/package.json contracts/package-lock.json
	npm ci --prefix contracts --no-audit --no-fund
	touch $(NODE_STAMP)

deps-node: $(NODE_STAMP)

# Compile the anchoring contract with solc-js; writes src/citytwin/anchor/CheckpointAnchor.json (committed).
contracts: $(NODE_STAMP)
	node contracts/build.js

test: $(STAMP) deps-debian deps-node
	$(PY) -m pytest -q -x --durations=15

# wrk, the HTTP load generator bench_api.py drives the aggregation with (a Python client would
# share the 2 cores with the server it measures).
deps-bench:
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)

bench: $(STAMP) deps-debian deps-node deps-bench
	for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench

soak: $(STAMP)
	CITYTWIN_SOAK=1 $(PY) -m pytest -q -m slow

# Rebuild the dashboard's assets (src/citytwin/web/static, committed) from web/ with the locked npm packages.
web:
	cd web && npm ci --no-audit --no-fund && npm run build

clean:
	rm -rf $(VENV) $(DATA) .pytest_cache .ruff_cache
