"""A worker killed (SIGKILL) in the middle of an import leaves a job that is resumed and ends with
exact counts and no duplicate plays."""

import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db.models import Count
from django.utils import timezone

from accounts.models import Listener
from imports.jobs import resume_stale_imports
from imports.models import ImportJob
from imports.synthetic import build_synthetic_export
from plays.models import Play

pytestmark = pytest.mark.django_db(transaction=True)
REPO = Path(__file__).resolve().parents[2]


def test_a_killed_import_resumes_with_exact_counts(tmp_path, subprocess_env):
    summary = build_synthetic_export(tmp_path / "export.zip", records=80_000, seed=11)
    expected = summary.records - summary.duplicates - summary.kinds["missing_name"]
    listener = Listener.objects.create(spotify_user_id="alice")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_zip", "alice", str(summary.path), "-v0"],
        cwd=REPO,
        env=subprocess_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = ImportJob.objects.filter(listener=listener).first()
        if job and job.records_done >= 20_000:
            break
        assert process.poll() is None, "the import finished before it could be killed"
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING
    assert 0 < job.records_done < summary.records
    assert Play.objects.filter(listener=listener).count() == job.inserted  # whole batches only

    # The next run of the resume schedule, once the dead worker's heartbeat is old enough:
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=3))
    assert resume_stale_imports() == [job.pk]

    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED_WITH_WARNINGS
    assert (job.records_done, job.records_total) == (summary.records, summary.records)
    assert (job.inserted, job.duplicates) == (expected, summary.duplicates)
    plays = Play.objects.filter(listener=listener)
    assert plays.count() == expected
    repeated = plays.values("played_at", "item").annotate(n=Count("id")).filter(n__gt=1)
    assert not repeated.exists()
