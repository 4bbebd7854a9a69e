"""One import per listener at a time, and a stalled worker never takes back another's plays.

A failed import takes back the plays it stored; a second import of the same listener running
beside it could count those as already stored and lose them. So a listener's second job waits.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Listener
from imports.jobs import claim, fail_job, retry, run_import_job
from imports.models import ImportJob
from imports.tests.fixtures import extended_track_row, write_zip
from plays.models import Play

pytestmark = pytest.mark.django_db

AUDIO = "Spotify Extended Streaming History/Streaming_History_Audio_2024_0.json"


def export(tmp_path, name, count=4):
    start = datetime(2024, 3, 1, 12, tzinfo=UTC)
    rows = [
        extended_track_row(ts=(start + timedelta(minutes=5 * n)).strftime("%Y-%m-%dT%H:%M:%SZ"))
        for n in range(count)
    ]
    return write_zip(tmp_path / name, {AUDIO: rows})


def job_of(listener, path):
    return ImportJob.objects.create(
        listener=listener, file_name=path.name, file_size=1, stored_path=str(path)
    )


def test_a_second_import_of_a_listener_waits_while_the_first_runs(listener, tmp_path):
    first = job_of(listener, export(tmp_path, "a.zip"))
    second = job_of(listener, export(tmp_path, "b.zip"))
    assert claim(first.pk, "worker-a")

    assert run_import_job(second.pk).status == ImportJob.Status.QUEUED
    assert not Play.objects.exists()

    ImportJob.objects.filter(pk=first.pk).update(status=ImportJob.Status.SUCCEEDED)
    assert run_import_job(second.pk).status == ImportJob.Status.SUCCEEDED
    assert Play.objects.count() == 4


def test_another_listeners_import_runs_meanwhile(listener, tmp_path):
    other = Listener.objects.create(spotify_user_id="someone-else")
    assert claim(job_of(listener, export(tmp_path, "a.zip")).pk, "worker-a")
    job = run_import_job(job_of(other, export(tmp_path, "b.zip")).pk)
    assert (job.status, job.inserted) == (ImportJob.Status.SUCCEEDED, 4)


def test_a_dead_workers_job_does_not_hold_up_the_listener(listener, tmp_path):
    dead = job_of(listener, export(tmp_path, "a.zip"))
    assert claim(dead.pk, "worker-a")
    ImportJob.objects.filter(pk=dead.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    job = run_import_job(job_of(listener, export(tmp_path, "b.zip")).pk)
    assert job.status == ImportJob.Status.SUCCEEDED


def test_the_command_says_another_import_is_running_and_leaves_its_job_queued(listener, tmp_path):
    running = job_of(listener, export(tmp_path, "a.zip"))
    assert claim(running.pk, "worker-a")
    path = export(tmp_path, "b.zip")
    with pytest.raises(
        CommandError, match=f"Another import for alice is running \\(import {running.pk}, a.zip\\)"
    ):
        call_command("import_zip", listener.spotify_user_id, str(path), verbosity=0)
    assert ImportJob.objects.get(file_name="b.zip").status == ImportJob.Status.QUEUED


def test_a_stalled_worker_that_fails_late_takes_back_nothing_of_its_successor(listener, tmp_path):
    job = job_of(listener, export(tmp_path, "a.zip"))
    assert claim(job.pk, "stalled-worker")
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    job = run_import_job(job.pk, owner="successor")
    assert (job.status, Play.objects.count()) == (ImportJob.Status.SUCCEEDED, 4)

    fail_job(job, "stalled-worker", "The stalled worker's late error.")
    job.refresh_from_db()
    assert (job.status, job.error, Play.objects.count()) == (ImportJob.Status.SUCCEEDED, "", 4)


def test_only_a_failed_job_goes_back_to_the_queue(listener, tmp_path):
    job = job_of(listener, export(tmp_path, "a.zip"))
    assert claim(job.pk, "worker-a")
    job.status = ImportJob.Status.FAILED  # a stale copy: the job really is running
    retry(job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING
