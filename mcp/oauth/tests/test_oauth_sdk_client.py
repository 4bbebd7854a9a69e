"""The official MCP Python SDK's OAuth client (`mcp` 2.3.0, OAuthClientProvider) against the live
server: pasting the URL is all it is given.

The SDK runs in its own virtualenv (see mcp/tests/conftest.py `sdk_python`) and drives
mcp/tests/sdk_client/run_oauth_client.py: discovery from the 401, registration (Dynamic Client
Registration, or a client ID metadata document this test serves over HTTPS), the Spotify login
through the stand-in, the consent page, the token exchange, tools/list and a tool call that must
return alice's history and not bob's, a refresh, and a revocation after which nothing works.
"""

import json
import subprocess
from pathlib import Path

import pytest

from mcp.oauth.models import Application, Connection
from mcp.oauth.tests.cimd_server import CimdServer
from mcp.oauth.tests.conftest import use_public_base_url
from mcp.tests.conftest import sdk_python  # noqa: F401 - the session fixture
from plays.tests.query_fixtures import in_window, two_listeners
from spotify_standin import StandinServer

pytestmark = pytest.mark.django_db(transaction=True)

RUNNER = Path(__file__).parents[2] / "tests" / "sdk_client" / "run_oauth_client.py"
CLIENT_ID, CLIENT_SECRET = "sdk-oauth-spotify-app", "sdk-oauth-spotify-secret"
REDIRECT = "http://127.0.0.1:47613/callback"


@pytest.fixture
def app(live_server, settings):
    with StandinServer("127.0.0.1", 0, client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as standin:
        standin.state.authorize_as("alice")
        settings.SPOTIFY_ACCOUNTS_BASE_URL = standin.url
        settings.SPOTIFY_API_BASE_URL = standin.api_url
        settings.SPOTIFY_CLIENT_ID = CLIENT_ID
        settings.SPOTIFY_CLIENT_SECRET = CLIENT_SECRET
        settings.SPOTIFY_REDIRECT_URI = f"{live_server.url}/auth/callback"
        use_public_base_url(settings, live_server.url)
        yield live_server


@pytest.fixture
def histories(db):
    _, alice_plays, _, bob_plays = two_listeners()
    return len(in_window(alice_plays)), len(in_window(bob_plays))


def run_sdk(sdk_python, tmp_path, spec):  # noqa: F811 - the fixture's value
    done = subprocess.run(
        [str(sdk_python), "-P", str(RUNNER)],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout)


def spec(app, mode, **extra):
    return {
        "url": f"{app.url}/mcp",
        "mode": mode,
        "redirect_uri": REDIRECT,
        "tool": {"name": "listening_summary", "arguments": {}},
        **extra,
    }


def requests_to(seen, path, **match):
    return [
        r
        for r in seen["requests"]
        if r["path"] == path and all(r.get(k) == v for k, v in match.items())
    ]


def assert_connected_to_alice_only(seen, histories):
    alice_plays, bob_plays = histories
    assert alice_plays != bob_plays
    assert seen["consent_title"] == "Connect SDK OAuth test?" or seen["consent_title"].startswith(
        "Connect Metadata Assistant"
    )
    assert seen["redirect_params"] == ["code", "iss", "state"]
    assert "listening_summary" in seen["tools"]
    for phase in ("connect", "refresh"):
        answer = seen["phases"][phase]
        assert answer["is_error"] is False
        assert answer["structured"]["plays"] == alice_plays


def assert_refreshed_then_revoked(seen):
    assert requests_to(seen, "/oauth/token", grant_type="authorization_code", status=200)
    assert requests_to(seen, "/oauth/token", grant_type="refresh_token", status=200)
    assert seen["refresh_rotated"] is True
    assert seen["revocation_status"] == 200
    assert seen["phases"]["revoked"].get("error")
    assert seen["reauthorization_requested"] is True
    assert seen["revoked_refresh_status"] == 400


def test_the_sdk_discovers_registers_logs_in_and_reads_alices_history(
    app,
    histories,
    sdk_python,  # noqa: F811
    tmp_path,
):
    seen = run_sdk(sdk_python, tmp_path, spec(app, "legacy"))
    assert seen["protocol_version"] == "2025-11-25"
    first = seen["requests"][0]
    assert (first["method"], first["path"], first["status"]) == ("POST", "/mcp", 401)
    metadata_url = f"{app.url}/.well-known/oauth-protected-resource/mcp"
    assert f'resource_metadata="{metadata_url}"' in first["www_authenticate"]
    # Discovery follows the header, then this server's RFC 8414 metadata; then DCR.
    paths = [r["path"] for r in seen["requests"]]
    assert paths[1:4] == [
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/oauth-authorization-server",
        "/oauth/register",
    ]
    assert_connected_to_alice_only(seen, histories)
    assert_refreshed_then_revoked(seen)
    application = Application.objects.get(client_id=seen["client_id"])
    assert application.registration_source == Application.RegistrationSource.DCR
    connection = Connection.objects.get(application=application)
    assert connection.listener.spotify_user_id == "alice"
    assert connection.last_used_at is not None


def test_the_sdk_connects_with_a_client_id_metadata_document(
    app,
    histories,
    sdk_python,  # noqa: F811
    tmp_path,
    monkeypatch,
    settings,
):
    settings.MCP_OAUTH_CIMD_ALLOW_LOOPBACK = True
    with CimdServer([REDIRECT]) as documents:
        documents.trust(monkeypatch, tmp_path)
        client_id = documents.url("/client.json")
        seen = run_sdk(sdk_python, tmp_path, spec(app, "auto", client_metadata_url=client_id))
        assert documents.hits["/client.json"] == 1
    assert seen["protocol_version"] == "2026-07-28"
    assert seen["client_id"] == client_id
    assert not requests_to(seen, "/oauth/register")
    assert_connected_to_alice_only(seen, histories)
    assert_refreshed_then_revoked(seen)
    application = Application.objects.get(client_id=client_id)
    assert application.registration_source == Application.RegistrationSource.CIMD
