"""Configured latency: every Spotify answer is slowed, without serialising requests."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from .support import api_get, control, refresh


def _timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_latency_delays_api_and_token_answers(make_standin):
    standin = make_standin(latency_ms=150)
    tokens = standin.state.mint_tokens("demo-listener")

    me, me_took = _timed(lambda: api_get(standin, "/me", tokens["access_token"]))
    token, token_took = _timed(lambda: refresh(standin, tokens["refresh_token"]))

    assert me.status_code == 200 and token.status_code == 200
    assert me_took >= 0.15
    assert token_took >= 0.15


def test_latency_can_be_changed_while_running(standin, tokens):
    control(standin, "POST", "/config", {"latency_ms": 120})

    response, took = _timed(lambda: api_get(standin, "/me", tokens["access_token"]))

    assert response.status_code == 200
    assert took >= 0.12
    assert control(standin, "GET", "/config").json()["latency_ms"] == 120


def test_slow_answers_overlap_instead_of_queueing(make_standin):
    standin = make_standin(latency_ms=200)
    token = standin.state.mint_tokens("demo-listener")["access_token"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: api_get(standin, "/me", token).status_code, range(8)))

    log = standin.state.requests
    assert statuses == [200] * 8
    # Every request started before any finished: they were served side by side.
    assert max(entry["started_at"] for entry in log) < min(entry["finished_at"] for entry in log)
