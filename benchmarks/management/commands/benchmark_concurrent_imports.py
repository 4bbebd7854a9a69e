"""Three imports at once while the collector polls: each import's throughput, nothing lost.

Imports and polling share the database (and, for the same music, the catalogue rows). This
command writes a synthetic export, imports it for three listeners at once through the real job
path (three `import_zip` processes: `imports.jobs.run_import_job`, as three django-q2 workers would
run uploads), while a polling pass (`benchmarks/collector_worker.py`) runs over benchmark
listeners against the stand-in with latency and seeded faults. The three listeners share every
catalogue row with a Spotify URI, the hardest case for the shared catalogue. Afterwards it
checks exact counts: each listener holds exactly the export's distinct plays (counted here by
reading the export), each job's counters add up, and every polled listener was polled once,
with the predicted outcome and its plays stored. Run it on a scratch database:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/spotify_bench python manage.py \\
        benchmark_concurrent_imports --records 300000 --json concurrent.json
"""

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from accounts.models import Listener
from benchmarks import collector_run
from benchmarks.collector_load import load_average, machine
from benchmarks.synthetic import build_synthetic_export
from imports.exports import Limits, open_export
from plays.keys import normalize_name
from plays.models import Play

IMPORT_PREFIX = "benchmark-concurrent-import-"
POLL_PREFIX = "benchmark-concurrent-poll-"
IMPORTS = 3


def distinct_plays(path):
    """The export's distinct plays, counted apart from the import: (time, item) pairs.

    An item is its Spotify URI when the row has one, else its kind and normalised names, which
    is what the import's unique key (listener, time, item) comes to for these exports.
    """
    seen = set()
    rows = 0
    with open_export(path, Limits.from_settings()) as export:
        for _, record in export.records():
            rows += 1
            if isinstance(record, str):
                continue
            item = record.item_uri or (
                record.kind,
                normalize_name(record.item_name),
                normalize_name(record.show_name or record.primary_artist),
            )
            seen.add((record.played_at, item))
    return len(seen), rows


def import_row(summary, stored, expected_distinct):
    """One import's report row: its throughput and whether its counts are exact."""
    seconds = summary.get("seconds") or 0
    skipped = summary["skipped"]["total"]
    accounted = summary["inserted"] + summary["duplicates"] + skipped
    return {
        "listener": summary["listener"],
        "status": summary["status"],
        "records": summary["records_done"],
        "seconds": round(seconds, 2),
        "records_per_second": round(summary["records_done"] / seconds) if seconds else None,
        "inserted": summary["inserted"],
        "duplicates": summary["duplicates"],
        "skipped": skipped,
        "plays_stored": stored,
        "expected_plays": expected_distinct,
        "correct": summary["status"].startswith("succeeded")
        and accounted == summary["records_done"]
        and stored == summary["inserted"] == expected_distinct,
    }


class Command(BaseCommand):
    help = "Three imports at once while a polling pass runs: throughput of each, exact counts."

    def add_arguments(self, parser):
        parser.add_argument("--records", type=int, default=300_000, help="records per import")
        parser.add_argument("--polling-listeners", type=int, default=2000)
        parser.add_argument("--latency-ms", type=int, default=100)
        parser.add_argument("--fault-rate", type=float, default=0.01)
        parser.add_argument("--plays-per-user", type=int, default=3)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--timeout", type=int, default=1800, help="seconds for it all")
        parser.add_argument("--json", dest="json_path", help="write the results to this file")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Imports and polling at once need PostgreSQL; set DATABASE_URL.")
        mine = Listener.objects.filter(spotify_user_id__startswith="benchmark-concurrent-")
        if Listener.objects.exclude(pk__in=mine).exists():
            raise CommandError("This database has other listeners; use a scratch database.")
        if options["records"] < 1 or options["polling_listeners"] < 1:
            raise CommandError("--records and --polling-listeners must be at least 1.")
        if not 0 <= options["fault_rate"] <= 1:
            raise CommandError("--fault-rate is a fraction from 0 to 1.")
        mine.delete()
        report = {
            "command": "benchmark_concurrent_imports " + " ".join(sys.argv[2:]),
            "machine": machine(),
            "pool_per_worker": settings.POLL_CONCURRENCY,
            "settings": {
                key: options[key]
                for key in (
                    "records",
                    "polling_listeners",
                    "latency_ms",
                    "fault_rate",
                    "plays_per_user",
                    "seed",
                )
            },
        }
        with tempfile.TemporaryDirectory() as folder:
            self.stderr.write(f"Writing a synthetic export of {options['records']:,} records...")
            path = build_synthetic_export(
                Path(folder) / "export.zip", records=options["records"], seed=options["seed"]
            ).path
            standin, url = collector_run.start_standin(
                latency_ms=options["latency_ms"],
                fault_rate=options["fault_rate"],
                seed=options["seed"],
                plays_per_user=options["plays_per_user"],
            )
            try:
                user_ids = collector_run.connect_listeners(
                    url, POLL_PREFIX, options["polling_listeners"]
                )
                collector_run.reset_listeners(POLL_PREFIX)
                report["load_before"] = load_average()
                summaries, poll_row = self.run_together(path, url, user_ids, options)
                report["load_after"] = load_average()
            finally:
                collector_run.stop(standin)
            expected, rows = distinct_plays(path)
        report["export"] = {"rows": rows, "distinct_plays": expected}
        report["imports"] = [
            import_row(
                summary,
                Play.objects.filter(listener__spotify_user_id=summary["listener"]).count(),
                expected,
            )
            for summary in summaries
        ]
        report["polling"] = poll_row
        report["correct"] = poll_row["correct"] and all(r["correct"] for r in report["imports"])
        Listener.objects.filter(spotify_user_id__startswith="benchmark-concurrent-").delete()
        self.write_report(report, options["json_path"])

    def run_together(self, path, url, user_ids, options):
        """Starts the pollers (waiting), the three imports, then lets the pollers go."""
        pollers = collector_run.start_workers(1, url)
        imports = [
            subprocess.Popen(
                [
                    sys.executable,
                    str(Path(settings.BASE_DIR) / "manage.py"),
                    "import_zip",
                    f"{IMPORT_PREFIX}{number}",
                    str(path),
                    "--create",
                    "--json",
                    "--skip-checks",
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for number in range(IMPORTS)
        ]
        started = time.perf_counter()
        collector_run.go(pollers)
        try:
            outputs = [
                process.communicate(timeout=options["timeout"]) for process in [*imports, *pollers]
            ]
        except subprocess.TimeoutExpired:
            raise CommandError(
                f"Imports and polling took longer than {options['timeout']} s."
            ) from None
        finally:
            for process in [*imports, *pollers]:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        poll_seconds = time.perf_counter() - started
        summaries = []
        for process, (stdout, stderr) in zip(imports, outputs, strict=False):
            if process.returncode != 0:
                raise CommandError(f"An import failed: {stderr[-2000:]}")
            # The import logs to standard output too; its summary is the line with the job id.
            lines = [line for line in stdout.splitlines() if line.startswith('{"job_id"')]
            summaries.append(json.loads(lines[-1]))
        per_worker = [
            json.loads(stdout.strip().splitlines()[-1]) for stdout, _ in outputs[IMPORTS:]
        ]
        poll_row = collector_run.check_pass(
            POLL_PREFIX,
            user_ids,
            ordinal=0,
            workers=1,
            seconds=per_worker[0]["seconds"],
            per_worker=per_worker,
            options=options,
        )
        poll_row["wall_seconds_until_all_done"] = round(poll_seconds, 2)
        return summaries, poll_row

    def write_report(self, report, json_path):
        for row in report["imports"]:
            self.stdout.write(
                f"Import {row['listener']}: {row['records']:,} records in {row['seconds']:.1f} s"
                f" = {row['records_per_second'] or 0:,} records/s; {row['plays_stored']:,} plays"
                f" stored of {row['expected_plays']:,} distinct ({row['status']})."
            )
        poll = report["polling"]
        self.stdout.write(
            f"Polling meanwhile: {poll['listeners']:,} listeners in {poll['seconds']:.1f} s; "
            f"outcomes {poll['outcomes']} (expected {poll['expected_outcomes']}); twice "
            f"{poll['polled_twice']}, skipped {poll['skipped']}; plays {poll['plays_stored']:,} "
            f"of {poll['expected_plays']:,}.\n"
            f"Machine: {report['machine']}; load average before {report['load_before']}, "
            f"after {report['load_after']}."
        )
        if json_path:
            Path(json_path).write_text(json.dumps(report, indent=2) + "\n")
        if not report["correct"]:
            raise CommandError("Counts were not exact: something was lost or stored twice.")
