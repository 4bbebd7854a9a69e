"""tools/list and tools/call on /mcp: the registry's tools, answers as structured JSON and text."""

import json

import pytest

from mcp.tests.conftest import ADMIN_TOKEN
from mcp.tools import OPERATOR, TOOLS
from plays.tests.query_fixtures import build_history, in_window

pytestmark = pytest.mark.django_db


def test_tools_list_shows_a_listener_every_tool_but_the_operators(rpc, secret):
    tools = rpc(secret, "tools/list").json()["result"]["tools"]
    mine = [tool for tool in TOOLS if tool.audience != OPERATOR]
    assert [tool["name"] for tool in tools] == [tool.name for tool in mine]
    for shown, tool in zip(tools, mine, strict=True):
        assert shown == tool.as_dict()
        assert shown["inputSchema"]["type"] == "object"
        assert shown["outputSchema"]["type"] == "object"
        assert shown["annotations"]["readOnlyHint"] is tool.annotations["readOnlyHint"]


def test_tools_list_shows_the_admin_token_every_tool(rpc, listener):
    tools = rpc(ADMIN_TOKEN, "tools/list").json()["result"]["tools"]
    assert tools == [tool.as_dict() for tool in TOOLS]


def test_tools_list_refuses_a_cursor_it_never_gave_out(rpc, secret):
    response = rpc(secret, "tools/list", {"cursor": "page-2"})
    assert response.json()["error"]["code"] == -32602


def test_a_call_answers_structured_content_and_the_same_json_as_text(rpc, secret, listener):
    plays = build_history(listener)
    response = rpc(secret, "tools/call", {"name": "listening_summary", "arguments": {}})
    result = response.json()["result"]
    assert result["isError"] is False
    assert result["structuredContent"]["plays"] == len(in_window(plays))
    assert json.loads(result["content"][0]["text"]) == result["structuredContent"]
    assert result["content"][0]["type"] == "text"


def test_a_call_in_2026_answers_the_same_as_in_the_handshake_era(rpc, secret, listener):
    build_history(listener)
    params = {"name": "top_artists", "arguments": {"limit": 3}}
    legacy = rpc(secret, "tools/call", params).json()["result"]
    modern = rpc(secret, "tools/call", params, modern=True).json()["result"]
    assert modern["structuredContent"] == legacy["structuredContent"]
    assert modern["resultType"] == "complete"


def test_a_bad_argument_is_a_tool_error_with_a_sentence_to_act_on(rpc, secret):
    params = {"name": "top_artists", "arguments": {"limit": "lots"}}
    response = rpc(secret, "tools/call", params)
    assert response.status_code == 200
    result = response.json()["result"]
    assert result["isError"] is True
    assert "structuredContent" not in result
    assert "limit" in result["content"][0]["text"]


def test_an_unknown_tool_is_invalid_params(rpc, secret):
    response = rpc(secret, "tools/call", {"name": "delete_history", "arguments": {}})
    error = response.json()["error"]
    assert error["code"] == -32602
    assert error["message"].startswith("Unknown tool")
    assert error["data"] == {"name": "delete_history"}


def test_an_unknown_tool_in_2026_is_a_400(rpc, secret):
    response = rpc(secret, "tools/call", {"name": "delete_history"}, modern=True)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == -32602


@pytest.mark.parametrize(
    "params",
    [{}, {"name": 5}, {"name": "top_artists", "arguments": [1, 2]}],
    ids=["no name", "name not a string", "arguments not an object"],
)
def test_a_malformed_call_is_invalid_params(rpc, secret, params):
    assert rpc(secret, "tools/call", params).json()["error"]["code"] == -32602


def test_a_call_without_arguments_uses_the_defaults(rpc, secret):
    result = rpc(secret, "tools/call", {"name": "sync_status"}).json()["result"]
    assert result["isError"] is False
    assert result["structuredContent"]["listener"] == "alice"


def test_the_original_designs_names_work_on_mcp_too(rpc, secret):
    result = rpc(secret, "tools/call", {"name": "ops.sync_status"}).json()["result"]
    assert result["structuredContent"]["listener"] == "alice"
