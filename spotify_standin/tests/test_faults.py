"""Fault injection: rate limits, server errors, 401/403, invalid_grant, delays, matching."""

from __future__ import annotations

import time

import pytest

from .support import api_get, control, login, recently_played, refresh


def test_a_429_sets_retry_after_and_is_used_up_after_count_requests(standin, tokens):
    standin.state.inject_fault("recently_played", status=429, retry_after=30, count=2)

    first = recently_played(standin, tokens["access_token"])
    second = recently_played(standin, tokens["access_token"])
    third = recently_played(standin, tokens["access_token"])

    assert [first.status_code, second.status_code, third.status_code] == [429, 429, 200]
    assert first.headers["Retry-After"] == "30"
    assert first.json() == {"error": {"status": 429, "message": "API rate limit exceeded"}}
    assert standin.state.faults() == []


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_server_error_fault_answers_with_that_status(standin, tokens, status):
    standin.state.inject_fault("me", status=status)

    failed = api_get(standin, "/me", tokens["access_token"])
    recovered = api_get(standin, "/me", tokens["access_token"])

    assert failed.status_code == status
    assert failed.json() == {"error": {"status": status, "message": "Server error"}}
    assert recovered.status_code == 200


def test_a_403_sends_spotifys_plain_text_by_default(standin, tokens):
    standin.state.inject_fault("me", status=403)

    response = api_get(standin, "/me", tokens["access_token"])

    assert response.status_code == 403
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.text == "User not registered in the Developer Dashboard"


def test_a_403_can_be_sent_as_json_instead(standin, tokens):
    standin.state.inject_fault("me", status=403, body_format="json")

    response = api_get(standin, "/me", tokens["access_token"])

    assert response.json() == {
        "error": {"status": 403, "message": "User not registered in the Developer Dashboard"}
    }


def test_a_401_fault_really_expires_the_token_until_refreshed(standin, tokens):
    standin.state.inject_fault("recently_played", status=401)

    faulted = recently_played(standin, tokens["access_token"])
    still_expired = api_get(standin, "/me", tokens["access_token"])
    fresh = refresh(standin, tokens["refresh_token"]).json()["access_token"]

    assert faulted.json() == {"error": {"status": 401, "message": "The access token expired"}}
    assert still_expired.status_code == 401
    assert still_expired.json()["error"]["message"] == "The access token expired"
    assert api_get(standin, "/me", fresh).status_code == 200


def test_an_invalid_grant_fault_fails_the_next_token_request_only(standin):
    tokens = login(standin)
    standin.state.inject_fault("token", error="invalid_grant")

    failed = refresh(standin, tokens["refresh_token"])
    next_one = refresh(standin, tokens["refresh_token"])

    assert failed.status_code == 400
    assert failed.json() == {"error": "invalid_grant", "error_description": "Refresh token revoked"}
    assert next_one.status_code == 200


def test_a_delay_fault_slows_an_otherwise_normal_answer(standin, tokens):
    standin.state.inject_fault("me", delay_ms=200)

    started = time.monotonic()
    response = api_get(standin, "/me", tokens["access_token"])

    assert response.status_code == 200
    assert time.monotonic() - started >= 0.2


def test_a_fault_for_one_user_leaves_others_alone(standin):
    alice = standin.state.mint_tokens("alice")["access_token"]
    bob = standin.state.mint_tokens("bob")["access_token"]
    standin.state.inject_fault("*", status=503, user_id="bob")

    assert api_get(standin, "/me", alice).status_code == 200
    assert api_get(standin, "/me", bob).status_code == 503
    assert api_get(standin, "/me", bob).status_code == 200


def test_a_fault_with_count_zero_lasts_until_cleared(standin, tokens):
    control(standin, "POST", "/faults", {"endpoint": "me", "status": 500, "count": 0})

    statuses = [api_get(standin, "/me", tokens["access_token"]).status_code for _ in range(3)]
    cleared = control(standin, "DELETE", "/faults")

    assert statuses == [500, 500, 500]
    assert cleared.json() == {"cleared": 1}
    assert api_get(standin, "/me", tokens["access_token"]).status_code == 200


def test_faults_are_matched_in_order(standin, tokens):
    standin.state.inject_fault("me", status=500)
    standin.state.inject_fault("*", status=502)

    first = api_get(standin, "/me", tokens["access_token"])
    second = recently_played(standin, tokens["access_token"])

    assert (first.status_code, second.status_code) == (500, 502)


def test_a_fault_on_one_endpoint_does_not_hit_another(standin, tokens):
    standin.state.inject_fault("token", status=500)

    assert api_get(standin, "/me", tokens["access_token"]).status_code == 200
    assert refresh(standin, tokens["refresh_token"]).status_code == 500


def test_a_fault_can_hit_authorize(standin):
    standin.state.inject_fault("authorize", status=503)

    response = api_get(standin, "/me", None)  # other endpoints are untouched
    from .support import authorize

    assert response.status_code == 401
    assert authorize(standin).status_code == 503
    assert authorize(standin).status_code == 302


def test_bad_fault_definitions_are_refused(standin):
    for body in (
        {"endpoint": "nowhere", "status": 500},
        {"endpoint": "me"},
        {"endpoint": "me", "status": 200},
        {"endpoint": "me", "status": 500, "colour": "red"},
        {"endpoint": "me", "status": 403, "body_format": "xml"},
    ):
        assert control(standin, "POST", "/faults", body).status_code == 400, body
    assert standin.state.faults() == []
