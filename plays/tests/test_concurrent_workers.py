"""Two polling processes at once over the same listeners: each listener is polled by one of them
at a time, and every play is stored exactly once."""

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from accounts.models import Listener
from plays.models import Play, SyncRun
from plays.tests.conftest import stored_plays, visible_plays

pytestmark = pytest.mark.django_db(transaction=True)
REPO = Path(__file__).resolve().parents[2]
LISTENERS = 24


def start_pass(env):
    return subprocess.Popen(
        [sys.executable, "manage.py", "poll_spotify", "--pool", "4"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_polling_processes_never_poll_one_listener_together_nor_store_a_play_twice(
    standin, connect, subprocess_env
):
    standin.state.configure(latency_ms=300)  # slow enough that the two passes overlap
    listeners = [connect(f"listener-{n:02d}") for n in range(LISTENERS)]
    first, second = start_pass(subprocess_env), start_pass(subprocess_env)
    errors = [process.communicate(timeout=120)[1] for process in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], errors

    runs = SyncRun.objects.all()
    assert Counter(run.listener_id for run in runs) == {listener.pk: 1 for listener in listeners}
    assert len({run.worker for run in runs}) == 2  # both processes did some of the work
    for listener in listeners:
        assert stored_plays(listener) == visible_plays(standin, listener.spotify_user_id)
    assert Play.objects.count() == 50 * LISTENERS
    assert not Listener.objects.exclude(lease_owner="").exists()


def test_listeners_polled_by_both_processes_in_turn_keep_each_play_once(
    standin, connect, subprocess_env
):
    listeners = [connect(f"listener-{n:02d}") for n in range(4)]
    for round_number in range(2):
        if round_number:
            for listener in listeners:
                standin.state.add_plays(listener.spotify_user_id, count=3)
            Listener.objects.update(next_poll_at=None)
        processes = [start_pass(subprocess_env) for _ in range(2)]
        for process in processes:
            assert process.wait(timeout=120) == 0
    for listener in listeners:
        plays = list(Play.objects.filter(listener=listener).values_list("played_at", "item_id"))
        assert len(plays) == len(set(plays)) == 53
        assert stored_plays(listener) >= visible_plays(standin, listener.spotify_user_id)
