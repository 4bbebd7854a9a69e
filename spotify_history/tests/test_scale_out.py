"""Scale-out by configuration: two web processes and two worker clusters on one PostgreSQL.

The layout of docs/operations.md, for real: two `gunicorn` processes (the production serve path,
with gunicorn.conf.py) and two `manage.py qcluster` clusters share the test database, pointed at
the Spotify stand-in with several listeners. Imports are uploaded through both web processes and
each job's task is delivered twice (as a lost-and-resumed or a Redis-delivered task may be), while
both clusters run polling passes at once. Afterwards: no listener's poll runs overlap, every import
job ran exactly once, and every listener holds exactly the plays the stand-in showed plus the rows
of their export.
"""

import itertools
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_q.tasks import async_task

from accounts.crypto import encrypt_token
from accounts.models import Listener
from imports.models import ImportJob
from imports.tests.fixtures import extended_track_row, json_bytes
from plays.models import Play, SyncRun
from plays.tests.conftest import stored_plays, visible_plays
from spotify_history.tests.test_serve import free_port
from spotify_standin import StandinServer

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="several processes writing one database at once: PostgreSQL (SQLite has one "
        "writer at a time, and the documented scale-out layout is PostgreSQL)",
    ),
    pytest.mark.django_db(transaction=True),
]

REPO = Path(__file__).resolve().parents[2]
LISTENERS = [f"scale-{number}" for number in range(6)]
IMPORT_ROWS = 400  # rows in each listener's export, all in 2023 (before any polled play)
ADMIN_TOKEN = "scale-out-admin-token-0123456789abcdefghijkl"
ROUNDS = 8  # rounds of new plays at the stand-in while imports and polls run
PLAYS_PER_ROUND = 4  # 8 x 4 = 32 new plays: never more than the 50 the feed shows at once


def wait_until(condition, timeout, message):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    pytest.fail(message)


def database_url():
    values = connection.settings_dict
    password = f":{values['PASSWORD']}" if values["PASSWORD"] else ""
    return (
        f"postgres://{values['USER']}{password}@{values['HOST'] or '127.0.0.1'}:"
        f"{values['PORT'] or 5432}/{values['NAME']}"
    )


def export_of(spotify_user_id):
    """One extended-history file of IMPORT_ROWS distinct plays, in 2023."""
    rows = [
        extended_track_row(
            ts=f"2023-{1 + number // 200:02d}-{1 + (number // 10) % 20:02d}T"
            f"{number % 10:02d}:{number % 60:02d}:07Z",
            spotify_track_uri=f"spotify:track:{spotify_user_id[-1]}{number % 13:021d}",
            master_metadata_track_name=f"Song {number % 13}",
        )
        for number in range(IMPORT_ROWS)
    ]
    assert len({row["ts"] for row in rows}) == IMPORT_ROWS
    return json_bytes(rows, indent=None)


@pytest.fixture
def standin():
    with StandinServer("127.0.0.1", 0) as server:
        yield server


@pytest.fixture
def listeners(standin):
    created = []
    for spotify_user_id in LISTENERS:
        tokens = standin.state.mint_tokens(spotify_user_id)
        created.append(
            Listener.objects.create(
                spotify_user_id=spotify_user_id,
                status=Listener.Status.ACTIVE,
                encrypted_access_token=encrypt_token(tokens["access_token"]),
                encrypted_refresh_token=encrypt_token(tokens["refresh_token"]),
                access_token_expires_at=timezone.now() + timedelta(seconds=tokens["expires_in"]),
                next_poll_at=timezone.now(),
            )
        )
    return created


@pytest.fixture
def cluster(standin, tmp_path):
    """Two gunicorn web processes and two qcluster workers on the test database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SPOTIFY_", "ADMIN_", "TOKEN_", "DATABASE_"))
    }
    env.update(
        {
            "ENV_FILE": "",
            "DEBUG": "true",
            "DATABASE_URL": database_url(),
            "DATA_DIR": str(tmp_path),
            "IMPORT_UPLOAD_DIR": str(tmp_path / "uploads"),
            "TOKEN_ENCRYPTION_KEY": settings.TOKEN_ENCRYPTION_KEYS[0],
            "ADMIN_TOKEN": ADMIN_TOKEN,
            "SPOTIFY_CLIENT_ID": "scale-out-client",
            "SPOTIFY_CLIENT_SECRET": "scale-out-secret",
            "SPOTIFY_ACCOUNTS_BASE_URL": standin.url,
            "SPOTIFY_API_BASE_URL": standin.api_url,
            "COLLECTOR_INTERVAL_SECONDS": "1",
            "POLL_CONCURRENCY": "4",
            "WEB_CONCURRENCY": "1",
            "WEB_THREADS": "4",
            "WORKER_PROCESSES": "2",
        }
    )
    processes = []
    web_urls = []
    try:
        for _ in range(2):
            port = free_port()
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}"],
                    cwd=REPO,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            web_urls.append(f"http://127.0.0.1:{port}")
        for _ in range(2):
            processes.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", "qcluster"],
                    cwd=REPO,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        for url in web_urls:
            wait_until(lambda url=url: answers(url), 60, f"{url} never answered /healthz")
        yield web_urls, processes
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def answers(url):
    try:
        return requests.get(f"{url}/healthz", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def upload(web_url, spotify_user_id):
    response = requests.post(
        f"{web_url}/admin/users/{spotify_user_id}/import",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        files={"file": ("Streaming_History_Audio_2023_0.json", export_of(spotify_user_id))},
        timeout=60,
    )
    assert response.status_code == 202, response.text
    return response.json()["job_id"]


def polling_passes(count):
    """Queues `count` polling passes at once, for whichever cluster takes them."""
    for _ in range(count):
        async_task("plays.tasks.poll_due_listeners", task_name="scale-out-pass")


def collected(listeners, expected):
    """True once every listener holds the expected polled plays; else queues one more pass."""
    if all(stored_plays(listener) >= expected[listener.spotify_user_id] for listener in listeners):
        return True
    polling_passes(1)
    return False


def cluster_of(pid, cluster_pids):
    """The qcluster (one of `cluster_pids`) whose process tree holds `pid`, or None."""
    while pid > 1:
        if pid in cluster_pids:
            return pid
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return None
        pid = int(stat.rsplit(")", 1)[1].split()[1])
    return None


def overlapping_runs(listener):
    runs = list(
        SyncRun.objects.filter(listener=listener)
        .order_by("started_at")
        .values_list("started_at", "finished_at", "worker")
    )
    return [
        (earlier, later)
        for earlier, later in itertools.pairwise(runs)
        if earlier[1] is None or earlier[1] > later[0]
    ]


def test_two_web_processes_and_two_worker_clusters_poll_and_import_each_thing_once(
    standin, listeners, cluster
):
    web_urls, processes = cluster
    ever_visible = {
        listener.spotify_user_id: visible_plays(standin, listener.spotify_user_id)
        for listener in listeners
    }

    # First polls (initial syncs) by both clusters at once.
    polling_passes(4)
    wait_until(lambda: collected(listeners, ever_visible), 120, "the initial syncs never ended")

    # Imports through both web processes, each task delivered twice, while new plays arrive
    # and both clusters keep polling.
    job_ids = [
        upload(web_urls[number % 2], listener.spotify_user_id)
        for number, listener in enumerate(listeners)
    ]
    for job_id in job_ids:
        async_task("imports.tasks.run_import", job_id, task_name=f"again-{job_id}")
    for _ in range(ROUNDS):
        for listener in listeners:
            standin.state.add_plays(listener.spotify_user_id, count=PLAYS_PER_ROUND)
            ever_visible[listener.spotify_user_id] |= visible_plays(
                standin, listener.spotify_user_id
            )
        polling_passes(2)
        time.sleep(1.5)
    polling_passes(2)

    wait_until(
        lambda: not ImportJob.objects.filter(status__in=["queued", "running"]).exists(),
        180,
        "the imports never finished",
    )
    wait_until(lambda: collected(listeners, ever_visible), 180, "new plays were not collected")
    assert all(process.poll() is None for process in processes), "a process died"

    jobs = list(ImportJob.objects.filter(pk__in=job_ids).order_by("pk"))
    assert [(job.status, job.attempts, job.inserted) for job in jobs] == [
        ("succeeded", 1, IMPORT_ROWS)
    ] * len(listeners)
    for listener in listeners:
        polled = ever_visible[listener.spotify_user_id]
        assert len(polled) == 50 + ROUNDS * PLAYS_PER_ROUND
        assert Play.objects.filter(listener=listener, source=Play.Source.API).count() == len(polled)
        assert stored_plays(listener) >= polled
        assert Play.objects.filter(listener=listener).count() == len(polled) + IMPORT_ROWS
        assert overlapping_runs(listener) == []
    # Both clusters did the work: the test exercised two workers, not one.
    cluster_pids = {process.pid for process in processes[2:]}
    workers = set(SyncRun.objects.values_list("worker", flat=True)) | {job.worker for job in jobs}
    assert {cluster_of(int(name.split(":")[1]), cluster_pids) for name in workers} == cluster_pids
