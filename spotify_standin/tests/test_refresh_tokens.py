"""Refreshing access tokens: with and without rotation, and revoked refresh tokens."""

from __future__ import annotations

from .support import api_get, control, login, refresh


def test_refresh_gives_a_working_access_token_and_keeps_the_refresh_token(standin):
    tokens = login(standin)

    first = refresh(standin, tokens["refresh_token"])
    second = refresh(standin, tokens["refresh_token"])

    assert first.status_code == 200
    assert "refresh_token" not in first.json()
    assert first.json()["access_token"] != tokens["access_token"]
    assert first.json()["scope"] == tokens["scope"]
    assert second.status_code == 200, "without rotation the refresh token keeps working"
    assert api_get(standin, "/me", first.json()["access_token"]).status_code == 200


def test_with_rotation_each_refresh_returns_a_new_refresh_token_and_retires_the_old(
    make_standin,
):
    standin = make_standin(rotate_refresh_tokens=True)
    tokens = login(standin)

    rotated = refresh(standin, tokens["refresh_token"])
    reused = refresh(standin, tokens["refresh_token"])
    again = refresh(standin, rotated.json()["refresh_token"])

    assert rotated.status_code == 200
    assert rotated.json()["refresh_token"] != tokens["refresh_token"]
    assert reused.status_code == 400
    assert reused.json() == {"error": "invalid_grant", "error_description": "Refresh token revoked"}
    assert again.status_code == 200


def test_rotation_can_be_switched_on_through_the_control_api(standin):
    tokens = login(standin)

    control(standin, "POST", "/config", {"rotate_refresh_tokens": True})
    rotated = refresh(standin, tokens["refresh_token"])

    assert "refresh_token" in rotated.json()


def test_a_revoked_refresh_token_gets_invalid_grant(standin):
    tokens = login(standin)

    revoked = control(standin, "POST", "/users/demo-listener/revoke")
    response = refresh(standin, tokens["refresh_token"])

    assert revoked.json()["revoked"] == 1
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "Refresh token revoked",
    }


def test_revoking_leaves_other_listeners_alone(standin):
    mine = standin.state.mint_tokens("me")
    theirs = standin.state.mint_tokens("them")

    standin.state.revoke("them")

    assert refresh(standin, mine["refresh_token"]).status_code == 200
    assert refresh(standin, theirs["refresh_token"]).status_code == 400


def test_an_unknown_refresh_token_gets_invalid_grant(standin):
    response = refresh(standin, "not-a-token")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_a_confidential_client_must_authenticate_to_refresh(make_standin):
    standin = make_standin(client_id="the-app", client_secret="right")
    tokens = standin.state.mint_tokens("demo-listener")

    without_secret = refresh(standin, tokens["refresh_token"])
    with_secret = refresh(standin, tokens["refresh_token"], auth=("the-app", "right"))

    assert without_secret.status_code == 401
    assert with_secret.status_code == 200
