"""The two eras of /mcp: the initialize handshake (2025-11-25 and older) and 2026-07-28's."""

import pytest

from mcp.tests.conftest import modern_headers, modern_meta

pytestmark = pytest.mark.django_db

CAPABILITIES = {
    "tools": {"listChanged": False},
    "resources": {"listChanged": False, "subscribe": False},
    "prompts": {"listChanged": False},
}
SERVER_STAMP = {
    "io.modelcontextprotocol/serverInfo": {
        "name": "spotify-history",
        "title": "Spotify listening history",
        "version": "0.1.0",
    }
}


def initialize(rpc, secret, version):
    params = {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "t"}}
    return rpc(secret, "initialize", params, version=None)


@pytest.mark.parametrize("version", ["2025-11-25", "2025-06-18", "2025-03-26"])
def test_initialize_agrees_to_each_supported_version(rpc, secret, version):
    result = initialize(rpc, secret, version).json()["result"]
    assert result["protocolVersion"] == version
    assert result["capabilities"] == CAPABILITIES
    assert result["serverInfo"]["name"] == "spotify-history"
    assert "listening_summary" in result["instructions"]


@pytest.mark.parametrize("version", ["2024-11-05", "2026-07-28", "2099-01-01"])
def test_initialize_offers_its_latest_handshake_version_for_any_other(rpc, secret, version):
    assert initialize(rpc, secret, version).json()["result"]["protocolVersion"] == "2025-11-25"


def test_initialize_without_a_protocol_version_is_invalid_params(rpc, secret):
    response = rpc(secret, "initialize", {"capabilities": {}}, version=None)
    assert response.json()["error"]["code"] == -32602


def test_ping_answers_an_empty_result(rpc, secret):
    assert rpc(secret, "ping", id="p-1").json() == {"jsonrpc": "2.0", "id": "p-1", "result": {}}


def test_server_discover_names_the_2026_version_and_capabilities(rpc, secret):
    response = rpc(secret, "server/discover", modern=True)
    assert response.status_code == 200
    result = response.json()["result"]
    assert result["supportedVersions"] == ["2026-07-28"]
    assert result["capabilities"] == CAPABILITIES
    assert result["serverInfo"]["name"] == "spotify-history"
    assert result["resultType"] == "complete"
    assert result["cacheScope"] == "private"
    assert result["ttlMs"] == 0
    assert result["_meta"] == SERVER_STAMP
    assert "listening_summary" in result["instructions"]


def test_2026_results_carry_their_type_and_the_server_stamp(rpc, secret):
    result = rpc(secret, "tools/list", modern=True).json()["result"]
    assert result["resultType"] == "complete"
    assert result["_meta"] == SERVER_STAMP
    assert (result["cacheScope"], result["ttlMs"]) == ("private", 0)


def test_handshake_era_results_carry_no_2026_fields(rpc, secret):
    result = rpc(secret, "tools/list").json()["result"]
    assert set(result) == {"tools"}


def test_server_discover_is_not_a_handshake_era_method(rpc, secret):
    response = rpc(secret, "server/discover", version="2025-11-25")
    assert response.status_code == 200
    assert response.json()["error"]["code"] == -32601


@pytest.mark.parametrize("method", ["initialize", "ping"])
def test_2026_has_no_handshake_or_ping_so_they_are_not_found_with_404(rpc, secret, method):
    response = rpc(secret, method, {"protocolVersion": "2025-11-25"}, modern=True)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == -32601


def test_an_unknown_2026_method_is_a_404(rpc, secret):
    response = rpc(secret, "tools/destroy", modern=True)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == -32601


def test_a_2026_request_without_its_meta_envelope_is_invalid_params(rpc, secret):
    response = rpc(secret, "tools/list", headers=modern_headers("tools/list"), version=None)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == -32602
    assert "io.modelcontextprotocol/protocolVersion" in error["message"]


def test_a_discover_without_the_version_header_is_a_header_mismatch(rpc, secret):
    response = rpc(
        secret,
        "server/discover",
        {"_meta": modern_meta()},
        headers={"Mcp-Method": "server/discover"},
        version=None,
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == -32020


def test_a_method_header_that_differs_from_the_body_is_a_header_mismatch(rpc, secret):
    response = rpc(secret, "tools/list", modern=True, headers={"Mcp-Method": "prompts/list"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == -32020
    assert "Mcp-Method" in error["message"]


def test_a_name_header_that_differs_from_the_tool_called_is_a_header_mismatch(rpc, secret):
    response = rpc(
        secret,
        "tools/call",
        {"name": "top_artists", "arguments": {}},
        modern=True,
        headers={"Mcp-Name": "sync_status"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == -32020


def test_a_name_header_may_come_base64_encoded(rpc, secret):
    response = rpc(
        secret,
        "tools/call",
        {"name": "sync_status", "arguments": {}},
        modern=True,
        headers={"Mcp-Name": "=?base64?c3luY19zdGF0dXM=?="},
    )
    assert response.status_code == 200
    assert response.json()["result"]["isError"] is False


def test_a_meta_version_that_differs_from_the_header_is_a_header_mismatch(rpc, secret):
    params = {"_meta": modern_meta("2025-11-25")}
    response = rpc(secret, "tools/list", params, headers=modern_headers("tools/list"), version=None)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == -32020


def test_a_discover_at_a_version_the_server_lacks_names_the_ones_it_has(rpc, secret):
    response = rpc(
        secret,
        "server/discover",
        {"_meta": modern_meta("2027-01-01")},
        headers=modern_headers("server/discover", version="2027-01-01"),
        version=None,
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == -32022
    assert "2026-07-28" in error["data"]["supported"]
    assert error["data"]["requested"] == "2027-01-01"


def test_a_2026_notification_is_accepted_with_202(rpc, secret):
    response = rpc(secret, "notifications/cancelled", id=None, modern=True)
    assert response.status_code == 202


def test_a_malformed_base64_name_header_never_matches(rpc, secret):
    response = rpc(
        secret,
        "tools/call",
        {"name": "sync_status", "arguments": {}},
        modern=True,
        headers={"Mcp-Name": "=?base64?not base64!?="},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == -32020
