"""The tool registry: the thirteen tools, their schemas and annotations, and the old names."""

import re

import pytest

from mcp.tools import ALIASES, TOOLS, UnknownTool, resolve_tool

NAMES = [
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
]


def test_the_registry_has_exactly_the_tools_of_the_issue():
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
    assert "at least 30 seconds" in listed["description"]
    assert listed["annotations"]["readOnlyHint"] is True
    assert listed["annotations"]["destructiveHint"] is False
    assert listed["annotations"]["idempotentHint"] is True
    assert listed["annotations"]["openWorldHint"] is False
    schema = listed["inputSchema"]
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    assert "operator tokens only" in schema["properties"]["user_id"]["description"].lower()
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
    assert windowed == set(NAMES) - {"compare_periods", "item_history", "sync_status"}
    zoned = {tool.name for tool in TOOLS if "timezone" in tool.input_schema["properties"]}
    assert zoned == set(NAMES)
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
    ],
)
def test_the_original_names_are_aliases(alias, name):
    assert ALIASES[alias] == name
    assert resolve_tool(alias) is resolve_tool(name)


def test_every_alias_points_at_a_tool():
    assert {ALIASES[alias] for alias in ALIASES} <= set(NAMES)


@pytest.mark.parametrize("name", ["top_songs", "history.nothing", "", None, 42])
def test_an_unknown_name_raises_unknown_tool_with_a_hint(name):
    with pytest.raises(UnknownTool) as raised:
        resolve_tool(name)
    assert "tools/list" in str(raised.value)
