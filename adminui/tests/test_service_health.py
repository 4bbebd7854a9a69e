"""The dashboard says when the service itself is not working: no Spotify app, a dead or stuck
worker (its heartbeat and the queue's oldest task), schedules that no worker runs."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import OrmQ, Schedule
from django_q.tasks import async_task

from accounts.models import WorkerHeartbeat
from accounts.tasks import record_worker_heartbeat
from adminui.service_health import (
    WorkerFacts,
    duration,
    late_by,
    read_worker,
    service_problems,
)
from adminui.tests.conftest import NOW
from spotify_history.schedules import WORKER_HEARTBEAT, ensure_schedules, wanted_schedules

pytestmark = pytest.mark.django_db

ALIVE = WorkerFacts(last_heartbeat=NOW - timedelta(seconds=40), hosts=("box",))


def problems(worker=ALIVE, *, configured=True, schedules=()):
    return service_problems(
        NOW, worker=worker, spotify_is_configured=configured, schedules=schedules
    )


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "0 seconds"),
        (1, "1 second"),
        (59, "59 seconds"),
        (61, "1 minute"),
        (420, "7 minutes"),
        (3 * 3600 + 5, "3 hours"),
        (2 * 86400, "2 days"),
    ],
)
def test_durations_read_as_words(seconds, words):
    assert duration(timedelta(seconds=seconds)) == words


def test_a_live_worker_and_a_configured_spotify_are_no_problem():
    assert problems() == []


def test_a_worker_never_seen_is_a_problem():
    [(severity, sentence)] = problems(WorkerFacts())
    assert severity == "bad" and sentence.startswith("No worker has run yet")


def test_a_silent_worker_says_for_how_long():
    [(severity, sentence)] = problems(WorkerFacts(last_heartbeat=NOW - timedelta(minutes=12)))
    assert severity == "bad"
    assert "The worker has been silent for 12 minutes" in sentence


def test_a_task_waiting_long_is_named_and_counted():
    worker = WorkerFacts(
        last_heartbeat=NOW - timedelta(minutes=9),
        queued=3,
        oldest_queued_at=NOW - timedelta(minutes=8),
        oldest_task="plays.tasks.poll_due_listeners",
    )
    assert problems(worker)[1] == (
        "bad",
        "The oldest queued task (plays.tasks.poll_due_listeners) has waited 8 minutes; "
        "3 tasks in the queue.",
    )
    busy = WorkerFacts(**{**worker.__dict__, "last_heartbeat": NOW})
    assert problems(busy)[0][0] == "warn"  # alive, but behind


def test_a_schedule_past_its_next_run_is_missed_only_without_a_worker():
    late = [("poll-spotify", NOW - timedelta(minutes=7)), ("purge-old-logs", NOW + timedelta(1))]
    assert problems(ALIVE, schedules=late) == []
    dead = WorkerFacts(last_heartbeat=NOW - timedelta(hours=1))
    assert problems(dead, schedules=late)[-1] == (
        "bad",
        "Missed schedules (no worker to run them): poll-spotify.",
    )
    assert late_by(NOW - timedelta(minutes=7), NOW, worker_alive=False) == timedelta(minutes=7)
    assert late_by(NOW - timedelta(seconds=30), NOW, worker_alive=False) is None


def test_spotify_not_configured_is_said():
    [(severity, sentence)] = problems(configured=False)
    assert severity == "warn" and sentence.startswith("Spotify is not configured")


def test_the_heartbeat_task_writes_one_row_per_host_and_forgets_old_hosts():
    WorkerHeartbeat.objects.create(worker="gone", seen_at=timezone.now() - timedelta(days=8))
    record_worker_heartbeat()
    first = WorkerHeartbeat.objects.get()
    record_worker_heartbeat()
    second = WorkerHeartbeat.objects.get()
    assert first.worker == second.worker != "gone"
    assert second.seen_at >= first.seen_at


def test_the_worker_runs_the_heartbeat_every_minute():
    assert wanted_schedules()[WORKER_HEARTBEAT] == ("accounts.tasks.record_worker_heartbeat", 1)


def test_read_worker_finds_the_heartbeat_and_the_longest_waiting_task():
    async_task("math.floor", 2.5)
    async_task("math.ceil", 2.5)
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker="box", seen_at=now - timedelta(minutes=2))
    OrmQ.objects.filter(pk=OrmQ.objects.order_by("id").first().pk).update(
        lock=now - timedelta(minutes=20)
    )
    OrmQ.objects.create(key="held", payload="x", lock=now + timedelta(minutes=30))  # being run
    worker = read_worker(now)
    assert worker.alive(now) and worker.hosts == ("box",)
    assert worker.queued == 2
    assert worker.oldest_task == "math.floor"
    assert worker.oldest_wait(now) == timedelta(minutes=20)


def test_the_dashboard_flags_a_dead_worker_and_its_missed_schedules(staff_client, settings):
    settings.SPOTIFY_CLIENT_ID = ""
    ensure_schedules()
    Schedule.objects.update(next_run=timezone.now() - timedelta(minutes=7))
    WorkerHeartbeat.objects.create(worker="box", seen_at=timezone.now() - timedelta(minutes=30))
    page = staff_client.get("/").content.decode()
    assert "The worker has been silent for 30 minutes" in page
    assert "Missed by 7 minutes: no worker is running it." in page
    assert "Spotify is not configured" in page
    assert "Silent</span>" in page


def test_the_dashboard_is_quiet_about_a_running_worker(staff_client):
    ensure_schedules()
    WorkerHeartbeat.objects.create(worker="box", seen_at=timezone.now())
    page = staff_client.get("/").content.decode()
    assert 'id="service-problems"' not in page
    assert "Running</span>" in page and "queue: empty" in page
