# newscrawl: `make demo` and `make test` are all a fresh clone needs.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: venv demo test lint format clean jsdates

venv: $(STAMP)

# Re-install only when the pins change. Not quiet: the first install takes a minute or two,
# and a newcomer should see it move (pip names each package and shows its progress).
$(STAMP): requirements.txt
	@echo "==> [1/3] creating the virtualenv $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	@echo "==> [2/3] installing the pinned packages of requirements.txt into $(VENV)" \
		"(a minute or two the first time)"
	$(PY) -m pip install --disable-pip-version-check -r requirements.txt
	@echo "==> [3/3] installed; $(VENV) is ready"
	touch $(STAMP)

## demo: serve the bundled offline replica of the site on loopback and crawl it for real
demo: venv
	@echo "==> running the demo: an offline replica of the site, crawled three times"
	$(PY) -m newscrawl.ops.demo

## test: lint, then every test (unit, page objects, end-to-end crawls on loopback)
test: venv lint jsdates
	$(PY) -m pytest -q

# The pinned JavaScript date libraries tests/test_jsdates.py prints texts with (npm ci,
# into the ignored tests/jsdates/node_modules). Without npm the test says why it skips,
# and fails in CI.
JSDATES := tests/jsdates
$(JSDATES)/node_modules/.package-lock.json: $(JSDATES)/package-lock.json
	cd $(JSDATES) && npm ci --no-audit --no-fund

jsdates:
	@if command -v npm >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory $(JSDATES)/node_modules/.package-lock.json; \
	else \
		echo "jsdates: npm not found; tests/test_jsdates.py will skip (and fail in CI)"; \
	fi

lint: venv
	$(VENV)/bin/ruff check newscrawl tests
	$(VENV)/bin/ruff format --check newscrawl tests

format: venv
	$(VENV)/bin/ruff check --fix newscrawl tests
	$(VENV)/bin/ruff format newscrawl tests

clean:
	rm -rf $(VENV) data/demo .pytest_cache .ruff_cache $(JSDATES)/node_modules

## bench: newscrawl beside bare Scrapy and dateparser on a large loopback replica; writes
## BENCHMARKS.md (about 10 min; `make bench BENCH_ARGS=--quick` for a tiny site, --profile adds py-spy)
.PHONY: bench
BENCH_STAMP := $(VENV)/.bench-installed
BENCH_ARGS ?=

$(BENCH_STAMP): requirements-bench.txt $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	touch $(BENCH_STAMP)

bench: venv $(BENCH_STAMP)
	$(PY) -m newscrawl.bench $(BENCH_ARGS)
