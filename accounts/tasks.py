"""Background tasks of the accounts app, run by the django-q2 worker."""

import logging

from django.conf import settings

from accounts.logs import log_event
from accounts.models import LogEntry

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
