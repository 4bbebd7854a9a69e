"""Collector under load: pass time against the number of worker processes, faults included.

Sizing COLLECTOR_INTERVAL_SECONDS and WORKER_PROCESSES needs the time one pass over every listener
takes, and what more worker processes buy. This command starts the Spotify stand-in in its own
process with added latency and a seeded share of 429 (with Retry-After) and 503 answers, connects
N benchmark listeners, then for each worker count runs that many processes of the real scheduled
pass (`plays.tasks.poll_due_listeners`, see `benchmarks/collector_worker.py`) at the same moment,
so the poller's claims share the listeners out as they do between django-q2 workers. After each
pass it checks every listener was polled exactly once, with the outcome the seeded faults predict,
and that the plays stored are those of the successful polls. Run it on a scratch database:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/spotify_bench python manage.py \\
        benchmark_collector --listeners 10000 --workers 1,2,4 --latency-ms 100 \\
        --fault-rate 0.01 --json collector.json
"""

import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from accounts.crypto import encrypt_token
from accounts.models import Listener
from benchmarks.collector_load import (
    coverage,
    expected_outcomes,
    load_average,
    machine,
    pass_report,
    tally,
)
from plays.models import Play, SyncRun

PREFIX = "benchmark-collector-"


def worker_counts(text):
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise CommandError("--workers takes counts separated by commas, e.g. 1,2,4") from None
    if not counts or any(count < 1 for count in counts):
        raise CommandError("--workers takes counts of at least 1, e.g. 1,2,4")
    return counts


class Command(BaseCommand):
    help = "Time a polling pass over N listeners by 1, 2, 4 worker processes, with faults."

    def add_arguments(self, parser):
        parser.add_argument("--listeners", type=int, default=10_000)
        parser.add_argument("--workers", default="1,2,4", help="worker counts, e.g. 1,2,4")
        parser.add_argument("--latency-ms", type=int, default=100)
        parser.add_argument("--fault-rate", type=float, default=0.01)
        parser.add_argument("--plays-per-user", type=int, default=3, help="new plays per poll")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--timeout", type=int, default=1200, help="seconds per pass")
        parser.add_argument("--json", dest="json_path", help="write the results to this file")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Several worker processes need PostgreSQL; set DATABASE_URL.")
        if Listener.objects.exclude(spotify_user_id__startswith=PREFIX).exists():
            raise CommandError("This database has other listeners; use a scratch database.")
        if not 0 <= options["fault_rate"] <= 1:
            raise CommandError("--fault-rate is a fraction from 0 to 1.")
        counts = worker_counts(options["workers"])
        report = {
            "command": "benchmark_collector " + " ".join(sys.argv[2:]),
            "machine": machine(),
            "load_before": load_average(),
            "pool_per_worker": settings.POLL_CONCURRENCY,
            "settings": {
                key: options[key]
                for key in ("listeners", "latency_ms", "fault_rate", "plays_per_user", "seed")
            },
            "passes": [],
        }
        Listener.objects.filter(spotify_user_id__startswith=PREFIX).delete()
        standin = self.start_standin(options)
        try:
            url = standin.stdout.readline().split()[3].rstrip(";")
            user_ids = self.connect_listeners(url, options["listeners"])
            for ordinal, workers in enumerate(counts):
                row = self.one_pass(url, user_ids, workers, ordinal, options)
                report["passes"].append(row)
                self.stdout.write(self.describe(row))
        finally:
            standin.terminate()
            standin.wait(timeout=10)
            Listener.objects.filter(spotify_user_id__startswith=PREFIX).delete()
        report["load_after"] = load_average()
        self.stdout.write(
            f"Machine: {report['machine']}; load average before {report['load_before']}, "
            f"after {report['load_after']}; pool of {settings.POLL_CONCURRENCY} per worker."
        )
        if options["json_path"]:
            Path(options["json_path"]).write_text(json.dumps(report, indent=2) + "\n")
        if not all(row["correct"] for row in report["passes"]):
            raise CommandError("A pass polled a listener twice, skipped one or mis-counted.")

    def start_standin(self, options):
        command = [
            sys.executable,
            "-m",
            "spotify_standin",
            "--port",
            "0",
            "--latency-ms",
            str(options["latency_ms"]),
            "--fault-rate",
            str(options["fault_rate"]),
            "--seed",
            str(options["seed"]),
            "--plays-per-user",
            str(options["plays_per_user"]),
        ]
        return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)

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
                    access_token_expires_at=now + timedelta(hours=6),
                )
            )
        Listener.objects.bulk_create(listeners, batch_size=1000)
        return [listener.spotify_user_id for listener in listeners]

    def reset_listeners(self):
        """Every benchmark listener due now, without cursor, plays or runs: a full pass."""
        mine = Listener.objects.filter(spotify_user_id__startswith=PREFIX)
        Play.objects.filter(listener__in=mine).delete()
        SyncRun.objects.filter(listener__in=mine).delete()
        mine.update(
            next_poll_at=timezone.now() - timedelta(seconds=1),
            rate_limited_until=None,
            cursor_after_ms=None,
            consecutive_failures=0,
            needs_initial_sync=False,
            lease_owner="",
            lease_expires_at=None,
        )

    def one_pass(self, url, user_ids, workers, ordinal, options):
        self.reset_listeners()
        env = {
            **os.environ,
            "SPOTIFY_ACCOUNTS_BASE_URL": url,
            "SPOTIFY_API_BASE_URL": f"{url}/v1",
            "SPOTIFY_CLIENT_ID": "benchmark",
            "SPOTIFY_CLIENT_SECRET": "benchmark",
        }
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "benchmarks.collector_worker"],
                cwd=settings.BASE_DIR,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,  # a warning per refused poll
                text=True,
            )
            for _ in range(workers)
        ]
        try:
            for process in processes:
                if "ready" not in process.stdout.readline():
                    raise CommandError("A worker process did not start.")
            started = time.perf_counter()
            for process in processes:
                process.stdin.write("go\n")
                process.stdin.flush()
            for process in processes:
                process.wait(timeout=max(1, options["timeout"] - (time.perf_counter() - started)))
            elapsed = time.perf_counter() - started
        except subprocess.TimeoutExpired:
            raise CommandError(f"A pass took longer than {options['timeout']} s.") from None
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        # The pass logs to standard output too; its own JSON line is the last one.
        per_worker = [
            json.loads((process.stdout.read().strip().splitlines() or ["{}"])[-1])
            for process in processes
        ]
        return self.check_pass(user_ids, workers, ordinal, elapsed, per_worker, options)

    def check_pass(self, user_ids, workers, ordinal, elapsed, per_worker, options):
        mine = Listener.objects.filter(spotify_user_id__startswith=PREFIX)
        runs = dict(
            SyncRun.objects.filter(listener__in=mine)
            .values_list("listener_id")
            .annotate(count=Count("id"))
        )
        ids = list(mine.values_list("pk", flat=True))
        twice, skipped = coverage(ids, runs)
        statuses = SyncRun.objects.filter(listener__in=mine).values_list("status", flat=True)
        outcomes = tally(statuses)
        predicted = expected_outcomes(
            options["seed"], user_ids, ordinal=ordinal, rate=options["fault_rate"]
        )
        expected = tally(
            {"ok": "succeeded", "retried": "rate_limited", "failed": "failed"}[name]
            for name in predicted.values()
        )
        row = pass_report(
            workers=workers,
            seconds=elapsed,
            listeners=len(ids),
            outcomes=outcomes,
            expected=expected,
            twice=twice,
            skipped=skipped,
            plays=Play.objects.filter(listener__in=mine).count(),
        )
        row["polled_by_each_worker"] = [entry.get("polled") for entry in per_worker]
        row["expected_plays"] = expected["ok"] * min(options["plays_per_user"], 50)
        row["correct"] = row["correct"] and row["plays_stored"] == row["expected_plays"]
        return row

    @staticmethod
    def describe(row):
        return (
            f"{row['workers']} worker(s): {row['listeners']:,} listeners in {row['seconds']:.1f} s"
            f" = {row['listeners_per_second']:,.0f} listeners/s; outcomes {row['outcomes']} "
            f"(expected {row['expected_outcomes']}); polled by each worker "
            f"{row['polled_by_each_worker']}; twice {row['polled_twice']}, skipped "
            f"{row['skipped']}; plays {row['plays_stored']:,} of {row['expected_plays']:,}."
        )
