"""The secrets scan: a whole day of the service at LOG_LEVEL=DEBUG, as real processes, and not one
token, key or password used along the way in its output, its stored logs, or any answer.

The service runs twice, as it is started for real: `manage.py serve` (the web server and the
worker, what `make run` starts), and gunicorn with the repository's `gunicorn.conf.py` (whose
access log goes to stdout) beside `manage.py qcluster` (what the image and compose start). Each
runs against the Spotify stand-in, which rotates refresh tokens and hands out access tokens that
expire within a minute, so every poll refreshes. The flow: a listener logs in through the stand-in
(OAuth code, state, tokens), the worker's initial sync and a poll the operator asks for over the
admin API, an export import, an MCP token made on the listener's page and used over MCP and the
plain-HTTP twin, the admin API, and the operator's pages after a staff login (the Django admin
included).

Then every secret (each access and refresh token the stand-in ever issued, the OAuth codes, the
client secret, the MCP token, ADMIN_TOKEN, ADMIN_PASSWORD, SECRET_KEY, TOKEN_ENCRYPTION_KEY) is
looked for in the server's stdout and stderr, in every LogEntry row, and in every answer of the
service (bodies and headers). The one exception is the page that shows a new MCP token once, by
design, which is checked for every other secret.

LOG_FILES lists further files the server writes (none today: gunicorn's access log is its
stdout); each is scanned like stdout.
"""

import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

import pytest
import requests
from cryptography.fernet import Fernet

from accounts.models import LogEntry
from benchmarks.synthetic import build_synthetic_export
from spotify_history.tests.test_serve import REPO, free_port, wait_for_health
from spotify_standin import StandinServer

pytestmark = pytest.mark.django_db(transaction=True)

CLIENT_ID = "scan-client"
SECRETS = {
    "SPOTIFY_CLIENT_SECRET": "scan-client-secret-7f3a9c1e5b",
    "ADMIN_TOKEN": "scan-admin-token-" + "9b1e" * 8,
    "ADMIN_PASSWORD": "Scan-admin-Passw0rd-4c8d2e",
    "SECRET_KEY": "scan-secret-key-" + "x7Kq2mPz" * 7,
    "TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
}
LOG_FILES = []  # further log files the server writes, if one is ever configured
WAIT = 120  # seconds the worker gets for each step


@dataclass
class Recorder:
    """Every answer our server gave (the stand-in's are Spotify's, not ours)."""

    base: str
    answers: list = field(default_factory=list)

    def keep(self, response, *, shows_mcp_token=False):
        for answer in [*response.history, response]:
            if answer.url.startswith(self.base):
                headers = "\n".join(f"{k}: {v}" for k, v in answer.headers.items())
                self.answers.append((answer.url, answer.text + "\n" + headers, shows_mcp_token))
        return response


def csrf(session):
    return session.cookies.get("csrftoken")


def wait_until(check, what):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture
def standin():
    with StandinServer(
        "127.0.0.1",
        0,
        client_id=CLIENT_ID,
        client_secret=SECRETS["SPOTIFY_CLIENT_SECRET"],
        rotate_refresh_tokens=True,
        access_token_ttl=30,  # under the one-minute refresh margin: every use refreshes
    ) as server:
        server.state.authorize_as("sam")
        yield server


# How the service is started: `make run`'s one process, or production's gunicorn and worker.
COMMANDS = {
    "serve": lambda port: [[sys.executable, "manage.py", "serve", "--port", str(port)]],
    "gunicorn": lambda port: [
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}"],
        [sys.executable, "manage.py", "qcluster"],
    ],
}


@pytest.fixture(params=list(COMMANDS))
def server(request, standin, subprocess_env, tmp_path):
    port = free_port()
    env = {
        **subprocess_env,
        **SECRETS,
        "DEBUG": "true",
        "LOG_LEVEL": "DEBUG",
        "DATA_DIR": str(tmp_path),
        "ADMIN_AUTH_MODE": "token",
        "ADMIN_USERNAME": "operator",
        "SPOTIFY_CLIENT_ID": CLIENT_ID,
        "SPOTIFY_ACCOUNTS_BASE_URL": standin.url,
        "SPOTIFY_API_BASE_URL": standin.api_url,
        "SPOTIFY_REDIRECT_URI": f"http://127.0.0.1:{port}/auth/callback",
        "COLLECTOR_INTERVAL_SECONDS": "3600",
    }
    made = subprocess.run(
        [sys.executable, "manage.py", "sync_admin_user"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    outputs, processes = [], []
    try:
        for number, command in enumerate(COMMANDS[request.param](port)):
            out, err = tmp_path / f"stdout-{number}.log", tmp_path / f"stderr-{number}.log"
            outputs += [out, err]
            with out.open("w") as stdout, err.open("w") as stderr:
                processes.append(
                    subprocess.Popen(command, cwd=REPO, env=env, stdout=stdout, stderr=stderr)
                )
        base = f"http://127.0.0.1:{port}"
        wait_for_health(f"{base}/healthz", processes[0])
        yield Recorder(base), [*outputs, *LOG_FILES, made]
    finally:
        for process in processes:
            process.send_signal(signal.SIGINT)
        for process in processes:
            process.wait(timeout=60)


def admin(recorder, method, path, **kwargs):
    headers = {"Authorization": f"Bearer {SECRETS['ADMIN_TOKEN']}"}
    return recorder.keep(
        requests.request(method, recorder.base + path, headers=headers, timeout=60, **kwargs)
    )


def plays_stored(recorder):
    return admin(recorder, "GET", "/admin/status").json()["plays"]["total"]


def test_no_secret_is_ever_logged_or_answered(server, standin, tmp_path):
    recorder, outputs = server
    base = recorder.base
    codes = []

    # A listener logs in with Spotify (the stand-in), and the worker's initial sync runs.
    listener = requests.Session()
    landed = recorder.keep(listener.get(f"{base}/auth/login", timeout=60))
    assert "Connected" in landed.text
    for hop in landed.history:
        codes += re.findall(r"[?&]code=([^&]+)", hop.headers.get("Location", ""))
    assert codes
    wait_until(lambda: plays_stored(recorder) == 50, "the initial sync")

    # The operator asks for a poll (the access token has expired: it is refreshed first).
    standin.state.add_plays("sam", count=5)
    assert admin(recorder, "POST", "/admin/users/sam/poll").status_code == 202
    wait_until(lambda: plays_stored(recorder) == 55, "the poll")

    # An export import, through the admin API and the worker.
    export = build_synthetic_export(tmp_path / "my_spotify_data.zip", records=300, seed=5)
    with export.path.open("rb") as file:
        queued = admin(recorder, "POST", "/admin/users/sam/import", files={"file": file})
    assert queued.status_code == 202
    job = f"/admin/import-jobs/{queued.json()['job_id']}"
    wait_until(
        lambda: admin(recorder, "GET", job).json()["status"].startswith("succeeded"), "the import"
    )

    # The listener's page: a new MCP token, shown once.
    recorder.keep(listener.get(f"{base}/me", timeout=60))
    made = listener.post(
        f"{base}/me/tokens",
        data={"name": "scan", "csrfmiddlewaretoken": csrf(listener)},
        timeout=60,
    )
    recorder.keep(made, shows_mcp_token=True)
    shown = re.search(r"shm_[A-Za-z0-9_-]{20,}", made.text)
    assert shown, f"no token shown: {made.status_code} {made.url} {made.text[:300]!r}"
    mcp_token = shown[0]
    recorder.keep(listener.get(f"{base}/me", timeout=60))

    # MCP and its plain-HTTP twin, with the token (and once with a wrong one).
    bearer = {"Authorization": f"Bearer {mcp_token}"}
    calls = [
        {"method": "initialize", "params": {"protocolVersion": "2025-11-25"}},
        {"method": "tools/list", "params": {}},
        {"method": "tools/call", "params": {"name": "recent_plays", "arguments": {"limit": 5}}},
        {"method": "tools/call", "params": {"name": "sync_status", "arguments": {}}},
        {"method": "resources/read", "params": {"uri": "spotify-history://me/summary"}},
    ]
    for number, call in enumerate(calls):
        message = {"jsonrpc": "2.0", "id": number, **call}
        answer = recorder.keep(
            requests.post(f"{base}/mcp", json=message, headers=bearer, timeout=60)
        )
        assert answer.status_code == 200
    plain = {"tool": "search_history", "args": {"query": "the"}}
    recorder.keep(requests.post(f"{base}/mcp/call", json=plain, headers=bearer, timeout=60))
    recorder.keep(requests.get(f"{base}/mcp/tools", headers=bearer, timeout=60))
    wrong = {"Authorization": "Bearer shm_wrong-token-000000000000000000"}
    assert (
        recorder.keep(requests.get(f"{base}/mcp/tools", headers=wrong, timeout=60)).status_code
        == 401
    )

    # The admin API.
    for path in (
        "/admin/users",
        "/admin/users/sam",
        "/admin/status",
        "/admin/sync-runs?limit=500",
        "/admin/import-jobs",
        "/admin/logs?level=DEBUG&limit=500",
        "/admin/openapi.json",
        "/admin/docs",
    ):
        assert admin(recorder, "GET", path).status_code == 200, path
    admin(recorder, "PATCH", "/admin/users/sam", json={"time_zone": "Europe/Paris"})

    # The operator's pages, after a staff login, and the Django admin.
    operator = requests.Session()
    recorder.keep(operator.get(f"{base}/login", timeout=60))
    logged_in = operator.post(
        f"{base}/login",
        data={
            "username": "operator",
            "password": SECRETS["ADMIN_PASSWORD"],
            "csrfmiddlewaretoken": csrf(operator),
        },
        timeout=60,
    )
    recorder.keep(logged_in)
    assert logged_in.url == f"{base}/"
    for path in ("/", "/listeners/sam", "/imports", "/jobs", "/logs?level=DEBUG", "/admin/db/"):
        assert recorder.keep(operator.get(base + path, timeout=60)).status_code == 200, path
    for path in ("/admin/db/accounts/listener/", "/admin/db/accounts/logentry/"):
        listing = recorder.keep(operator.get(base + path, timeout=60))
        for link in sorted(
            set(re.findall(r'href="(/admin/db/accounts/\w+/\d+/change/)"', listing.text))
        )[:20]:
            recorder.keep(operator.get(base + link, timeout=60))

    # Everything each secret could have reached.
    secrets = {
        **SECRETS,
        "MCP token": mcp_token,
        **{f"OAuth code {n}": code for n, code in enumerate(codes)},
        **{f"Spotify token {n}": t for n, t in enumerate(standin.state.issued_tokens("sam"))},
    }
    assert len(standin.state.issued_tokens("sam")) >= 4  # refreshed and rotated along the way
    server_output = "\n".join(
        item.stdout + item.stderr if hasattr(item, "stdout") else item.read_text()
        for item in outputs
    )
    assert "import.succeeded" in server_output or "imported" in server_output.lower()
    assert "/auth/callback" in server_output  # the access log (each request's line) was scanned
    stored_logs = "\n".join(
        f"{entry.message} {entry.context} {entry.exception}" for entry in LogEntry.objects.all()
    )
    assert LogEntry.objects.filter(level="DEBUG").exists()  # DEBUG was on
    leaks = []
    for name, secret in secrets.items():
        for where, text in [("server output", server_output), ("LogEntry rows", stored_logs)]:
            if secret in text:
                leaks.append(f"{name} in {where}")
        for url, text, shows_mcp_token in recorder.answers:
            if secret in text and not (shows_mcp_token and name == "MCP token"):
                leaks.append(f"{name} in the answer to {url}")
    assert leaks == []
    assert len(recorder.answers) > 40
