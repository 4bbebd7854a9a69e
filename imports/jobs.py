"""Running import jobs: one code path for the command, the admin API and the upload page.

An upload is stored on disk and becomes an `ImportJob`; `run_import_job()` claims the job, streams
the export file by file (`imports.exports`), turns rows into PlayRecords (`imports.formats`) and
stores them through the one insert path (`plays.ingest`) in batches. Each batch commits together
with the job's counters and its resume position, so the counts are exact and a worker killed
mid-import leaves a job that the next run resumes where the last batch ended. Reading and parsing
run one batch ahead in a background thread (`imports.readahead`), so they overlap with the database
storing the batch before.

A job that fails (a bad file, a limit, an error) takes back every play it inserted, so the
listener's history is exactly as it was before it started; its stored file is kept for a retry.
"""

import contextlib
import logging
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts import metric_counts
from accounts.logs import log_event
from accounts.models import Listener
from imports.exports import ImportRejected, Limits, open_export, refused_row
from imports.formats import parser_for
from imports.models import ImportJob
from imports.readahead import ReadAhead
from imports.row_values import RowRefused
from plays.ingest import PlayIngestor
from plays.models import Play
from plays.poller import new_worker_name
from plays.tasks import request_rollup_refresh

logger = logging.getLogger(__name__)

BATCH_SIZE = 25_000
# A running job whose heartbeat is older than this lost its worker and may be resumed.
STALE_AFTER = timedelta(minutes=2)
ESTIMATED_BYTES_PER_ROW = 650  # an extended-history row, as Spotify formats it
# The longest upload file name accepted (Spotify's is my_spotify_data.zip); the pages show it.
MAX_FILE_NAME_LENGTH = 200


class JobTakenOver(Exception):
    """Another worker resumed this job (ours was presumed dead); stop without touching it."""


@dataclass
class _Batch:
    """Parsed rows up to a resume position, stored in one transaction."""

    resume_file: int  # where the next run starts once this batch is committed
    resume_row: int
    bytes_done: int  # history bytes of the files before resume_file (the files read whole)
    records: list = field(default_factory=list)
    rows: int = 0  # rows read, records and skips
    skips: Counter = field(default_factory=Counter)


# --- creating jobs -----------------------------------------------------------------------------


def check_name_length(name):
    """Refuses (ImportRejected) an upload's name longer than MAX_FILE_NAME_LENGTH characters."""
    if len(name) > MAX_FILE_NAME_LENGTH:
        raise ImportRejected(
            "file_name_too_long",
            f"The file name is {len(name)} characters long, more than the "
            f"{MAX_FILE_NAME_LENGTH} accepted: rename the file (Spotify calls it "
            "my_spotify_data.zip) and upload it again.",
        )


def stored_name(name):
    """The name an upload is stored under: a random id, plus `.zip` or `.json` when the
    person's name ends so. Nothing the client sent reaches the file system's names."""
    suffix = Path(name).suffix.lower()
    return uuid.uuid4().hex + (suffix if suffix in (".zip", ".json") else "")


class UploadNotStored(Exception):
    """The upload could not be written to IMPORT_UPLOAD_DIR (full, read-only, missing); nothing
    of it was kept. `str(error)` is one sentence for the person uploading; `reason` is the
    system's (for the operator's log)."""

    def __init__(self, reason):
        super().__init__(
            "The server could not store the upload (its upload folder is full or can't be "
            "written to); nothing was kept. Try again later, or tell the operator."
        )
        self.reason = reason

    def log(self):
        """Tells the operator, who alone can free the space or fix the folder: an ERROR log
        without the file's name or path. Called where the request is answered, outside any
        transaction, so the stored log entry is not rolled back with the refused upload."""
        log_event(
            logger,
            "import.upload_not_stored",
            f"Could not store an upload in IMPORT_UPLOAD_DIR: {self.reason}",
            level=logging.ERROR,
        )


def store_upload(uploaded_file, stored):
    """Writes the upload to `stored`, or leaves nothing there and raises UploadNotStored."""
    try:
        stored.parent.mkdir(parents=True, exist_ok=True)
        with stored.open("wb") as destination:
            for chunk in uploaded_file.chunks():
                destination.write(chunk)
    except OSError as error:
        with contextlib.suppress(OSError):
            stored.unlink(missing_ok=True)  # a partial file would keep the disk full
        raise UploadNotStored(error.strerror or type(error).__name__) from None


def queue_import(listener, uploaded_file):
    """Stores an upload in IMPORT_UPLOAD_DIR and queues its import for the worker.

    Raises ImportRejected, storing nothing, when the file's name is too long, and UploadNotStored
    when the file can't be written (a full or read-only IMPORT_UPLOAD_DIR).
    """
    name = Path(uploaded_file.name or "upload").name
    check_name_length(name)
    stored = Path(settings.IMPORT_UPLOAD_DIR) / stored_name(name)
    store_upload(uploaded_file, stored)
    try:
        job = ImportJob.objects.create(
            listener=listener,
            file_name=name,
            file_size=stored.stat().st_size,
            stored_path=str(stored),
        )
    except BaseException:
        remove_upload(str(stored))
        raise
    transaction.on_commit(lambda: enqueue(job))
    log_event(
        logger,
        "import.queued",
        f"Queued the import of {name} for {listener.spotify_user_id}",
        listener=listener,
        job=job.pk,
        size=job.file_size,
    )
    return job


def job_for_file(listener, path):
    """A job importing a file that stays where it is (the command line's), reusing an unfinished
    job of the same file so that running the command again resumes it."""
    path = Path(path).resolve()
    unfinished = (
        ImportJob.objects.filter(listener=listener, stored_path=str(path))
        .filter(status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING])
        .order_by("-created_at")
        .first()
    )
    if unfinished:
        return unfinished
    return ImportJob.objects.create(
        listener=listener, file_name=path.name, file_size=path.stat().st_size, stored_path=str(path)
    )


def enqueue(job):
    from django_q.tasks import async_task

    async_task("imports.tasks.run_import", job.pk, task_name=f"import-{job.pk}")


def retry(job):
    """Queues a failed job again, from the start (its file was kept)."""
    if job.status != ImportJob.Status.FAILED:
        raise ValueError("only a failed import can be retried")
    if not job.stored_path or not Path(job.stored_path).exists():
        raise ValueError("the uploaded file of this import is gone; upload it again")
    ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.FAILED).update(
        status=ImportJob.Status.QUEUED, error="", finished_at=None, heartbeat_at=None
    )
    job.refresh_from_db()
    transaction.on_commit(lambda: enqueue(job))
    return job


# --- running jobs ------------------------------------------------------------------------------


def claim(job_id, owner):
    """Takes a queued job, or a running one whose worker stopped beating; True if we got it.

    One import per listener runs at a time: a failed import takes its plays back, so another
    import of the listener must not meanwhile count them as already stored. A job refused for
    that stays queued, and `resume_stale_imports` runs it once the other one is done.
    """
    now = timezone.now()
    takeable = Q(status=ImportJob.Status.QUEUED) | Q(
        status=ImportJob.Status.RUNNING, heartbeat_at__lt=now - STALE_AFTER
    )
    with transaction.atomic():
        listener_id = (
            ImportJob.objects.filter(pk=job_id).values_list("listener_id", flat=True).first()
        )
        if listener_id is None:
            return False
        # Claims of one listener's jobs take turns, so two can't both see the other idle.
        Listener.objects.select_for_update().filter(pk=listener_id).exists()
        if running_import_of(listener_id, other_than=job_id, now=now) is not None:
            return False
        return (
            ImportJob.objects.filter(takeable, pk=job_id).update(
                status=ImportJob.Status.RUNNING,
                worker=owner,
                heartbeat_at=now,
                attempts=F("attempts") + 1,
            )
            == 1
        )


def running_import_of(listener_id, *, other_than=None, now=None):
    """The listener's import job whose worker is alive (beat within STALE_AFTER), or None."""
    now = now or timezone.now()
    return (
        ImportJob.objects.filter(
            listener_id=listener_id,
            status=ImportJob.Status.RUNNING,
            heartbeat_at__gte=now - STALE_AFTER,
        )
        .exclude(pk=other_than)
        .first()
    )


def run_import_job(job_id, *, owner=None, progress=None):
    """Runs (or resumes) one job to its end; returns it. `progress(job)` is called per batch."""
    owner = owner or new_worker_name()
    if not claim(job_id, owner):
        return ImportJob.objects.get(pk=job_id)
    job = ImportJob.objects.select_related("listener").get(pk=job_id)
    if job.started_at is None:
        job.started_at = timezone.now()
        ImportJob.objects.filter(pk=job.pk).update(started_at=job.started_at)
    try:
        _ImportRun(job, owner, progress).run()
    except JobTakenOver:
        job.refresh_from_db()
    except ImportRejected as rejection:
        fail_job(job, owner, str(rejection))
    except Exception as error:
        fail_job(
            job,
            owner,
            f"The import stopped on an unexpected error ({type(error).__name__}: {error}).",
        )
        logger.exception("import %s failed unexpectedly", job.pk)
    return job


def resume_stale_imports():
    """Runs every job whose worker died, and queued jobs whose task was lost; returns their ids."""
    now = timezone.now()
    stale = ImportJob.objects.filter(
        Q(status=ImportJob.Status.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
        | Q(status=ImportJob.Status.QUEUED, created_at__lt=now - STALE_AFTER)
    ).values_list("pk", flat=True)
    job_ids = list(stale)
    for job_id in job_ids:
        run_import_job(job_id)
    return job_ids


class _ImportRun:
    """One pass of a job over its export, from its resume position to the end."""

    def __init__(self, job, owner, progress):
        self.job = job
        self.owner = owner
        self.progress = progress
        self.limits = Limits.from_settings()
        self.ingestor = PlayIngestor(job.listener, import_job_id=job.pk)
        self.exact_total = None  # rows in the export, once a check has counted them

    def run(self):
        job = self.job
        with open_export(job.stored_path, self.limits, name=job.file_name) as export:
            job.format = export.format
            self.total_bytes = sum(history_file.size for history_file in export.files) or 1
            self.bytes_done = sum(f.size for f in export.files[: job.resume_file])
            if export.needs_check:
                # Other services' files are read once before anything is stored: a row that
                # refuses the file (a date in the future, a wrong column) must change nothing.
                self.exact_total = export.check(progress=self._still_checking)
            job.records_total = max(
                job.records_total, self._estimate_total(job.records_done, self.bytes_done)
            )
            reader = ReadAhead(lambda: self._batches(export), name=f"import-{job.pk}-reader")
            with reader as batches:
                for batch in batches:
                    self._commit(batch)
        self._succeed()

    def _batches(self, export):
        """The export's rows from the resume position on, parsed, in batches of BATCH_SIZE rows
        (the last one shorter); a batch may span files, whose ends are only resume positions.
        Runs in the read-ahead thread: no database."""
        resume_file, resume_row = self.job.resume_file, self.job.resume_row
        bytes_done = self.bytes_done
        batch = None
        for index, history_file in enumerate(export.files):
            if index < resume_file:
                continue
            parse = parser_for(history_file.format)
            first_row = resume_row if index == resume_file else 0
            if batch is None:
                batch = _Batch(index, first_row, bytes_done)
            records, skips = batch.records, batch.skips
            for row_number, row in enumerate(export.rows(history_file, typed=True)):
                if row_number < first_row:
                    continue
                try:
                    parsed = parse(row)
                except RowRefused as refusal:
                    raise refused_row(history_file, row_number + 1, refusal) from None
                if type(parsed) is str:
                    skips[parsed] += 1
                else:
                    records.append(parsed)
                batch.rows += 1
                if batch.rows >= BATCH_SIZE:
                    batch.resume_file, batch.resume_row = index, row_number + 1
                    batch.bytes_done = bytes_done
                    yield batch
                    batch = _Batch(index, row_number + 1, bytes_done)
                    records, skips = batch.records, batch.skips
            bytes_done += history_file.size
            batch.resume_file, batch.resume_row, batch.bytes_done = index + 1, 0, bytes_done
        if batch is not None:
            yield batch

    def _still_checking(self, rows):
        """Keeps the job's heartbeat fresh during a long check, so no worker takes it over."""
        now = timezone.now()
        ImportJob.objects.filter(pk=self.job.pk, worker=self.owner).update(
            heartbeat_at=now, records_total=rows
        )

    def _estimate_total(self, done, bytes_done):
        """Rows in the export: counted, or estimated from `done` rows in `bytes_done` bytes."""
        if self.exact_total is not None:
            return self.exact_total
        if done and bytes_done:
            return round(done * self.total_bytes / bytes_done)
        return max(done, self.total_bytes // ESTIMATED_BYTES_PER_ROW)

    def _commit(self, batch):
        """Stores the batch and moves the job's counters and resume position, all or nothing."""
        job = self.job
        if job.records_done + batch.rows > self.limits.max_records:
            raise ImportRejected.too_many_records(self.limits.max_records)
        records_done = job.records_done + batch.rows
        with transaction.atomic():
            _without_waiting_for_the_disk()
            result = self.ingestor.ingest(batch.records)
            skipped = Counter(job.skipped) + batch.skips
            fields = {
                "format": job.format,
                "records_done": records_done,
                # In the batch's own commit: a separate update would wait for the disk each batch.
                "records_total": max(
                    self._estimate_total(records_done, batch.bytes_done), records_done
                ),
                "inserted": job.inserted + result.inserted,
                "duplicates": job.duplicates + result.duplicates,
                "skipped": dict(skipped),
                "resume_file": batch.resume_file,
                "resume_row": batch.resume_row,
                "heartbeat_at": timezone.now(),
            }
            if result.earliest and (not job.earliest_play or result.earliest < job.earliest_play):
                fields["earliest_play"] = result.earliest
            if result.latest and (not job.latest_play or result.latest > job.latest_play):
                fields["latest_play"] = result.latest
            updated = ImportJob.objects.filter(
                pk=job.pk, worker=self.owner, status=ImportJob.Status.RUNNING
            ).update(**fields)
            if not updated:
                raise JobTakenOver
            metric_counts.add(metric_counts.IMPORT_RECORDS, batch.rows)
        for name, value in fields.items():
            setattr(job, name, value)
        self.bytes_done = batch.bytes_done
        if self.progress:
            self.progress(job)

    def _succeed(self):
        job = self.job
        job.status = (
            ImportJob.Status.SUCCEEDED_WITH_WARNINGS if job.skipped else ImportJob.Status.SUCCEEDED
        )
        job.records_total = job.records_done
        job.finished_at = timezone.now()
        _remove_upload(job)
        job.save(update_fields=["status", "records_total", "finished_at", "stored_path", "format"])
        metric_counts.add(metric_counts.IMPORT_JOBS_FINISHED, outcome=job.status)
        if job.inserted:
            # The worker builds the new months' rollups now, not the listener's next question.
            transaction.on_commit(lambda: request_rollup_refresh(job.listener))
        log_event(
            logger,
            "import.succeeded",
            f"Imported {job.file_name} for {job.listener.spotify_user_id}: {job.inserted} new "
            f"plays, {job.duplicates} already stored, {job.skipped_total} rows skipped",
            listener=job.listener,
            job=job.pk,
            records=job.records_done,
            inserted=job.inserted,
            duplicates=job.duplicates,
            skipped=job.skipped,
        )


def _without_waiting_for_the_disk():
    """Lets PostgreSQL confirm this batch's commit before its WAL reaches the disk.

    Safe here: a crash can only lose the last few commits, in order, and the job's resume
    position is in the same commits as its plays, so a resumed job simply redoes those batches.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def fail_job(job, owner, message):
    """Takes back every play the job inserted and records why it failed.

    Only while the job is still `owner`'s: a worker that stalled past STALE_AFTER and then fails
    must not take back what the worker that took the job over has stored since.
    """
    with transaction.atomic():
        mine = ImportJob.objects.select_for_update().filter(
            pk=job.pk, worker=owner, status=ImportJob.Status.RUNNING
        )
        if not mine.exists():
            job.refresh_from_db()
            return
        taken_back, _ = Play.objects.filter(inserted_by_import=job.pk).delete()
        mine.update(
            status=ImportJob.Status.FAILED,
            error=message,
            finished_at=timezone.now(),
            records_done=0,
            inserted=0,
            duplicates=0,
            skipped={},
            resume_file=0,
            resume_row=0,
        )
        metric_counts.add(metric_counts.PLAYS_TAKEN_BACK, taken_back)
        metric_counts.add(metric_counts.IMPORT_JOBS_FINISHED, outcome=ImportJob.Status.FAILED)
    job.refresh_from_db()
    log_event(
        logger,
        "import.failed",
        f"The import of {job.file_name} for {job.listener.spotify_user_id} failed: {message}",
        level=logging.WARNING,
        listener=job.listener,
        job=job.pk,
        plays_taken_back=taken_back,
    )


def remove_upload(stored_path):
    """Deletes a stored upload, but never a file outside IMPORT_UPLOAD_DIR (like the file the
    command line was given); True when it was ours to delete."""
    if not stored_path:
        return False
    path = Path(stored_path).resolve()
    if not path.is_relative_to(Path(settings.IMPORT_UPLOAD_DIR).resolve()):
        return False
    path.unlink(missing_ok=True)
    return True


def remove_uploads_of(sender, instance, **kwargs):
    """The pre_delete receiver of Listener: once the deletion has committed, removes the stored
    uploads of the listener's import jobs (only files inside IMPORT_UPLOAD_DIR)."""
    paths = list(
        ImportJob.objects.filter(listener_id=instance.pk)
        .exclude(stored_path="")
        .values_list("stored_path", flat=True)
    )
    if paths:
        transaction.on_commit(lambda: [remove_upload(path) for path in paths])


def _remove_upload(job):
    if remove_upload(job.stored_path):
        job.stored_path = ""
