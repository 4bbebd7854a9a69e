"""A polling worker killed (SIGKILL) in the middle of a poll, or cut off from PostgreSQL while it
waits for Spotify: the run's record ends true (failed, saying why), the listener is not stuck,
and the next pass stores every play Spotify shows exactly once.

The worker is `manage.py poll_spotify` in a subprocess against the Spotify stand-in, slowed down
so that the fault lands while it waits for Spotify's answer, with its sync run open.
"""

import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from accounts.models import Listener
from plays.models import Play, SyncRun
from plays.poller import LEASE, Poller
from plays.tests.conftest import stored_plays, visible_plays
from plays.tests.test_concurrent_workers import REPO

pytestmark = pytest.mark.django_db(transaction=True)
LATENCY_MS = 8_000  # far longer than it takes to see the open run and strike


def start_poll(env):
    return subprocess.Popen(
        [sys.executable, "manage.py", "poll_spotify", "--account", "alice"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def wait_for_open_run(process, timeout=60):
    """The sync run the worker opened (it is now waiting for the slowed-down stand-in)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = SyncRun.objects.filter(status=SyncRun.Status.RUNNING).first()
        if run is not None:
            return run
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError("the worker never started a poll")


def a_lease_later(listener):
    """Time passes: the dead worker's lease and its open run are older than LEASE."""
    past = timezone.now() - LEASE - timedelta(seconds=1)
    Listener.objects.filter(pk=listener.pk).update(lease_expires_at=past, next_poll_at=past)
    SyncRun.objects.filter(status=SyncRun.Status.RUNNING).update(started_at=past)


def assert_every_visible_play_stored_once(standin, listener):
    assert stored_plays(listener) == visible_plays(standin, "alice")
    plays = Play.objects.filter(listener=listener)
    assert plays.count() == len(visible_plays(standin, "alice")) == 50
    assert not plays.values("played_at", "item").annotate(n=Count("id")).filter(n__gt=1).exists()


def test_a_worker_killed_mid_poll_leaves_a_run_the_next_pass_closes_and_loses_nothing(
    standin, connect, subprocess_env
):
    listener = connect("alice")
    standin.state.configure(latency_ms=LATENCY_MS)
    process = start_poll(subprocess_env)
    run = wait_for_open_run(process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)

    listener.refresh_from_db()
    assert listener.lease_owner == run.worker  # held by the dead worker until it expires
    assert not Play.objects.exists()

    standin.state.configure(latency_ms=0)
    a_lease_later(listener)
    result = Poller(pool_size=1).run_pass()

    run.refresh_from_db()
    assert (run.status, run.error) == (
        SyncRun.Status.FAILED,
        "The worker stopped before finishing this run.",
    )
    assert [r.status for r in result.runs] == [SyncRun.Status.SUCCEEDED]
    assert_every_visible_play_stored_once(standin, listener)
    listener.refresh_from_db()
    assert (listener.lease_owner, listener.consecutive_failures) == ("", 0)


def test_a_worker_cut_off_from_the_database_mid_poll_records_the_failure_and_loses_nothing(
    standin, connect, subprocess_env, drop_database_connections
):
    if connection.vendor != "postgresql":
        pytest.skip("cuts PostgreSQL connections; CI runs the suite on PostgreSQL too")
    listener = connect("alice")
    standin.state.configure(latency_ms=LATENCY_MS)
    process = start_poll(subprocess_env)
    run = wait_for_open_run(process)
    assert drop_database_connections() >= 1
    out, err = process.communicate(timeout=60)

    run.refresh_from_db()
    listener.refresh_from_db()
    assert run.status == SyncRun.Status.FAILED, (out, err)
    assert "terminating connection" in run.error
    assert listener.consecutive_failures == 1  # backing off, not stuck
    assert listener.lease_owner == ""
    assert not Play.objects.exists()

    standin.state.configure(latency_ms=0)
    Listener.objects.filter(pk=listener.pk).update(next_poll_at=timezone.now())
    result = Poller(pool_size=1).run_pass()
    assert [r.status for r in result.runs] == [SyncRun.Status.SUCCEEDED]
    assert_every_visible_play_stored_once(standin, listener)
