"""The rate-limit and failure-count tables can't grow without bound: every ten minutes the worker
deletes the rows of ended windows in each of them, each key has one row at most, OAuth token
requests naming clients that don't exist share one count instead of adding a row each, and the
IPv6 addresses of one /64 share one failure count."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from django_q.models import Schedule

from accounts import auth_failures
from accounts.models import AuthFailureCounter, PageRateCounter
from mcp.models import McpRateCounter
from spotify_history.schedules import CLEAR_COUNTERS, ensure_schedules
from spotify_history.tasks import clear_expired_counters

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 1, 12, 30, 20, tzinfo=UTC)
TABLES = (AuthFailureCounter, McpRateCounter, PageRateCounter)


def test_the_worker_sweeps_the_ended_windows_of_every_counter_table(settings):
    settings.API_AUTH_FAILURE_WINDOW_MINUTES = 15
    current = {
        AuthFailureCounter: NOW.replace(minute=30, second=0),
        McpRateCounter: NOW.replace(second=0),
        PageRateCounter: NOW.replace(second=0),
    }
    for model in TABLES:
        for n in range(50):
            model.objects.create(key=f"gone-{n}", window_start=NOW - timedelta(hours=2), count=3)
        model.objects.create(key="just-ended", window_start=current[model] - timedelta(minutes=1))
        model.objects.create(key="live", window_start=current[model], count=2)

    deleted = clear_expired_counters(now=NOW)

    assert deleted == {"auth_failures": 51, "mcp": 51, "pages": 51}
    for model in TABLES:
        assert list(model.objects.values_list("key", flat=True)) == ["live"], model


def test_the_sweep_runs_every_ten_minutes():
    ensure_schedules()
    schedule = Schedule.objects.get(name=CLEAR_COUNTERS)
    assert schedule.func == "spotify_history.tasks.clear_expired_counters"
    assert (schedule.minutes, schedule.repeats) == (10, -1)


@pytest.mark.parametrize("model", TABLES)
def test_a_key_never_has_more_than_one_row(model):
    model.objects.create(key="k", window_start=NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(key="k", window_start=NOW + timedelta(minutes=5))


def test_token_requests_inventing_client_ids_add_no_counter_row_each(client, settings):
    settings.MCP_RATE_LIMIT_PER_MINUTE = 1000
    for n in range(30):
        response = client.post(
            "/oauth/token",
            {"grant_type": "authorization_code", "code": "x", "client_id": f"made-up-{n}"},
        )
        assert response.status_code in (400, 401)
    for n in range(10):
        client.post(
            "/oauth/revoke", {"token": "x", "client_id": f"made-up-{n}"}, REMOTE_ADDR="10.0.0.9"
        )
    keys = set(McpRateCounter.objects.values_list("key", flat=True))
    assert keys == {"oauth:token:unknown", "oauth:revocation:unknown"}
    assert McpRateCounter.objects.get(key="oauth:token:unknown").count == 30


def test_a_registered_client_keeps_a_count_of_its_own(client, settings):
    from mcp.oauth.models import Application

    settings.MCP_RATE_LIMIT_PER_MINUTE = 2
    Application.objects.create(
        client_id="registered-one",
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="http://127.0.0.1/cb",
    )
    statuses = [
        client.post(
            "/oauth/token",
            {"grant_type": "authorization_code", "code": "x", "client_id": "registered-one"},
        ).status_code
        for _ in range(3)
    ]
    assert statuses[-1] == 429
    # Unknown ids are counted apart, so they can't use up a real client's allowance either.
    other = client.post(
        "/oauth/token", {"grant_type": "authorization_code", "code": "x", "client_id": "nobody"}
    )
    assert other.status_code != 429


def test_the_ipv6_addresses_of_one_64_share_one_failure_count(client, settings):
    settings.ADMIN_AUTH_MODE = "token"
    settings.ADMIN_TOKEN = "right-token-0123456789abcdef"
    settings.API_AUTH_FAILURE_LIMIT = 5
    for n in range(5):
        response = client.get(
            "/admin/users",
            headers={"Authorization": f"Bearer guess-{n}"},
            REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}",
        )
        assert response.status_code == 401
    refused = client.get(
        "/admin/users",
        headers={"Authorization": "Bearer guess-x"},
        REMOTE_ADDR="2001:db8:1:2:ffff::1",
    )
    assert refused.status_code == 429
    assert AuthFailureCounter.objects.count() == 1
    # Another /64 counts apart.
    other = client.get(
        "/admin/users",
        headers={"Authorization": f"Bearer {settings.ADMIN_TOKEN}"},
        REMOTE_ADDR="2001:db8:1:3::1",
    )
    assert other.status_code == 200


def test_an_ipv4_address_written_as_ipv6_counts_as_itself():
    assert auth_failures.client_key("::ffff:192.0.2.7") == auth_failures.client_key("192.0.2.7")
    assert auth_failures.client_key("192.0.2.7") == "ip:192.0.2.7"
    assert auth_failures.client_key("2001:db8::1") == "ip:2001:db8::/64"
