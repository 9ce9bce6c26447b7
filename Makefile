# fptk: the two commands a fresh clone needs are `make report` and `make test`.
# Each creates .venv and installs the project first (only when pyproject.toml changed).

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.fptk-installed

.DEFAULT_GOAL := help
.PHONY: help setup report test lab test-fast lint bench docs clean-reports clean-cache browser

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $@

setup: $(STAMP) ## Create .venv and install fptk with its dev tools

report: $(STAMP) ## Render every notebook into reports/ (HTML) plus reports/index.html
	$(PY) -m toolkit report

test: $(STAMP) browser ## Run the test suite (integration tests need FPTK_DATA_HOME)
	$(PY) -m pytest

lab: $(STAMP) ## Open the notebooks in JupyterLab (the project's kernel; FPTK_* homes as set)
	cd notebooks && ../$(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 \
	  --ServerApp.root_dir="$(CURDIR)/notebooks" \
	  --MappingKernelManager.default_kernel_name=python3 \
	  $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

test-fast: $(STAMP) ## Run the tests without the integration and slow ones
	$(PY) -m pytest -m "not integration and not slow"

browser: ## Install headless Chromium for the report test when it is missing (Debian, root)
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "warning: could not install chromium; the browser test will be skipped"; \
	  else echo "note: chromium not found and cannot be installed here; the browser test will be skipped"; fi; }

docs: $(STAMP) ## Build the HTML docs into docs/_build/html, running every how-to (warnings are errors)
	$(PY) -m sphinx -b html -E -W --keep-going -d docs/_build/doctrees docs docs/_build/html
	@echo "open docs/_build/html/index.html"

lint: $(STAMP) ## Run ruff
	$(VENV)/bin/ruff check .

bench: $(STAMP) ## Run the benchmarks on the full UNGDC (needs FPTK_DATA_HOME)
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean-reports: ## Remove rendered reports and the notebook build folder
	rm -rf reports build

clean-cache: $(STAMP) ## Remove derived cache files (never raw data)
	$(PY) -m toolkit cache --clear
