"""``python -m spotify_standin`` starts, says where it listens, answers, and stops cleanly."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]


def _start(*args: str) -> tuple[subprocess.Popen, str, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "spotify_standin", "--port", "0", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    found = re.search(r"SPOTIFY_ACCOUNTS_BASE_URL=(\S+) SPOTIFY_API_BASE_URL=(\S+)", line)
    assert found, f"unexpected first line: {line!r}"
    return process, found.group(1), found.group(2)


def _stop(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=10)
    finally:
        process.stdout.close()
        process.stderr.close()


def test_the_cli_prints_where_it_listens_and_answers_401_without_a_token():
    process, accounts_url, api_url = _start()
    try:
        response = requests.get(f"{api_url}/me", timeout=10)
    finally:
        returncode = _stop(process)

    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", accounts_url)
    assert api_url == f"{accounts_url}/v1"
    assert response.status_code == 401
    assert response.json()["error"]["status"] == 401
    assert returncode == 0


def test_the_cli_passes_its_options_to_the_server():
    process, accounts_url, _ = _start("--user", "cli-user", "--client-id", "the-app")
    try:
        wrong = requests.get(
            f"{accounts_url}/authorize",
            params={"client_id": "other", "response_type": "code", "redirect_uri": "https://a/b"},
            timeout=10,
        )
        tokens = requests.post(f"{accounts_url}/_control/users/cli-user/tokens", timeout=10)
        listener = requests.get(f"{accounts_url}/_control/users/cli-user", timeout=10)
    finally:
        _stop(process)

    assert wrong.status_code == 400
    assert "INVALID_CLIENT" in wrong.text
    assert tokens.status_code == 201
    assert listener.json()["play_count"] == 120
