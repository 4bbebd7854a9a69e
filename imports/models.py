"""Import jobs: one uploaded export imported for one listener, with its progress and outcome."""

from django.db import models
from django.utils import timezone

from accounts.models import Listener
from imports.formats import skipped_sentences


class ImportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        SUCCEEDED_WITH_WARNINGS = "succeeded_with_warnings", "Succeeded with warnings"
        FAILED = "failed", "Failed"

    FINISHED = (Status.SUCCEEDED, Status.SUCCEEDED_WITH_WARNINGS, Status.FAILED)

    listener = models.ForeignKey(Listener, on_delete=models.CASCADE, related_name="import_jobs")
    file_name = models.CharField(max_length=255)
    file_size = models.BigIntegerField(default=0)
    stored_path = models.CharField(
        max_length=500, blank=True, help_text="The upload on disk; removed after success."
    )
    format = models.CharField(max_length=16, blank=True)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)

    # Counts, kept exact: they change in the same transaction as the plays they count.
    records_total = models.BigIntegerField(
        default=0, help_text="Rows in the export (an estimate until the import has finished)."
    )
    records_done = models.BigIntegerField(default=0)
    inserted = models.BigIntegerField(default=0)
    duplicates = models.BigIntegerField(default=0)
    skipped = models.JSONField(default=dict, blank=True, help_text="reason -> rows skipped")
    earliest_play = models.DateTimeField(null=True, blank=True)
    latest_play = models.DateTimeField(null=True, blank=True)

    # Where the committed work ends, so a killed worker's job resumes there.
    resume_file = models.PositiveIntegerField(default=0)
    resume_row = models.BigIntegerField(default=0)
    worker = models.CharField(max_length=100, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["listener", "created_at"], name="importjob_listener_idx"),
            models.Index(fields=["status", "heartbeat_at"], name="importjob_status_idx"),
        ]

    def __str__(self):
        return f"Import of {self.file_name} for {self.listener_id} ({self.status})"

    @property
    def skipped_total(self):
        return sum(self.skipped.values())

    @property
    def is_finished(self):
        return self.status in self.FINISHED

    def summary(self):
        """The job's outcome as JSON-able data (what `import_zip --json` prints)."""
        return {
            "job_id": self.pk,
            "listener": self.listener.spotify_user_id,
            "file_name": self.file_name,
            "status": self.status,
            "format": self.format,
            "records_total": self.records_total,
            "records_done": self.records_done,
            "inserted": self.inserted,
            "duplicates": self.duplicates,
            "skipped": {
                "total": self.skipped_total,
                "reasons": dict(self.skipped),
                "sentences": skipped_sentences(self.skipped),
            },
            "errors": [self.error] if self.error else [],
            "earliest_play": self.earliest_play.isoformat() if self.earliest_play else None,
            "latest_play": self.latest_play.isoformat() if self.latest_play else None,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "seconds": (self.finished_at - self.started_at).total_seconds()
            if self.finished_at and self.started_at
            else None,
        }
