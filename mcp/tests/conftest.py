"""Fixtures of the MCP tests: listeners with tokens, and POSTing JSON-RPC to /mcp."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mcp import tokens

ADMIN_TOKEN = "test-admin-token-0123456789"
MODERN = "2026-07-28"


@pytest.fixture(autouse=True)
def _mcp_settings(settings):
    settings.ADMIN_TOKEN = ADMIN_TOKEN
    settings.MCP_RATE_LIMIT_PER_MINUTE = 1000
    settings.MCP_ALLOWED_ORIGINS = []
    settings.MCP_MAX_BODY_BYTES = 256 * 1024


@pytest.fixture
def secret(listener):
    """A working MCP token of the `listener` fixture (alice)."""
    return tokens.issue_token(listener, name="tests")[1]


def modern_meta(version=MODERN):
    return {
        "io.modelcontextprotocol/protocolVersion": version,
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "tests", "version": "1"},
    }


def modern_headers(method, name=None, version=MODERN):
    headers = {"MCP-Protocol-Version": version, "Mcp-Method": method}
    if name is not None:
        headers["Mcp-Name"] = name
    return headers


@pytest.fixture
def rpc(client):
    """POSTs one message to /mcp: rpc(secret, method, params, ...) -> response.

    `modern=True` sends it the 2026-07-28 way (headers and `_meta` included); `version` sets the
    MCP-Protocol-Version header of a handshake-era request; `raw` sends bytes as they are.
    """

    def post(
        secret,
        method=None,
        params=None,
        *,
        id=1,
        modern=False,
        version="2025-11-25",
        headers=None,
        raw=None,
    ):
        sent = {"HTTP_ACCEPT": "application/json, text/event-stream"}
        if secret is not None:
            sent["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
        params = dict(params or {})
        extra = dict(headers or {})
        if modern:
            params["_meta"] = modern_meta()
            name = params.get("name") or params.get("uri")
            extra = {**modern_headers(method, name), **extra}
        elif version is not None:
            extra.setdefault("MCP-Protocol-Version", version)
        for key, value in extra.items():
            if value is not None:
                sent["HTTP_" + key.upper().replace("-", "_")] = value
        if raw is None:
            message = {"jsonrpc": "2.0", "method": method, "params": params}
            if id is not None:
                message["id"] = id
            raw = json.dumps(message)
        return client.post("/mcp", data=raw, content_type="application/json", **sent)

    return post


SDK_REQUIREMENTS = Path(__file__).parent / "sdk_client" / "requirements.txt"
SDK_VENV = Path(__file__).resolve().parents[2] / ".venv-mcp-client"


@pytest.fixture(scope="session")
def sdk_python():
    """The Python of .venv-mcp-client, where the official MCP SDK is installed.

    Built on first use (and again when sdk_client/requirements.txt changes), so the real-client
    test works on a fresh clone and in CI without a step of its own. It is a virtualenv apart
    from .venv because this repository's mcp/ package and the SDK share the name `mcp`.
    """
    digest = hashlib.sha256(SDK_REQUIREMENTS.read_bytes()).hexdigest()[:16]
    stamp = SDK_VENV / f".installed-{digest}"
    python = SDK_VENV / "bin" / "python"
    if not stamp.exists():
        steps = [
            [sys.executable, "-m", "venv", "--clear", str(SDK_VENV)],
            [str(python), "-m", "pip", "install", "--quiet", "-r", str(SDK_REQUIREMENTS)],
        ]
        for step in steps:
            done = subprocess.run(step, capture_output=True, text=True, timeout=900)
            if done.returncode != 0:
                pytest.fail(f"Could not build {SDK_VENV.name}: {done.stdout}{done.stderr}")
        stamp.touch()
    return python
