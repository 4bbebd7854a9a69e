"""Fixtures shared by every app's tests."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent


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


@pytest.fixture(autouse=True)
def _static_files_without_collectstatic(settings):
    """Tests serve static files from the apps, as DEBUG does, instead of a collected manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
