"""The tool registry: the history, Spotify, memory and operator tools, their schemas and
annotations, who may use them, and the old names."""

import re

import pytest

from mcp.tools import ALIASES, OPERATOR, TOOLS, UnknownTool, resolve_tool, tools_for

HISTORY = [
    "recent_plays",
    "top_artists",
    "top_tracks",
    "top_albums",
    "listening_summary",
    "listening_timeline",
    "listening_heatmap",
    "discoveries",
    "compare_periods",
    "search_history",
    "item_history",
    "podcasts",
    "sync_status",
    "listening_sessions",
    "listening_streaks",
    "rank_history",
    "number_ones",
    "forgotten_favorites",
    "heard_before",
    "history_coverage",
]
# History tools that look at every stored play, short ones included, and say so instead.
EVERY_PLAY = {"listening_sessions", "history_coverage"}
# (readOnlyHint, destructiveHint, idempotentHint, openWorldHint) of every tool beyond history:
# writes are not read-only, anything calling Spotify is open-world, only clearing destroys.
HINTS = {
    "create_playlist": (False, False, False, True),
    "add_to_playlist": (False, False, False, True),
    "list_playlists": (True, False, True, True),
    "spotify_top_items": (True, False, True, True),
    "spotify_search": (True, False, True, True),
    "get_taste_profile": (True, False, True, False),
    "update_taste_profile": (False, False, True, False),
    "add_preference": (False, False, False, False),
    "clear_taste_profile": (False, True, True, False),
    "list_listeners": (True, False, True, False),
    "recent_sync_runs": (True, False, True, False),
    "recent_import_jobs": (True, False, True, False),
}
OPERATOR_TOOLS = {"list_listeners", "recent_sync_runs", "recent_import_jobs"}
NAMES = [*HISTORY, *HINTS]
HINT_NAMES = ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint")


def test_the_registry_has_exactly_the_tools_of_the_issues():
    assert sorted(tool.name for tool in TOOLS) == sorted(NAMES)
    assert all(re.fullmatch(r"[a-z0-9_]{1,128}", tool.name) for tool in TOOLS)


@pytest.mark.parametrize("tool", TOOLS, ids=lambda tool: tool.name)
def test_each_tool_describes_itself_for_a_model(tool):
    listed = tool.as_dict()
    assert set(listed) == {
        "name",
        "title",
        "description",
        "inputSchema",
        "outputSchema",
        "annotations",
    }
    assert listed["title"] and listed["annotations"]["title"] == listed["title"]
    counting = tool.name in set(HISTORY) - EVERY_PLAY
    assert ("at least 30 seconds" in listed["description"]) is counting
    if tool.name in EVERY_PLAY:
        assert "short" in listed["description"]
    hints = tuple(listed["annotations"][name] for name in HINT_NAMES)
    assert hints == HINTS.get(tool.name, (True, False, True, False))
    schema = listed["inputSchema"]
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    who = "only this listener" if tool.name in OPERATOR_TOOLS else "operator tokens only"
    assert who in schema["properties"]["user_id"]["description"].lower()
    assert "user_id" not in schema.get("required", [])
    assert all(prop.get("description") for prop in schema["properties"].values())
    assert set(schema.get("required", [])) <= set(schema["properties"])
    assert listed["outputSchema"]["type"] == "object"
    assert set(listed["outputSchema"]["required"]) <= set(listed["outputSchema"]["properties"])


def test_window_tools_take_start_end_days_and_a_time_zone():
    windowed = {
        tool.name
        for tool in TOOLS
        if {"start", "end", "days"} <= set(tool.input_schema["properties"])
    }
    assert windowed == set(HISTORY) - {
        "compare_periods",
        "item_history",
        "sync_status",
        "heard_before",
        "history_coverage",
    }
    zoned = {tool.name for tool in TOOLS if "timezone" in tool.input_schema["properties"]}
    assert zoned == set(HISTORY)
    compare = resolve_tool("compare_periods").input_schema
    assert {"first_start", "first_end", "second_start", "second_end"} <= set(compare["properties"])


def test_the_description_follows_the_minimum_setting(settings):
    settings.MIN_PLAY_MS = 45_000
    assert "at least 45 seconds" in resolve_tool("top_tracks").description


@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("history.top_artists", "top_artists"),
        ("history.top_tracks", "top_tracks"),
        ("history.listening_heatmap", "listening_heatmap"),
        ("history.taste_summary", "listening_summary"),
        ("history.coverage", "sync_status"),
        ("ops.sync_status", "sync_status"),
        ("spotify.create_playlist", "create_playlist"),
        ("spotify.add_tracks", "add_to_playlist"),
        ("spotify.get_top", "spotify_top_items"),
        ("spotify.search", "spotify_search"),
        ("memory.get_profile", "get_taste_profile"),
        ("memory.update_profile", "update_taste_profile"),
        ("memory.append_preference_event", "add_preference"),
        ("memory.clear_profile", "clear_taste_profile"),
        ("ops.list_users", "list_listeners"),
        ("ops.latest_job_runs", "recent_sync_runs"),
        ("ops.latest_import_jobs", "recent_import_jobs"),
    ],
)
def test_the_original_names_are_aliases(alias, name):
    assert ALIASES[alias] == name
    assert resolve_tool(alias) is resolve_tool(name)


def test_every_alias_points_at_a_tool():
    assert {ALIASES[alias] for alias in ALIASES} <= set(NAMES)


def test_operator_tools_are_offered_to_the_admin_token_only():
    assert {tool.name for tool in TOOLS if tool.audience == OPERATOR} == OPERATOR_TOOLS
    assert {tool.name for tool in tools_for(is_admin=False)} == set(NAMES) - OPERATOR_TOOLS
    assert tools_for(is_admin=True) == TOOLS


def test_track_lists_are_capped_at_500_in_the_schema():
    for name in ("create_playlist", "add_to_playlist"):
        assert resolve_tool(name).input_schema["properties"]["track_uris"]["maxItems"] == 500
    assert resolve_tool("spotify_search").input_schema["properties"]["limit"]["maximum"] == 10


@pytest.mark.parametrize("name", ["top_songs", "history.nothing", "", None, 42])
def test_an_unknown_name_raises_unknown_tool_with_a_hint(name):
    with pytest.raises(UnknownTool) as raised:
        resolve_tool(name)
    assert "tools/list" in str(raised.value)
