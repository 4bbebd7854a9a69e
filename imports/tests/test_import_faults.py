"""Faults under an import, and nothing lost after: the database connection cut in the middle of an
import (PostgreSQL), and the uploads folder read-only or full when an export is uploaded.

The folder faults are real, not mocked: the web server runs in a mount namespace of its own
(`unshare --mount`, private to that process: no other process on the machine sees the mounts)
where IMPORT_UPLOAD_DIR is a read-only bind mount (EROFS), or a 64 kB tmpfs that a larger upload
fills (ENOSPC). The upload is refused with 503 and a sentence, no job is created, nothing is left
behind, and once the fault is gone the same upload is accepted and imported with exact counts.
"""

import os
import signal
import subprocess
import sys

import pytest
import requests
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

from accounts.models import Listener, LogEntry
from accounts.oauth import LISTENER_SESSION_KEY
from benchmarks.synthetic import build_synthetic_export
from imports.jobs import retry, run_import_job
from imports.models import ImportJob
from imports.tests.interruptions import (
    REPO,
    assert_imported_exactly,
    start_import,
    wait_until_records_done,
)
from plays.models import Play
from spotify_history.tests.test_serve import free_port, wait_for_health

pytestmark = pytest.mark.django_db(transaction=True)

ADMIN_TOKEN = "faults-admin-token-0123456789abcdef"
CSRF = "a" * 32  # a CSRF secret of our own, sent as cookie and form field alike
NOT_STORED = "The server could not store the upload"
TMPFS_BYTES = 64 * 1024


def test_an_import_that_loses_its_database_connection_resumes_with_exact_counts(
    tmp_path, subprocess_env, drop_database_connections
):
    if connection.vendor != "postgresql":
        pytest.skip("cuts PostgreSQL connections; CI runs the suite on PostgreSQL too")
    summary = build_synthetic_export(tmp_path / "export.zip", records=80_000, seed=12)
    listener = Listener.objects.create(spotify_user_id="alice")
    process = start_import("alice", summary.path, subprocess_env)
    job = wait_until_records_done(listener, 20_000, process)

    assert drop_database_connections() >= 1
    process.communicate(timeout=120)
    assert process.returncode != 0  # the command says the import failed

    # The job failed, saying why, and took back the plays of the batches it had committed, so
    # the listener's history is as it was before; the upload is kept for a retry.
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    # psycopg words it by when the cut is seen: mid-query ("terminating connection due to
    # administrator command") or on the next one ("server closed the connection unexpectedly").
    assert "connection" in job.error
    assert (job.records_done, job.inserted) == (0, 0)
    assert not Play.objects.filter(listener=listener).exists()

    retry(job)
    run_import_job(job.pk)
    assert_imported_exactly(job, listener, summary)


# --- the uploads folder ---------------------------------------------------------------------------

MOUNTS = {
    "read-only": 'mount --bind "$UPLOADS" "$UPLOADS" && mount -o remount,bind,ro "$UPLOADS"',
    "full": f'mount -t tmpfs -o size={TMPFS_BYTES} tmpfs "$UPLOADS"',
    "fine": "true",
}


class Server:
    """`manage.py runserver` in its own mount namespace, with the uploads folder as `fault` says."""

    def __init__(self, env, uploads, fault):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **env,
            "UPLOADS": str(uploads),
            "IMPORT_UPLOAD_DIR": str(uploads),
            "ADMIN_AUTH_MODE": "token",
            "ADMIN_TOKEN": ADMIN_TOKEN,
        }
        command = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(
            ["unshare", "--mount", "sh", "-c", f'{MOUNTS[fault]} && exec "$@"', "sh", *command],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def __enter__(self):
        wait_for_health(f"{self.url}/healthz", self.process)
        return self

    def __exit__(self, *exc_info):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)

    def upload_by_api(self, path):
        with path.open("rb") as file:
            return requests.post(
                f"{self.url}/admin/users/alice/import",
                files={"file": (path.name, file, "application/zip")},
                headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
                timeout=60,
            )

    def upload_on_my_page(self, path, listener):
        session = SessionStore()
        session[LISTENER_SESSION_KEY] = listener.pk
        session.create()
        with path.open("rb") as file:
            return requests.post(
                f"{self.url}/me/import",
                files={"file": (path.name, file, "application/zip")},
                data={"csrfmiddlewaretoken": CSRF},
                cookies={"sessionid": session.session_key, "csrftoken": CSRF},
                timeout=60,
            )


@pytest.fixture
def export(tmp_path):
    summary = build_synthetic_export(tmp_path / "my_spotify_data.zip", records=4_000, seed=3)
    assert summary.path.stat().st_size > 2 * TMPFS_BYTES  # too big for the full folder
    return summary


@pytest.fixture
def small_export(tmp_path):
    summary = build_synthetic_export(tmp_path / "small.zip", records=100, seed=4)
    assert summary.path.stat().st_size < TMPFS_BYTES // 2
    return summary


def assert_refused_keeping_nothing(response, uploads):
    assert response.status_code == 503
    assert NOT_STORED in response.text
    assert not ImportJob.objects.exists()
    assert not uploads.exists() or list(uploads.iterdir()) == []


def assert_accepted_and_imported_once_fixed(env, uploads, export, listener):
    """With the fault gone, the same upload is accepted and imports with exact counts."""
    with Server(env, uploads, "fine") as server:
        response = server.upload_by_api(export.path)
    assert response.status_code == 202
    job = run_import_job(response.json()["job_id"])
    expected = export.records - export.duplicates - export.kinds["missing_name"]
    assert (job.status, job.records_done, job.inserted) == (
        ImportJob.Status.SUCCEEDED_WITH_WARNINGS,
        export.records,
        expected,
    )
    assert Play.objects.filter(listener=listener).count() == expected


def assert_operator_told(reason):
    logged = LogEntry.objects.filter(event="import.upload_not_stored")
    assert [entry.level for entry in logged] == ["ERROR", "ERROR"]  # the API's and the page's
    assert all(entry.message.endswith(f"IMPORT_UPLOAD_DIR: {reason}") for entry in logged)


def test_a_read_only_uploads_folder_refuses_uploads_and_keeps_nothing(
    tmp_path, subprocess_env, export
):
    listener = Listener.objects.create(spotify_user_id="alice")
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    with Server(subprocess_env, uploads, "read-only") as server:
        assert_refused_keeping_nothing(server.upload_by_api(export.path), uploads)
        assert_refused_keeping_nothing(server.upload_on_my_page(export.path, listener), uploads)
    assert_operator_told("Read-only file system")
    assert_accepted_and_imported_once_fixed(subprocess_env, uploads, export, listener)


def test_a_full_uploads_folder_refuses_uploads_and_frees_what_it_wrote(
    tmp_path, subprocess_env, export, small_export
):
    listener = Listener.objects.create(spotify_user_id="alice")
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    with Server(subprocess_env, uploads, "full") as server:
        assert_refused_keeping_nothing(server.upload_by_api(export.path), uploads)
        assert_refused_keeping_nothing(server.upload_on_my_page(export.path, listener), uploads)
        # The partial files were deleted: the 64 kB folder still takes a smaller upload.
        response = server.upload_by_api(small_export.path)
        assert response.status_code == 202, response.text
        assert ImportJob.objects.get().file_size == small_export.path.stat().st_size
    assert_operator_told("No space left on device")
    ImportJob.objects.all().delete()  # its file was in the namespace's folder, gone with it
    assert_accepted_and_imported_once_fixed(subprocess_env, uploads, export, listener)


def test_the_namespace_trick_is_invisible_outside(tmp_path):
    """The mounts live and die with the server's namespace: nothing else sees them."""
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    inside = subprocess.run(
        ["unshare", "--mount", "sh", "-c", f'{MOUNTS["read-only"]} && touch "$UPLOADS/x"'],
        env={**os.environ, "UPLOADS": str(uploads)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Read-only file system" in inside.stderr
    (uploads / "x").touch()  # outside, the folder was writable all along
