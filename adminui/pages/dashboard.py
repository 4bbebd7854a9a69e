"""`/`: every listener at a glance, problems first, with the service's totals."""

from datetime import timedelta

from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_q.models import Schedule

from adminui import overview
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
            "schedules": Schedule.objects.order_by("name"),
            "now": now,
        },
    )
