"""Deletes stored log entries past their retention, so the log table doesn't grow forever.

The worker runs the same purge daily; this command is for operators and cron-style set-ups.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import LogEntry
from accounts.tasks import purge_old_logs


class Command(BaseCommand):
    help = "Delete stored log entries older than --days (default LOG_RETENTION_DAYS)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.LOG_RETENTION_DAYS,
            help="keep entries from the last N days (default: %(default)s)",
        )

    def handle(self, *args, days, **options):
        if not 1 <= days <= LogEntry.MAX_RETENTION_DAYS:
            raise CommandError(f"--days must be from 1 to {LogEntry.MAX_RETENTION_DAYS}")
        deleted = purge_old_logs(days)
        if options["verbosity"] > 0:
            self.stdout.write(f"Deleted {deleted} log entries older than {days} days.")
