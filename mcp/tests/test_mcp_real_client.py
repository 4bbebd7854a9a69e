"""The official MCP Python SDK, as a real client, against a live server over real HTTP.

The SDK runs in its own virtualenv (`sdk_python`), from a temporary directory outside the
repository with `python -P`, because this repository's mcp/ package would shadow it. It connects
in both of its modes: `legacy` (the initialize handshake, 2025-11-25) and `auto` (probes
`server/discover`, so 2026-07-28 here), lists the tools, calls every history tool with valid
arguments and every tool with invalid ones, and reads the resources and the prompt. The Spotify
and taste profile tools are driven the same way, against the Spotify stand-in, in
test_mcp_spotify_and_memory_end_to_end.py.
"""

import json
import subprocess
from pathlib import Path

import pytest

from mcp import tokens
from mcp.tools import tools_for
from mcp.tools.history import HISTORY_TOOLS
from plays.tests.query_fixtures import build_history, in_window

# Transactional: the live server's thread must see what the test wrote.
pytestmark = pytest.mark.django_db(transaction=True)

CLIENT = Path(__file__).parent / "sdk_client" / "run_client.py"
# What a listener's token is offered: every tool but the operator's.
TOOLS = tools_for(is_admin=False)

VALID = {
    "recent_plays": {"limit": 5},
    "top_artists": {"limit": 3, "by": "time"},
    "top_tracks": {"limit": 3, "start": "2024-01-01", "end": "2024-12-31"},
    "top_albums": {"days": 3650},
    "listening_summary": {},
    "listening_timeline": {"granularity": "year"},
    "listening_heatmap": {"timezone": "Europe/Paris"},
    "discoveries": {"start": "2024"},
    "compare_periods": {"first_start": "2023", "first_end": "2023", "second_start": "2024"},
    "search_history": {"query": "Song"},
    "item_history": {"item": "Intro", "kind": "track"},
    "podcasts": {},
    "sync_status": {},
    "listening_sessions": {"gap_minutes": 45},
    "listening_streaks": {"artist": "Cold Rivers"},
    "rank_history": {"kind": "artist", "item": "Cold Rivers", "granularity": "year"},
    "number_ones": {"kind": "artist", "granularity": "year"},
    "forgotten_favorites": {"quiet_days": 30},
    "heard_before": {"entries": [{"artist": "bjork tribute", "track": "Intro (Remastered)"}]},
    "history_coverage": {},
}
# A second wrong call for tools whose arguments have a type or range to get wrong.
WRONG_VALUE = {
    "recent_plays": ({"limit": 0}, "limit"),
    "top_artists": ({"by": "loudness"}, "by"),
    "listening_timeline": ({"granularity": "fortnight"}, "granularity"),
    "listening_heatmap": ({"timezone": "Mars/Olympus_Mons"}, "Unknown time zone"),
    "listening_summary": ({"start": "last tuesday"}, "'start' is not a date"),
    "compare_periods": ({"second_start": "2024"}, "first_start"),
    "search_history": ({}, "query"),
}


def run_sdk(sdk_python, tmp_path, spec):
    done = subprocess.run(
        [str(sdk_python), "-P", str(CLIENT)],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        cwd=tmp_path,  # outside the repository: `import mcp` must find the SDK
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


# What the SDK saw, per mode: one client run (a live server, a history, ~80 calls) serves all the
# tests of that mode, which only read it.
SEEN = {}


@pytest.fixture
def seen(request, sdk_python, tmp_path):
    mode = request.param
    if mode not in SEEN:
        live_server = request.getfixturevalue("live_server")
        listener = request.getfixturevalue("listener")
        plays = build_history(listener)
        _, secret = tokens.issue_token(listener, name="sdk")
        calls = [{"name": name, "arguments": arguments} for name, arguments in VALID.items()]
        calls += [{"name": tool.name, "arguments": {"no_such_argument": 1}} for tool in TOOLS]
        calls += [{"name": name, "arguments": args} for name, (args, _) in WRONG_VALUE.items()]
        calls.append({"name": "delete_everything", "arguments": {}})
        spec = {
            "url": f"{live_server.url}/mcp",
            "token": secret,
            "mode": mode,
            "calls": calls,
            "resources": ["spotify-history://me/summary", "spotify-history://me/nothing"],
            "prompts": [{"name": "year_in_review", "arguments": {"year": "2024"}}],
        }
        SEEN[mode] = (plays, run_sdk(sdk_python, tmp_path, spec))
    return (mode, *SEEN[mode])


MODES = pytest.mark.parametrize(
    "seen", ["legacy", "auto"], indirect=True, ids=["legacy mode", "auto mode"]
)


@MODES
def test_the_sdk_connects_with_the_expected_protocol_version(seen):
    mode, _, result = seen
    assert result["protocol_version"] == {"legacy": "2025-11-25", "auto": "2026-07-28"}[mode]
    assert result["server_name"] == "spotify-history"


@MODES
def test_the_sdk_lists_every_tool(seen):
    _, _, result = seen
    assert result["tools"] == [tool.name for tool in TOOLS]


@MODES
def test_every_tool_answers_valid_arguments_with_structured_content(seen):
    _, plays, result = seen
    answers = {c["name"]: c for c in result["calls"] if c["arguments"] == VALID.get(c["name"])}
    assert set(answers) == {tool.name for tool in HISTORY_TOOLS}
    for name, answer in answers.items():
        assert "error" not in answer, (name, answer)
        assert answer["is_error"] is False, (name, answer["text"])
        assert isinstance(answer["structured"], dict), name
        assert json.loads(answer["text"][0]) == answer["structured"], name
    assert answers["listening_summary"]["structured"]["plays"] == len(in_window(plays))
    assert len(answers["recent_plays"]["structured"]["items"]) == 5
    assert [i["rank"] for i in answers["top_artists"]["structured"]["items"]] == [1, 2, 3]
    assert answers["sync_status"]["structured"]["listener"] == "alice"


@MODES
def test_every_tool_refuses_an_unknown_argument_with_a_sentence(seen):
    _, _, result = seen
    refused = [c for c in result["calls"] if "no_such_argument" in c["arguments"]]
    assert len(refused) == len(TOOLS)
    for answer in refused:
        assert answer["is_error"] is True, answer["name"]
        assert answer["structured"] is None
        assert "an argument it does not have; it accepts:" in answer["text"][0], answer
        assert "no_such_argument" not in answer["text"][0], "caller text stays out of sentences"


@MODES
def test_wrong_values_are_tool_errors_naming_what_to_change(seen):
    _, _, result = seen
    for name, (arguments, named) in WRONG_VALUE.items():
        [answer] = [c for c in result["calls"] if c["name"] == name and c["arguments"] == arguments]
        assert answer["is_error"] is True, answer
        assert named in answer["text"][0], answer


@MODES
def test_an_unknown_tool_is_a_protocol_error(seen):
    _, _, result = seen
    [answer] = [c for c in result["calls"] if c["name"] == "delete_everything"]
    assert answer["error"]["code"] == -32602
    assert "Unknown tool" in answer["error"]["message"]
    assert "delete_everything" not in answer["error"]["message"]


@MODES
def test_the_sdk_reads_the_resources_and_gets_the_prompt(seen):
    _, plays, result = seen
    assert result["resources"] == [
        "spotify-history://me/sync-status",
        "spotify-history://me/summary",
    ]
    summary, missing = result["reads"]
    assert json.loads(summary["text"])["plays"] == len(in_window(plays))
    assert missing["error"]["code"] == -32602
    assert result["prompts"] == [
        "year_in_review",
        "year_favourites_playlist",
        "rediscover",
        "how_my_taste_changed",
        "my_listening_habits",
    ]
    assert "start='2024-01-01' and end='2024-12-31'" in result["prompt_results"][0]["text"]
