"""The collector: polls listeners' recently-played feeds, safely from any number of workers.

A pass (`run_pass`) finds the listeners that are due and polls them on a bounded thread pool, so
its duration grows with listeners / pool size. Each poll first *claims* its listener with a
conditional UPDATE that sets a lease (owner and expiry); another worker's claim then updates 0
rows and skips it, and a lease left by a worker that died expires by itself. The cursor moves only
after the plays it covers are committed, and the insert path makes re-reading harmless.

How a poll ends decides when the listener is polled next, always saved before anything is
logged so a failing listener can't loop:
- success: next poll after COLLECTOR_INTERVAL_SECONDS;
- 429: wait until Retry-After has passed ("rate limited until"), never sleeping in the worker;
- 5xx, timeouts, unexpected errors: back off with growing delays;
- 401: refresh the token once and retry once;
- refresh token refused: `needs_reauth` (by `accounts.tokens`), no more polling;
- 403 not registered: `not_registered`, no more polling.
"""

import logging
import os
import queue
import socket
import threading
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connections
from django.db.models import Q
from django.utils import timezone

from accounts import metric_counts
from accounts.logs import log_event
from accounts.models import Listener
from accounts.spotify import (
    AccessTokenExpired,
    NotRegistered,
    RateLimited,
    SpotifyClient,
    SpotifyError,
)
from accounts.tokens import ReauthorizationRequired, access_token_for
from plays.api_records import record_from_api_item, to_unix_ms
from plays.ingest import IngestResult, PlayIngestor
from plays.models import SyncRun

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
PAGE_SIZE = 50  # Spotify's maximum, and all it ever shows: the last 50 plays
MAX_INCREMENTAL_PAGES = 5
FIRST_BACKOFF = timedelta(minutes=1)
LONGEST_BACKOFF = timedelta(hours=6)


def new_worker_name():
    """Identifies this worker in leases and run records: host, process and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def backoff_delay(failures):
    """1, 2, 4, ... minutes after consecutive failures, at most six hours."""
    return min(FIRST_BACKOFF * 2 ** max(failures - 1, 0), LONGEST_BACKOFF)


def _due(now):
    return (
        Q(status=Listener.Status.ACTIVE)
        & ~Q(encrypted_refresh_token="")
        & (Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        & (Q(rate_limited_until__isnull=True) | Q(rate_limited_until__lte=now))
    )


def _lease_free(now):
    return Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now)


def claim(listener_id, owner, *, ignore_schedule=False):
    """Takes the lease on a listener if it is due and free; True when this worker got it."""
    now = timezone.now()
    condition = _lease_free(now) & (
        Q(status=Listener.Status.ACTIVE) & ~Q(encrypted_refresh_token="")
        if ignore_schedule
        else _due(now)
    )
    claimed = Listener.objects.filter(condition, pk=listener_id).update(
        lease_owner=owner, lease_expires_at=now + LEASE
    )
    return claimed == 1


def _renew(listener_id, owner):
    Listener.objects.filter(pk=listener_id, lease_owner=owner).update(
        lease_expires_at=timezone.now() + LEASE
    )


def _release(listener_id, owner):
    Listener.objects.filter(pk=listener_id, lease_owner=owner).update(
        lease_owner="", lease_expires_at=None
    )


def _close_abandoned_runs():
    """Marks runs whose worker died (still "running" after a lease time) as failed."""
    now = timezone.now()
    for kind in SyncRun.Kind.values:
        closed = SyncRun.objects.filter(
            kind=kind, status=SyncRun.Status.RUNNING, started_at__lt=now - LEASE
        ).update(
            status=SyncRun.Status.FAILED,
            finished_at=now,
            error="The worker stopped before finishing this run.",
        )
        metric_counts.add(metric_counts.POLLS, closed, kind=kind, outcome="abandoned")


@dataclass
class PassResult:
    runs: list = field(default_factory=list)

    @property
    def polled(self):
        return len(self.runs)


class Poller:
    """Polls listeners; one per pass (it hands each pool thread its own Spotify client)."""

    def __init__(self, *, owner=None, pool_size=None):
        self.owner = owner or new_worker_name()
        self.pool_size = pool_size or settings.POLL_CONCURRENCY
        self._local = threading.local()

    @property
    def client(self):
        if not hasattr(self._local, "client"):
            self._local.client = SpotifyClient.from_settings()
        return self._local.client

    # --- a pass -----------------------------------------------------------------------------

    def run_pass(self, *, listener_ids=None, ignore_schedule=False):
        """Polls every due listener (or the given ones) once; returns their run records."""
        now = timezone.now()
        if listener_ids is None:
            listener_ids = list(
                Listener.objects.filter(_due(now), _lease_free(now))
                .order_by("next_poll_at", "pk")
                .values_list("pk", flat=True)
            )
        _close_abandoned_runs()
        initial_sync_slots = threading.Semaphore(self._free_initial_sync_slots())
        pending = queue.SimpleQueue()
        for pk in listener_ids:
            pending.put(pk)
        result = PassResult()

        def work():
            # Each pool thread has its own database connection, closed when the pass is done.
            try:
                while True:
                    try:
                        listener_id = pending.get_nowait()
                    except queue.Empty:
                        return
                    try:
                        run = self._poll_claimed(listener_id, ignore_schedule, initial_sync_slots)
                    except Exception:
                        # Claiming or recording failed (the database, most likely); the pass
                        # goes on with the other listeners.
                        logger.exception("could not poll listener %s", listener_id)
                        continue
                    if run is not None:
                        result.runs.append(run)
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=work, name=f"poll-{number}")
            for number in range(min(self.pool_size, len(listener_ids)))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return result

    def _free_initial_sync_slots(self):
        running = SyncRun.objects.filter(
            kind=SyncRun.Kind.INITIAL_SYNC,
            status=SyncRun.Status.RUNNING,
            started_at__gt=timezone.now() - LEASE,
        ).count()
        return max(settings.INITIAL_SYNC_CONCURRENCY - running, 0)

    def _poll_claimed(self, listener_id, ignore_schedule, initial_sync_slots):
        """Claims one listener and polls it; None when another worker has it."""
        close_old_connections()
        if not claim(listener_id, self.owner, ignore_schedule=ignore_schedule):
            return None  # another worker has it, or it stopped being due
        try:
            listener = Listener.objects.get(pk=listener_id)
            initial = listener.needs_initial_sync and settings.INITIAL_SYNC_ENABLED
            if initial and not initial_sync_slots.acquire(blocking=False):
                initial = False  # enough initial syncs at once: a plain poll this time
            try:
                return self.poll(listener, initial_sync=initial)
            finally:
                if initial:
                    initial_sync_slots.release()
        except BaseException:
            _release(listener_id, self.owner)
            raise

    # --- one listener -----------------------------------------------------------------------

    def poll(self, listener, *, initial_sync=False):
        """Polls one claimed listener; returns the finished run record.

        The listener's lease is released by the same UPDATE that saves its next step.
        """
        now = timezone.now()
        run = SyncRun.objects.create(
            listener=listener,
            kind=SyncRun.Kind.INITIAL_SYNC if initial_sync else SyncRun.Kind.POLL,
            started_at=now,
            worker=self.owner,
        )
        try:
            if initial_sync:
                self._initial_sync(listener, run)
            else:
                self._incremental(listener, run)
        except RateLimited as error:
            until = timezone.now() + timedelta(seconds=error.retry_after)
            self._finish(
                listener,
                run,
                SyncRun.Status.RATE_LIMITED,
                f"Spotify asked to wait {error.retry_after} s "
                f"(rate limited until {until:%Y-%m-%d %H:%M:%S} UTC).",
                rate_limited_until=until,
                next_poll_at=until,
            )
        except ReauthorizationRequired as error:
            self._finish(
                listener,
                run,
                SyncRun.Status.FAILED,
                f"Needs re-authorisation: {error}",
                counted_as="needs_reauth",
            )
        except NotRegistered:
            self._finish(
                listener,
                run,
                SyncRun.Status.FAILED,
                "Spotify says this account is not registered for the app (add it under Users "
                "and Access in the Spotify Developer Dashboard, then log in again).",
                status=Listener.Status.NOT_REGISTERED,
                status_reason="Not registered in the Spotify app's Users and Access list.",
                counted_as="not_registered",
            )
        except Exception as error:
            failures = listener.consecutive_failures + 1
            message = (
                str(error)
                if isinstance(error, SpotifyError)
                else f"{type(error).__name__}: {error}"
            )
            self._finish(
                listener,
                run,
                SyncRun.Status.FAILED,
                message,
                consecutive_failures=failures,
                next_poll_at=timezone.now() + backoff_delay(failures),
                unexpected=not isinstance(error, SpotifyError),
            )
        else:
            self._finish(
                listener,
                run,
                SyncRun.Status.SUCCEEDED,
                "",
                consecutive_failures=0,
                needs_initial_sync=False,
                last_success_at=run.finished_at or timezone.now(),
                next_poll_at=timezone.now()
                + timedelta(seconds=settings.COLLECTOR_INTERVAL_SECONDS),
            )
        return run

    def _fetch(self, listener, run, **cursor):
        """One page of the feed, refreshing the token once if Spotify says it expired."""
        run.requests += 1
        try:
            return self.client.recently_played(
                access_token_for(listener, client=self.client), **cursor
            )
        except AccessTokenExpired:
            run.requests += 1
            token = access_token_for(listener, client=self.client, force_refresh=True)
            return self.client.recently_played(token, **cursor)

    def _store(self, ingestor, run, items):
        records = [record for record in map(record_from_api_item, items) if record is not None]
        result = ingestor.ingest(records)
        run.fetched += len(items)
        run.inserted += result.inserted
        run.duplicates += result.duplicates
        return result

    def _advance_cursor(self, listener, result: IngestResult):
        """Moves the in-memory cursor past stored plays; `_finish` saves it with the outcome."""
        if result.latest is not None:
            newest = to_unix_ms(result.latest)
            if listener.cursor_after_ms is None or newest > listener.cursor_after_ms:
                listener.cursor_after_ms = newest

    def _incremental(self, listener, run):
        """New plays since the cursor, page by page while pages come back full."""
        ingestor = PlayIngestor(listener)
        for _ in range(MAX_INCREMENTAL_PAGES):
            after = listener.cursor_after_ms
            page = (
                self._fetch(listener, run, after_ms=after) if after else self._fetch(listener, run)
            )
            items = page.get("items") or []
            result = self._store(ingestor, run, items)
            self._advance_cursor(listener, result)
            # Without a cursor the one page is everything Spotify shows (the last 50 plays).
            if after is None or len(items) < PAGE_SIZE or listener.cursor_after_ms == after:
                return

    def _initial_sync(self, listener, run):
        """Pages back with `before` until the feed ends or the configured limits are reached.

        Spotify only shows the last 50 plays, so this recovers at most those; older history
        comes from the listener's export.
        """
        ingestor = PlayIngestor(listener)
        oldest_allowed = to_unix_ms(timezone.now() - timedelta(days=settings.INITIAL_SYNC_MAX_DAYS))
        before = None
        while run.requests < settings.INITIAL_SYNC_MAX_REQUESTS:
            page = (
                self._fetch(listener, run, before_ms=before)
                if before
                else self._fetch(listener, run)
            )
            items = page.get("items") or []
            result = self._store(ingestor, run, items)
            self._advance_cursor(listener, result)
            _renew(listener.pk, self.owner)
            cursors = page.get("cursors") or {}
            if not items or not cursors.get("before"):
                return
            before = int(cursors["before"])
            if before <= oldest_allowed:
                return

    def _finish(
        self, listener, run, outcome, error, *, unexpected=False, counted_as="", **listener_changes
    ):
        """Saves the listener's next step (and cursor) first, then the run, then counts and logs.

        `counted_as` is the outcome /metrics counts the run under when the run's status says
        less (a failure that needs a new login)."""
        now = timezone.now()
        listener_changes.setdefault("last_poll_at", now)
        listener_changes["cursor_after_ms"] = listener.cursor_after_ms
        for name, value in listener_changes.items():
            setattr(listener, name, value)
        Listener.objects.filter(pk=listener.pk, lease_owner=self.owner).update(
            **listener_changes, lease_owner="", lease_expires_at=None
        )
        run.status, run.error, run.finished_at = outcome, error, now
        run.save()
        metric_counts.add(metric_counts.POLLS, kind=run.kind, outcome=counted_as or outcome)
        # Every run is in the job history; the log keeps what needs attention.
        level = logging.DEBUG if outcome == SyncRun.Status.SUCCEEDED else logging.WARNING
        log_event(
            logger,
            f"{run.kind}.{outcome}",
            f"{run.get_kind_display()} of {listener.spotify_user_id}: {outcome}"
            + (f" ({error})" if error else f", {run.inserted} new of {run.fetched} fetched"),
            level=logging.ERROR if unexpected else level,
            exc_info=unexpected,
            listener=listener,
            requests=run.requests,
            fetched=run.fetched,
            inserted=run.inserted,
            duplicates=run.duplicates,
            next_poll_at=listener.next_poll_at,
        )
