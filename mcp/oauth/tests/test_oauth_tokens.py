"""OAuth tokens at /mcp and the token endpoint: a listener's token reads that listener only;
refresh tokens rotate and a replay revokes the grant; expired, revoked, foreign-resource and
registration tokens are refused like unknown ones."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mcp.oauth.models import AccessToken, Application, RefreshToken
from mcp.oauth.tests.conftest import PUBLIC, issued_tokens, mcp_call, refresh
from plays.tests.query_fixtures import in_window, two_listeners

pytestmark = pytest.mark.django_db

CHALLENGE_START = 'Bearer realm="spotify-history", error="invalid_token", resource_metadata='


def summary(client, access_token, arguments=None):
    return mcp_call(
        client,
        access_token,
        "tools/call",
        {"name": "listening_summary", "arguments": arguments or {}},
    )


def assert_refused(response):
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith(CHALLENGE_START)
    assert f'"{PUBLIC}/.well-known/oauth-protected-resource/mcp"' in response["WWW-Authenticate"]
    assert response.json()["error"] == "invalid_token"


def test_an_access_token_reads_its_own_listener_and_never_another(client, registered, connect):
    alice, alice_plays, _bob, _ = two_listeners()
    tokens = connect(alice, registered)
    answer = summary(client, tokens["access_token"]).json()["result"]
    assert answer["structuredContent"]["plays"] == len(in_window(alice_plays))
    refused = summary(client, tokens["access_token"], {"user_id": "bob"}).json()["result"]
    assert refused["isError"] is True
    assert tools_listed(client, tokens["access_token"]) > 0


def tools_listed(client, access_token):
    return len(mcp_call(client, access_token).json()["result"]["tools"])


def test_each_listener_gets_their_own_data_through_the_same_assistant(client, registered, connect):
    alice, alice_plays, bob, bob_plays = two_listeners()
    alice_token = connect(alice, registered)["access_token"]
    bob_token = connect(bob, registered)["access_token"]
    assert summary(client, alice_token).json()["result"]["structuredContent"]["plays"] == len(
        in_window(alice_plays)
    )
    assert summary(client, bob_token).json()["result"]["structuredContent"]["plays"] == len(
        in_window(bob_plays)
    )


def test_a_refresh_rotates_both_tokens_and_the_new_ones_work(client, registered, connect, listener):
    first = connect(listener, registered)
    second = refresh(client, registered, first["refresh_token"])
    assert second.status_code == 200
    second = second.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert mcp_call(client, second["access_token"]).status_code == 200
    assert_refused(mcp_call(client, first["access_token"]))


def test_a_refresh_token_used_twice_revokes_the_whole_grant(client, registered, connect, listener):
    first = connect(listener, registered)
    second = refresh(client, registered, first["refresh_token"]).json()
    replay = refresh(client, registered, first["refresh_token"])
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    # The replay revoked the family: the legitimate holder's tokens died with it.
    assert_refused(mcp_call(client, second["access_token"]))
    assert refresh(client, registered, second["refresh_token"]).status_code == 400
    assert not RefreshToken.objects.filter(revoked__isnull=True).exists()


def test_an_expired_access_token_is_refused(client, registered, connect, listener):
    tokens = connect(listener, registered)
    issued_tokens().update(expires=timezone.now() - timedelta(seconds=1))
    assert_refused(mcp_call(client, tokens["access_token"]))


def test_a_token_issued_for_another_resource_is_refused(client, registered, connect, listener):
    tokens = connect(listener, registered)
    issued_tokens().update(resource=["https://elsewhere.example/mcp"])
    assert_refused(mcp_call(client, tokens["access_token"]))
    issued_tokens().update(resource=[])  # unrestricted tokens are not for /mcp either
    assert_refused(mcp_call(client, tokens["access_token"]))


def test_a_token_follows_the_public_base_url_not_the_host_header(
    client, registered, connect, listener, settings
):
    tokens = connect(listener, registered)
    assert mcp_call(client, tokens["access_token"]).status_code == 200
    settings.PUBLIC_BASE_URL = "https://moved.example.org"
    moved = mcp_call(client, tokens["access_token"])
    assert moved.status_code == 401
    assert "https://moved.example.org/.well-known/" in moved["WWW-Authenticate"]


def test_the_dcr_registration_token_is_not_an_mcp_token(client, register):
    registration = register().json()
    assert_refused(mcp_call(client, registration["registration_access_token"]))
    assert AccessToken.objects.filter(user__isnull=True).count() == 1


def test_revoking_the_refresh_token_ends_access_and_refresh(client, registered, connect, listener):
    tokens = connect(listener, registered)
    response = client.post(
        "/oauth/revoke",
        {
            "token": tokens["refresh_token"],
            "token_type_hint": "refresh_token",
            "client_id": registered,
        },
    )
    assert response.status_code == 200
    assert_refused(mcp_call(client, tokens["access_token"]))
    assert refresh(client, registered, tokens["refresh_token"]).status_code == 400


def test_revoking_the_access_token_also_revokes_its_refresh_token(
    client, registered, connect, listener
):
    tokens = connect(listener, registered)
    client.post("/oauth/revoke", {"token": tokens["access_token"], "client_id": registered})
    assert_refused(mcp_call(client, tokens["access_token"]))
    assert refresh(client, registered, tokens["refresh_token"]).status_code == 400


def test_another_client_cannot_revoke_a_token(client, registered, register, connect, listener):
    tokens = connect(listener, registered)
    other = register(client_name="Other").json()["client_id"]
    client.post("/oauth/revoke", {"token": tokens["access_token"], "client_id": other})
    assert mcp_call(client, tokens["access_token"]).status_code == 200


def test_a_client_dropped_from_the_allow_list_loses_access(
    client, registered, connect, listener, settings
):
    tokens = connect(listener, registered)
    settings.MCP_OAUTH_ALLOWED_CLIENTS = ["https://only.example/client.json"]
    assert_refused(mcp_call(client, tokens["access_token"]))
    settings.MCP_OAUTH_ALLOWED_CLIENTS = [registered]
    assert mcp_call(client, tokens["access_token"]).status_code == 200


def test_deleting_the_listener_deletes_their_tokens(client, registered, connect, listener):
    tokens = connect(listener, registered)
    listener.delete()
    assert not issued_tokens().exists()
    assert not RefreshToken.objects.exists()
    assert Application.objects.filter(client_id=registered).exists()
    assert_refused(mcp_call(client, tokens["access_token"]))


def test_use_is_recorded_on_the_connection(client, registered, connect, listener):
    tokens = connect(listener, registered)
    connection = listener.assistant_connections.get()
    assert connection.last_used_at is None
    mcp_call(client, tokens["access_token"])
    connection.refresh_from_db()
    assert connection.last_used_at is not None


def test_the_rate_limit_counts_an_assistant_like_a_token(
    client, registered, connect, listener, settings
):
    tokens = connect(listener, registered)
    settings.MCP_RATE_LIMIT_PER_MINUTE = 2
    statuses = [mcp_call(client, tokens["access_token"]).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
