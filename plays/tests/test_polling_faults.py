"""Every fault of Spotify ends in a visible status and a run record, and loses no play."""

from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.utils import timezone

from accounts.models import Listener, LogEntry
from plays.models import Play, SyncRun
from plays.poller import Poller, backoff_delay
from plays.tests.conftest import stored_plays, visible_plays

pytestmark = pytest.mark.django_db(transaction=True)


def poll_pass():
    return Poller(pool_size=2).run_pass().runs


def make_due(listener):
    Listener.objects.filter(pk=listener.pk).update(next_poll_at=timezone.now())


def approximately(moment, expected, slack=timedelta(seconds=15)):
    return abs(moment - expected) <= slack


def test_a_429_stores_resume_at_and_skips_the_listener_until_then(standin, connect):
    alice = connect("alice")
    standin.state.inject_fault("recently_played", status=429, retry_after=7200)
    [run] = poll_pass()
    assert run.status == SyncRun.Status.RATE_LIMITED
    assert "7200 s" in run.error
    alice.refresh_from_db()
    assert approximately(alice.rate_limited_until, timezone.now() + timedelta(hours=2))
    assert alice.status == Listener.Status.ACTIVE
    make_due(alice)
    assert poll_pass() == []  # still rate limited: not even a request
    Listener.objects.filter(pk=alice.pk).update(rate_limited_until=timezone.now())
    [run] = poll_pass()
    assert run.status == "succeeded"
    assert stored_plays(alice) == visible_plays(standin, "alice")


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_back_off_with_growing_delays_and_lose_nothing(standin, connect, status):
    alice = connect("alice")
    standin.state.inject_fault("recently_played", status=status, count=2)
    [first] = poll_pass()
    alice.refresh_from_db()
    assert (first.status, alice.consecutive_failures) == ("failed", 1)
    reason = {500: "Internal Server Error", 503: "Service Unavailable"}[status]
    assert first.error == f"Spotify answered {status} {reason}: Server error"
    assert approximately(alice.next_poll_at, timezone.now() + backoff_delay(1))
    make_due(alice)
    poll_pass()
    alice.refresh_from_db()
    assert alice.consecutive_failures == 2
    assert approximately(alice.next_poll_at, timezone.now() + backoff_delay(2))
    assert backoff_delay(2) > backoff_delay(1)
    make_due(alice)
    [last] = poll_pass()
    alice.refresh_from_db()
    assert (last.status, alice.consecutive_failures) == ("succeeded", 0)
    assert stored_plays(alice) == visible_plays(standin, "alice")


def test_a_timeout_backs_off_like_a_server_error(standin, connect, settings):
    settings.SPOTIFY_HTTP_TIMEOUT = 0.3
    alice = connect("alice")
    standin.state.inject_fault("recently_played", delay_ms=1500)
    [run] = poll_pass()
    assert run.status == "failed"
    assert "did not answer" in run.error
    alice.refresh_from_db()
    assert alice.consecutive_failures == 1
    assert Play.objects.count() == 0


def test_a_401_refreshes_the_token_once_and_retries_once(standin, connect):
    alice = connect("alice")
    standin.state.inject_fault("recently_played", status=401, user_id="alice")
    [run] = poll_pass()
    assert (run.status, run.requests) == ("succeeded", 2)
    assert stored_plays(alice) == visible_plays(standin, "alice")
    statuses = [(r["endpoint"], r["status"]) for r in standin.state.requests]
    assert statuses == [("recently_played", 401), ("token", 200), ("recently_played", 200)]


def test_a_second_401_after_refreshing_fails_the_poll_without_looping(standin, connect):
    alice = connect("alice")
    standin.state.inject_fault("recently_played", status=401, user_id="alice", count=2)
    [run] = poll_pass()
    assert run.status == "failed"
    assert run.requests == 2
    alice.refresh_from_db()
    assert alice.consecutive_failures == 1


def test_a_refused_refresh_token_needs_reauth_and_stops_polling(standin, connect):
    alice = connect("alice", access_token_expires_at=timezone.now())
    standin.state.revoke("alice")
    [run] = poll_pass()
    assert run.status == "failed"
    assert "Needs re-authorisation" in run.error
    alice.refresh_from_db()
    assert alice.status == Listener.Status.NEEDS_REAUTH
    assert "Refresh token revoked" in alice.status_reason
    make_due(alice)
    assert poll_pass() == []


def test_a_listener_missing_from_the_allow_list_gets_its_own_status(standin, connect):
    alice = connect("alice")
    standin.state.inject_fault("recently_played", status=403, user_id="alice")
    [run] = poll_pass()
    assert run.status == "failed"
    assert "Users and Access" in run.error
    alice.refresh_from_db()
    assert alice.status == Listener.Status.NOT_REGISTERED
    make_due(alice)
    assert poll_pass() == []


def test_one_listeners_failure_does_not_stop_the_others(standin, connect):
    connect("alice")
    bob = connect("bob")
    standin.state.inject_fault("recently_played", status=500, user_id="alice", count=0)
    runs = {run.listener.spotify_user_id: run.status for run in poll_pass()}
    assert runs == {"alice": "failed", "bob": "succeeded"}
    assert stored_plays(bob) == visible_plays(standin, "bob")


def test_an_unexpected_error_pushes_the_listener_back_before_it_is_logged(
    standin, connect, settings
):
    alice = connect("alice", access_token_expires_at=timezone.now())
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the old key was dropped
    bob = connect("bob")
    runs = {run.listener.spotify_user_id: run for run in poll_pass()}
    assert runs["alice"].status == "failed"
    assert "TokenDecryptionError" in runs["alice"].error
    assert runs["bob"].status == "succeeded"
    alice.refresh_from_db()
    assert alice.next_poll_at > timezone.now()
    assert alice.consecutive_failures == 1
    entry = LogEntry.objects.get(level="ERROR", listener=alice)
    assert "TokenDecryptionError" in entry.exception
    assert Listener.objects.get(pk=bob.pk).consecutive_failures == 0
