"""The authorization endpoint and the code exchange: consent, PKCE, codes, redirect URIs,
resource binding and `iss`, each way a request can go wrong answered as the specs say."""

from urllib.parse import urlencode

import pytest

from mcp.oauth.models import Application, Connection, Grant
from mcp.oauth.tests.conftest import (
    PUBLIC,
    REDIRECT,
    RESOURCE,
    approve,
    authorize_url,
    exchange,
    issued_tokens,
    log_in,
    pkce,
    redirect_params,
)

pytestmark = pytest.mark.django_db


def test_a_visitor_who_is_not_logged_in_goes_to_the_spotify_login_and_comes_back(
    client, registered
):
    url = authorize_url(registered, pkce()[1])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == "/auth/login?" + urlencode({"next": url})


def test_the_consent_page_names_the_client_where_it_redirects_and_what_it_reads(
    client, registered, listener
):
    log_in(client, listener)
    page = client.get(authorize_url(registered, pkce()[1]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Connect Test Assistant?" in text
    assert "127.0.0.1:53682" in text
    assert "a program on this computer" in text
    assert "nothing has checked it" in text  # a DCR client's name is unverified
    assert "Read your Spotify listening history" in text
    assert 'name="csrfmiddlewaretoken"' in text
    assert "<script>" not in text.replace('<script src="/static/adminui/pages.js" defer>', "")


def test_approving_redirects_with_code_state_and_iss_and_the_code_buys_bound_tokens(
    client, registered, listener
):
    log_in(client, listener)
    verifier, challenge = pkce()
    params = redirect_params(approve(client, authorize_url(registered, challenge)))
    assert params["state"] == "state-123"
    assert params["iss"] == PUBLIC
    assert set(params) == {"code", "state", "iss"}

    response = exchange(client, registered, params["code"], verifier)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "history:read"
    assert body["refresh_token"]
    token = issued_tokens().get()
    assert token.user == listener
    assert token.resource == [RESOURCE]
    assert token.token == ""  # stored as its SHA-256 only
    assert Connection.objects.get().listener == listener


def test_a_request_without_a_resource_is_bound_to_this_servers_mcp_anyway(
    client, registered, listener
):
    log_in(client, listener)
    verifier, challenge = pkce()
    params = redirect_params(approve(client, authorize_url(registered, challenge, resource=None)))
    assert exchange(client, registered, params["code"], verifier, resource=None).status_code == 200
    assert issued_tokens().get().resource == [RESOURCE]


def test_a_request_for_another_resource_is_refused_with_invalid_target(
    client, registered, listener
):
    log_in(client, listener)
    url = authorize_url(registered, pkce()[1], resource="https://elsewhere.example/mcp")
    params = redirect_params(client.get(url))
    assert params["error"] == "invalid_target"
    assert params["state"] == "state-123"
    assert params["iss"] == PUBLIC
    assert not Grant.objects.exists()


def test_a_token_request_for_another_resource_than_the_grant_is_refused(
    client, registered, listener
):
    log_in(client, listener)
    verifier, challenge = pkce()
    params = redirect_params(approve(client, authorize_url(registered, challenge)))
    response = exchange(
        client, registered, params["code"], verifier, resource="https://elsewhere.example/mcp"
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_target"
    assert not issued_tokens().exists()


def test_a_request_without_pkce_is_refused(client, registered, listener):
    log_in(client, listener)
    url = authorize_url(registered, None, code_challenge_method=None)
    params = redirect_params(client.get(url))
    assert params["error"] == "invalid_request"
    assert "iss" in params


def test_a_plain_pkce_challenge_is_refused(client, registered, listener):
    log_in(client, listener)
    verifier, _ = pkce()
    params = redirect_params(
        client.get(authorize_url(registered, verifier, code_challenge_method="plain"))
    )
    assert params["error"] == "invalid_request"


def test_a_wrong_or_missing_pkce_verifier_gets_no_token(client, registered, listener):
    log_in(client, listener)
    _verifier, challenge = pkce()
    params = redirect_params(approve(client, authorize_url(registered, challenge)))
    wrong = exchange(client, registered, params["code"], pkce()[0])
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    missing = exchange(client, registered, params["code"], None)
    assert missing.status_code == 400
    assert missing.json()["error"] == "invalid_request"
    assert not issued_tokens().exists()


def test_a_code_works_once(client, registered, listener):
    log_in(client, listener)
    verifier, challenge = pkce()
    params = redirect_params(approve(client, authorize_url(registered, challenge)))
    assert exchange(client, registered, params["code"], verifier).status_code == 200
    again = exchange(client, registered, params["code"], verifier)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    assert issued_tokens().count() == 1


def test_a_code_for_another_client_is_refused(client, registered, register, listener):
    other = register(client_name="Other").json()["client_id"]
    log_in(client, listener)
    verifier, challenge = pkce()
    params = redirect_params(approve(client, authorize_url(registered, challenge)))
    response = exchange(client, other, params["code"], verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_an_unregistered_redirect_uri_is_never_redirected_to(client, registered, listener):
    log_in(client, listener)
    for uri in ("https://attacker.example/callback", "http://127.0.0.1:53682/other"):
        response = client.get(authorize_url(registered, pkce()[1], redirect_uri=uri))
        assert response.status_code == 400
        assert "attacker" not in response.get("Location", "")
        assert "not valid" in response.content.decode()


def test_a_loopback_redirect_uri_may_use_any_port(client, registered, listener):
    log_in(client, listener)
    _verifier, challenge = pkce()
    url = authorize_url(registered, challenge, redirect_uri="http://127.0.0.1:61000/callback")
    response = approve(client, url)
    assert response["Location"].startswith("http://127.0.0.1:61000/callback?")


def test_an_unknown_client_gets_an_error_page(client, listener):
    log_in(client, listener)
    response = client.get(authorize_url("no-such-client", pkce()[1]))
    assert response.status_code == 400
    assert "Location" not in response


def test_denying_redirects_with_access_denied_and_stores_nothing(client, registered, listener):
    log_in(client, listener)
    params = redirect_params(approve(client, authorize_url(registered, pkce()[1]), "deny"))
    assert params["error"] == "access_denied"
    assert params["state"] == "state-123"
    assert params["iss"] == PUBLIC
    assert not Grant.objects.exists()


def test_the_consent_form_needs_the_csrf_token(registered, listener):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    log_in(strict, listener)
    url = authorize_url(registered, pkce()[1])
    assert strict.get(url).status_code == 200
    response = strict.post(url, {"decision": "allow"})
    assert response.status_code == 403
    assert not Grant.objects.exists()


def test_answering_after_the_session_ended_is_refused(client, registered):
    response = client.post(authorize_url(registered, pkce()[1]), {"decision": "allow"})
    assert response.status_code == 403
    assert not Grant.objects.exists()


def test_a_client_left_off_the_allow_list_cannot_be_authorized(
    client, registered, listener, settings
):
    settings.MCP_OAUTH_ALLOWED_CLIENTS = ["https://claude.ai/oauth/mcp-oauth-client-metadata"]
    log_in(client, listener)
    response = client.get(authorize_url(registered, pkce()[1]))
    assert response.status_code == 400
    assert Application.objects.filter(client_id=registered).exists()


def test_the_redirect_uri_given_at_authorization_must_be_repeated_at_the_token_endpoint(
    client, registered, listener
):
    log_in(client, listener)
    verifier, challenge = pkce()
    url = authorize_url(registered, challenge, redirect_uri="http://127.0.0.1:61000/callback")
    params = redirect_params(approve(client, url))
    response = exchange(client, registered, params["code"], verifier, redirect_uri=REDIRECT)
    assert response.status_code == 400
    assert not issued_tokens().exists()


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"scope": "admin"}, "invalid_scope"),
        ({"response_type": "token"}, "unauthorized_client"),
        ({"response_type": "id_token"}, "unsupported_response_type"),
        ({"response_type": None}, "invalid_request"),
    ],
)
def test_other_bad_requests_go_back_to_the_client_with_the_error(
    client, registered, listener, params, error
):
    log_in(client, listener)
    answer = redirect_params(client.get(authorize_url(registered, pkce()[1], **params)))
    assert answer["error"] == error
    assert answer["iss"] == PUBLIC
    assert not Grant.objects.exists()
