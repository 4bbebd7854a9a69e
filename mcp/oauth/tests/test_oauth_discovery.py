"""Discovery: the 401 from /mcp points at the protected resource metadata (RFC 9728), which names
this server as the authorization server, whose metadata (RFC 8414) lists what MCP clients need.
Every URL comes from PUBLIC_BASE_URL, whatever Host the request used."""

import pytest

from mcp.oauth.tests.conftest import PUBLIC, RESOURCE

pytestmark = pytest.mark.django_db

PRM_PATHS = ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"]
ASM_PATHS = ["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"]


def test_a_401_from_mcp_names_the_resource_metadata_and_the_scope(client):
    response = client.post("/mcp", data={}, content_type="application/json")
    assert response.status_code == 401
    challenge = response["WWW-Authenticate"]
    assert f'resource_metadata="{PUBLIC}/.well-known/oauth-protected-resource/mcp"' in challenge
    assert 'error="invalid_token"' in challenge
    assert 'scope="history:read"' in challenge


@pytest.mark.parametrize("path", PRM_PATHS)
def test_the_protected_resource_metadata_names_mcp_and_this_authorization_server(client, path):
    response = client.get(path, HTTP_HOST="localhost")
    assert response.status_code == 200
    assert response.json() == {
        "resource": RESOURCE,
        "authorization_servers": [PUBLIC],
        "scopes_supported": ["history:read", "history:write"],
        "bearer_methods_supported": ["header"],
        "resource_name": "Spotify listening history",
    }


def test_no_metadata_is_served_for_another_resource_path(client):
    assert client.get("/.well-known/oauth-protected-resource/other").status_code == 404


@pytest.mark.parametrize("path", ASM_PATHS)
def test_the_authorization_server_metadata_lists_what_mcp_clients_need(client, path):
    response = client.get(path, HTTP_HOST="localhost")
    assert response.status_code == 200
    metadata = response.json()
    assert metadata["issuer"] == PUBLIC
    assert metadata["authorization_endpoint"] == f"{PUBLIC}/oauth/authorize"
    assert metadata["token_endpoint"] == f"{PUBLIC}/oauth/token"
    assert metadata["registration_endpoint"] == f"{PUBLIC}/oauth/register"
    assert metadata["revocation_endpoint"] == f"{PUBLIC}/oauth/revoke"
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["response_types_supported"] == ["code"]
    assert metadata["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert "none" in metadata["token_endpoint_auth_methods_supported"]
    assert metadata["client_id_metadata_document_supported"] is True
    assert metadata["authorization_response_iss_parameter_supported"] is True
    assert metadata["scopes_supported"] == ["history:read", "history:write"]
    assert "introspection_endpoint" not in metadata
    assert "localhost" not in response.content.decode()


def test_the_metadata_follows_public_base_url(client, settings):
    from mcp.oauth.tests.conftest import use_public_base_url

    use_public_base_url(settings, "https://moved.example.org")
    metadata = client.get(ASM_PATHS[0]).json()
    assert metadata["issuer"] == "https://moved.example.org"
    assert metadata["token_endpoint"] == "https://moved.example.org/oauth/token"
    prm = client.get(PRM_PATHS[0]).json()
    assert prm["resource"] == "https://moved.example.org/mcp"
