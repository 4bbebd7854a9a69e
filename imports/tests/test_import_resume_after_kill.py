"""A worker killed (SIGKILL) in the middle of an import leaves a job that is resumed and ends with
exact counts and no duplicate plays."""

import signal

import pytest

from accounts.models import Listener
from benchmarks.synthetic import build_synthetic_export
from imports.jobs import resume_stale_imports
from imports.tests.interruptions import (
    abandon,
    assert_imported_exactly,
    assert_whole_batches_only,
    start_import,
    wait_until_records_done,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_killed_import_resumes_with_exact_counts(tmp_path, subprocess_env):
    summary = build_synthetic_export(tmp_path / "export.zip", records=80_000, seed=11)
    listener = Listener.objects.create(spotify_user_id="alice")
    process = start_import("alice", summary.path, subprocess_env)
    job = wait_until_records_done(listener, 20_000, process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)

    assert_whole_batches_only(job, listener)
    abandon(job)  # the next run of the resume schedule, once the heartbeat is old enough
    assert resume_stale_imports() == [job.pk]
    assert_imported_exactly(job, listener, summary)
