"""The plain-HTTP twin: GET /mcp/tools, POST /mcp/call and the OpenAPI document describing them."""

import json

import pytest
from django.urls import resolve
from openapi_spec_validator import validate

from accounts.models import Listener
from mcp import tokens
from mcp.tests.conftest import ADMIN_TOKEN
from mcp.tools import ALIASES, OPERATOR, TOOLS
from plays.tests.query_fixtures import build_history, in_window

pytestmark = pytest.mark.django_db


def post_call(client, secret, body, **headers):
    raw = body if isinstance(body, bytes | str) else json.dumps(body)
    if secret is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client.post("/mcp/call", data=raw, content_type="application/json", **headers)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/mcp", "endpoint"),
        ("/mcp/tools", "tools"),
        ("/mcp/call", "call"),
        ("/mcp/openapi.json", "openapi"),
    ],
)
def test_the_documented_urls_resolve(path, name):
    match = resolve(path)
    assert (match.namespace, match.url_name) == ("mcp", name)


def test_get_tools_lists_the_same_tools_as_tools_list_and_the_aliases(client, secret, rpc):
    response = client.get("/mcp/tools", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    listed = rpc(secret, "tools/list").json()["result"]["tools"]
    mine = [tool for tool in TOOLS if tool.audience != OPERATOR]
    assert response.json()["tools"] == listed == [tool.as_dict() for tool in mine]
    names = {tool.name for tool in mine}
    assert response.json()["aliases"] == {a: n for a, n in ALIASES.items() if n in names}


def test_the_admin_token_gets_every_tool_and_alias(client):
    response = client.get("/mcp/tools", HTTP_AUTHORIZATION=f"Bearer {ADMIN_TOKEN}")
    assert response.json() == {"tools": [tool.as_dict() for tool in TOOLS], "aliases": ALIASES}


def test_get_tools_needs_a_token(client, listener):
    response = client.get("/mcp/tools")
    assert response.status_code == 401
    challenge = response["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="spotify-history", error="invalid_token", ')
    assert "/.well-known/oauth-protected-resource/mcp" in challenge


def test_a_call_answers_the_tools_structured_result(client, secret, listener, rpc):
    plays = build_history(listener)
    response = post_call(client, secret, {"tool": "listening_summary", "args": {}})
    assert response.status_code == 200
    body = response.json()
    assert body["tool"] == "listening_summary"
    assert body["result"]["plays"] == len(in_window(plays))
    mcp = rpc(secret, "tools/call", {"name": "listening_summary"}).json()["result"]
    assert body["result"] == mcp["structuredContent"]


@pytest.mark.parametrize(
    ("alias", "tool"),
    [
        ("history.top_artists", "top_artists"),
        ("history.top_tracks", "top_tracks"),
        ("history.listening_heatmap", "listening_heatmap"),
        ("history.taste_summary", "listening_summary"),
        ("history.coverage", "sync_status"),
        ("ops.sync_status", "sync_status"),
    ],
)
def test_the_original_designs_names_are_accepted(client, secret, alias, tool):
    response = post_call(client, secret, {"tool": alias})
    assert response.status_code == 200
    assert response.json()["tool"] == tool


def test_a_bad_argument_is_a_400_with_the_tools_sentence(client, secret):
    response = post_call(client, secret, {"tool": "top_artists", "args": {"by": "loudness"}})
    assert response.status_code == 400
    body = response.json()
    assert body["tool"] == "top_artists"
    assert "by" in body["error"]


def test_an_unknown_tool_is_a_404(client, secret):
    response = post_call(client, secret, {"tool": "drop_tables"})
    assert response.status_code == 404
    assert response.json() == {
        "error": "Unknown tool: call tools/list (or GET /mcp/tools) for the names.",
        "tool": "drop_tables",
    }


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"{not json", "The body is not JSON"),
        ({"args": {}}, 'The body needs "tool"'),
        ({"tool": 7}, 'The body needs "tool"'),
        ([{"tool": "sync_status"}], 'The body needs "tool"'),
        ({"tool": "sync_status", "args": [1]}, '"args" must be a JSON object'),
        ({"tool": "sync_status", "arguments": {}}, "The body has a field it does not take"),
    ],
)
def test_a_malformed_body_is_a_400_saying_what_to_send(client, secret, body, says):
    response = post_call(client, secret, body)
    assert response.status_code == 400
    assert says in response.json()["error"]


def test_a_listener_token_naming_another_listener_is_a_403(client, secret):
    Listener.objects.create(spotify_user_id="bob")
    response = post_call(client, secret, {"tool": "sync_status", "args": {"user_id": "bob"}})
    assert response.status_code == 403
    assert "answers about listener 'alice' only" in response.json()["error"]


def test_the_admin_token_names_the_listener(client, listener):
    response = post_call(client, ADMIN_TOKEN, {"tool": "sync_status", "args": {"user_id": "alice"}})
    assert response.status_code == 200
    assert response.json()["result"]["listener"] == "alice"
    missing = post_call(client, ADMIN_TOKEN, {"tool": "sync_status"})
    assert missing.status_code == 400
    unknown = post_call(client, ADMIN_TOKEN, {"tool": "sync_status", "args": {"user_id": "zed"}})
    assert unknown.status_code == 404


def test_a_call_needs_a_live_token(client, listener):
    token, secret = tokens.issue_token(listener)
    tokens.revoke_token(token)
    for sent in (None, secret):
        response = post_call(client, sent, {"tool": "sync_status"})
        assert response.status_code == 401
        assert "WWW-Authenticate" in response


def test_a_call_from_a_foreign_origin_is_a_403(client, secret):
    response = post_call(
        client, secret, {"tool": "sync_status"}, HTTP_ORIGIN="https://evil.example"
    )
    assert response.status_code == 403


def test_a_call_body_over_the_limit_is_a_413(client, secret, settings):
    settings.MCP_MAX_BODY_BYTES = 100
    response = post_call(client, secret, {"tool": "search_history", "args": {"query": "x" * 200}})
    assert response.status_code == 413


@pytest.mark.parametrize(("path", "method"), [("/mcp/call", "get"), ("/mcp/tools", "post")])
def test_the_wrong_method_is_a_405(client, secret, path, method):
    response = getattr(client, method)(path, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 405


def test_the_openapi_document_is_public_and_valid_openapi_3(client):
    response = client.get("/mcp/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {"/mcp/tools", "/mcp/call"}
    assert document["servers"] == [{"url": "http://testserver"}]
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["bearerAuth"]["description"],
    }


def test_the_openapi_document_describes_each_tools_arguments_and_result(client):
    document = client.get("/mcp/openapi.json").json()
    schemas = document["components"]["schemas"]
    call_request = schemas["CallRequest"]["properties"]
    assert call_request["tool"]["enum"] == [tool.name for tool in TOOLS] + sorted(ALIASES)
    for tool in TOOLS:
        arguments = schemas[f"{tool.name}Arguments"]
        assert arguments["properties"] == tool.input_schema["properties"]
        assert schemas[f"{tool.name}Result"]["properties"] == tool.output_schema["properties"]
        assert {"$ref": f"#/components/schemas/{tool.name}Arguments"} in call_request["args"][
            "anyOf"
        ]
    responses = document["paths"]["/mcp/call"]["post"]["responses"]
    assert set(responses) == {"200", "400", "401", "403", "404", "413", "429"}


def test_a_failure_inside_the_server_is_a_500_that_shows_nothing(client, secret, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("connection to db password=hunter2 lost")

    monkeypatch.setattr("mcp.calls.call_tool", broken)
    response = post_call(client, secret, {"tool": "sync_status"})
    assert response.status_code == 500
    assert "Internal error" in response.json()["error"]
    assert "hunter2" not in response.content.decode()
