"""/mcp as a Streamable HTTP endpoint: methods, headers, one message a POST, size, errors."""

import json

import pytest

pytestmark = pytest.mark.django_db


def test_an_initialize_request_gets_one_json_response_and_no_session(rpc, secret):
    response = rpc(
        secret,
        "initialize",
        {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t"}},
        version=None,
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "Mcp-Session-Id" not in response
    assert response.json()["id"] == 1
    assert response.json()["result"]["protocolVersion"] == "2025-11-25"


@pytest.mark.parametrize("method", ["get", "delete", "put"])
def test_only_post_is_allowed(client, secret, method):
    response = getattr(client, method)("/mcp", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 405
    assert response["Allow"] == "POST, OPTIONS"
    assert response.json()["error"]["code"] == -32600


def test_notifications_are_accepted_with_202_and_no_body(rpc, secret):
    response = rpc(secret, "notifications/initialized", id=None)
    assert response.status_code == 202
    assert response.content == b""


def test_a_response_from_the_client_is_accepted_with_202(rpc, secret):
    response = rpc(secret, raw=json.dumps({"jsonrpc": "2.0", "id": 7, "result": {}}))
    assert response.status_code == 202
    assert response.content == b""


def test_a_batch_is_refused_as_an_invalid_request(rpc, secret):
    batch = [
        {"jsonrpc": "2.0", "id": 1, "method": "ping"},
        {"jsonrpc": "2.0", "id": 2, "method": "ping"},
    ]
    response = rpc(secret, raw=json.dumps(batch))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == -32600
    assert "one JSON-RPC message per POST" in error["message"]


def test_a_body_that_is_not_json_is_a_parse_error(rpc, secret):
    response = rpc(secret, raw=b'{"jsonrpc": "2.0", "id": ')
    assert response.status_code == 400
    answer = response.json()
    assert (answer["id"], answer["error"]["code"]) == (None, -32700)
    assert answer["error"]["message"].startswith("Parse error: the body is not JSON in UTF-8 (")


@pytest.mark.parametrize(
    ("message", "says"),
    [
        ({"jsonrpc": "1.0", "id": 1, "method": "ping"}, '"jsonrpc" must be "2.0"'),
        ({"jsonrpc": "2.0", "id": 1}, "a request needs a method"),
        ({"jsonrpc": "2.0", "id": True, "method": "ping"}, "id must be a string or a number"),
        ({"jsonrpc": "2.0", "id": 1, "method": 5}, "method must be a non-empty string"),
        ("ping", "a JSON-RPC message is a JSON object"),
    ],
)
def test_a_message_that_is_not_json_rpc_is_an_invalid_request(rpc, secret, message, says):
    response = rpc(secret, raw=json.dumps(message))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == -32600
    assert says in error["message"]


def test_the_invalid_request_answer_keeps_a_usable_id(rpc, secret):
    response = rpc(secret, raw=json.dumps({"jsonrpc": "1.0", "id": "abc", "method": "ping"}))
    assert response.json()["id"] == "abc"


def test_an_unknown_method_is_method_not_found(rpc, secret):
    response = rpc(secret, "tools/destroy")
    assert response.status_code == 200
    assert response.json()["error"] == {
        "code": -32601,
        "message": "Method not found: this server answers initialize, ping, tools/*, "
        "resources/* and prompts/*.",
        "data": "tools/destroy",
    }


def test_params_that_are_not_an_object_are_invalid_params(rpc, secret):
    response = rpc(
        secret, raw=json.dumps({"jsonrpc": "2.0", "id": 3, "method": "ping", "params": [1]})
    )
    assert response.json()["error"]["code"] == -32602


@pytest.mark.parametrize("version", ["2025-11-25", "2025-06-18", "2025-03-26"])
def test_each_supported_protocol_version_header_is_accepted(rpc, secret, version):
    response = rpc(secret, "ping", version=version)
    assert response.status_code == 200
    assert response.json() == {"jsonrpc": "2.0", "id": 1, "result": {}}


def test_no_protocol_version_header_means_2025_03_26_and_is_accepted(rpc, secret):
    response = rpc(secret, "tools/list", version=None)
    assert response.status_code == 200
    assert response.json()["result"]["tools"]


@pytest.mark.parametrize("version", ["2024-11-05", "1999-01-01", "latest"])
def test_an_unsupported_protocol_version_header_is_a_400(rpc, secret, version):
    response = rpc(secret, "tools/list", version=version)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == -32022
    assert error["data"] == {
        "supported": ["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26"],
        "requested": version,
    }


def test_a_notification_with_an_unsupported_version_header_is_a_400(rpc, secret):
    response = rpc(secret, "notifications/initialized", id=None, version="2020-01-01")
    assert response.status_code == 400


def test_a_body_over_the_limit_is_refused_with_413_before_it_is_read(rpc, secret, settings):
    settings.MCP_MAX_BODY_BYTES = 1000
    padding = "x" * 1000
    response = rpc(secret, "ping", {"_meta": {"padding": padding}})
    assert response.status_code == 413
    assert "MCP_MAX_BODY_BYTES" in response.json()["error_description"]


def test_a_body_just_under_the_limit_is_answered(rpc, secret, settings):
    settings.MCP_MAX_BODY_BYTES = 1000
    response = rpc(secret, "ping", {"_meta": {"padding": "x" * 800}})
    assert response.status_code == 200


def test_an_origin_that_is_not_allowed_is_refused_with_403(rpc, secret):
    response = rpc(secret, "ping", headers={"Origin": "http://evil.example"})
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden_origin"
    assert "Access-Control-Allow-Origin" not in response


def test_the_origin_check_comes_before_authentication(rpc):
    response = rpc("wrong", "ping", headers={"Origin": "http://evil.example"})
    assert response.status_code == 403


def test_the_servers_own_origin_is_allowed(rpc, secret):
    response = rpc(secret, "ping", headers={"Origin": "http://testserver"})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


def test_a_configured_origin_is_allowed_and_may_read_the_answer(rpc, secret, settings):
    settings.MCP_ALLOWED_ORIGINS = ["http://localhost:6274/"]
    response = rpc(secret, "ping", headers={"Origin": "http://localhost:6274"})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "http://localhost:6274"
    assert "WWW-Authenticate" in response["Access-Control-Expose-Headers"]


def test_a_preflight_from_a_configured_origin_names_the_mcp_headers(client, settings):
    settings.MCP_ALLOWED_ORIGINS = ["http://localhost:6274"]
    response = client.options("/mcp", HTTP_ORIGIN="http://localhost:6274")
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "http://localhost:6274"
    assert response["Access-Control-Allow-Methods"] == "POST, OPTIONS"
    for header in ("Authorization", "MCP-Protocol-Version", "Mcp-Method", "Mcp-Name"):
        assert header in response["Access-Control-Allow-Headers"]


def test_a_preflight_from_another_origin_is_refused(client):
    response = client.options("/mcp", HTTP_ORIGIN="http://evil.example")
    assert response.status_code == 403


def test_the_endpoint_needs_no_csrf_token(secret):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/mcp",
        data=json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 200


def test_a_failure_inside_the_server_is_an_internal_error_that_shows_nothing(
    rpc, secret, monkeypatch, django_capture_on_commit_callbacks
):
    from accounts.models import LogEntry

    def broken(*args, **kwargs):
        raise RuntimeError("connection to db password=hunter2 lost")

    monkeypatch.setattr("mcp.calls.call_tool", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = rpc(secret, "tools/call", {"name": "sync_status"})
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == -32603
    assert "hunter2" not in response.content.decode()
    entry = LogEntry.objects.get(event="mcp.internal_error")
    assert "RuntimeError" in entry.exception
