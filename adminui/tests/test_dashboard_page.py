"""`/`: every listener with their state, problems first, and the service's totals."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.models import Listener
from adminui.overview import describe, listener_rows, totals
from adminui.tests.conftest import add_plays
from plays.models import Play, SyncRun

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def make(user_id, status, **fields):
    return Listener.objects.create(spotify_user_id=user_id, status=status, **fields)


@pytest.fixture
def crowd():
    """One listener in every state worth telling apart."""
    return {
        "active": make("active", "active", refresh_token_expires_at=NOW + timedelta(days=100)),
        "expiring": make("expiring", "active", refresh_token_expires_at=NOW + timedelta(days=5)),
        "expired": make("expired", "paused", refresh_token_expires_at=NOW - timedelta(days=1)),
        "reauth": make("reauth", "needs_reauth"),
        "unregistered": make("unregistered", "not_registered"),
        "limited": make(
            "limited",
            "active",
            rate_limited_until=NOW + timedelta(minutes=30),
            refresh_token_expires_at=NOW + timedelta(days=100),
        ),
        "paused": make("paused", "paused"),
        "imported": make("imported", "import_only"),
    }


def test_each_state_is_named_with_the_problem_to_act_on(crowd):
    said = {key: describe(listener, NOW) for key, listener in crowd.items()}
    assert said["active"] == ("ok", "Active", [])
    assert said["paused"] == ("paused", "Paused", [])
    assert said["imported"][0:2] == ("idle", "Import only (never logged in)")
    assert said["reauth"][2] == [("bad", "Needs to log in with Spotify again.")]
    assert "Not registered" in said["unregistered"][2][0][1]
    assert said["limited"][0:2] == ("warn", "Rate limited until 12:30 UTC")
    assert said["expiring"][2] == [
        ("warn", "Spotify access expires on 2026-06-06: log in again before.")
    ]
    assert said["expired"][2] == [("bad", "Spotify access expired on 2026-05-31: log in again.")]


def test_a_rate_limit_that_has_passed_is_no_problem(crowd):
    listener = crowd["limited"]
    listener.rate_limited_until = NOW - timedelta(minutes=1)
    assert describe(listener, NOW) == ("ok", "Active", [])


def test_failing_polls_are_a_warning():
    listener = Listener(spotify_user_id="x", status="active", consecutive_failures=3)
    assert describe(listener, NOW)[2] == [("warn", "The last 3 polls failed.")]


def test_problems_come_first_worst_first(crowd):
    order = [row.listener.spotify_user_id for row in listener_rows(NOW)]
    assert order == [
        "expired",
        "reauth",
        "unregistered",
        "expiring",
        "limited",
        "active",
        "imported",
        "paused",
    ]


def test_rows_and_totals_count_plays_by_source(crowd):
    add_plays(crowd["active"], 3, start=NOW - timedelta(days=2))
    add_plays(crowd["active"], 2, start=NOW - timedelta(days=9), source=Play.Source.API)
    rows = {row.listener.spotify_user_id: row for row in listener_rows(NOW)}
    active = rows["active"]
    assert active.plays == 5
    assert active.by_source == {"polled": 2, "extended export": 3, "account data export": 0}
    assert (active.first_play, active.last_play) == (
        NOW - timedelta(days=9),
        NOW - timedelta(days=2) + timedelta(hours=2),
    )
    summary = totals(list(rows.values()))
    assert (summary["listeners"], summary["plays"], summary["with_problems"]) == (8, 5, 5)
    assert summary["by_state"]["Active"] == 2


def test_plays_imported_from_other_services_show_for_those_who_have_some(crowd):
    add_plays(crowd["active"], 4, start=NOW - timedelta(days=2), source=Play.Source.LASTFM)
    rows = {row.listener.spotify_user_id: row for row in listener_rows(NOW)}
    assert rows["active"].by_source == {
        "polled": 0,
        "extended export": 0,
        "account data export": 0,
        "Last.fm": 4,
    }
    assert "Last.fm" not in rows["paused"].by_source
    assert totals(list(rows.values()))["by_source"]["Last.fm"] == 4


def test_the_page_lists_every_listener_problems_first(staff_client, crowd):
    Listener.objects.filter(refresh_token_expires_at__isnull=False).update(
        refresh_token_expires_at=timezone.now() + timedelta(days=100)
    )
    SyncRun.objects.create(
        listener=crowd["active"], kind="poll", status="failed", started_at=timezone.now()
    )
    response = staff_client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    positions = [page.index(f'data-user="{name}"') for name in ("reauth", "active", "paused")]
    assert positions == sorted(positions)
    assert "Needs to log in with Spotify again." in page
    assert 'href="/listeners/active"' in page
    assert response.context["failed_runs_24h"] == 1
    assert "purge-old-logs" in page  # the worker's schedules


def test_the_page_with_no_listeners_says_how_they_arrive(staff_client):
    page = staff_client.get("/").content.decode()
    assert "No listeners yet" in page
    assert "/auth/login" in page


def test_no_token_ciphertext_reaches_the_page(staff_client, active_listener):
    page = staff_client.get("/").content.decode()
    assert active_listener.encrypted_refresh_token not in page
    assert "carol-refresh-token-secret" not in page
