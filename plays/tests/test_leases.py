"""Workers claim a listener with a lease: one at a time, and a dead worker's lease expires."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Listener
from plays.models import SyncRun
from plays.poller import LEASE, Poller, claim

pytestmark = pytest.mark.django_db(transaction=True)


def test_only_one_worker_gets_the_lease(connect):
    alice = connect("alice")
    assert claim(alice.pk, "worker-1") is True
    assert claim(alice.pk, "worker-2") is False
    alice.refresh_from_db()
    assert alice.lease_owner == "worker-1"


def test_an_expired_lease_can_be_taken_over(connect):
    alice = connect("alice")
    claim(alice.pk, "dead-worker")
    Listener.objects.filter(pk=alice.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert claim(alice.pk, "worker-2") is True


def test_a_listener_being_polled_elsewhere_is_skipped_by_a_pass(standin, connect):
    alice = connect("alice")
    claim(alice.pk, "other-worker")
    assert Poller().run_pass().runs == []
    assert not SyncRun.objects.exists()


def test_the_lease_is_released_after_the_poll(standin, connect):
    alice = connect("alice")
    Poller().run_pass()
    alice.refresh_from_db()
    assert (alice.lease_owner, alice.lease_expires_at) == ("", None)


def test_a_run_left_running_by_a_dead_worker_is_closed_as_failed(standin, connect):
    alice = connect("alice")
    stale = SyncRun.objects.create(
        listener=alice, kind="poll", started_at=timezone.now() - LEASE - timedelta(minutes=1)
    )
    Poller().run_pass()
    stale.refresh_from_db()
    assert stale.status == "failed"
    assert "stopped before finishing" in stale.error
