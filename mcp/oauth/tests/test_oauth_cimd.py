"""Client ID Metadata Documents: a client whose id is an HTTPS URL is registered by fetching that
URL, over real HTTPS on 127.0.0.1 (a `trustme` certificate), and every unsafe document or address
is refused before anything is stored."""

import pytest

from mcp.oauth.models import Application
from mcp.oauth.tests.cimd_server import CimdServer
from mcp.oauth.tests.conftest import (
    PUBLIC,
    REDIRECT,
    approve,
    authorize_url,
    exchange,
    log_in,
    pkce,
    redirect_params,
    use_public_base_url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def documents(monkeypatch, tmp_path, settings):
    settings.MCP_OAUTH_CIMD_ALLOW_LOOPBACK = True
    with CimdServer([REDIRECT]) as server:
        server.trust(monkeypatch, tmp_path)
        yield server


def authorize_page(client, listener, client_id, **params):
    log_in(client, listener)
    return client.get(authorize_url(client_id, pkce()[1], **params))


def assert_unknown_client(response):
    assert response.status_code == 400
    assert "Location" not in response
    assert not Application.objects.exists()


def test_a_metadata_document_registers_its_client_on_first_use(client, documents, listener):
    client_id = documents.url("/client.json")
    page = authorize_page(client, listener, client_id)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Connect Metadata Assistant?" in text
    assert "published at <strong>127.0.0.1</strong>" in text
    assert "nothing has checked it" not in text
    application = Application.objects.get(client_id=client_id)
    assert application.registration_source == Application.RegistrationSource.CIMD
    assert application.client_type == Application.CLIENT_PUBLIC
    assert application.redirect_uris == REDIRECT


def test_a_metadata_client_completes_the_flow_and_the_document_is_cached(
    client, documents, listener
):
    client_id = documents.url("/client.json")
    log_in(client, listener)
    verifier, challenge = pkce()
    params = redirect_params(approve(client, authorize_url(client_id, challenge)))
    assert params["iss"] == PUBLIC
    assert exchange(client, client_id, params["code"], verifier).status_code == 200
    assert documents.hits["/client.json"] == 1


def test_a_redirect_uri_missing_from_the_document_is_refused(client, documents, listener):
    response = authorize_page(
        client,
        listener,
        documents.url("/client.json"),
        redirect_uri="http://127.0.0.1:53682/elsewhere",
    )
    assert response.status_code == 400
    assert "Location" not in response


def test_a_document_naming_another_client_id_is_refused(client, documents, listener):
    assert_unknown_client(authorize_page(client, listener, documents.url("/other-id.json")))


def test_a_document_over_the_size_cap_is_refused(client, documents, listener):
    assert_unknown_client(authorize_page(client, listener, documents.url("/big.json")))
    assert documents.hits["/big.json"] == 1


def test_a_slow_document_is_given_up_on(client, documents, listener, settings):
    use_public_base_url(settings, PUBLIC, CIMD_FETCH_TIMEOUT_SECONDS=0.5)
    assert_unknown_client(authorize_page(client, listener, documents.url("/slow.json")))
    assert documents.hits["/slow.json"] == 1


def test_a_redirect_is_not_followed(client, documents, listener):
    assert_unknown_client(authorize_page(client, listener, documents.url("/redirect.json")))
    assert documents.hits["/redirect.json"] == 1
    assert documents.hits["/client.json"] == 0


def test_a_client_id_that_is_not_https_is_never_fetched(client, listener, settings):
    settings.MCP_OAUTH_CIMD_ALLOW_LOOPBACK = True
    with CimdServer([REDIRECT], tls=False) as plain:
        assert_unknown_client(authorize_page(client, listener, plain.url("/client.json")))
        assert sum(plain.hits.values()) == 0


def test_loopback_and_private_addresses_are_refused_unless_the_setting_allows_loopback(
    client, documents, listener, settings
):
    settings.MCP_OAUTH_CIMD_ALLOW_LOOPBACK = False
    assert_unknown_client(authorize_page(client, listener, documents.url("/client.json")))
    assert sum(documents.hits.values()) == 0


def test_the_loopback_switch_never_opens_other_private_addresses(settings):
    from oauth2_provider.cimd import CIMDError

    from mcp.oauth.cimd import MetadataFetcher, loopback_literal

    settings.MCP_OAUTH_CIMD_ALLOW_LOOPBACK = True
    assert loopback_literal("https://127.0.0.1:8443/c.json")
    assert loopback_literal("https://[::1]/c.json")
    for client_id in ("https://10.0.0.1/c.json", "https://192.168.1.10/c.json"):
        assert not loopback_literal(client_id)
        # Refused by the toolkit's address check before any connection is attempted.
        with pytest.raises(CIMDError, match="non-public address"):
            MetadataFetcher().fetch(client_id)
    assert not loopback_literal("https://localhost/c.json")  # a name could resolve anywhere


def test_with_registration_off_a_new_document_is_not_even_fetched(
    client, documents, listener, settings
):
    settings.MCP_OAUTH_REGISTRATION = False
    assert_unknown_client(authorize_page(client, listener, documents.url("/client.json")))
    assert sum(documents.hits.values()) == 0


def test_an_allow_list_admits_only_the_listed_documents(client, documents, listener, settings):
    listed = documents.url("/client.json")
    settings.MCP_OAUTH_ALLOWED_CLIENTS = [listed]
    assert authorize_page(client, listener, listed).status_code == 200
    refused = authorize_page(client, listener, documents.url("/big.json"))
    assert refused.status_code == 400
    assert documents.hits["/big.json"] == 0
