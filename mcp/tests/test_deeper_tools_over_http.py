"""Issue 15's tools answer on /mcp and on the plain-HTTP twin /mcp/call alike, with what
plays.queries says, for the token's own listener only."""

import pytest

from mcp.tests.test_mcp_plain_http import post_call
from plays import queries
from plays.tests.query_fixtures import build_history, catalogue

pytestmark = pytest.mark.django_db

CALLS = {
    "listening_sessions": (
        {"gap_minutes": 60},
        lambda who: queries.listening_sessions(who, gap_minutes=60),
    ),
    "listening_streaks": (
        {"artist": "Echo Lane"},
        lambda who: queries.listening_streaks(who, artist="Echo Lane"),
    ),
    "rank_history": (
        {"kind": "artist", "item": "Dawn Patrol", "granularity": "year"},
        lambda who: queries.rank_history(who, "artist", "Dawn Patrol", granularity="year"),
    ),
    "number_ones": ({"kind": "album"}, lambda who: queries.number_ones(who, "album")),
    "forgotten_favorites": (
        {"quiet_days": 400},
        lambda who: {
            **queries.forgotten_favorites(who, quiet_days=400),
            "quiet_since": None,
        },
    ),
    "heard_before": (
        {"entries": [{"artist": "echo lane"}, {"spotify_id": "spotify:track:" + "z" * 22}]},
        lambda who: queries.heard_before(
            who, [{"artist": "echo lane"}, {"spotify_id": "spotify:track:" + "z" * 22}]
        ),
    ),
    "history_coverage": (
        {"min_gap_days": 30},
        lambda who: queries.history_coverage(who, min_gap_days=30),
    ),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_each_new_tool_answers_the_same_on_both_ways_in(client, secret, listener, rpc, name):
    build_history(listener)
    arguments, expected = CALLS[name]
    response = post_call(client, secret, {"tool": name, "args": arguments})
    assert response.status_code == 200, response.json()
    plain = response.json()["result"]
    mcp = rpc(secret, "tools/call", {"name": name, "arguments": arguments}).json()["result"]
    assert mcp["isError"] is False
    answer = expected(listener)
    if name == "forgotten_favorites":  # "now - quiet_days", to the microsecond of each call
        plain["quiet_since"] = mcp["structuredContent"]["quiet_since"] = None
    assert plain == mcp["structuredContent"] == answer


def test_the_new_tools_are_listed_read_only_on_get_tools(client, secret):
    listed = {
        tool["name"]: tool
        for tool in client.get("/mcp/tools", HTTP_AUTHORIZATION=f"Bearer {secret}").json()["tools"]
    }
    for name in CALLS:
        assert listed[name]["annotations"]["readOnlyHint"] is True
        assert listed[name]["annotations"]["destructiveHint"] is False


def test_a_token_sees_only_its_own_listener(client, secret, listener):
    from accounts.models import Listener

    bob = Listener.objects.create(spotify_user_id="bob")
    build_history(bob, "b", 2, 100)
    build_history(listener, "a", 1, 50)
    bob_track = catalogue("b")[0][0]
    response = post_call(
        client,
        secret,
        {"tool": "heard_before", "args": {"entries": [{"spotify_id": bob_track.uri}]}},
    )
    assert response.json()["result"]["entries"][0]["heard"] is False
    response = post_call(client, secret, {"tool": "history_coverage", "args": {"user_id": "bob"}})
    assert response.status_code == 403
