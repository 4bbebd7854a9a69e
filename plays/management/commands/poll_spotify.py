"""Polls listeners' recently-played feeds: one pass over the due listeners, or one listener.

The worker's schedule runs the same pass every minute; this command is for cron-style set-ups,
for polling one listener on demand (`--account`), and for a foreground collector (`--loop`).
Any number of these may run at once, here or on other machines: listeners are claimed with a
lease, so no listener is polled twice at the same time.
"""

import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from accounts.models import Listener
from plays.poller import Poller


class Command(BaseCommand):
    help = "Poll Spotify for new plays: every due listener once, one listener, or in a loop."

    def add_arguments(self, parser):
        parser.add_argument("--account", help="poll only this listener (Spotify user id), now")
        parser.add_argument(
            "--loop",
            action="store_true",
            help="repeat a pass every COLLECTOR_INTERVAL_SECONDS until stopped",
        )
        parser.add_argument("--pool", type=int, help="listeners polled at once (POLL_CONCURRENCY)")

    def handle(self, *args, account, loop, pool, verbosity, **options):
        self.stopping = False
        self.verbosity = verbosity
        if account:
            return self.poll_account(account, pool)
        if not loop:
            return self.one_pass(pool)
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        while not self.stopping:
            self.one_pass(pool)
            close_old_connections()
            deadline = time.monotonic() + settings.COLLECTOR_INTERVAL_SECONDS
            while not self.stopping and time.monotonic() < deadline:
                time.sleep(min(1, deadline - time.monotonic()))
        return None

    def stop(self, signum, frame):
        self.stopping = True

    def one_pass(self, pool):
        runs = Poller(pool_size=pool).run_pass().runs
        self.report(runs)

    def poll_account(self, spotify_user_id, pool):
        try:
            listener = Listener.objects.get(spotify_user_id=spotify_user_id)
        except Listener.DoesNotExist:
            raise CommandError(f"No listener with Spotify user id {spotify_user_id!r}.") from None
        if not listener.can_be_polled:
            raise CommandError(
                f"{spotify_user_id} can't be polled: {listener.get_status_display()}"
                + (f" ({listener.status_reason})" if listener.status_reason else "")
            )
        runs = Poller(pool_size=1).run_pass(listener_ids=[listener.pk], ignore_schedule=True).runs
        if not runs:
            raise CommandError(f"{spotify_user_id} is being polled by another worker right now.")
        self.report(runs)

    def report(self, runs):
        if self.verbosity == 0:
            return
        for run in runs:
            self.stdout.write(
                f"{run.listener.spotify_user_id}: {run.get_kind_display().lower()} {run.status}, "
                f"{run.fetched} fetched, {run.inserted} new"
                + (f" - {run.error}" if run.error else "")
            )
        self.stdout.write(f"Polled {len(runs)} listener(s).")
