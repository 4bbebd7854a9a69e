"""Listeners (the Spotify accounts whose history we keep) and the structured log they share."""

import secrets
from datetime import timedelta

from django.db import models
from django.utils import timezone


class Listener(models.Model):
    """One Spotify account whose listening history this service keeps.

    Tokens are stored only as ciphertext (see `accounts.crypto`); the polling fields are the
    collector's bookkeeping: where it left off, when it may try next, and who is polling now.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        NEEDS_REAUTH = "needs_reauth", "Needs re-authorisation"
        NOT_REGISTERED = "not_registered", "Not registered in the Spotify app"
        IMPORT_ONLY = "import_only", "Import only (never logged in)"

    spotify_user_id = models.CharField(max_length=255, unique=True)
    account_id = models.CharField(max_length=255, blank=True)
    display_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IMPORT_ONLY)
    status_reason = models.TextField(blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    # Album artwork lives on Spotify's image servers; the listener's pages load it from there only
    # once the listener turned this on (off: a neutral placeholder, no request to another host).
    show_artwork = models.BooleanField(default=False)
    # Comparing listening with another listener (the `compare_listeners` tool): off until the
    # listener turns it on at /me. The handle is what they give a friend to compare with them: a
    # random string, not their Spotify id, so it reveals nothing and dies with the sharing.
    shares_listening = models.BooleanField(default=False)
    share_handle = models.CharField(max_length=32, unique=True, null=True, blank=True)

    # Tokens: Fernet ciphertext only, never plaintext.
    encrypted_refresh_token = models.TextField(blank=True)
    encrypted_access_token = models.TextField(blank=True)
    access_token_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_token_expires_at = models.DateTimeField(null=True, blank=True)
    authorized_at = models.DateTimeField(null=True, blank=True)
    scope = models.CharField(max_length=255, blank=True)

    # Polling: cursor, schedule and the lease that keeps two workers off the same listener.
    cursor_after_ms = models.BigIntegerField(
        null=True, blank=True, help_text="Newest played_at seen by the collector, in Unix ms."
    )
    needs_initial_sync = models.BooleanField(default=False)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    last_poll_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    rate_limited_until = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    lease_owner = models.CharField(max_length=100, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["spotify_user_id"]
        indexes = [models.Index(fields=["status", "next_poll_at"], name="listener_due_idx")]

    def __str__(self):
        return self.display_name or self.spotify_user_id

    @property
    def can_be_polled(self):
        return self.status == self.Status.ACTIVE and bool(self.encrypted_refresh_token)

    def pause(self):
        """Stops polling this listener until `resume()`."""
        if self.status == self.Status.ACTIVE:
            self.status = self.Status.PAUSED
            self.save(update_fields=["status", "updated_at"])

    def start_sharing(self):
        """Lets listeners who have this one's new share handle compare with them."""
        self.shares_listening = True
        self.share_handle = secrets.token_urlsafe(16)
        self.save(update_fields=["shares_listening", "share_handle", "updated_at"])

    def stop_sharing(self):
        """Stops every comparison with this listener; the old handle names nobody any more."""
        self.shares_listening = False
        self.share_handle = None
        self.save(update_fields=["shares_listening", "share_handle", "updated_at"])

    def resume(self):
        """Polls a paused listener again, starting now."""
        if self.status == self.Status.PAUSED:
            self.status = self.Status.ACTIVE
            self.next_poll_at = timezone.now()
            self.save(update_fields=["status", "next_poll_at", "updated_at"])


class LogEntry(models.Model):
    """One structured log event, as also written to stdout (see `accounts.logs`)."""

    created = models.DateTimeField(default=timezone.now, db_index=True)
    level = models.CharField(max_length=10)
    logger = models.CharField(max_length=100)
    event = models.CharField(max_length=100)
    message = models.TextField()
    context = models.JSONField(default=dict, blank=True)
    exception = models.TextField(blank=True)
    listener = models.ForeignKey(
        Listener, null=True, blank=True, on_delete=models.CASCADE, related_name="log_entries"
    )

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name_plural = "log entries"
        indexes = [
            models.Index(fields=["level", "created"], name="logentry_level_idx"),
            models.Index(fields=["listener", "created"], name="logentry_listener_idx"),
        ]

    def __str__(self):
        return f"{self.created:%Y-%m-%d %H:%M:%S} {self.level} {self.event}"

    # The longest retention a purge accepts: a hundred years is "keep everything", and a cutoff
    # further back could not be computed (a date before year 1).
    MAX_RETENTION_DAYS = 36_500

    @classmethod
    def purge_older_than(cls, days):
        """Deletes entries older than `days` days (1 to MAX_RETENTION_DAYS); returns how many
        were deleted."""
        if not 1 <= days <= cls.MAX_RETENTION_DAYS:
            raise ValueError(f"days must be from 1 to {cls.MAX_RETENTION_DAYS}")
        cutoff = timezone.now() - timedelta(days=days)
        deleted, _ = cls.objects.filter(created__lt=cutoff).delete()
        return deleted


class AuthFailureCounter(models.Model):
    """Wrong credentials one client sent to the admin API or /mcp in the current window.

    One row per client address, reused window after window (see `accounts.auth_failures`); in the
    database so the limit holds across every gunicorn worker.
    """

    key = models.CharField(max_length=64, unique=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.key}: {self.count} since {self.window_start:%H:%M}"


class PageRateCounter(models.Model):
    """State-changing page requests (form POSTs) one visitor made in the current window: a
    listener (`listener:<id>`) or a staff account (`staff:<id>`).

    One row per visitor, reused window after window (`accounts.ratelimit`); rows of ended windows
    are swept by the worker.
    """

    key = models.CharField(max_length=64, unique=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.key}: {self.count} since {self.window_start:%H:%M}"


class WorkerHeartbeat(models.Model):
    """When a background worker last ran a task, one row per worker host.

    The worker's `worker-heartbeat` schedule writes it every minute (`accounts.tasks`), so a row
    that stops moving means nothing runs the queue on that host: the dashboard flags it. It lives
    here, beside the structured log, because it is the same kind of record: how the service runs.
    """

    worker = models.CharField(max_length=255, unique=True)
    seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-seen_at"]

    def __str__(self):
        return f"{self.worker} at {self.seen_at:%Y-%m-%d %H:%M:%S}"


class MetricCounter(models.Model):
    """A running total that `/metrics` reports: one row per series and set of labels.

    Added to where the event happens (a poll ends, plays are stored, an MCP call returns, a client
    is refused for going over a limit) by one UPDATE (`accounts.metric_counts`), so every gunicorn
    worker, every worker process and every machine sharing the database adds to the same total,
    which survives restarts and never goes down. Labels are fixed words (an outcome, a source, a
    tool's name), never a listener.
    """

    name = models.CharField(max_length=64)
    labels = models.CharField(max_length=200, blank=True, help_text='"key=value,..." sorted.')
    count = models.BigIntegerField(default=0)
    total = models.FloatField(default=0, help_text="Sum of the observed values (histograms).")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "labels"], name="metriccounter_unique")
        ]

    def __str__(self):
        return f"{self.name}{{{self.labels}}} {self.count}"


class OpenAlert(models.Model):
    """A condition of a listener the operator was (or is being) told about by ALERT_WEBHOOK_URL.

    One row per listener, condition and subject (an import job for `import_failed`, else ""),
    kept while the condition holds: that is what makes one alert per condition until it clears
    (`adminui.alerts`). `sent_at` stays empty until the receiver took it; `next_attempt_at` is
    when the worker may try (again), and claiming an attempt moves it, so two workers never send
    the same alert.
    """

    listener = models.ForeignKey(Listener, on_delete=models.CASCADE, related_name="open_alerts")
    condition = models.CharField(max_length=32)
    subject = models.CharField(max_length=32, blank=True)
    message = models.TextField()
    opened_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["opened_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["listener", "condition", "subject"], name="openalert_unique"
            )
        ]

    def __str__(self):
        return f"{self.condition} of {self.listener_id} since {self.opened_at:%Y-%m-%d %H:%M}"
