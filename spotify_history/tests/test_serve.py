"""`manage.py serve` (what `make run` starts) serves /healthz and runs a working worker."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

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
            return requests.get(url, timeout=2)
        except requests.ConnectionError:
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
