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
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from accounts.models import Listener
from benchmarks import collector_run
from benchmarks.collector_load import load_average, machine

PREFIX = "benchmark-collector-"


def worker_counts(text):
    """ "1,2,4" -> [1, 2, 4]; a clear error for anything else."""
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise CommandError("--workers takes counts separated by commas, e.g. 1,2,4") from None
    if not counts or any(count < 1 for count in counts):
        raise CommandError("--workers takes counts of at least 1, e.g. 1,2,4")
    return counts


def describe(row):
    return (
        f"{row['workers']} worker(s): {row['listeners']:,} listeners in {row['seconds']:.1f} s"
        f" = {row['listeners_per_second']:,.0f} listeners/s; outcomes {row['outcomes']} "
        f"(expected {row['expected_outcomes']}); polled by each worker "
        f"{row['polled_by_each_worker']}; twice {row['polled_twice']}, skipped "
        f"{row['skipped']}; plays {row['plays_stored']:,} of {row['expected_plays']:,}."
        + (f" Errors: {row['errors']}" if row.get("errors") else "")
    )


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
        if options["listeners"] < 1:
            raise CommandError("--listeners must be at least 1.")
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
        standin, url = collector_run.start_standin(
            latency_ms=options["latency_ms"],
            fault_rate=options["fault_rate"],
            seed=options["seed"],
            plays_per_user=options["plays_per_user"],
        )
        try:
            user_ids = collector_run.connect_listeners(url, PREFIX, options["listeners"])
            for ordinal, workers in enumerate(counts):
                row = self.one_pass(url, user_ids, workers, ordinal, options)
                report["passes"].append(row)
                self.stdout.write(describe(row))
            report["load_after"] = load_average()
            self.stdout.write(
                f"Machine: {report['machine']}; load average before {report['load_before']}, "
                f"after {report['load_after']}; pool of {settings.POLL_CONCURRENCY} per worker."
            )
            # Written before the clean-up, which takes a while for 10,000 listeners.
            if options["json_path"]:
                Path(options["json_path"]).write_text(json.dumps(report, indent=2) + "\n")
        finally:
            collector_run.stop(standin)
            Listener.objects.filter(spotify_user_id__startswith=PREFIX).delete()
        if not all(row["correct"] for row in report["passes"]):
            raise CommandError("A pass polled a listener twice, skipped one or mis-counted.")

    def one_pass(self, url, user_ids, workers, ordinal, options):
        collector_run.reset_listeners(PREFIX)
        processes = collector_run.start_workers(workers, url)
        try:
            started = time.perf_counter()
            collector_run.go(processes)
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
        row = collector_run.check_pass(
            PREFIX,
            user_ids,
            ordinal=ordinal,
            workers=workers,
            seconds=elapsed,
            per_worker=collector_run.results(processes),
            options=options,
        )
        row["load_after_pass"] = load_average()  # the machine may be shared: say how busy
        return row
