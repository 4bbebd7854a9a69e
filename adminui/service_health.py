"""Is the service itself working: Spotify configured, a worker alive, the queue moving, schedules
on time. The dashboard shows these above the listeners, worst first.

`read_worker()` gathers the facts from the database (the worker's heartbeat rows, django-q2's
queue table); `service_problems()` and `late_by()` are the rules, pure, with their own tests. A
schedule whose next run is in the past means nothing is running it; it reads as a problem only
when no worker has been heard from either (a busy worker starts it a little late).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Max, Min
from django_q.models import OrmQ

from accounts.models import WorkerHeartbeat

# The heartbeat schedule runs every minute; a worker unheard of for this long is not running.
WORKER_SILENT_AFTER = timedelta(minutes=5)
# A task waiting longer than this means the worker can't keep up (or isn't there).
QUEUE_SLOW_AFTER = timedelta(minutes=5)
# A schedule this far past its next run has been missed.
SCHEDULE_LATE_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class WorkerFacts:
    last_heartbeat: object = None  # datetime of the newest heartbeat, or None: never seen
    hosts: tuple = ()  # worker hosts heard from within WORKER_SILENT_AFTER
    queued: int = 0  # tasks waiting to be picked up
    oldest_queued_at: object = None  # when the longest-waiting task was queued
    oldest_task: str = ""  # its function, e.g. "plays.tasks.poll_due_listeners"

    def alive(self, now):
        return self.last_heartbeat is not None and now - self.last_heartbeat <= WORKER_SILENT_AFTER

    def heartbeat_age(self, now):
        return None if self.last_heartbeat is None else now - self.last_heartbeat

    def oldest_wait(self, now):
        return None if self.oldest_queued_at is None else now - self.oldest_queued_at


def read_worker(now):
    """The worker's heartbeat and the queue, as stored in the database now."""
    beats = WorkerHeartbeat.objects.aggregate(last=Max("seen_at"))
    hosts = tuple(
        WorkerHeartbeat.objects.filter(seen_at__gte=now - WORKER_SILENT_AFTER)
        .order_by("worker")
        .values_list("worker", flat=True)
    )
    # django-q2's ORM broker stamps a waiting task's `lock` with the time it was queued, and moves
    # it into the future while a worker holds it: waiting tasks are those locked up to now.
    waiting = OrmQ.objects.filter(lock__lte=now)
    queue = waiting.aggregate(count=Count("id"), oldest=Min("lock"))
    oldest = waiting.order_by("lock", "id").first() if queue["count"] else None
    return WorkerFacts(
        last_heartbeat=beats["last"],
        hosts=hosts,
        queued=queue["count"],
        oldest_queued_at=queue["oldest"],
        oldest_task=_task_name(oldest),
    )


def _task_name(package):
    if package is None:
        return ""
    try:
        return str(package.func() or "")
    except Exception:  # a payload signed with another SECRET_KEY can't be read; say nothing
        return ""


def spotify_configured():
    return bool(settings.SPOTIFY_CLIENT_ID and settings.SPOTIFY_CLIENT_SECRET)


def duration(delta):
    """A rounded length of time in words: "40 seconds", "7 minutes", "3 hours", "2 days"."""
    seconds = max(0, int(delta.total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} second{'' if seconds == 1 else 's'}"


def late_by(next_run, now, worker_alive):
    """How late a schedule is (a timedelta), or None when it is on time or a live worker will
    get to it."""
    if next_run is None or worker_alive:
        return None
    late = now - next_run
    return late if late > SCHEDULE_LATE_AFTER else None


def service_problems(now, *, worker, spotify_is_configured, schedules=()):
    """[(severity, sentence)] about the service as a whole, worst first.

    `schedules` are (name, next_run) pairs of the worker's schedules.
    """
    problems = []
    alive = worker.alive(now)
    if worker.last_heartbeat is None:
        problems.append(
            (
                "bad",
                "No worker has run yet, so nothing is polled or imported: start one (manage.py "
                "serve runs it beside the web server; manage.py qcluster runs it alone).",
            )
        )
    elif not alive:
        problems.append(
            (
                "bad",
                f"The worker has been silent for {duration(worker.heartbeat_age(now))}: it is "
                "stopped or stuck, so nothing is polled or imported. Restart it (manage.py "
                "qcluster, or the worker service of the compose file).",
            )
        )
    wait = worker.oldest_wait(now)
    if wait is not None and wait > QUEUE_SLOW_AFTER:
        task = f" ({worker.oldest_task})" if worker.oldest_task else ""
        problems.append(
            (
                "bad" if not alive else "warn",
                f"The oldest queued task{task} has waited {duration(wait)}; "
                f"{worker.queued} task{'' if worker.queued == 1 else 's'} in the queue.",
            )
        )
    missed = [name for name, next_run in schedules if late_by(next_run, now, alive)]
    if missed:
        problems.append(("bad", f"Missed schedules (no worker to run them): {', '.join(missed)}."))
    if not spotify_is_configured:
        problems.append(
            (
                "warn",
                "Spotify is not configured: SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET are not "
                "set, so nobody can log in with Spotify and nothing is polled. Imports of "
                "exports still work.",
            )
        )
    return problems
