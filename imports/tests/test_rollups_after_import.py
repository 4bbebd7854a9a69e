"""A finished import asks the worker to build the listener's rollups, so questions stay fast."""

from datetime import UTC, datetime, timedelta

import pytest
from django_q.models import OrmQ

from imports.jobs import job_for_file, run_import_job
from imports.tests.fixtures import extended_track_row, write_zip
from plays.models import RollupDirty
from plays.tasks import refresh_rollups

pytestmark = pytest.mark.django_db

AUDIO = "Spotify Extended Streaming History/Streaming_History_Audio_2024_0.json"


def track_rows(count):
    start = datetime(2024, 3, 1, 12, tzinfo=UTC)
    return [
        extended_track_row(ts=(start + timedelta(minutes=5 * n)).strftime("%Y-%m-%dT%H:%M:%SZ"))
        for n in range(count)
    ]


def queued_tasks():
    return [(task.task["func"], task.task["args"]) for task in OrmQ.objects.all()]


def test_a_successful_import_queues_a_rollup_refresh_that_leaves_nothing_stale(
    listener, tmp_path, django_capture_on_commit_callbacks
):
    path = write_zip(tmp_path / "export.zip", {AUDIO: track_rows(12)})
    with django_capture_on_commit_callbacks(execute=True):
        job = run_import_job(job_for_file(listener, path).pk)
    assert job.inserted == 12
    assert queued_tasks() == [(refresh_rollups, (listener.pk,))]
    assert RollupDirty.objects.filter(listener_id=listener.pk).exists()

    refresh_rollups(listener.pk)  # what the worker runs
    assert not RollupDirty.objects.filter(listener_id=listener.pk).exists()


def test_an_import_that_stores_nothing_new_queues_nothing(
    listener, tmp_path, django_capture_on_commit_callbacks
):
    path = write_zip(tmp_path / "export.zip", {AUDIO: track_rows(5)})
    run_import_job(job_for_file(listener, path).pk)
    OrmQ.objects.all().delete()
    again = write_zip(tmp_path / "again.zip", {AUDIO: track_rows(5)})
    with django_capture_on_commit_callbacks(execute=True):
        job = run_import_job(job_for_file(listener, again).pk)
    assert (job.inserted, job.duplicates) == (0, 5)
    assert queued_tasks() == []
