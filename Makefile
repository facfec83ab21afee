# Two commands do all the set-up: `make run` and `make test`. Only python3 is needed beforehand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST := $(BIN)/python -m pytest -q -p no:cacheprovider
export FLASK_APP := wsgi.py
MO := app/translations/ru/LC_MESSAGES/messages.mo app/translations/en/LC_MESSAGES/messages.mo

.PHONY: run test setup db demo translations messages lint check-pg clean

run: setup db demo ## start the development server on http://127.0.0.1:5000
	$(BIN)/flask run --host 127.0.0.1 --port 5000

test: setup lint ## lint, then the whole suite on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL
	@if [ -z "$$TEST_DATABASE_URL" ]; then \
		echo "TEST_DATABASE_URL not set: PostgreSQL run skipped"; \
		$(PYTEST); \
	else \
		echo "== SQLite and PostgreSQL ($$TEST_DATABASE_URL) side by side"; \
		mkdir -p test-artifacts; \
		$(PYTEST) >test-artifacts/sqlite.log 2>&1 & sqlite=$$!; \
		OKO_TEST_DB=postgresql $(PYTEST) >test-artifacts/postgresql.log 2>&1 & pg=$$!; \
		wait $$sqlite; sqlite_rc=$$?; wait $$pg; pg_rc=$$?; \
		echo "== SQLite"; cat test-artifacts/sqlite.log; \
		echo "== PostgreSQL"; cat test-artifacts/postgresql.log; \
		[ $$sqlite_rc -eq 0 ] && [ $$pg_rc -eq 0 ]; \
	fi

setup: $(STAMP) $(MO)

$(STAMP): requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

app/translations/%/LC_MESSAGES/messages.mo: app/translations/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d app/translations -l $* >/dev/null

db: setup ## upgrade the schema of the configured database
	$(BIN)/flask db upgrade

demo: setup ## load the demo region (idempotent) and print the logins
	$(BIN)/flask demo seed

messages: setup ## extract strings and merge them into the catalogues
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k n_:1,2 --no-location --sort-output -o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching --ignore-obsolete

lint: setup ## ruff (lint and format), the import contracts, and mypy on the typed packages
	$(BIN)/ruff check app tests bench tools migrations
	$(BIN)/ruff format --check app tests bench tools
	PYTHONPATH=. $(BIN)/lint-imports --no-cache
	$(BIN)/python -m mypy

clean:
	rm -rf $(VENV) instance/oko.sqlite3
