"""Bearer tokens on /v1 (missing, unknown, expired) and the /v1/me profile."""

from __future__ import annotations

from spotify_standin import StandinServer

from .support import api_get, refresh


def test_a_request_without_a_token_is_refused_with_401(standin):
    response = api_get(standin, "/me", None)

    assert response.status_code == 401
    assert response.json() == {"error": {"status": 401, "message": "No token provided"}}


def test_an_unknown_token_is_an_invalid_access_token(standin):
    response = api_get(standin, "/me", "BQ-made-up")

    assert response.status_code == 401
    assert response.json() == {"error": {"status": 401, "message": "Invalid access token"}}


def test_an_expired_token_says_the_access_token_expired(standin):
    standin.state.configure(access_token_ttl=0)
    tokens = standin.state.mint_tokens("demo-listener")

    response = api_get(standin, "/me", tokens["access_token"])

    assert tokens["expires_in"] == 0
    assert response.status_code == 401
    assert response.json() == {"error": {"status": 401, "message": "The access token expired"}}


def test_a_refreshed_token_works_after_expiry(standin, tokens):
    standin.state.expire_access_tokens("demo-listener")
    assert api_get(standin, "/me", tokens["access_token"]).status_code == 401

    fresh = refresh(standin, tokens["refresh_token"]).json()["access_token"]

    assert api_get(standin, "/me", fresh).status_code == 200


def test_me_returns_a_spotify_shaped_profile(standin, tokens):
    me = api_get(standin, "/me", tokens["access_token"]).json()

    assert me["id"] == "demo-listener"
    assert me["display_name"] == "Demo Listener"
    assert me["type"] == "user"
    assert me["uri"] == "spotify:user:demo-listener"
    assert me["href"] == f"{standin.api_url}/users/demo-listener"
    assert me["external_urls"] == {"spotify": "https://open.spotify.com/user/demo-listener"}
    assert me["product"] == "premium"
    assert len(me["country"]) == 2
    assert me["account_id"]


def test_a_user_can_be_configured_without_an_account_id(standin):
    standin.state.add_user("old-timer", account_id=None, country="SE", display_name="Old")
    tokens = standin.state.mint_tokens("old-timer")

    me = api_get(standin, "/me", tokens["access_token"]).json()

    assert "account_id" not in me
    assert (me["country"], me["display_name"]) == ("SE", "Old")


def test_account_id_is_stable_across_servers_and_seeds(standin, tokens):
    first = api_get(standin, "/me", tokens["access_token"]).json()["account_id"]
    with StandinServer(port=0, seed=99) as other:
        token = other.state.mint_tokens("demo-listener")["access_token"]
        second = api_get(other, "/me", token).json()["account_id"]

    assert first == second
    assert first != standin.state.user("someone-else")["account_id"]


def test_country_and_product_need_the_user_read_private_scope(standin):
    tokens = standin.state.mint_tokens("demo-listener", scope="user-read-recently-played")

    me = api_get(standin, "/me", tokens["access_token"]).json()

    assert me["id"] == "demo-listener"
    assert "country" not in me
    assert "product" not in me
    assert "email" not in me
