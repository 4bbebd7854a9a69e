"""DATABASE_POOL: PostgreSQL connections from a psycopg_pool pool, in the web server only.

gunicorn.conf.py turns it on by default (docs/operations.md has the load figures); every other
command leaves it off unless asked, and the worker (`qcluster`, which forks after connecting)
never uses it, whatever the environment says.
"""

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
POSTGRES_URL = "postgres://spotify:secret@127.0.0.1:5432/spotify_history"

SHOW_DATABASE = (
    "import json, os; "
    "os.environ['DJANGO_SETTINGS_MODULE'] = 'spotify_history.settings'; "
    "from django.conf import settings; "
    "database = settings.DATABASES['default']; "
    "print(json.dumps({'pool': database.get('OPTIONS', {}).get('pool'), "
    "'conn_max_age': database['CONN_MAX_AGE'], "
    "'health_checks': database['CONN_HEALTH_CHECKS']}))"
)


def database_settings(env, *argv):
    """The default database's pool and CONN_MAX_AGE as a process started with `argv` sees them."""
    base = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    base.update({"ENV_FILE": "", "DEBUG": "true", "DATABASE_URL": POSTGRES_URL, **env})
    result = subprocess.run(
        [sys.executable, "-c", SHOW_DATABASE, *argv],
        cwd=REPO,
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_with_database_pool_on_connections_come_from_a_bounded_pool():
    database = database_settings({"DATABASE_POOL": "true", "DATABASE_POOL_MAX_SIZE": "5"})
    assert database == {
        "pool": {"min_size": 2, "max_size": 5, "timeout": 10.0},
        "conn_max_age": 0,
        "health_checks": True,
    }


def test_without_it_each_thread_keeps_its_connection_for_conn_max_age():
    database = database_settings({"DATABASE_POOL": "false"})
    assert database == {"pool": None, "conn_max_age": 60, "health_checks": True}


def test_the_worker_never_uses_a_pool_since_it_forks_after_connecting():
    database = database_settings({"DATABASE_POOL": "true"}, "qcluster")
    assert database == {"pool": None, "conn_max_age": 60, "health_checks": True}


def test_gunicorn_turns_the_pool_on_unless_the_environment_says_otherwise(monkeypatch):
    monkeypatch.delenv("DATABASE_POOL", raising=False)
    runpy.run_path(str(REPO / "gunicorn.conf.py"))
    assert os.environ["DATABASE_POOL"] == "true"

    monkeypatch.setenv("DATABASE_POOL", "false")
    runpy.run_path(str(REPO / "gunicorn.conf.py"))
    assert os.environ["DATABASE_POOL"] == "false"
