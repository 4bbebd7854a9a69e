"""An import job's progress as the pages show it: done / total, percent, rate, warnings, errors.

The /imports page polls a small JSON endpoint built from `job_progress()` and redraws its rows
with it, so the page and the endpoint can't disagree about what a number means.
"""

from django.utils import timezone

from imports.formats import skipped_sentences
from imports.models import ImportJob


def percent_done(job):
    """0-100; exactly 100 only for a finished import, never more."""
    if job.status in (ImportJob.Status.SUCCEEDED, ImportJob.Status.SUCCEEDED_WITH_WARNINGS):
        return 100
    if not job.records_total:
        return 0
    return min(99, int(100 * job.records_done / job.records_total))


def records_per_second(job, now=None):
    """Rows read per second since the job started (to its end, once finished), or None."""
    if not job.started_at or not job.records_done:
        return None
    end = job.finished_at or now or timezone.now()
    seconds = (end - job.started_at).total_seconds()
    return round(job.records_done / seconds) if seconds > 0 else None


def job_progress(job, now=None):
    """JSON-able progress of one job; `job.listener` should be select_related."""
    return {
        "id": job.pk,
        "listener": job.listener.spotify_user_id,
        "file_name": job.file_name,
        "status": job.status,
        "status_label": job.get_status_display(),
        "finished": job.is_finished,
        "records_done": job.records_done,
        "records_total": job.records_total,
        "percent": percent_done(job),
        "rate": records_per_second(job, now),
        "inserted": job.inserted,
        "duplicates": job.duplicates,
        "warnings": skipped_sentences(job.skipped),
        "errors": [job.error] if job.error else [],
    }
