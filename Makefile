# Drafter: `make run` starts the app on embedded defaults; `make test` runs every check.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
TEST_STAMP := $(VENV)/.installed-test-stamp
PORT ?= 8501
# localhost by default: only this machine can reach the app (and Streamlit does not look up an external IP)
ADDRESS ?= localhost

.PHONY: install install-test run demo test lint typecheck pytest bench cli-reference docs-renderings docs-screenshots clean i18n-extract i18n-update i18n-compile i18n-coverage

# `make run` installs what the app needs and nothing else; the test tools come with `make test`.
$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $(TEST_STAMP)

install: $(STAMP)

install-test: $(TEST_STAMP)

run: install i18n-compile
	@echo "Drafter is starting at http://$(ADDRESS):$(PORT) (Ctrl+C stops it)"
	$(VENV)/bin/python -m drafter.ui.serve streamlit_app.py --server.headless true --server.address $(ADDRESS) --server.port $(PORT)

demo: install
	$(PY) -m drafter.demo

AXE := node_modules/axe-core/axe.min.js

# axe-core (pinned in package-lock.json) is injected into pages by the browser tests for WCAG checks.
$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $(AXE)

lint: install-test
	$(VENV)/bin/ruff check drafter tests bench streamlit_app.py
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

typecheck: install-test
	$(VENV)/bin/mypy

pytest: install-test
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test: install-test $(AXE)
	$(VENV)/bin/ruff check drafter tests bench streamlit_app.py
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	@echo "Translation catalogs (tests/test_i18n_catalogs.py fails on any missing message):"
	@$(PY) -m drafter.i18n --coverage || true
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: install
	$(PY) bench/run.py

# Re-exports four sample documents (briefing, minutes with actions, press release, 通知) as labelled PDFs through
# LibreOffice and renders their pages to docs/renderings/*.png (needs LibreOffice and poppler-utils).
docs-renderings: install
	$(PY) bench/build_renderings.py

# Screenshots of the Chinese interface in docs/images (Debian's chromium through Playwright; nothing downloaded).
docs-screenshots: install-test
	$(PY) -m tests.ui.docs_screenshots docs/images

# Rewrites the command reference in README.md from the parser (tests/cli/test_reference.py checks it is current).
cli-reference: install
	$(PY) -m drafter.cli.reference --write

# Translations (gettext via Babel): extract message ids into .pot templates, merge them into every catalog,
# compile .mo files. Translators edit drafter/locale/<lang>/LC_MESSAGES/{core,ui}.po with any PO editor.
# The keywords (error classes, lazy messages) are listed once, in drafter/i18n.py: EXTRACT_KEYWORDS.
i18n-extract: install
	$(PY) -m drafter.i18n --extract

i18n-update: i18n-extract
	for d in core ui; do $(VENV)/bin/pybabel update -D $$d -i drafter/locale/$$d.pot -d drafter/locale \
		--ignore-obsolete --no-fuzzy-matching; done

i18n-compile: install
	for d in core ui; do $(VENV)/bin/pybabel compile -D $$d -d drafter/locale --statistics; done

i18n-coverage: install
	$(PY) -m drafter.i18n --coverage

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
