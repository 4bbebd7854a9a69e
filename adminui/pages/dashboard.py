"""`/`: the service's health, then every listener at a glance, problems first, with the totals."""

from datetime import timedelta

from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_q.models import Schedule

from accounts.oauth import public_login_url
from adminui import overview, service_health
from adminui.access import staff_required
from imports.models import ImportJob
from plays.models import SyncRun


@require_GET
@staff_required
def dashboard(request):
    now = timezone.now()
    rows = overview.listener_rows(now)
    last_success = SyncRun.objects.filter(status=SyncRun.Status.SUCCEEDED).aggregate(
        last=Max("finished_at")
    )["last"]
    worker = service_health.read_worker(now)
    alive = worker.alive(now)
    schedules = list(Schedule.objects.order_by("name"))
    return render(
        request,
        "adminui/dashboard.html",
        {
            "rows": rows,
            "totals": overview.totals(rows),
            "last_successful_poll": last_success,
            "failed_runs_24h": SyncRun.objects.filter(
                started_at__gte=now - timedelta(hours=24),
                status__in=[SyncRun.Status.FAILED, SyncRun.Status.RATE_LIMITED],
            ).count(),
            "unfinished_imports": ImportJob.objects.exclude(status__in=ImportJob.FINISHED).count(),
            "service_problems": service_health.service_problems(
                now,
                worker=worker,
                spotify_is_configured=service_health.spotify_configured(),
                schedules=[(s.name, s.next_run) for s in schedules],
            ),
            "worker": worker,
            "worker_alive": alive,
            "heartbeat_age": _words(worker.heartbeat_age(now)),
            "oldest_wait": _words(worker.oldest_wait(now)),
            "schedules": [
                (schedule, _words(service_health.late_by(schedule.next_run, now, alive)))
                for schedule in schedules
            ],
            "login_url": public_login_url(),
            "now": now,
        },
    )


def _words(delta):
    return None if delta is None else service_health.duration(delta)
