"""Measures one polling pass over many listeners against the Spotify stand-in.

The collector's throughput claim is that a pass takes listeners / pool size round trips, not
listeners x latency. This command checks it: it starts the stand-in with the given latency in its
own process, connects N benchmark listeners to it, times one pass, and removes them again.
Run it against a scratch database (it refuses a database that has real listeners):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/spotify_bench \\
        python manage.py benchmark_polling --listeners 1000 --latency-ms 100 --pool 32
"""

import os
import platform
import subprocess
import sys
import time
from datetime import timedelta

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from accounts.crypto import encrypt_token
from accounts.models import Listener
from plays.models import Play, SyncRun
from plays.poller import Poller

PREFIX = "benchmark-listener-"


def database_description():
    if connection.vendor == "postgresql":
        version = connection.pg_version
        return f"PostgreSQL {version // 10000}.{version % 100}"
    return f"SQLite {connection.Database.sqlite_version}"


class Command(BaseCommand):
    help = "Time one polling pass over N listeners against the stand-in with added latency."

    def add_arguments(self, parser):
        parser.add_argument("--listeners", type=int, default=1000)
        parser.add_argument("--latency-ms", type=int, default=100)
        parser.add_argument("--pool", type=int, default=settings.POLL_CONCURRENCY)
        parser.add_argument("--keep", action="store_true", help="keep the benchmark listeners")

    def handle(self, *args, listeners, latency_ms, pool, keep, **options):
        if Listener.objects.exclude(spotify_user_id__startswith=PREFIX).exists():
            raise CommandError(
                "This database has real listeners; run the benchmark against a scratch database "
                "(set DATABASE_URL)."
            )
        Listener.objects.filter(spotify_user_id__startswith=PREFIX).delete()
        standin = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "spotify_standin",
                "--port",
                "0",
                "--latency-ms",
                str(latency_ms),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            url = standin.stdout.readline().split()[3].rstrip(";")
            self.connect_listeners(url, listeners)
            with override_settings(
                SPOTIFY_ACCOUNTS_BASE_URL=url,
                SPOTIFY_API_BASE_URL=f"{url}/v1",
                SPOTIFY_CLIENT_ID="benchmark",
                SPOTIFY_CLIENT_SECRET="benchmark",  # noqa: S106 - the stand-in accepts any
            ):
                started = time.perf_counter()
                runs = Poller(pool_size=pool).run_pass().runs
                elapsed = time.perf_counter() - started
        finally:
            standin.terminate()
            standin.wait(timeout=10)
        succeeded = sum(run.status == SyncRun.Status.SUCCEEDED for run in runs)
        stored = Play.objects.filter(listener__spotify_user_id__startswith=PREFIX).count()
        self.stdout.write(
            f"{len(runs)} listeners polled ({succeeded} succeeded, {stored} plays stored) in "
            f"{elapsed:.1f} s with a pool of {pool} and {latency_ms} ms per request: "
            f"{len(runs) / elapsed:.0f} listeners/s; one at a time would take at least "
            f"{listeners * latency_ms / 1000:.0f} s.\n"
            f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
            f"{platform.python_version()}, {database_description()}"
        )
        if not keep:
            Listener.objects.filter(spotify_user_id__startswith=PREFIX).delete()

    def connect_listeners(self, url, count):
        now = timezone.now()
        session = requests.Session()
        listeners = []
        for number in range(count):
            user_id = f"{PREFIX}{number:05d}"
            tokens = session.post(f"{url}/_control/users/{user_id}/tokens", timeout=10).json()
            listeners.append(
                Listener(
                    spotify_user_id=user_id,
                    status=Listener.Status.ACTIVE,
                    encrypted_access_token=encrypt_token(tokens["access_token"]),
                    encrypted_refresh_token=encrypt_token(tokens["refresh_token"]),
                    access_token_expires_at=now + timedelta(hours=1),
                    next_poll_at=now,
                )
            )
        Listener.objects.bulk_create(listeners, batch_size=500)
