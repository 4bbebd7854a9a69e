"""Bad arguments come back as one sentence saying what to change, never as an exception."""

import pytest

from mcp.tools import call_tool, resolve_tool, schema_problem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("tool", "arguments", "message"),
    [
        (
            "top_artists",
            {"limt": 5},
            "top_artists was given an argument it does not have; it accepts: start, end",
        ),
        ("top_artists", {"limit": "ten"}, "'limit' must be a whole number (got a string)"),
        ("top_artists", {"limit": 5.5}, "'limit' must be a whole number"),
        ("top_artists", {"limit": True}, "'limit' must be a whole number"),
        ("top_tracks", {"limit": 0}, "'limit' must be from 1 to 100 (got 0)"),
        ("recent_plays", {"limit": 500}, "'limit' must be from 1 to 200 (got 500)"),
        ("top_albums", {"by": "love"}, "'by' must be one of 'plays', 'time'"),
        ("listening_timeline", {"granularity": "hour"}, "'granularity' must be one of 'day'"),
        (
            "listening_summary",
            {"start": "last tuesday"},
            "'start' is not a date",
        ),
        ("listening_summary", {"start": "2024-05-01", "end": "2024-04-01"}, "must come before"),
        ("listening_summary", {"start": "2024-01-01", "days": 7}, "either 'days' or 'start'"),
        ("discoveries", {"days": 0}, "'days' must be from 1 to 36600 (got 0)"),
        ("listening_heatmap", {"timezone": "Mars/Olympus"}, "Unknown time zone: use an IANA"),
        ("search_history", {}, "search_history needs the argument 'query'"),
        ("search_history", {"query": "x"}, "'query' must be at least 2 characters long"),
        ("item_history", {"item": "Intro", "kind": "playlist"}, "'kind' must be one of"),
        ("compare_periods", {"first_start": "2023"}, "needs the argument 'second_start'"),
        ("compare_periods", {"first_start": "2023", "second_start": "soon"}, "'start' is not"),
        ("sync_status", {"start": "2024"}, "sync_status was given an argument it does not have"),
    ],
)
def test_a_bad_argument_is_a_sentence_the_model_can_act_on(listener, tool, arguments, message):
    outcome = call_tool(resolve_tool(tool), arguments, listener)
    assert outcome.structured is None and outcome.is_error
    assert message in outcome.error
    assert outcome.error.endswith((".", ")")), "a whole sentence"


def test_arguments_that_are_not_an_object_are_refused(listener):
    outcome = call_tool(resolve_tool("top_tracks"), ["limit", 5], listener)
    assert outcome.error == "top_tracks takes its arguments as a JSON object."


def test_no_arguments_and_null_optional_ones_mean_the_defaults(listener):
    for arguments in (None, {}, {"limit": None, "start": None}):
        outcome = call_tool(resolve_tool("top_tracks"), arguments, listener)
        assert outcome.error is None
        assert outcome.structured["items"] == [] and outcome.structured["by"] == "plays"


def test_user_id_is_accepted_in_the_arguments_and_ignored_here(listener):
    outcome = call_tool(resolve_tool("sync_status"), {"user_id": "someone"}, listener)
    assert outcome.error is None and outcome.structured["listener"] == listener.spotify_user_id


@pytest.mark.parametrize(
    ("schema", "value", "problem"),
    [
        ({"type": ["string", "null"]}, None, None),
        ({"type": "number"}, 2, None),
        (
            {"type": "array", "items": {"type": "integer"}},
            [1, "2"],
            "'v[1]' must be a whole number (got a string).",
        ),
        (
            {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]},
            {},
            "'v' lacks 'a'.",
        ),
        (
            {"type": "object", "properties": {}, "additionalProperties": False},
            {"b": 1},
            "'v' has a field it does not take.",
        ),
    ],
)
def test_the_schema_checker_handles_the_keywords_the_tools_use(schema, value, problem):
    assert schema_problem(schema, value, "v") == problem
