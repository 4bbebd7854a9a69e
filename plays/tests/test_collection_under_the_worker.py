"""With web and worker running (`manage.py serve`, what `make run` starts) and the app pointed at
the Spotify stand-in, a listener who logs in is collected with no manual step: the initial sync
runs at once, and the schedule picks up later plays."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet

from spotify_history.tests.test_serve import free_port, wait_for_health
from spotify_standin import StandinServer

REPO = Path(__file__).resolve().parents[2]


def count_plays(database):
    with sqlite3.connect(database) as db:
        return db.execute("SELECT COUNT(*) FROM plays_play").fetchone()[0]


def wait_until(condition, timeout, message):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    pytest.fail(message)


@pytest.fixture
def standin():
    with StandinServer("127.0.0.1", 0, client_id="demo", client_secret="demo-secret") as server:
        server.state.authorize_as("dana")
        yield server


def test_a_listener_who_logs_in_is_collected_by_the_worker(standin, tmp_path):
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        {
            "ENV_FILE": "",
            "DEBUG": "true",
            "DATABASE_URL": "",
            "DATA_DIR": str(tmp_path),
            "TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "SPOTIFY_CLIENT_ID": "demo",
            "SPOTIFY_CLIENT_SECRET": "demo-secret",
            "SPOTIFY_ACCOUNTS_BASE_URL": standin.url,
            "SPOTIFY_API_BASE_URL": standin.api_url,
            "SPOTIFY_REDIRECT_URI": f"http://127.0.0.1:{port}/auth/callback",
            "COLLECTOR_INTERVAL_SECONDS": "1",
        }
    )
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert migrate.returncode == 0, migrate.stderr
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    database = tmp_path / "spotify_history.sqlite3"
    try:
        wait_for_health(f"http://127.0.0.1:{port}/healthz", server)
        page = requests.Session().get(f"http://127.0.0.1:{port}/auth/login", timeout=10)
        assert "Connected: Dana" in page.text

        wait_until(
            lambda: count_plays(database) == 50, 60, "the initial sync never stored the plays"
        )
        standin.state.add_plays("dana", count=5)
        wait_until(lambda: count_plays(database) == 55, 120, "the schedule never polled again")
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    with sqlite3.connect(database) as db:
        kinds = [row[0] for row in db.execute("SELECT kind FROM plays_syncrun ORDER BY id")]
    assert kinds[0] == "initial_sync"
    assert "poll" in kinds[1:]
