# The two commands of the README: `make run` and `make test`. Everything else is a helper of them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: run demo test install lint format clean

# Install (or update) the virtualenv from the pinned requirements, and, where npm is present, the
# browser tests' axe-core (pinned in package-lock.json; nothing of it is served).
NPM := $(shell command -v npm 2>/dev/null)
AXE := node_modules/axe-core/axe.min.js
install: $(STAMP) $(if $(NPM),$(AXE))
$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@
$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $@

# Install, write missing local secrets to .env, migrate (which runs the system checks), and serve
# web + worker on SQLite; `serve` prints where to log in once both are up.
run: install
	$(BIN)/python -m spotify_history.local_env
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py serve --skip-checks --host $(HOST) --port $(PORT)

# The app against the local Spotify stand-in (no Spotify account needed), in its own data folder.
DEMO_ENV := DATA_DIR=data/demo SPOTIFY_CLIENT_ID=demo-client SPOTIFY_CLIENT_SECRET=demo-secret \
	SPOTIFY_ACCOUNTS_BASE_URL=http://127.0.0.1:8765 SPOTIFY_API_BASE_URL=http://127.0.0.1:8765/v1 \
	SPOTIFY_REDIRECT_URI=http://$(HOST):$(PORT)/auth/callback
demo: install
	$(BIN)/python -m spotify_history.local_env
	$(DEMO_ENV) $(BIN)/python manage.py migrate --no-input
	$(BIN)/python -m spotify_standin --port 8765 --client-id demo-client --client-secret demo-secret & \
	standin=$$!; trap 'kill $$standin' EXIT INT TERM; \
	$(DEMO_ENV) $(BIN)/python manage.py serve --skip-checks --host $(HOST) --port $(PORT)

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
	rm -rf $(VENV) .venv-mcp-client node_modules staticfiles data/test.sqlite3*
