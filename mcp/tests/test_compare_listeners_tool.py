"""compare_listeners over MCP: a refusal for a handle of nobody and one for a listener who doesn't
share are the same bytes (no way to tell who exists); two sharing listeners get an answer."""

import json

import pytest

from accounts.models import Listener
from mcp import tokens
from plays.tests.query_fixtures import build_history

pytestmark = pytest.mark.django_db


def call(client, secret, args):
    return client.post(
        "/mcp/call",
        data=json.dumps({"tool": "compare_listeners", "args": args}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )


def test_nobody_and_a_listener_who_does_not_share_get_the_same_answer(client, listener, secret):
    listener.start_sharing()
    quiet = Listener.objects.create(spotify_user_id="quiet", display_name="Quiet Quinn")
    build_history(quiet, "q", 3, 50)
    answers = [
        call(client, secret, {"handle": handle})
        for handle in ("no-such-handle-at-all", "quiet", "Quiet Quinn")
    ]
    quiet.start_sharing()
    handle = quiet.share_handle
    quiet.stop_sharing()  # a handle that worked once names nobody now
    answers.append(call(client, secret, {"handle": handle}))
    assert {(a.status_code, a.content) for a in answers} == {
        (answers[0].status_code, answers[0].content)
    }
    assert answers[0].status_code == 400
    assert b"quiet" not in answers[0].content.lower()


def test_two_listeners_who_share_are_compared(client, listener, secret):
    build_history(listener, "a", 1, 80)
    friend = Listener.objects.create(spotify_user_id="friend")
    build_history(friend, "a", 2, 80)
    listener.start_sharing()
    friend.start_sharing()
    answer = call(client, secret, {"handle": friend.share_handle, "limit": 3})
    assert answer.status_code == 200, answer.content
    result = answer.json()["result"]
    assert result["shared_tracks"] > 0 and len(result["tracks"]) == 3
    assert result["excluded_artists"] == 0
    assert "friend" not in json.dumps(result), "the other listener's id is never in the answer"


def test_the_caller_must_share_too(client, listener, secret):
    friend = Listener.objects.create(spotify_user_id="friend")
    friend.start_sharing()
    answer = call(client, secret, {"handle": friend.share_handle})
    assert answer.status_code == 400
    assert "turn yours on" in answer.json()["error"]
    other_secret = tokens.issue_token(friend, name="t")[1]
    assert call(client, other_secret, {"handle": "anything"}).status_code == 400
