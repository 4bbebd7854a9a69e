"""Who may call /mcp: listener tokens see their own listener only; the admin token names one."""

import json
import logging

import pytest

from accounts.models import LogEntry
from mcp import tokens
from mcp.tests.conftest import ADMIN_TOKEN
from plays.tests.query_fixtures import in_window, two_listeners

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _public_base_url(settings):
    settings.PUBLIC_BASE_URL = "https://history.example.org"


CHALLENGE = (
    'Bearer realm="spotify-history", error="invalid_token", resource_metadata='
    '"https://history.example.org/.well-known/oauth-protected-resource/mcp", scope="history:read"'
)


def call(rpc, secret, name, arguments=None, **kwargs):
    return rpc(secret, "tools/call", {"name": name, "arguments": arguments or {}}, **kwargs)


def assert_refused(response):
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == CHALLENGE
    assert response.json()["error"] == "invalid_token"
    assert "Authorization: Bearer <token>" in response.json()["error_description"]


def test_a_request_without_a_token_is_refused_with_the_bearer_challenge(rpc, listener):
    assert_refused(rpc(None, "tools/list"))


def test_an_unknown_token_is_refused(rpc, listener):
    assert_refused(rpc("shm_not-a-real-token", "tools/list"))


def test_a_revoked_token_is_refused_at_once(rpc, listener):
    token, secret = tokens.issue_token(listener)
    assert rpc(secret, "ping").status_code == 200
    tokens.revoke_token(token)
    assert_refused(rpc(secret, "ping"))


def test_another_scheme_is_refused(client, secret):
    response = client.post(
        "/mcp",
        data=json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {secret}",
    )
    assert_refused(response)


def test_a_token_in_the_query_string_is_not_accepted(client, secret):
    response = client.post(
        f"/mcp?access_token={secret}&token={secret}",
        data=json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"}),
        content_type="application/json",
    )
    assert_refused(response)


def test_the_refusal_is_the_same_for_missing_unknown_and_revoked_tokens(rpc, listener):
    token, secret = tokens.issue_token(listener)
    tokens.revoke_token(token)
    bodies = {rpc(s, "ping").content for s in (None, "shm_unknown", secret)}
    assert len(bodies) == 1


def test_an_unset_admin_token_lets_nobody_in(rpc, listener, settings):
    settings.ADMIN_TOKEN = ""
    assert_refused(rpc("", "ping"))
    assert_refused(rpc(" ", "ping"))


def test_the_admin_token_asks_about_the_listener_named_by_user_id(rpc):
    _, alice_plays, _, bob_plays = two_listeners()
    for user_id, plays in (("alice", alice_plays), ("bob", bob_plays)):
        result = call(rpc, ADMIN_TOKEN, "listening_summary", {"user_id": user_id}).json()
        assert result["result"]["structuredContent"]["plays"] == len(in_window(plays))


def test_the_admin_token_must_name_a_listener(rpc, listener):
    result = call(rpc, ADMIN_TOKEN, "sync_status").json()["result"]
    assert result["isError"] is True
    assert "add the argument user_id" in result["content"][0]["text"]


def test_the_admin_token_is_told_when_no_listener_has_that_user_id(rpc, listener):
    result = call(rpc, ADMIN_TOKEN, "sync_status", {"user_id": "mallory"}).json()["result"]
    assert result["isError"] is True
    assert "No listener has the Spotify user id given in user_id" in result["content"][0]["text"]


def test_a_listener_token_naming_another_listener_is_refused(rpc):
    alice, _, _, _ = two_listeners()
    _, secret = tokens.issue_token(alice)
    result = call(rpc, secret, "listening_summary", {"user_id": "bob"}).json()["result"]
    assert result["isError"] is True
    assert "structuredContent" not in result
    assert "answers about listener 'alice' only" in result["content"][0]["text"]


def test_a_listener_token_naming_its_own_listener_is_answered(rpc):
    alice, alice_plays, _, _ = two_listeners()
    _, secret = tokens.issue_token(alice)
    result = call(rpc, secret, "listening_summary", {"user_id": "alice"}).json()["result"]
    assert result["structuredContent"]["plays"] == len(in_window(alice_plays))


def test_one_listeners_token_cannot_read_another_listeners_history(rpc):
    alice, alice_plays, bob, bob_plays = two_listeners()
    _, alice_secret = tokens.issue_token(alice)
    _, bob_secret = tokens.issue_token(bob)

    alice_summary = call(rpc, alice_secret, "listening_summary").json()["result"]
    bob_summary = call(rpc, bob_secret, "listening_summary").json()["result"]
    assert alice_summary["structuredContent"]["plays"] == len(in_window(alice_plays))
    assert bob_summary["structuredContent"]["plays"] == len(in_window(bob_plays))

    # Bob's tracks are all named "... (b)": none may show up through Alice's token.
    for name, arguments in [
        ("recent_plays", {"limit": 50}),
        ("top_tracks", {"limit": 50}),
        ("search_history", {"query": "(b)"}),
        ("sync_status", {}),
    ]:
        answer = call(rpc, alice_secret, name, arguments).json()["result"]["structuredContent"]
        answer.pop("query", None)  # search_history repeats the query it was given
        text = json.dumps(answer, ensure_ascii=False)
        assert "(b)" not in text, name
        assert '"bob"' not in text, name
    found = call(rpc, bob_secret, "search_history", {"query": "(b)"}).json()["result"]
    assert "(b)" in json.dumps(found["structuredContent"]["tracks"], ensure_ascii=False)


def test_calls_are_logged_without_the_token(
    rpc, secret, listener, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.INFO, logger="mcp")
    with django_capture_on_commit_callbacks(execute=True):
        call(rpc, secret, "sync_status")
        call(rpc, ADMIN_TOKEN, "sync_status", {"user_id": "alice"})
    entries = LogEntry.objects.filter(event="mcp.tool_call").order_by("id")
    assert [e.context["caller"] for e in entries] == [f"token {secret[:10]}", "admin token"]
    assert all(e.listener_id == listener.pk for e in entries)
    assert entries[0].context["tool"] == "sync_status"
    assert entries[0].context["outcome"] == "ok"
    stored = json.dumps([[e.message, e.context] for e in LogEntry.objects.all()])
    assert secret not in stored
    assert ADMIN_TOKEN not in stored
    assert secret not in caplog.text
    assert ADMIN_TOKEN not in caplog.text
