"""Admin API: what the service has been doing (sync runs, import jobs, logs) and how it stands.

Mounted at /admin/ by `adminui.api`. Every list is newest first and filtered by query parameters
whose allowed values are part of the OpenAPI document (an unknown one is answered 422). `since`
is inclusive and `until` exclusive; a time without an offset is taken as UTC.
"""

from datetime import datetime, timedelta
from typing import Literal

from django.db import connection
from django.db.models import Count, Max
from django.utils import timezone
from django_q.models import Schedule
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from accounts.models import Listener, LogEntry
from adminui.api_listeners import ImportJobOut, PlaysBySourceOut, SyncRunOut, get_listener_or_404
from adminui.log_filters import LEVELS, filter_log_entries
from adminui.moments import UtcMoment
from adminui.schemas import ErrorOut, InvalidOut
from imports.listing import import_job_row, recent_import_jobs
from imports.models import ImportJob
from plays.models import Play, SyncRun
from plays.queries.operator import in_window, recent_sync_runs

router = Router(tags=["activity"])

SyncRunKind = Literal[tuple(SyncRun.Kind.values)]
SyncRunStatus = Literal[tuple(SyncRun.Status.values)]
ImportJobStatus = Literal[tuple(ImportJob.Status.values)]
Level = Literal[tuple(LEVELS)]


class Window(Schema):
    """Filters every list takes: whose, when, how many."""

    user_id: str | None = Field(None, max_length=255, description="A listener's Spotify user id.")
    since: UtcMoment | None = Field(None, description="From this time on (inclusive).")
    until: UtcMoment | None = Field(None, description="Before this time (exclusive).")
    limit: int = Field(50, ge=1, le=500, description="At most this many, newest first.")


def _window_terms(window):
    """The shared listing functions' filters for a request's `Window` (404 for an unknown user)."""
    listener = None if window.user_id is None else get_listener_or_404(window.user_id)
    return {
        "listener": listener,
        "since": window.since,
        "until": window.until,
        "limit": window.limit,
    }


def _filter_window(queryset, window, time_field):
    return in_window(queryset, time_field, **_window_terms(window))


# --- sync runs -----------------------------------------------------------------------------------


class SyncRunFilters(Window):
    kind: SyncRunKind | None = None
    status: SyncRunStatus | None = None


@router.get(
    "sync-runs",
    response={200: list[SyncRunOut], 401: ErrorOut, 404: ErrorOut, 422: InvalidOut},
    url_name="sync-runs",
    summary="Polls and initial syncs, newest first",
)
def list_sync_runs(request, filters: Query[SyncRunFilters]):
    """Sync runs by start time, newest first. 404 when `user_id` names no listener."""
    return recent_sync_runs(kind=filters.kind, status=filters.status, **_window_terms(filters))


# --- import jobs ---------------------------------------------------------------------------------


class ImportJobFilters(Window):
    status: ImportJobStatus | None = None


@router.get(
    "import-jobs",
    response={200: list[ImportJobOut], 401: ErrorOut, 404: ErrorOut, 422: InvalidOut},
    url_name="import-jobs",
    summary="Import jobs, newest first",
)
def list_import_jobs(request, filters: Query[ImportJobFilters]):
    """Import jobs by creation time, newest first. 404 when `user_id` names no listener."""
    return recent_import_jobs(status=filters.status, **_window_terms(filters))


@router.get(
    "import-jobs/{job_id}",
    response={200: ImportJobOut, 401: ErrorOut, 404: ErrorOut, 422: InvalidOut},
    url_name="import-job",
    summary="One import job: status, progress and counts",
)
def show_import_job(request, job_id: int):
    """One import job, for following an upload's progress (`status_url` of the upload)."""
    job = ImportJob.objects.select_related("listener").filter(pk=job_id).first()
    if job is None:
        raise HttpError(404, f"No import job {job_id}.")
    return import_job_row(job)


# --- logs ----------------------------------------------------------------------------------------


class LogFilters(Window):
    level: Level | None = Field(None, description="The lowest level shown.")
    logger: str | None = Field(
        None, max_length=100, description="A logger and its children ('plays' too)."
    )
    q: str | None = Field(
        None, max_length=200, description="Text in the message or event (any case)."
    )


class LogEntryOut(Schema):
    id: int
    created: datetime
    level: str
    logger: str
    event: str
    message: str
    context: dict
    exception: str
    user_id: str | None


@router.get(
    "logs",
    response={200: list[LogEntryOut], 401: ErrorOut, 404: ErrorOut, 422: InvalidOut},
    url_name="logs",
    summary="Stored log entries, newest first",
)
def list_logs(request, filters: Query[LogFilters]):
    """Stored log entries, newest first. `level` is a minimum (WARNING shows WARNING, ERROR and
    CRITICAL); `logger` matches that logger and those below it; `q` searches message and event."""
    entries = filter_log_entries(
        LogEntry.objects.select_related("listener"),
        level=filters.level,
        logger=filters.logger,
        text=filters.q,
    )
    return [
        {
            "id": entry.pk,
            "created": entry.created,
            "level": entry.level,
            "logger": entry.logger,
            "event": entry.event,
            "message": entry.message,
            "context": entry.context,
            "exception": entry.exception,
            "user_id": entry.listener.spotify_user_id if entry.listener else None,
        }
        for entry in _filter_window(entries, filters, "created")
    ]


# --- overall status ------------------------------------------------------------------------------


class PlaysStatusOut(Schema):
    total: int
    by_source: PlaysBySourceOut


class ScheduleOut(Schema):
    name: str | None
    func: str
    next_run: datetime | None


class StatusOut(Schema):
    listeners: dict[str, int]
    plays: PlaysStatusOut
    last_successful_poll: datetime | None
    sync_runs_last_24h: dict[str, int]
    import_jobs: dict[str, int]
    schedules: list[ScheduleOut]
    database: str


def _counts_by(queryset, field, values):
    """{value: rows} for every value, zeros included."""
    counts = dict.fromkeys(values, 0)
    for row in queryset.values(field).annotate(n=Count("pk")).order_by():
        counts[row[field]] = row["n"]
    return counts


@router.get(
    "status",
    response={200: StatusOut, 401: ErrorOut},
    url_name="status",
    summary="How the service stands",
)
def overall_status(request):
    """Listeners by status, plays by source, the last successful poll, sync runs of the last
    24 hours and import jobs by status, the worker's schedules and the database in use."""
    by_source = _counts_by(Play.objects.all(), "source", Play.Source.values)
    day_ago = timezone.now() - timedelta(hours=24)
    last_success = SyncRun.objects.filter(status=SyncRun.Status.SUCCEEDED).aggregate(
        last=Max("finished_at")
    )["last"]
    return {
        "listeners": _counts_by(Listener.objects.all(), "status", Listener.Status.values),
        "plays": {"total": sum(by_source.values()), "by_source": by_source},
        "last_successful_poll": last_success,
        "sync_runs_last_24h": _counts_by(
            SyncRun.objects.filter(started_at__gte=day_ago), "status", SyncRun.Status.values
        ),
        "import_jobs": _counts_by(ImportJob.objects.all(), "status", ImportJob.Status.values),
        "schedules": [
            {"name": schedule.name, "func": schedule.func, "next_run": schedule.next_run}
            for schedule in Schedule.objects.order_by("name")
        ],
        "database": connection.vendor,
    }
