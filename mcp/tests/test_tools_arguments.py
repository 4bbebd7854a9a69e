"""Bad arguments come back as one sentence saying what to change, never as an exception."""

import pytest

from mcp.tools import TOOLS, call_tool, resolve_tool, schema_problem
from mcp.tools.arguments import coerce_value
from plays.tests.query_fixtures import two_listeners

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
        ("top_albums", {"by": "love"}, "'by' must be one of 'plays', 'minutes', 'time'"),
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
        ({"anyOf": [{"type": "string"}, {"type": "null"}]}, None, None),
        (
            {"anyOf": [{"type": "string"}, {"type": "null"}]},
            3,
            "'v' must be a string or null (got 3).",
        ),
        (
            {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}]},
            0,
            "'v' must be at least 1 (got 0).",
        ),
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


# --- what models send: the obvious coercions ------------------------------------------------------


def _answer(listener, tool, arguments):
    outcome = call_tool(resolve_tool(tool), arguments, listener)
    assert outcome.error is None, outcome.error
    return outcome.structured


def test_a_year_sent_as_a_number_is_read_as_that_year():
    alice, _, _, _ = two_listeners()
    assert _answer(alice, "listening_summary", {"start": 2024, "end": 2024}) == _answer(
        alice, "listening_summary", {"start": "2024", "end": "2024"}
    )
    assert _answer(alice, "compare_periods", {"first_start": 2022, "second_start": 2023}) == (
        _answer(alice, "compare_periods", {"first_start": "2022", "second_start": "2023"})
    )


def test_counts_sent_as_text_are_read_as_numbers():
    alice, _, _, _ = two_listeners()
    as_text = _answer(alice, "top_tracks", {"days": "3000", "end": "2024", "limit": " 2 "})
    assert as_text == _answer(alice, "top_tracks", {"days": 3000, "end": "2024", "limit": 2})
    assert len(as_text["items"]) == 2
    assert _answer(alice, "recent_plays", {"limit": 3.0})["count"] == 3


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"days": "thirty"}, "'days' must be a whole number (got a string)"),
        ({"days": "30 days"}, "'days' must be a whole number (got a string)"),
        ({"limit": "5.5"}, "'limit' must be a whole number (got a string)"),
        ({"limit": 5.5}, "'limit' must be a whole number (got 5.5)"),
        ({"limit": True}, "'limit' must be a whole number (got true or false)"),
        ({"limit": "0"}, "'limit' must be from 1 to 100 (got 0)"),
        ({"start": True}, "'start' must be a string (got true or false)"),
        ({"start": 2024.5}, "'start' must be a string (got 2024.5)"),
        ({"start": ["2024"]}, "'start' must be a string"),
        ({"by": "minute"}, "'by' must be one of 'plays', 'minutes', 'time'"),
    ],
)
def test_coercion_never_accepts_a_value_that_could_mean_two_things(listener, arguments, message):
    outcome = call_tool(resolve_tool("top_artists"), arguments, listener)
    assert outcome.is_error and message in outcome.error
    words_sent = [v for v in arguments.values() if isinstance(v, str) and v.strip().isalpha()]
    assert not any(repr(word) in outcome.error for word in words_sent)  # not echoed


@pytest.mark.parametrize(
    ("schema", "sent", "read"),
    [
        ({"type": "boolean"}, "true", True),
        ({"type": "boolean"}, " False ", False),
        ({"type": "boolean"}, "yes", "yes"),
        ({"type": "boolean"}, 1, 1),
        ({"type": "integer"}, "-7", -7),
        ({"type": "integer"}, "1e3", "1e3"),
        ({"type": "number"}, "2.5", 2.5),
        ({"type": "number"}, "3", 3),
        ({"type": "number"}, "NaN", "NaN"),
        ({"type": "string"}, 2021, "2021"),
        ({"type": "string"}, False, False),
        ({"type": "integer"}, None, None),
    ],
)
def test_a_value_is_coerced_only_when_it_means_exactly_one_value(schema, sent, read):
    assert coerce_value(schema, sent) == read
    assert type(coerce_value(schema, sent)) is type(read)


def test_ranking_by_minutes_is_ranking_by_time():
    alice, _, _, _ = two_listeners()
    for tool in ("top_artists", "top_tracks", "top_albums"):
        by_minutes = _answer(alice, tool, {"by": "minutes", "limit": 5})
        assert by_minutes == _answer(alice, tool, {"by": "time", "limit": 5})
        assert by_minutes["by"] == "time"
        minutes = [row["minutes"] for row in by_minutes["items"]]
        assert minutes == sorted(minutes, reverse=True) and len(minutes) > 1


def test_every_option_the_schema_accepts_is_named_in_its_description():
    for tool in TOOLS:
        for name, schema in tool.input_schema["properties"].items():
            for option in schema.get("enum", []):
                assert option in schema["description"], (tool.name, name, option)
        if "ranked by plays or minutes" in tool.summary:
            assert "minutes" in tool.input_schema["properties"]["by"]["enum"], tool.name
