# The two commands of the README: `make run` and `make test`. Everything else is a helper of them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: run test install lint format checks clean

# Install (or update) the virtualenv from the pinned requirements.
install: $(STAMP)
$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $@

# Install, write missing local secrets to .env, migrate, and serve web + worker on SQLite.
run: install
	$(BIN)/python -m spotify_history.local_env
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py serve --host $(HOST) --port $(PORT)

# Install and run the whole test suite (on DATABASE_URL when set, else on SQLite).
# ENV_FILE= keeps a local .env out of the tests.
test: install
	ENV_FILE= $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles data/test.sqlite3*
