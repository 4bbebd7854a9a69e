"""`/`: every listener with their state, problems first, and the service's totals."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Listener
from adminui.overview import listener_rows, totals
from adminui.tests.conftest import NOW, add_plays
from plays.models import Play, SyncRun

pytestmark = pytest.mark.django_db


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
    assert summary["by_state"]["Active"] == 3  # by status: active, expiring, rate limited


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
