"""resources/* and prompts/* on /mcp: a listener's sync status and summary, "year in review",
and "my year's favourites, as a playlist"."""

import json

import pytest
from django.utils import timezone

from accounts.models import Listener
from mcp import tokens
from mcp.tests.conftest import ADMIN_TOKEN
from plays.tests.query_fixtures import build_history, in_window

pytestmark = pytest.mark.django_db


def test_a_listener_token_lists_its_own_two_resources(rpc, secret):
    resources = rpc(secret, "resources/list").json()["result"]["resources"]
    assert [r["uri"] for r in resources] == [
        "spotify-history://me/sync-status",
        "spotify-history://me/summary",
    ]
    assert all(r["mimeType"] == "application/json" for r in resources)
    assert resources[0]["title"] == "Sync status (alice)"


def test_the_admin_token_lists_every_listeners_resources(rpc, listener):
    Listener.objects.create(spotify_user_id="bob")
    uris = [r["uri"] for r in rpc(ADMIN_TOKEN, "resources/list").json()["result"]["resources"]]
    assert uris == [
        "spotify-history://listeners/alice/sync-status",
        "spotify-history://listeners/alice/summary",
        "spotify-history://listeners/bob/sync-status",
        "spotify-history://listeners/bob/summary",
    ]


def test_resource_templates_name_a_listener_by_user_id(rpc, secret):
    result = rpc(secret, "resources/templates/list").json()["result"]
    assert [t["uriTemplate"] for t in result["resourceTemplates"]] == [
        "spotify-history://listeners/{user_id}/sync-status",
        "spotify-history://listeners/{user_id}/summary",
    ]


def test_reading_the_summary_gives_the_summary_tools_answer(rpc, secret, listener):
    plays = build_history(listener)
    uri = "spotify-history://me/summary"
    contents = rpc(secret, "resources/read", {"uri": uri}).json()["result"]["contents"]
    assert len(contents) == 1
    assert contents[0]["uri"] == uri
    assert contents[0]["mimeType"] == "application/json"
    assert json.loads(contents[0]["text"])["plays"] == len(in_window(plays))


def test_reading_sync_status_in_2026_is_a_cacheable_read(rpc, secret):
    uri = "spotify-history://me/sync-status"
    result = rpc(secret, "resources/read", {"uri": uri}, modern=True).json()["result"]
    assert json.loads(result["contents"][0]["text"])["listener"] == "alice"
    assert (result["cacheScope"], result["ttlMs"], result["resultType"]) == (
        "private",
        0,
        "complete",
    )


def test_a_listener_may_read_its_own_resource_by_user_id(rpc, secret):
    uri = "spotify-history://listeners/alice/sync-status"
    contents = rpc(secret, "resources/read", {"uri": uri}).json()["result"]["contents"]
    assert json.loads(contents[0]["text"])["listener"] == "alice"


def test_a_listener_token_cannot_read_another_listeners_resource(rpc, secret):
    Listener.objects.create(spotify_user_id="bob")
    uri = "spotify-history://listeners/bob/summary"
    error = rpc(secret, "resources/read", {"uri": uri}).json()["error"]
    assert error["code"] == -32602
    assert "answers about listener 'alice' only" in error["message"]


def test_the_admin_token_reads_a_named_listeners_resource(rpc, listener):
    uri = "spotify-history://listeners/alice/sync-status"
    contents = rpc(ADMIN_TOKEN, "resources/read", {"uri": uri}).json()["result"]["contents"]
    assert json.loads(contents[0]["text"])["listener"] == "alice"


def test_the_admin_token_is_told_to_name_a_listener_for_a_me_resource(rpc, listener):
    error = rpc(ADMIN_TOKEN, "resources/read", {"uri": "spotify-history://me/summary"}).json()
    assert "spotify-history://listeners/{user_id}/summary" in error["error"]["message"]


@pytest.mark.parametrize(
    "uri",
    [
        "spotify-history://me/passwords",
        "file:///etc/passwd",
        "spotify-history://listeners//summary",
        "spotify-history://me/summary/extra",
    ],
)
def test_an_unknown_resource_is_invalid_params_naming_the_uri(rpc, secret, uri):
    error = rpc(secret, "resources/read", {"uri": uri}).json()["error"]
    assert error["code"] == -32602
    assert error["data"] == {"uri": uri}


def test_reading_without_a_uri_is_invalid_params(rpc, secret):
    assert rpc(secret, "resources/read", {}).json()["error"]["code"] == -32602


def test_prompts_list_offers_year_in_review_with_an_optional_year(rpc, secret):
    prompts = rpc(secret, "prompts/list").json()["result"]["prompts"]
    assert [p["name"] for p in prompts] == [
        "year_in_review",
        "year_favourites_playlist",
        "rediscover",
        "how_my_taste_changed",
        "my_listening_habits",
    ]
    assert prompts[0]["arguments"] == [
        {
            "name": "year",
            "description": "The year to review, e.g. 2024. Default: last year.",
            "required": False,
        }
    ]


def test_year_in_review_asks_for_that_year_with_the_tools(rpc, secret):
    params = {"name": "year_in_review", "arguments": {"year": "2024"}}
    result = rpc(secret, "prompts/get", params).json()["result"]
    assert result["description"] == "Year in review: 2024"
    [message] = result["messages"]
    assert message["role"] == "user"
    text = message["content"]["text"]
    assert "start='2024-01-01' and end='2024-12-31'" in text
    assert "compare_periods with 2023" in text
    for tool in ("listening_summary", "top_artists", "discoveries", "listening_timeline"):
        assert tool in text


def test_year_in_review_defaults_to_last_year(rpc, secret):
    result = rpc(secret, "prompts/get", {"name": "year_in_review"}, modern=True).json()["result"]
    assert result["description"] == f"Year in review: {timezone.now().year - 1}"
    assert result["resultType"] == "complete"


@pytest.mark.parametrize("year", ["24", "next year", "3000", 2024.5])
def test_year_in_review_refuses_a_year_that_is_not_one(rpc, secret, year):
    params = {"name": "year_in_review", "arguments": {"year": year}}
    error = rpc(secret, "prompts/get", params).json()["error"]
    assert error["code"] == -32602
    assert "four-digit year" in error["message"]


def test_the_playlist_prompt_reviews_the_year_then_makes_it_a_playlist(rpc, secret):
    params = {"name": "year_favourites_playlist", "arguments": {"year": "2019"}}
    result = rpc(secret, "prompts/get", params).json()["result"]
    assert result["description"] == "My year's favourites, as a playlist: 2019"
    text = result["messages"][0]["content"]["text"]
    assert "start='2019-01-01' and end='2019-12-31'" in text
    review, _, playlist = text.partition("make it a playlist")
    assert "top_tracks" in review and "get_taste_profile" in review
    assert "create_playlist" in playlist and "'My 2019 favourites'" in playlist
    assert "spotify_id of each top_tracks row in rank order" in playlist


def test_rediscover_asks_for_forgotten_favourites_of_a_year_or_ever(rpc, secret):
    params = {"name": "rediscover", "arguments": {"year": "2019"}}
    result = rpc(secret, "prompts/get", params).json()["result"]
    assert result["description"] == "Rediscover forgotten favourites: 2019"
    text = result["messages"][0]["content"]["text"]
    assert "forgotten_favorites with start='2019-01-01' and end='2019-12-31'" in text
    assert "create_playlist" in text and "get_taste_profile" in text
    result = rpc(secret, "prompts/get", {"name": "rediscover"}).json()["result"]
    assert result["description"] == "Rediscover forgotten favourites: ever"
    assert "whole history" in result["messages"][0]["content"]["text"]


def test_how_my_taste_changed_compares_two_years(rpc, secret):
    params = {
        "name": "how_my_taste_changed",
        "arguments": {"first_year": "2019", "second_year": "2024"},
    }
    result = rpc(secret, "prompts/get", params).json()["result"]
    assert result["description"] == "How my taste changed: 2019 to 2024"
    text = result["messages"][0]["content"]["text"]
    assert "first_start='2019', first_end='2019', second_start='2024'" in text
    for tool in ("compare_periods", "number_ones", "rank_history", "discoveries"):
        assert tool in text
    last = timezone.now().year - 1
    result = rpc(secret, "prompts/get", {"name": "how_my_taste_changed"}).json()["result"]
    assert result["description"] == f"How my taste changed: {last - 5} to {last}"
    params = {
        "name": "how_my_taste_changed",
        "arguments": {"first_year": "2024", "second_year": "2020"},
    }
    error = rpc(secret, "prompts/get", params).json()["error"]
    assert (error["code"], error["message"]) == (-32602, "first_year must come before second_year.")


def test_my_listening_habits_asks_for_sessions_streaks_and_the_heatmap(rpc, secret):
    params = {"name": "my_listening_habits", "arguments": {"year": "2023"}}
    result = rpc(secret, "prompts/get", params).json()["result"]
    assert result["description"] == "My listening habits: 2023"
    text = result["messages"][0]["content"]["text"]
    for tool in (
        "listening_sessions",
        "listening_streaks",
        "listening_heatmap",
        "history_coverage",
    ):
        assert tool in text
    assert "start='2023-01-01' and end='2023-12-31'" in text
    params = {"name": "my_listening_habits", "arguments": {"year": "next year"}}
    error = rpc(secret, "prompts/get", params).json()["error"]
    assert error["code"] == -32602 and "four-digit year" in error["message"]
    assert "next year" not in error["message"]


def test_an_unknown_prompt_is_invalid_params(rpc, secret):
    error = rpc(secret, "prompts/get", {"name": "roast_my_taste"}).json()["error"]
    assert error["code"] == -32602
    assert error["message"].startswith("Unknown prompt")
    assert error["data"] == {"name": "roast_my_taste"}


def test_resources_and_prompts_need_a_token_like_everything_else(rpc, listener):
    revoked, secret = tokens.issue_token(listener)
    tokens.revoke_token(revoked)
    assert rpc(secret, "resources/list").status_code == 401
    assert rpc(None, "prompts/list").status_code == 401
