"""Tools that change something (playlists, the taste profile: every tool not annotated read-only)
answer an OAuth access token only when the listener granted `history:write` on the consent page.
A read-only token gets the MCP authorization spec's scope challenge: 403 with
`WWW-Authenticate: Bearer error="insufficient_scope", scope="history:read history:write"`, on /mcp
and /mcp/call alike, and nothing changes. tools/list still shows every tool; the listener's own
MCP tokens keep full access. The consent page says in plain words whether the client may change
things, and lets the listener allow reading only."""

import json

import pytest

from mcp import tokens
from mcp.oauth.tests.conftest import (
    authorize_url,
    exchange,
    log_in,
    mcp_call,
    pkce,
    redirect_params,
)
from mcp.tools import TOOLS
from plays import taste
from plays.models import TasteProfile

pytestmark = pytest.mark.django_db

READ_AND_WRITE = "history:read history:write"
PATCH = {"genres": {"likes": ["jazz"]}}


def connect_with(client, listener, client_id, scope, decision="allow"):
    """The whole flow asking for `scope` and answering `decision`; the token response JSON."""
    log_in(client, listener)
    verifier, challenge = pkce()
    url = authorize_url(client_id, challenge, scope=scope)
    assert client.get(url).status_code == 200
    params = redirect_params(client.post(url, {"decision": decision}))
    response = exchange(client, client_id, params["code"], verifier)
    assert response.status_code == 200, response.content
    return response.json()


def update_taste(client, access_token):
    return mcp_call(
        client,
        access_token,
        "tools/call",
        {"name": "update_taste_profile", "arguments": {"patch": PATCH}},
    )


def profile_of(listener):
    row = TasteProfile.objects.filter(listener=listener).first()
    return row.document if row else {}


def test_a_read_only_token_gets_403_insufficient_scope_for_a_tool_that_changes_things(
    client, bob, registered
):
    token = connect_with(client, bob, registered, "history:read")
    assert token["scope"] == "history:read"
    response = update_taste(client, token["access_token"])
    assert response.status_code == 403
    challenge = response["WWW-Authenticate"]
    assert 'error="insufficient_scope"' in challenge
    assert f'scope="{READ_AND_WRITE}"' in challenge
    assert "resource_metadata=" in challenge
    error = response.json()["error"]
    assert "allow changes" in error["message"]
    assert error["data"]["error"] == "insufficient_scope"
    assert profile_of(bob) == {}


def test_every_tool_that_changes_things_is_refused_to_a_read_only_token(client, bob, registered):
    token = connect_with(client, bob, registered, "history:read")["access_token"]
    writers = [tool for tool in TOOLS if tool.writes]
    assert {"update_taste_profile", "add_preference", "clear_taste_profile"} <= {
        tool.name for tool in writers
    }
    assert {"create_playlist", "add_to_playlist"} <= {tool.name for tool in writers}
    for tool in writers:
        response = mcp_call(client, token, "tools/call", {"name": tool.name, "arguments": {}})
        assert response.status_code == 403, tool.name
        assert 'error="insufficient_scope"' in response["WWW-Authenticate"]


def test_the_plain_http_call_refuses_a_read_only_token_the_same_way(client, bob, registered):
    token = connect_with(client, bob, registered, "history:read")["access_token"]
    response = client.post(
        "/mcp/call",
        data={"tool": "add_preference", "args": {"kind": "like", "text": "jazz"}},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 403
    assert 'error="insufficient_scope"' in response["WWW-Authenticate"]
    assert "allow changes" in response.json()["error"]
    assert taste.view(bob)["events"] == []


def test_a_read_only_token_still_lists_every_tool_and_reads(client, bob, registered):
    token = connect_with(client, bob, registered, "history:read")["access_token"]
    listed = {tool["name"] for tool in mcp_call(client, token).json()["result"]["tools"]}
    assert {"update_taste_profile", "create_playlist", "add_preference"} <= listed
    response = mcp_call(client, token, "tools/call", {"name": "get_taste_profile", "arguments": {}})
    assert response.status_code == 200
    assert response.json()["result"]["isError"] is False


def test_a_token_with_the_write_scope_changes_the_taste_profile(client, bob, registered):
    token = connect_with(client, bob, registered, READ_AND_WRITE)
    assert set(token["scope"].split()) == {"history:read", "history:write"}
    response = update_taste(client, token["access_token"])
    assert response.status_code == 200
    assert response.json()["result"]["isError"] is False
    assert profile_of(bob) == PATCH


def test_asking_to_write_alone_also_grants_reading(client, bob, registered):
    token = connect_with(client, bob, registered, "history:write")
    assert set(token["scope"].split()) == {"history:read", "history:write"}
    assert mcp_call(client, token["access_token"]).status_code == 200


def test_the_listener_can_allow_reading_only_when_changes_are_asked_for(client, bob, registered):
    token = connect_with(client, bob, registered, READ_AND_WRITE, decision="allow_read")
    assert token["scope"] == "history:read"
    assert update_taste(client, token["access_token"]).status_code == 403
    assert profile_of(bob) == {}


def test_the_consent_page_says_in_plain_words_whether_the_client_may_change_things(
    client, bob, registered
):
    log_in(client, bob)
    _, challenge = pkce()
    read_only = client.get(authorize_url(registered, challenge)).content.decode()
    assert "change anything (no playlists, no taste profile)" in read_only
    assert "It asks to change things" not in read_only
    assert "allow_read" not in read_only

    writing = client.get(
        authorize_url(registered, challenge, scope=READ_AND_WRITE)
    ).content.decode()
    assert "It asks to change things" in writing
    assert "create Spotify playlists" in writing
    assert "update or clear your remembered taste profile" in writing
    assert "Allow reading only" in writing
    assert "change anything (no playlists" not in writing


def test_the_metadata_advertises_the_write_scope(client):
    for path in (
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/oauth-authorization-server",
    ):
        assert client.get(path).json()["scopes_supported"] == ["history:read", "history:write"]


def test_a_listeners_own_mcp_token_keeps_full_access(client, bob):
    _, secret = tokens.issue_token(bob)
    response = update_taste(client, secret)
    assert response.status_code == 200
    assert json.loads(response.json()["result"]["content"][0]["text"])["profile"] == PATCH
