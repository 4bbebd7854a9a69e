"""Fixtures shared by every app's tests."""

import contextlib
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

REPO = Path(__file__).resolve().parent

# The fuzz suites (test_fuzz_*.py) run FUZZ_EXAMPLES examples per test (100 unless the environment
# says otherwise: `FUZZ_EXAMPLES=2000 make test PYTEST_ARGS=-k fuzz` for a longer hunt). They are
# derandomized, so CI tries the same examples every run and a failure is reproducible; a longer
# run explores beyond them. Never a deadline: speed is not asserted in tests.
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
hypothesis_settings.register_profile(
    "project",
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
hypothesis_settings.load_profile("project")


@pytest.fixture
def listener(db):
    from accounts.models import Listener

    return Listener.objects.create(spotify_user_id="alice", display_name="Alice")


@pytest.fixture
def run_manage(tmp_path):
    """Runs `manage.py ARGS` in a fresh process with `env` on top of a clean environment.

    The process gets its own empty data folder (so its SQLite database is a new file) unless
    `env` names a DATABASE_URL or DATA_DIR.
    """

    def run(*args, env=None, timeout=120):
        base = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "SPOTIFY_", "ADMIN_", "TOKEN_"))
        }
        base.update({"ENV_FILE": "", "DATABASE_URL": "", "DATA_DIR": str(tmp_path / "data")})
        base.update(env or {})
        return subprocess.run(
            [sys.executable, str(REPO / "manage.py"), *args],
            cwd=REPO,
            env=base,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def chromium():
    """Opens a page in headless Chromium (Debian's `chromium` package, driven by Playwright).

    Use as `with chromium() as page: ...`, and check the database after the block: Playwright
    keeps an event loop running inside it, where Django refuses synchronous ORM calls.
    Without Chromium installed the test is skipped with the install command, unless
    REQUIRE_BROWSER is set (CI sets it), where a missing browser is a failure.
    """
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        message = "headless Chromium is not installed (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)

    @contextlib.contextmanager
    def open_page():
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                yield browser.new_context().new_page()
            finally:
                browser.close()

    return open_page


@pytest.fixture
def browser_standin():
    """The Spotify stand-in on a free port, logging every browser in as "carol"."""
    from spotify_standin import StandinServer

    with StandinServer("127.0.0.1", 0, client_id="browser-client", client_secret="s3") as server:
        server.state.authorize_as("carol")
        yield server


@pytest.fixture
def browser_app(live_server, settings, browser_standin):
    """The live server with Spotify's login pointed at `browser_standin`, for browser logins."""
    settings.SPOTIFY_ACCOUNTS_BASE_URL = browser_standin.url
    settings.SPOTIFY_API_BASE_URL = browser_standin.api_url
    settings.SPOTIFY_CLIENT_ID = "browser-client"
    settings.SPOTIFY_CLIENT_SECRET = "s3"
    settings.SPOTIFY_REDIRECT_URI = f"{live_server.url}/auth/callback"
    return live_server


AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def axe():
    """`axe(page)` runs axe-core (npm's `axe-core`, pinned in package-lock.json and installed by
    `make install` with `npm ci`) on the open page and returns its violations. Without it the
    test is skipped with the install command, unless REQUIRE_BROWSER is set (CI sets it)."""
    if not AXE.exists():
        message = "axe-core is not installed (npm ci, or make install with npm present)"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)

    # Evaluated through the DevTools protocol, not as a <script>: a page's Content-Security-Policy
    # (scripts from 'self' only) doesn't apply, and nothing about the page has to change for it.
    source = "() => {\n" + AXE.read_text() + "\n}" if AXE.exists() else ""

    def run(page):
        page.evaluate(source)
        return page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
        )

    return run


@pytest.fixture
def subprocess_env(settings):
    """Environment for a `manage.py` subprocess that shares this test's database and settings.

    Use with `django_db(transaction=True)`, so what the test writes is committed and visible.
    """
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        url = (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        )
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        {
            "ENV_FILE": "",
            "DATABASE_URL": url,
            "DEBUG": "true",
            "TOKEN_ENCRYPTION_KEY": ",".join(settings.TOKEN_ENCRYPTION_KEYS),
            "SPOTIFY_CLIENT_ID": settings.SPOTIFY_CLIENT_ID,
            "SPOTIFY_CLIENT_SECRET": settings.SPOTIFY_CLIENT_SECRET,
            "SPOTIFY_ACCOUNTS_BASE_URL": settings.SPOTIFY_ACCOUNTS_BASE_URL,
            "SPOTIFY_API_BASE_URL": settings.SPOTIFY_API_BASE_URL,
        }
    )
    return env


class _Collector(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def error_logs(settings):
    """The records logged at ERROR or above during the test, by any logger of the service.

    Attached to the root logger and to every logger LOGGING configures (they don't propagate),
    so a 500 (`django.request`) or an internal error of our own is caught wherever it is logged.
    Tests of hostile input assert that this stays empty: a listener must not be able to fill the
    operator's log with errors.
    """
    collector = _Collector()
    names = ["", *settings.LOGGING.get("loggers", {})]
    loggers = [logging.getLogger(name) for name in names]
    for logger in loggers:
        logger.addHandler(collector)
    yield collector.records
    for logger in loggers:
        logger.removeHandler(collector)


@pytest.fixture
def drop_database_connections():
    """Cuts every other connection to this test's PostgreSQL database, as a server restart or a
    network fault would: `pg_terminate_backend` on the backends of `current_database()` only
    (other engineers' and CI's databases on the same server are never touched), except this
    test's own. Returns how many were cut. PostgreSQL only."""
    from django.db import connection

    def drop():
        assert connection.vendor == "postgresql", "drop_database_connections needs PostgreSQL"
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return cursor.fetchone()[0]

    return drop
