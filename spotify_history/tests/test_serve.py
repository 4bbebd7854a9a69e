"""`manage.py serve` (what `make run` starts) serves /healthz, runs a working worker, and says once
per start where to log in."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from spotify_history.local_env import ensure_local_env

REPO = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def local_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update({"ENV_FILE": "", "DEBUG": "true", "DATA_DIR": str(tmp_path), "DATABASE_URL": ""})
    return env


def manage(env, *args, timeout=120):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def wait_for_health(url, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "serve exited early"
        try:
            return requests.get(url, timeout=5)
        except (requests.ConnectionError, requests.Timeout):
            # Not listening yet, or listening (gunicorn's master) before a worker answers.
            time.sleep(0.3)
    pytest.fail("the web server never answered")


def test_it_serves_healthz_and_the_worker_runs_tasks(local_env, tmp_path):
    assert manage(local_env, "migrate", "--no-input").returncode == 0
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port)],
        cwd=REPO,
        env=local_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        response = wait_for_health(f"http://127.0.0.1:{port}/healthz", process)
        assert response.status_code == 200
        assert response.json()["database"] == "ok"

        enqueue_and_wait = (
            "from django_q.tasks import async_task, result; "
            "task = async_task('math.floor', 2.5); print('result', result(task, wait=60000))"
        )
        ran = manage(local_env, "shell", "-c", enqueue_and_wait)
        assert "result 2" in ran.stdout, ran.stderr
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    assert process.returncode == 0


def start_serving(env, port):
    """Starts `manage.py serve --skip-checks` (as `make run` does); returns (process, lines,
    ready) where `lines` fills with its output and `ready` is set once the banner is out."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--skip-checks", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines, ready = [], threading.Event()

    def read():
        for line in process.stdout:
            lines.append(line)
            if line.startswith("Ctrl-C stops both."):
                ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    process.reader = reader
    return process, lines, ready


def stop_serving(process):
    process.send_signal(signal.SIGINT)
    process.wait(timeout=30)
    process.reader.join(timeout=10)


@pytest.fixture
def make_run_env(tmp_path):
    """What `make run` gives `manage.py`: a fresh local .env (spotify_history.local_env), no
    Spotify app, its own SQLite file."""
    env_file = tmp_path / ".env"
    ensure_local_env(env_file)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "SPOTIFY_", "ADMIN_", "TOKEN_", "DEBUG"))
    }
    env.update({"ENV_FILE": str(env_file), "DATA_DIR": str(tmp_path / "data")})
    return env, env_file


def test_each_start_says_once_where_to_log_in_and_where_the_password_is(make_run_env):
    env, env_file = make_run_env
    password = dict(
        line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line
    )["ADMIN_PASSWORD"]
    migrated = manage(env, "migrate", "--no-input")
    assert migrated.returncode == 0, migrated.stderr
    assert "SPOTIFY_CLIENT_ID" not in migrated.stdout + migrated.stderr
    for _ in range(2):  # the first start, and every later one
        port = free_port()
        process, lines, ready = start_serving(env, port)
        try:
            assert ready.wait(timeout=90), "".join(lines)
            base = f"http://127.0.0.1:{port}"
            missing = requests.get(f"{base}/no/such/page", timeout=10)
            stylesheet = requests.get(f"{base}/static/app.css", timeout=10)
            login = requests.get(f"{base}/login", timeout=10)
        finally:
            stop_serving(process)
        output = "".join(lines)
        assert output.count(f"Spotify history is running at {base}/") == 1
        assert f"{base}/login  (log in as admin; the password is ADMIN_PASSWORD in {env_file})" in (
            output
        )
        assert output.count("SPOTIFY_CLIENT_ID") == 1  # the banner's line, nothing else
        assert password not in output
        # DEBUG is off in make run: our 404 page, not the list of URL patterns; still over plain
        # HTTP (no redirect, cookies not Secure-only) and with its stylesheet.
        assert missing.status_code == 404 and "Page not found" in missing.text
        assert "URLconf" not in missing.text
        assert stylesheet.status_code == 200 and "--accent" in stylesheet.text
        assert login.status_code == 200 and login.url == f"{base}/login"
        assert "secure" not in login.headers["Set-Cookie"].lower()
