# The two commands a new developer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install migrate demo lint format messages bench-pages clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/nurture migrate

demo: migrate
	$(BIN)/nurture demo

run: demo
	$(BIN)/nurture serve

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/nurture makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install
	cd nurture && ../$(BIN)/django-admin makemessages -l zh_Hant --no-obsolete --ignore 'static/*'
	cd nurture && ../$(BIN)/django-admin compilemessages -l zh_Hant

bench-pages: install
	$(BIN)/python -m bench.pages

clean:
	rm -rf $(VENV) var
