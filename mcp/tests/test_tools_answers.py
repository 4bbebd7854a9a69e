"""Every history tool's answer fits its outputSchema, is plain JSON, and is what plays.queries
says. (The Spotify, memory and operator tools have their own files: test_spotify_tools.py,
test_taste_profile_tools.py, test_operator_tools.py.)"""

import json
from zoneinfo import ZoneInfo

import pytest

from mcp.tools import call_tool, resolve_tool, schema_problem
from mcp.tools.history import HISTORY_TOOLS
from plays import queries
from plays.queries import Window
from plays.tests.query_fixtures import two_listeners

pytestmark = pytest.mark.django_db

CALLS = {
    "recent_plays": [{}, {"limit": 3, "days": 5000, "timezone": "Asia/Tokyo"}],
    "top_artists": [{}, {"start": "2024", "end": "2024", "by": "time", "limit": 3}],
    "top_tracks": [{}, {"start": "2021-03-14T13:37:00", "end": "2023-07", "limit": 100}],
    "top_albums": [{}, {"days": 3000, "timezone": "America/New_York"}],
    "listening_summary": [{}, {"start": "2023-12-31", "end": "2024-01-01", "timezone": "UTC"}],
    "listening_timeline": [{}, {"granularity": "day", "start": "2024-03-25", "end": "2024-04-02"}],
    "listening_heatmap": [{}, {"timezone": "Asia/Kolkata", "start": "2022"}],
    "discoveries": [{}, {"start": "2024", "limit": 2}],
    "compare_periods": [
        {"first_start": "2022", "first_end": "2022", "second_start": "2023"},
        {"first_start": "2019-01-01", "second_start": "2024-06", "second_end": "2024-06"},
    ],
    "search_history": [{"query": "song"}, {"query": "daily", "start": "2020", "limit": 1}],
    "item_history": [{"item": "Intro"}, {"item": "Long Book", "kind": "show"}],
    "podcasts": [{}, {"end": "2022-12-31", "limit": 1}],
    "sync_status": [{}, {"timezone": "Australia/Lord_Howe"}],
    "listening_sessions": [{}, {"start": "2024-03-30", "end": "2024-04-01", "gap_minutes": 240}],
    "listening_streaks": [{}, {"artist": "Cold Rivers", "start": "2022", "limit": 2}],
    "rank_history": [
        {"kind": "artist", "item": "Cold Rivers"},
        {"kind": "track", "item": "Intro", "granularity": "year", "timezone": "UTC"},
    ],
    "number_ones": [{"kind": "album"}, {"kind": "track", "granularity": "week", "start": "2024"}],
    "forgotten_favorites": [{}, {"start": "2019", "end": "2021", "quiet_days": 30, "limit": 2}],
    "heard_before": [
        {"entries": [{"artist": "bjork tribute"}, {"spotify_id": "nothing"}]},
        {"entries": [{"artist": "Cold Rivers", "track": "Intro - Live"}]},
    ],
    "history_coverage": [{}, {"min_gap_days": 60, "timezone": "Asia/Kolkata"}],
}


def test_every_history_tool_is_exercised_here():
    assert set(CALLS) == {tool.name for tool in HISTORY_TOOLS}


@pytest.mark.parametrize("tool", HISTORY_TOOLS, ids=lambda tool: tool.name)
def test_the_answer_fits_the_output_schema_and_survives_json(tool):
    alice, _, _, _ = two_listeners()
    for arguments in CALLS[tool.name]:
        outcome = call_tool(tool, arguments, alice)
        assert outcome.error is None, outcome.error
        assert schema_problem(tool.output_schema, outcome.structured, tool.name) is None
        assert json.loads(json.dumps(outcome.structured)) == outcome.structured


def test_the_tool_passes_windows_and_zones_on_to_the_queries():
    alice, _, _, _ = two_listeners()
    paris, tokyo = ZoneInfo("Europe/Paris"), ZoneInfo("Asia/Tokyo")
    outcome = call_tool(
        resolve_tool("top_tracks"),
        {"start": "2021-03-14T13:37:00", "end": "2023-07", "limit": 100, "by": "time"},
        alice,
    )
    window = Window.parse("2021-03-14T13:37:00", "2023-07", tz=paris)
    assert outcome.structured == queries.top_tracks(alice, window=window, limit=100, by="time")
    outcome = call_tool(
        resolve_tool("listening_heatmap"), {"timezone": "Asia/Tokyo", "start": "2022"}, alice
    )
    window = Window.parse("2022", tz=tokyo)
    assert outcome.structured == queries.listening_heatmap(alice, window=window, tz=tokyo)
    outcome = call_tool(
        resolve_tool("compare_periods"),
        {"first_start": "2022", "first_end": "2022", "second_start": "2023", "limit": 4},
        alice,
    )
    assert outcome.structured == queries.compare_periods(
        alice,
        first=Window.parse("2022", "2022", tz=paris),
        second=Window.parse("2023", tz=paris),
        limit=4,
    )


def test_an_alias_answers_like_the_tool():
    alice, _, _, _ = two_listeners()
    assert (
        call_tool(resolve_tool("history.taste_summary"), {"start": "2024"}, alice).structured
        == call_tool(resolve_tool("listening_summary"), {"start": "2024"}, alice).structured
    )


def test_nothing_found_is_an_error_sentence_not_an_exception():
    alice, _, _, _ = two_listeners()
    outcome = call_tool(resolve_tool("item_history"), {"item": "Nobody Knows This"}, alice)
    assert outcome.structured is None
    assert "try search_history" in outcome.error
