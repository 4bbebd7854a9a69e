"""Authorize -> token -> /me, with PKCE, single-use codes and Spotify's refusals."""

from __future__ import annotations

import spotify_standin.state

from .support import (
    REDIRECT_URI,
    api_get,
    authorize,
    exchange,
    login,
    pkce_pair,
    redirect_params,
    token_request,
)


def test_it_redirects_back_with_a_code_and_the_state(standin):
    params = redirect_params(authorize(standin, state="abc"))

    assert params["state"] == "abc"
    assert len(params["code"]) > 40


def test_the_code_buys_tokens_that_open_the_listeners_profile(standin):
    tokens = login(standin)

    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 3600
    assert tokens["scope"] == "user-read-recently-played user-read-private"
    assert tokens["refresh_token"]
    me = api_get(standin, "/me", tokens["access_token"])
    assert me.status_code == 200
    assert me.json()["id"] == "demo-listener"


def test_a_code_works_only_once(standin):
    code = redirect_params(authorize(standin))["code"]

    assert exchange(standin, code).status_code == 200
    second = exchange(standin, code)

    assert second.status_code == 400
    assert second.json() == {
        "error": "invalid_grant",
        "error_description": "Invalid authorization code",
    }


def test_an_unknown_code_is_an_invalid_grant(standin):
    response = exchange(standin, "made-up")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_a_code_is_refused_with_another_redirect_uri(standin):
    code = redirect_params(authorize(standin))["code"]

    response = exchange(standin, code, redirect_uri="http://127.0.0.1:9999/other")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_an_expired_code_is_refused(standin, monkeypatch):
    monkeypatch.setattr(spotify_standin.state, "CODE_TTL_SECONDS", -1)
    code = redirect_params(authorize(standin))["code"]

    response = exchange(standin, code)

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "Authorization code expired",
    }


def test_pkce_with_the_right_verifier_succeeds_without_a_client_secret(make_standin):
    standin = make_standin(client_id="test-client", client_secret="s3cret")
    verifier, challenge = pkce_pair()
    code = redirect_params(
        authorize(standin, code_challenge=challenge, code_challenge_method="S256")
    )["code"]

    response = exchange(standin, code, code_verifier=verifier, client_id="test-client")

    assert response.status_code == 200, response.text
    assert response.json()["access_token"]


def test_pkce_with_a_wrong_verifier_is_refused(standin):
    _, challenge = pkce_pair()
    code = redirect_params(
        authorize(standin, code_challenge=challenge, code_challenge_method="S256")
    )["code"]

    response = exchange(standin, code, code_verifier="w" * 64)

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "code_verifier was incorrect",
    }


def test_pkce_without_a_verifier_is_refused(standin):
    _, challenge = pkce_pair()
    code = redirect_params(
        authorize(standin, code_challenge=challenge, code_challenge_method="S256")
    )["code"]

    response = exchange(standin, code)

    assert response.status_code == 400
    assert response.json()["error_description"] == "code_verifier was incorrect"


def test_a_plain_code_challenge_method_is_refused(standin):
    response = authorize(standin, code_challenge="abc", code_challenge_method="plain")

    assert response.status_code == 400
    assert "code_challenge_method must be S256" in response.text


def test_it_approves_as_whoever_it_is_told_to(standin):
    standin.state.authorize_as("alice.smith")

    tokens = login(standin)

    me = api_get(standin, "/me", tokens["access_token"]).json()
    assert me["id"] == "alice.smith"
    assert me["display_name"] == "Alice Smith"


def test_deny_mode_redirects_with_access_denied_and_the_state(standin):
    standin.state.authorize_as(deny=True)

    params = redirect_params(authorize(standin, state="s1"))

    assert params == {"error": "access_denied", "state": "s1"}


def test_missing_parameters_get_a_400_page_naming_them(standin):
    for missing in ("client_id", "redirect_uri", "response_type"):
        response = authorize(standin, **{missing: None})

        assert response.status_code == 400
        assert response.headers["Content-Type"].startswith("text/html")
        assert f"Missing required parameter: {missing}" in response.text


def test_a_response_type_other_than_code_is_refused(standin):
    response = authorize(standin, response_type="token")

    assert response.status_code == 400
    assert "response_type must be code" in response.text


def test_an_unknown_scope_is_refused(standin):
    response = authorize(standin, scope="user-read-recently-played user-read-everything")

    assert response.status_code == 400
    assert "INVALID_SCOPE" in response.text


def test_a_wrong_client_id_gets_invalid_client_when_one_is_configured(make_standin):
    standin = make_standin(client_id="the-app")

    assert authorize(standin, client_id="the-app").status_code == 302
    response = authorize(standin, client_id="another-app")

    assert response.status_code == 400
    assert "INVALID_CLIENT: Invalid client" in response.text


def test_an_insecure_redirect_uri_is_refused_like_spotify_does(standin):
    for uri in ("http://localhost:8000/cb", "http://example.com/cb"):
        response = authorize(standin, redirect_uri=uri)

        assert response.status_code == 400
        assert "INVALID_CLIENT: Insecure redirect URI" in response.text
    assert authorize(standin, redirect_uri="https://example.com/cb").status_code == 302


def test_insecure_redirect_uris_can_be_allowed_for_tests(standin):
    standin.state.configure(allow_insecure_redirects=True)

    response = authorize(standin, redirect_uri="http://testserver/auth/callback")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("http://testserver/auth/callback?code=")


def test_a_wrong_client_secret_gets_401_invalid_client(make_standin):
    standin = make_standin(client_id="the-app", client_secret="right")
    code = redirect_params(authorize(standin, client_id="the-app"))["code"]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}

    response = token_request(standin, form, auth=("the-app", "wrong"))

    assert response.status_code == 401
    assert response.json() == {"error": "invalid_client", "error_description": "Invalid client"}


def test_client_credentials_work_in_basic_auth_or_in_the_form(make_standin):
    standin = make_standin(client_id="the-app", client_secret="right")
    form = {"grant_type": "authorization_code", "redirect_uri": REDIRECT_URI}

    code = redirect_params(authorize(standin, client_id="the-app"))["code"]
    by_basic = token_request(standin, {**form, "code": code}, auth=("the-app", "right"))
    code = redirect_params(authorize(standin, client_id="the-app"))["code"]
    in_form = {**form, "code": code, "client_id": "the-app", "client_secret": "right"}
    by_form = token_request(standin, in_form)

    assert by_basic.status_code == 200
    assert by_form.status_code == 200


def test_a_confidential_client_must_send_its_secret(make_standin):
    standin = make_standin(client_id="the-app", client_secret="right")
    code = redirect_params(authorize(standin, client_id="the-app"))["code"]

    response = exchange(standin, code, client_id="the-app")

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_an_unknown_grant_type_is_unsupported(standin):
    response = token_request(standin, {"grant_type": "password"})
    missing = token_request(standin, {})

    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"
    assert missing.status_code == 400
    assert missing.json()["error"] == "unsupported_grant_type"
