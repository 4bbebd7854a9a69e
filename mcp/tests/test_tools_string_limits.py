"""Every string argument of every tool has a maxLength, and a longer value is a tool error saying
so (issue 11, hole 4): on SQLite a 100 kB `query` or `item` used to reach a LIKE pattern, which
SQLite refuses ("LIKE or GLOB pattern too complex"), and the call ended in a 500 with an ERROR
log."""

import pytest

from mcp.tests.test_mcp_plain_http import post_call
from mcp.tools import TOOLS, call_tool, resolve_tool
from plays.tests.query_fixtures import build_history

pytestmark = pytest.mark.django_db

HUGE = "a" * 100_000
# Good values of the required arguments, so that only the one under test is wrong.
VALID = {
    "first_start": "2024",
    "second_start": "2025",
    "query": "ab",
    "item": "x",
    "name": "Mix",
    "track_uris": ["spotify:track:4uLU6hMCjMI75M1A2tKUQC"],
    "playlist_id": "37i9dQZF1DXcBWIGoYBM5M",
    "patch": {},
    "kind": "like",
    "text": "no live versions",
    "entries": [{"artist": "Cold Rivers"}],
}
# Where one tool's argument of a shared name takes other values.
VALID_FOR = {"rank_history": {"kind": "artist"}, "number_ones": {"kind": "artist"}}


def string_arguments():
    for tool in TOOLS:
        for name, schema in tool.input_schema["properties"].items():
            kinds = schema.get("type")
            if "string" in (kinds if isinstance(kinds, list) else [kinds]):
                yield tool, name, schema


def test_every_string_argument_of_every_tool_has_a_max_length():
    found = [(f"{tool.name}.{name}", schema) for tool, name, schema in string_arguments()]
    assert len(found) > len(TOOLS)  # the walk found the arguments
    assert [where for where, schema in found if not isinstance(schema.get("maxLength"), int)] == []


@pytest.mark.parametrize(
    ("tool", "argument", "extra"),
    [("search_history", "query", {}), ("item_history", "item", {})],
)
def test_a_hundred_kilobyte_search_is_a_tool_error_not_a_500(
    client, listener, secret, error_logs, tool, argument, extra
):
    build_history(listener)  # plays, so the query really runs
    response = post_call(client, secret, {"tool": tool, "args": {argument: HUGE, **extra}})
    assert response.status_code == 400
    limit = resolve_tool(tool).input_schema["properties"][argument]["maxLength"]
    assert response.json()["error"] == (
        f"'{argument}' must be at most {limit} characters long (got {len(HUGE)})."
    )
    assert error_logs == []


@pytest.mark.parametrize(("tool", "argument", "schema"), list(string_arguments()))
def test_each_string_argument_is_refused_one_character_past_its_limit(
    listener, tool, argument, schema
):
    too_long = "x" * (schema["maxLength"] + 1)
    required = {
        name: VALID_FOR.get(tool.name, {}).get(name, VALID[name])
        for name in tool.input_schema.get("required", [])
    }
    outcome = call_tool(tool, {**required, argument: too_long}, listener)
    assert outcome.error == (
        f"'{argument}' must be at most {schema['maxLength']} characters long (got {len(too_long)})."
    )


def test_a_search_at_the_limit_is_answered(listener):
    build_history(listener)
    tool = resolve_tool("search_history")
    limit = tool.input_schema["properties"]["query"]["maxLength"]
    outcome = call_tool(tool, {"query": "Song " + "x" * (limit - 5)}, listener)
    assert outcome.error is None
    assert outcome.structured["tracks"] == []


@pytest.mark.parametrize("field", ["spotify_id", "artist", "track"])
def test_each_string_inside_heard_before_entries_has_a_limit_that_is_enforced(listener, field):
    tool = resolve_tool("heard_before")
    schema = tool.input_schema["properties"]["entries"]["items"]["properties"][field]
    entry = {"artist": "Cold Rivers", field: "x" * (schema["maxLength"] + 1)}
    if field == "spotify_id":
        entry.pop("artist")
    outcome = call_tool(tool, {"entries": [entry]}, listener)
    assert outcome.error == (
        f"'entries[0].{field}' must be at most {schema['maxLength']} characters long "
        f"(got {schema['maxLength'] + 1})."
    )
