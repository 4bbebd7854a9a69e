"""The production server, run for real: gunicorn with the repository's gunicorn.conf.py.

Each test starts `gunicorn` on a free port of 127.0.0.1 from the repository (where gunicorn reads
gunicorn.conf.py, exactly as the image does), adding only `--bind`. Its database is a fresh
SQLite file: these tests are about the server, and /healthz needs no tables.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
CODE = "AQD-one-time-authorisation-code-4f9c"
STATE = "state-value-kept-by-the-browser-77"
MCP_TOKEN = "shm_" + "Zq8" * 14


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn(tmp_path):
    """Starts gunicorn as configured; yields (base URL, path of its stdout+stderr)."""
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "SPOTIFY_", "ADMIN_"))
    }
    env.update({"ENV_FILE": "", "DEBUG": "true", "DATA_DIR": str(tmp_path), "DATABASE_URL": ""})
    output = tmp_path / "gunicorn.log"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}"],
            cwd=REPO,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, output.read_text()
            try:
                requests.get(f"{url}/healthz", timeout=10)
                break
            except requests.RequestException:
                assert time.monotonic() < deadline, "gunicorn never answered"
                time.sleep(0.3)
        yield url, output, process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=60)


def stop(process):
    process.terminate()
    process.wait(timeout=60)


def slow_body_client(url):
    """A client that declares a 100,000-byte form and sends 10 bytes of it, then nothing.

    It sends a CSRF cookie of its own making (anyone can), so Django's CSRF check reads the form
    for its token instead of refusing at once.
    """
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    sock.sendall(
        b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: csrftoken=" + b"a" * 32 + b"\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n"
        b"username=a"
    )
    return sock


def test_slow_request_bodies_do_not_stop_other_requests(gunicorn):
    url, _, _ = gunicorn
    slow = [slow_body_client(url) for _ in range(6)]
    try:
        time.sleep(1)  # every slow client is now inside a request
        # A generous bound only so a stalled server fails the test instead of hanging it.
        response = requests.get(f"{url}/healthz", timeout=30)
        assert response.status_code == 200
        assert response.json()["status"] == "ok"
    finally:
        for sock in slow:
            sock.close()


def test_the_access_log_never_shows_oauth_codes_states_or_tokens(gunicorn):
    url, output, process = gunicorn
    callback = requests.get(
        f"{url}/auth/callback", params={"code": CODE, "state": STATE}, timeout=30
    )
    assert callback.status_code == 400
    requests.get(
        f"{url}/healthz",
        params={"token": "plain-token-value", "x": MCP_TOKEN},
        headers={"Referer": f"{url}/auth/callback?code={CODE}&state={STATE}"},
        timeout=30,
    )
    stop(process)
    log = output.read_text()
    assert "GET /auth/callback?code=[redacted]&state=[redacted] HTTP/1.1" in log
    assert "GET /healthz?token=[redacted]&x=[redacted] HTTP/1.1" in log
    for secret in (CODE, STATE, MCP_TOKEN, "plain-token-value"):
        assert secret not in log
