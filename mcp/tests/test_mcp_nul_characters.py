"""A NUL character (`"\\u0000"`) in any string of a body sent to /mcp or /mcp/call is refused up
front with a parse error (-32700, 400), never reaching the database: PostgreSQL stores NUL in
neither text nor jsonb (a 500 before the fix), and SQLite would have stored it. Run on both."""

import json

import pytest

from mcp import body as json_body
from mcp.tests.test_mcp_plain_http import post_call
from plays.models import PreferenceEvent, TasteProfile

pytestmark = pytest.mark.django_db

NUL = "a\\u0000b"  # the JSON escape, as a client sends it


def rpc_text(method, params):
    return f'{{"jsonrpc": "2.0", "id": 7, "method": "{method}", "params": {params}}}'


BODIES = {
    "taste profile patch value": rpc_text(
        "tools/call",
        f'{{"name": "update_taste_profile", "arguments": {{"patch": {{"note": "{NUL}"}}}}}}',
    ),
    "taste profile patch member name": rpc_text(
        "tools/call",
        f'{{"name": "update_taste_profile", "arguments": {{"patch": {{"{NUL}": 1}}}}}}',
    ),
    "preference text": rpc_text(
        "tools/call",
        f'{{"name": "add_preference", "arguments": {{"kind": "like", "text": "{NUL}"}}}}',
    ),
    "search query": rpc_text(
        "tools/call", f'{{"name": "search_history", "arguments": {{"query": "{NUL}"}}}}'
    ),
    "tool name": rpc_text("tools/call", f'{{"name": "{NUL}"}}'),
    "resource uri": rpc_text("resources/read", f'{{"uri": "{NUL}"}}'),
    "method": f'{{"jsonrpc": "2.0", "id": 7, "method": "{NUL}"}}',
    "id": f'{{"jsonrpc": "2.0", "id": "{NUL}", "method": "ping"}}',
}


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
def test_a_nul_in_any_string_of_an_mcp_message_is_a_parse_error(
    rpc, secret, listener, error_logs, body
):
    response = rpc(secret, raw=body)
    assert response.status_code == 400
    answer = response.json()
    assert answer["error"]["code"] == -32700
    assert "NUL character" in answer["error"]["message"]
    assert error_logs == []
    assert not TasteProfile.objects.filter(listener=listener).exists()
    assert not PreferenceEvent.objects.filter(listener=listener).exists()


def test_the_plain_twin_answers_a_nul_400(client, secret, listener, error_logs):
    body = json.dumps({"tool": "update_taste_profile", "args": {"patch": {"note": "a\x00b"}}})
    response = post_call(client, secret, body)
    assert response.status_code == 400
    assert "NUL character" in response.json()["error"]
    assert error_logs == []
    assert not TasteProfile.objects.filter(listener=listener).exists()


def test_the_text_backslash_u0000_is_not_a_nul_and_is_accepted(rpc, secret, listener):
    # "\\u0000" in JSON is a backslash followed by u0000: ordinary text.
    body = rpc_text(
        "tools/call",
        '{"name": "update_taste_profile", "arguments": {"patch": {"note": "a\\\\u0000b"}}}',
    )
    response = rpc(secret, raw=body)
    assert response.status_code == 200
    assert response.json()["result"]["isError"] is False
    assert TasteProfile.objects.get(listener=listener).document == {"note": "a\\u0000b"}


def test_the_reader_finds_a_nul_at_any_depth_and_in_member_names():
    assert json_body.holds_nul({"a": [{"b": ["x", "y\x00"]}]})
    assert json_body.holds_nul({"k\x00": 1})
    assert not json_body.holds_nul({"a": ["b", 1, None, {"c": "d"}]})
    with pytest.raises(json_body.BodyRefused):
        json_body.parse(b'[[["\\u0000"]]]')
    assert json_body.parse(b'["\\\\u0000"]') == ["\\u0000"]
