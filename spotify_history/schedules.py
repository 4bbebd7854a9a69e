"""The worker's recurring tasks, kept in step with the settings.

django-q2's `schedule()` does not enforce unique names, so calling it at every start would pile up
duplicates. Instead each schedule is upserted by name after every `migrate` (which every start
runs): restarts change nothing, and a changed interval setting takes effect on the next start.
"""

import logging
from datetime import timedelta

from django.utils import timezone

from accounts.logs import log_event

logger = logging.getLogger(__name__)

PURGE_LOGS = "purge-old-logs"
POLL_SPOTIFY = "poll-spotify"
RESUME_IMPORTS = "resume-imports"
OAUTH_CLEAN_UP = "oauth-clean-up"
CLEAR_SESSIONS = "clear-expired-sessions"
WORKER_HEARTBEAT = "worker-heartbeat"
CLEAR_COUNTERS = "clear-expired-counters"
SEND_ALERTS = "send-alerts"


def wanted_schedules():
    """name -> (dotted task function, minutes between runs).

    The polling pass runs every minute and polls only the listeners that are due (each listener
    keeps its own next poll time, COLLECTOR_INTERVAL_SECONDS after the last), so passes stay small
    and a listener that became due is never more than a minute late. The heartbeat tells the
    dashboard that a worker is alive and taking tasks (`accounts.models.WorkerHeartbeat`).
    """
    return {
        PURGE_LOGS: ("accounts.tasks.purge_old_logs", 24 * 60),
        POLL_SPOTIFY: ("plays.tasks.poll_due_listeners", 1),
        RESUME_IMPORTS: ("imports.tasks.resume_imports", 1),
        OAUTH_CLEAN_UP: ("mcp.oauth.tasks.clean_up", 24 * 60),
        # Sessions are only made by completed logins, but each lives two weeks: sweep them.
        CLEAR_SESSIONS: ("accounts.tasks.clear_expired_sessions", 24 * 60),
        WORKER_HEARTBEAT: ("accounts.tasks.record_worker_heartbeat", 1),
        # Rate-limit and failure counts live a minute to API_AUTH_FAILURE_WINDOW_MINUTES: their
        # ended windows are swept often, so a flood of new keys can't fill the tables.
        CLEAR_COUNTERS: ("spotify_history.tasks.clear_expired_counters", 10),
        # Listener conditions to ALERT_WEBHOOK_URL, when it is set (adminui.alerts).
        SEND_ALERTS: ("adminui.alerts.send_alerts", 1),
    }


def ensure_schedules():
    """Creates or updates every wanted schedule (idempotent)."""
    from django_q.models import Schedule

    now = timezone.now()
    for name, (func, minutes) in wanted_schedules().items():
        schedule, created = Schedule.objects.get_or_create(
            name=name,
            defaults={
                "func": func,
                "schedule_type": Schedule.MINUTES,
                "minutes": minutes,
                "repeats": -1,
                "next_run": now,
            },
        )
        if not created and (schedule.func, schedule.minutes, schedule.repeats) != (
            func,
            minutes,
            -1,
        ):
            schedule.func, schedule.minutes, schedule.repeats = func, minutes, -1
            schedule.schedule_type = Schedule.MINUTES
            schedule.next_run = min(schedule.next_run or now, now + timedelta(minutes=minutes))
            schedule.save()
        if created:
            log_event(logger, "schedule.created", f"Created schedule {name}", schedule=name)


def ensure_schedules_after_migrate(plan=None, **kwargs):
    """post_migrate receiver; skips a `migrate` that rolled django_q back to zero."""
    from django.db import connection

    if "django_q_schedule" in connection.introspection.table_names():
        ensure_schedules()
