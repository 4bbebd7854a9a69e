"""Random faults (``fault_rate``): a seeded share of Web API requests answered 429 or 503."""

from __future__ import annotations

import pytest

from spotify_standin.state import random_fault_status

from .support import control, recently_played

USERS = [f"listener-{number:04d}" for number in range(2000)]


def test_the_draw_is_a_pure_function_of_seed_endpoint_user_and_ordinal():
    first = [random_fault_status(7, "recently_played", user, 0, 0.1) for user in USERS]
    again = [random_fault_status(7, "recently_played", user, 0, 0.1) for user in USERS]
    other_seed = [random_fault_status(8, "recently_played", user, 0, 0.1) for user in USERS]

    assert first == again
    assert first != other_seed
    assert set(first) == {None, 429, 503}


def test_the_share_of_faults_follows_the_rate_and_splits_between_429_and_503():
    draws = [random_fault_status(0, "recently_played", user, 0, 0.2) for user in USERS]

    share_429 = draws.count(429) / len(draws)
    share_503 = draws.count(503) / len(draws)
    # 2,000 draws: each half of the 20 % lands within a few points of 10 %.
    assert 0.07 < share_429 < 0.13
    assert 0.07 < share_503 < 0.13


def test_a_rate_of_zero_never_faults_and_one_always_does():
    assert {random_fault_status(0, "me", user, 0, 0.0) for user in USERS} == {None}
    assert {random_fault_status(0, "me", user, 0, 1.0) for user in USERS} <= {429, 503}


def test_the_server_answers_exactly_the_drawn_faults_with_retry_after(make_standin):
    standin = make_standin(fault_rate=0.5, fault_retry_after=42, seed=3)
    users = [f"user-{number}" for number in range(40)]
    tokens = {user: standin.state.mint_tokens(user)["access_token"] for user in users}

    answers = {user: recently_played(standin, tokens[user]) for user in users}

    expected = {user: random_fault_status(3, "recently_played", user, 0, 0.5) for user in users}
    assert {user: answer.status_code for user, answer in answers.items()} == {
        user: status or 200 for user, status in expected.items()
    }
    limited = [answer for answer in answers.values() if answer.status_code == 429]
    assert limited and all(answer.headers["Retry-After"] == "42" for answer in limited)
    statuses = list(expected.values())
    assert standin.state.random_faults() == {
        str(status): statuses.count(status) for status in (429, 503) if status in statuses
    }
    # The second request of each user is the next ordinal's draw.
    second = {user: recently_played(standin, tokens[user]).status_code for user in users}
    assert second == {
        user: random_fault_status(3, "recently_played", user, 1, 0.5) or 200 for user in users
    }


def test_token_requests_are_never_randomly_refused(make_standin):
    standin = make_standin(fault_rate=1.0)

    assert all(standin.state.mint_tokens(f"user-{n}") for n in range(5))
    assert standin.state.take_random_fault("token", "user-1") is None


def test_the_rate_can_be_set_and_read_through_the_control_api(standin, tokens):
    assert control(standin, "POST", "/config", {"fault_rate": 1.0}).json()["fault_rate"] == 1.0
    assert recently_played(standin, tokens["access_token"]).status_code in (429, 503)
    assert sum(control(standin, "GET", "/faults").json()["random_faults"].values()) == 1

    assert control(standin, "POST", "/config", {"fault_rate": 0}).status_code == 200
    assert recently_played(standin, tokens["access_token"]).status_code == 200


@pytest.mark.parametrize("rate", [-0.1, 1.5, "0.1", True])
def test_a_rate_outside_zero_to_one_is_refused(standin, rate):
    response = control(standin, "POST", "/config", {"fault_rate": rate})

    assert response.status_code == 400
    assert "fault_rate" in response.json()["error"]
