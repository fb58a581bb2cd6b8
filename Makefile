# The two commands a new developer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Compiled translations are committed; any that is missing is built from its .po file (needs
# GNU gettext's msgfmt). `make messages` refreshes and recompiles the catalogue.
PO_FILES := $(wildcard nurture/locale/*/LC_MESSAGES/*.po)
MO_MISSING := $(filter-out $(wildcard $(PO_FILES:.po=.mo)),$(PO_FILES:.po=.mo))

.PHONY: run test install migrate demo translations lint format messages bench-pages clean

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Nurture needs Python 3.11 or later: make PYTHON=python3.12 run"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

translations: $(MO_MISSING)

%.mo: %.po
	@command -v msgfmt >/dev/null 2>&1 || { echo "msgfmt (gettext) is needed to build $@"; exit 1; }
	msgfmt --check-format -o $@ $<

migrate: install
	$(BIN)/nurture migrate

demo: migrate
	$(BIN)/nurture demo

run: translations demo
	$(BIN)/nurture serve

# `make test ARGS=tests/core` runs a part of the suite.
test: install translations
	$(BIN)/pytest $(ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/nurture makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the Traditional Chinese catalogue from the source, then compile it (needs gettext).
messages: install
	$(BIN)/nurture makemessages -l zh_Hant --no-obsolete --no-location --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'bench/*' --ignore 'nurture/static/*'
	$(BIN)/nurture compilemessages -l zh_Hant --ignore '.venv/*'

bench-pages: install
	$(BIN)/python -m bench.pages

clean:
	rm -rf $(VENV) var
