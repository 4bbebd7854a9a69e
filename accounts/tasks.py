"""Background tasks of the accounts app, run by the django-q2 worker."""

import logging
import socket
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from accounts.logs import log_event
from accounts.models import LogEntry, WorkerHeartbeat

# A host not seen for this long is gone (renamed, scaled down): its row is removed.
FORGET_WORKERS_AFTER = timedelta(days=7)

logger = logging.getLogger(__name__)


def purge_old_logs(days=None):
    """Deletes stored log entries older than `days` (default LOG_RETENTION_DAYS); ValueError
    unless 1 <= days <= LogEntry.MAX_RETENTION_DAYS."""
    days = settings.LOG_RETENTION_DAYS if days is None else days
    deleted = LogEntry.purge_older_than(days)
    log_event(
        logger,
        "logs.purged",
        f"Purged {deleted} log entries older than {days} days",
        deleted=deleted,
        days=days,
    )
    return deleted


def clear_expired_sessions():
    """Deletes expired sessions (Django's `clearsessions`); returns how many there were."""
    expired = Session.objects.filter(expire_date__lt=timezone.now()).count()
    call_command("clearsessions")
    log_event(
        logger,
        "sessions.cleared",
        f"Deleted {expired} expired sessions",
        deleted=expired,
    )
    return expired


def record_worker_heartbeat():
    """Notes that a worker on this host is running tasks now (the `worker-heartbeat` schedule).

    The dashboard reads the newest row: if it is old, no worker is taking tasks off the queue.
    """
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker=socket.gethostname()[:255], defaults={"seen_at": now}
    )
    WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_WORKERS_AFTER).delete()
    return now.isoformat()
