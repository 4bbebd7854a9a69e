"""Polling end to end against the Spotify stand-in over real HTTP."""

from datetime import timedelta
from itertools import pairwise

import pytest
from django.utils import timezone

from accounts.models import Listener
from plays.models import Play, SyncRun
from plays.poller import Poller
from plays.tests.conftest import stored_plays, visible_plays

pytestmark = pytest.mark.django_db(transaction=True)


def poll_pass(**options):
    return Poller(**options).run_pass().runs


def recently_played_requests(standin, user_id):
    return [
        r
        for r in standin.state.requests
        if r["endpoint"] == "recently_played" and r["user"] == user_id
    ]


def test_the_first_poll_stores_exactly_the_plays_spotify_shows(standin, connect):
    alice = connect("alice")
    [run] = poll_pass()
    assert (run.kind, run.status) == ("poll", "succeeded")
    assert stored_plays(alice) == visible_plays(standin, "alice")
    assert run.fetched == run.inserted == 50
    alice.refresh_from_db()
    newest = max(Play.objects.filter(listener=alice).values_list("played_at", flat=True))
    assert alice.cursor_after_ms == int(newest.timestamp() * 1000 + 0.5)
    assert alice.next_poll_at > timezone.now() + timedelta(seconds=590)
    assert alice.last_success_at is not None


def test_a_second_poll_stores_nothing_new(standin, connect):
    alice = connect("alice")
    poll_pass()
    Listener.objects.filter(pk=alice.pk).update(next_poll_at=timezone.now())
    [run] = poll_pass()
    assert (run.status, run.inserted) == ("succeeded", 0)
    assert Play.objects.count() == 50


def test_new_plays_appear_after_the_next_poll_using_the_millisecond_cursor(standin, connect):
    alice = connect("alice")
    poll_pass()
    alice.refresh_from_db()
    cursor = alice.cursor_after_ms
    standin.state.add_plays("alice", count=7)
    Listener.objects.filter(pk=alice.pk).update(next_poll_at=timezone.now())
    [run] = poll_pass()
    assert run.inserted == 7
    assert stored_plays(alice) >= visible_plays(standin, "alice")
    assert f"after={cursor}" in recently_played_requests(standin, "alice")[-1]["query"]


def test_listeners_that_are_not_due_paused_or_without_tokens_are_not_polled(standin, connect):
    connect("later", next_poll_at=timezone.now() + timedelta(minutes=5))
    connect("paused", status=Listener.Status.PAUSED)
    Listener.objects.create(spotify_user_id="imported")  # import-only, never logged in
    connect("due")
    runs = poll_pass()
    assert [run.listener.spotify_user_id for run in runs] == ["due"]


def test_pausing_and_resuming(standin, connect):
    alice = connect("alice")
    alice.pause()
    assert poll_pass() == []
    alice.resume()
    assert [run.status for run in poll_pass()] == ["succeeded"]


def test_initial_sync_pages_back_and_recovers_the_last_50_plays(standin, connect, settings):
    settings.INITIAL_SYNC_ENABLED = True
    alice = connect("alice", needs_initial_sync=True)
    [run] = poll_pass()
    assert (run.kind, run.status) == ("initial_sync", "succeeded")
    assert stored_plays(alice) == visible_plays(standin, "alice")
    queries = [r["query"] for r in recently_played_requests(standin, "alice")]
    assert any("before=" in query for query in queries)
    assert run.requests == len(queries)
    alice.refresh_from_db()
    assert alice.needs_initial_sync is False


def test_initial_sync_stops_at_its_request_budget(standin, connect, settings):
    settings.INITIAL_SYNC_MAX_REQUESTS = 1
    connect("alice", needs_initial_sync=True)
    [run] = poll_pass()
    assert run.requests == 1
    assert len(recently_played_requests(standin, "alice")) == 1


def test_initial_syncs_are_limited_to_the_configured_concurrency(standin, connect, settings):
    settings.INITIAL_SYNC_CONCURRENCY = 1
    standin.state.configure(latency_ms=500)  # the three listeners' polls overlap
    for name in ("a", "b", "c"):
        connect(name, needs_initial_sync=True)
    runs = poll_pass(pool_size=3)
    initial = sorted(
        (run.started_at, run.finished_at) for run in runs if run.kind == "initial_sync"
    )
    assert len(runs) == 3
    assert 1 <= len(initial) < 3, "the others got a plain poll while one synced"
    # Never two at once: each initial sync starts after the one before it finished.
    assert all(later[0] >= earlier[1] for earlier, later in pairwise(initial))
    assert Listener.objects.filter(needs_initial_sync=True).count() == 0


def test_a_run_is_recorded_for_every_poll(standin, connect):
    connect("alice")
    [run] = poll_pass()
    stored = SyncRun.objects.get()
    assert stored.pk == run.pk
    assert stored.finished_at >= stored.started_at
    assert (stored.fetched, stored.inserted, stored.duplicates, stored.error) == (50, 50, 0, "")
    assert stored.worker


def test_plays_are_collected_for_many_listeners_in_one_pass(standin, connect):
    listeners = [connect(f"listener-{n}") for n in range(6)]
    runs = poll_pass(pool_size=3)
    assert len(runs) == 6
    for listener in listeners:
        assert stored_plays(listener) == visible_plays(standin, listener.spotify_user_id)
