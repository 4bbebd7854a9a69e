"""Hostile bodies on /mcp and /mcp/call (issue 11, hole 4): JSON nested a thousand levels deep and
lone surrogates in every field get a clear JSON-RPC error or 400, never a 500, and log no error.

Before the fix, the deep bodies ended in a RecursionError and the surrogates in a
UnicodeEncodeError while the answer was written, each a 500 with an ERROR log and traceback.
"""

import json

import pytest

from mcp.body import MAX_DEPTH, BodyRefused, parse
from mcp.tests.test_mcp_plain_http import post_call
from plays.json_depth import nesting_depth

pytestmark = pytest.mark.django_db

DEEP = 1_000
DEEP_ARRAY = "[" * DEEP + "]" * DEEP
DEEP_OBJECT = '{"a":' * DEEP + "1" + "}" * DEEP
SURROGATE = '"\\ud800"'  # a JSON string escape of a lone high surrogate


def rpc_text(method='"ping"', id_="1", params="{}"):
    return f'{{"jsonrpc": "2.0", "id": {id_}, "method": {method}, "params": {params}}}'


def assert_parse_error(response, says):
    assert response.status_code == 400
    answer = response.json()
    assert (answer["jsonrpc"], answer["id"], answer["error"]["code"]) == ("2.0", None, -32700)
    assert says in answer["error"]["message"]


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT, rpc_text(params=DEEP_OBJECT)])
def test_a_body_nested_a_thousand_levels_deep_is_a_parse_error(rpc, secret, error_logs, body):
    response = rpc(secret, raw=body)
    assert_parse_error(response, f"more than {MAX_DEPTH} levels deep")
    assert error_logs == []


@pytest.mark.parametrize(
    "body",
    [
        rpc_text(method=SURROGATE),
        rpc_text(id_=SURROGATE),
        rpc_text(method='"tools/call"', params=f'{{"name": {SURROGATE}}}'),
        rpc_text(method='"resources/read"', params=f'{{"uri": {SURROGATE}}}'),
        rpc_text(method='"prompts/get"', params=f'{{"name": {SURROGATE}}}'),
        rpc_text(
            method='"tools/call"',
            params=f'{{"name": "top_artists", "arguments": {{{SURROGATE}: 1}}}}',
        ),
        rpc_text(
            method='"tools/call"',
            params=f'{{"name": "search_history", "arguments": {{"query": "a{SURROGATE[1:-1]}b"}}}}',
        ),
    ],
    ids=["method", "id", "tool name", "uri", "prompt name", "field name", "argument"],
)
def test_a_lone_surrogate_anywhere_in_a_message_is_a_parse_error(rpc, secret, error_logs, body):
    response = rpc(secret, raw=body)
    assert_parse_error(response, "not JSON in UTF-8 (no low surrogate in string")
    assert error_logs == []


@pytest.mark.parametrize(
    "body",
    [
        f'{{"tool": "top_artists", "args": {DEEP_ARRAY}}}',
        DEEP_OBJECT,
        f'{{"tool": {SURROGATE}}}',
        f'{{"tool": "top_artists", "args": {{{SURROGATE}: 1}}}}',
        f'{{"tool": "top_artists", {SURROGATE}: 1}}',
    ],
    ids=["deep args", "deep body", "tool name", "argument name", "field name"],
)
def test_the_plain_twin_answers_the_same_bodies_400(client, secret, error_logs, body):
    response = post_call(client, secret, body)
    assert response.status_code == 400
    assert response.json()["error"].startswith("The body ")
    assert 'Send {"tool": "<name>", "args": {...}}.' in response.json()["error"]
    assert error_logs == []


def test_a_message_within_the_depth_limit_is_answered(rpc, secret):
    arguments = {"timezone": "UTC"}
    response = rpc(secret, "tools/call", {"name": "sync_status", "arguments": arguments})
    assert response.status_code == 200
    assert response.json()["result"]["isError"] is False


def test_paired_surrogates_are_just_text(rpc, secret):
    response = rpc(secret, raw=rpc_text(id_='"\\ud83c\\udfb5"'))
    assert response.status_code == 200
    assert response.json()["id"] == "\N{MUSICAL NOTE}"


@pytest.mark.parametrize(
    ("value", "depth"),
    [(1, 0), ([], 1), ({"a": [1, {"b": []}]}, 4), ([[[[]]], []], 4)],
)
def test_nesting_depth_counts_levels_of_arrays_and_objects(value, depth):
    assert nesting_depth(value, MAX_DEPTH) == depth


def test_parse_refuses_past_the_limit_and_accepts_at_it():
    at_limit = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert nesting_depth(parse(at_limit), MAX_DEPTH) == MAX_DEPTH
    with pytest.raises(BodyRefused, match="levels deep"):
        parse("[" + at_limit + "]")
    for not_json in (b"NaN", b"1e400", b'"\\udfff"', b"\xff", json.dumps("x")[:-1]):
        with pytest.raises(BodyRefused, match="not JSON"):
            parse(not_json)
