"""The rate limit: MCP_RATE_LIMIT_PER_MINUTE calls a minute per listener (all their tokens
together) and for the admin token, counted in the database."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from accounts.models import Listener
from mcp import ratelimit, tokens
from mcp.models import McpRateCounter
from mcp.tests.conftest import ADMIN_TOKEN

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 5, 1, 12, 0, 10, tzinfo=UTC)


def test_calls_within_the_limit_are_allowed_and_counted():
    decisions = [ratelimit.hit("k", limit=3, now=T0 + timedelta(seconds=i)) for i in range(3)]
    assert [d.allowed for d in decisions] == [True, True, True]
    assert [d.count for d in decisions] == [1, 2, 3]


def test_the_call_over_the_limit_is_refused_until_the_minute_ends():
    for _ in range(3):
        ratelimit.hit("k", limit=3, now=T0)
    refused = ratelimit.hit("k", limit=3, now=T0 + timedelta(seconds=20))
    assert not refused.allowed
    assert refused.retry_after == 30  # 12:00:30 -> the window ends at 12:01:00


def test_a_new_minute_starts_the_count_again():
    for _ in range(4):
        ratelimit.hit("k", limit=3, now=T0)
    later = ratelimit.hit("k", limit=3, now=T0 + timedelta(minutes=1))
    assert later.allowed
    assert later.count == 1
    assert McpRateCounter.objects.count() == 1  # one row per caller, reused


def test_callers_are_counted_apart():
    for _ in range(3):
        ratelimit.hit("a", limit=3, now=T0)
    assert ratelimit.hit("b", limit=3, now=T0).allowed
    assert not ratelimit.hit("a", limit=3, now=T0).allowed


def test_a_limit_of_zero_means_no_limit_and_no_counting():
    assert all(ratelimit.hit("k", limit=0, now=T0).allowed for _ in range(5))
    assert not McpRateCounter.objects.exists()


def test_retry_after_is_at_least_one_second():
    for _ in range(2):
        ratelimit.hit("k", limit=1, now=T0.replace(second=59, microsecond=900_000))
    decision = ratelimit.hit("k", limit=1, now=T0.replace(second=59, microsecond=900_000))
    assert decision.retry_after == 1


def test_the_endpoint_answers_429_with_retry_after_past_the_limit(rpc, secret, settings):
    settings.MCP_RATE_LIMIT_PER_MINUTE = 2
    assert rpc(secret, "ping").status_code == 200
    assert rpc(secret, "tools/list").status_code == 200
    response = rpc(secret, "ping")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "Over 2 calls a minute" in response.json()["error_description"]


def test_every_token_of_a_listener_shares_one_allowance(rpc, secret, listener, settings):
    settings.MCP_RATE_LIMIT_PER_MINUTE = 2
    more = [tokens.issue_token(listener)[1] for _ in range(4)]
    assert rpc(secret, "ping").status_code == 200
    assert rpc(more[0], "ping").status_code == 200
    refused = [rpc(token, "ping") for token in more]
    assert [response.status_code for response in refused] == [429] * 4
    assert "this listener (all their tokens)" in refused[0].json()["error_description"]
    assert McpRateCounter.objects.get().key == f"listener:{listener.pk}"


def test_another_listener_and_the_admin_token_have_allowances_of_their_own(rpc, secret, settings):
    settings.MCP_RATE_LIMIT_PER_MINUTE = 1
    bob = Listener.objects.create(spotify_user_id="bob")
    _, bobs = tokens.issue_token(bob)
    assert rpc(secret, "ping").status_code == 200
    assert rpc(secret, "ping").status_code == 429
    assert rpc(bobs, "ping").status_code == 200
    assert rpc(ADMIN_TOKEN, "ping").status_code == 200
    response = rpc(ADMIN_TOKEN, "ping")
    assert response.status_code == 429
    assert "the admin token" in response.json()["error_description"]


def test_a_deleted_listeners_count_goes_with_them(rpc, secret, listener):
    assert rpc(secret, "ping").status_code == 200
    listener.delete()
    assert not McpRateCounter.objects.exists()


def test_unauthenticated_requests_do_not_use_up_a_tokens_allowance(rpc, secret, settings):
    settings.MCP_RATE_LIMIT_PER_MINUTE = 1
    for _ in range(3):
        assert rpc("shm_wrong", "ping").status_code == 401
    assert rpc(secret, "ping").status_code == 200


def test_the_plain_http_twin_shares_the_allowance(rpc, client, secret, settings):
    settings.MCP_RATE_LIMIT_PER_MINUTE = 1
    assert rpc(secret, "ping").status_code == 200
    response = client.get("/mcp/tools", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 429
    assert "Retry-After" in response


@pytest.mark.django_db(transaction=True)
def test_the_count_holds_across_concurrent_connections():
    """Eight threads, each with its own database connection as gunicorn workers have, share one
    count: exactly the limit gets through."""
    allowed = []
    barrier = threading.Barrier(8)

    def worker():
        try:
            barrier.wait()
            for _ in range(5):
                allowed.append(ratelimit.hit("shared", limit=25, now=T0).allowed)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == 25
    assert allowed.count(False) == 15
    assert McpRateCounter.objects.get(key="shared").count == 40
