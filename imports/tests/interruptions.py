"""Interrupting an import running in another process, and checking that nothing was lost after.

Shared by the tests of a killed worker (test_import_resume_after_kill) and of a lost database
connection (test_import_faults): start `import_zip` in a subprocess, wait until it is well into
the file, interrupt it, make its job look abandoned, and check the end state of the resumed job.
"""

import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from django.db.models import Count
from django.utils import timezone

from imports.models import ImportJob
from plays.models import Play

REPO = Path(__file__).resolve().parents[2]


def start_import(user_id, path, env):
    """`manage.py import_zip USER PATH` in a subprocess sharing the test's database."""
    return subprocess.Popen(
        [sys.executable, "manage.py", "import_zip", user_id, str(path), "-v0"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_until_records_done(listener, at_least, process, timeout=120):
    """The listener's job once it has read `at_least` records (the process still running)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ImportJob.objects.filter(listener=listener).first()
        if job and job.records_done >= at_least:
            return job
        assert process.poll() is None, "the import finished before it could be interrupted"
        time.sleep(0.05)
    raise AssertionError(f"the import never reached {at_least} records")


def abandon(job):
    """Ages the job's heartbeat past STALE_AFTER, as the next resume schedule would find it."""
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=3))


def assert_whole_batches_only(job, listener):
    """An interrupted import kept exactly the plays of the batches it committed."""
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING
    assert 0 < job.records_done < job.records_total
    assert Play.objects.filter(listener=listener).count() == job.inserted


def assert_imported_exactly(job, listener, summary):
    """The job ended with every record of the synthetic export counted once, and stored once."""
    expected = summary.records - summary.duplicates - summary.kinds["missing_name"]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED_WITH_WARNINGS
    assert (job.records_done, job.records_total) == (summary.records, summary.records)
    assert (job.inserted, job.duplicates) == (expected, summary.duplicates)
    plays = Play.objects.filter(listener=listener)
    assert plays.count() == expected
    repeated = plays.values("played_at", "item").annotate(n=Count("id")).filter(n__gt=1)
    assert not repeated.exists()
