# Drafter: `make run` starts the app on embedded defaults; `make test` runs every check.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PORT ?= 8501
# localhost by default: only this machine can reach the app (and Streamlit does not look up an external IP)
ADDRESS ?= localhost

.PHONY: install run demo test lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

install: $(STAMP)

run: install
	@echo "Drafter is starting at http://$(ADDRESS):$(PORT) (Ctrl+C stops it)"
	$(VENV)/bin/streamlit run streamlit_app.py --server.headless true --server.address $(ADDRESS) --server.port $(PORT)

demo: install
	$(PY) -m drafter.demo

AXE := node_modules/axe-core/axe.min.js

# axe-core (pinned in package-lock.json) is injected into pages by the browser tests for WCAG checks.
$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $(AXE)

lint: install
	$(VENV)/bin/ruff check drafter tests bench streamlit_app.py
	$(VENV)/bin/mypy

typecheck: install
	$(VENV)/bin/mypy

pytest: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test: install $(AXE)
	$(VENV)/bin/ruff check drafter tests bench streamlit_app.py
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
