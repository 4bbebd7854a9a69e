"""Measures exports: the time and peak memory of `export_history` over N plays, in each format.

An export must stream: a listener with a million plays must get them without the server holding
them all. This fills a throwaway listener with exactly N plays (a synthetic export of the right
size, written and imported by child processes), then runs `export_history` once per format in a
child process and reads that child's own resource usage, so the peak memory printed is the
export's alone. Run it against a scratch database:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/spotify_bench \\
        python manage.py benchmark_export --plays 1000000

It refuses a database that has real listeners. `--keep` leaves the filled listener in place, so a
second run skips the filling (about a minute for a million plays).
"""

import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Subquery

from accounts.models import Listener
from imports.export_formats import FORMATS
from plays.models import Play

LISTENER = "benchmark-export"
# A synthetic export stores a little under one play per record (exact repeats, rows without a
# name); this many records are written per play wanted, and the surplus plays deleted.
RECORDS_PER_PLAY = 1.01


class Command(BaseCommand):
    help = "Time exports of N plays in each format, with each export's peak memory."

    def add_arguments(self, parser):
        parser.add_argument("--plays", type=int, default=1_000_000)
        parser.add_argument("--formats", nargs="+", choices=list(FORMATS), default=list(FORMATS))
        parser.add_argument("--keep", action="store_true", help="keep the filled listener")

    def handle(self, *args, plays, formats, keep, **options):
        if Listener.objects.exclude(spotify_user_id=LISTENER).exists():
            raise CommandError("This database has real listeners; use a scratch database.")
        if connection.vendor != "postgresql":
            raise CommandError(
                "Exports stream through a PostgreSQL server-side cursor: run this on PostgreSQL."
            )
        listener = self.fill(plays)
        lines = []
        with tempfile.TemporaryDirectory() as folder:
            for format in formats:
                output = Path(folder) / f"export.{FORMATS[format].extension}"
                seconds, peak_kb, cpu = self.export_in_child(format, output)
                size = output.stat().st_size
                lines.append(
                    f"{format:>12}: {plays:,} plays in {seconds:.1f} s = "
                    f"{plays / seconds:,.0f} plays/s; {size / 1024**2:,.0f} MB written; peak RSS "
                    f"{peak_kb / 1024:.0f} MB; {cpu:.1f} CPU seconds in the export process"
                )
                output.unlink()
        if not keep:
            listener.delete()
        self.stdout.write("\n".join(lines))
        self.stdout.write(machine())

    def fill(self, plays):
        listener = Listener.objects.filter(spotify_user_id=LISTENER).first()
        if listener and Play.objects.filter(listener=listener).count() == plays:
            self.stderr.write(f"Reusing {LISTENER} with {plays:,} plays.")
            return listener
        Listener.objects.filter(spotify_user_id=LISTENER).delete()
        records = math.ceil(plays * RECORDS_PER_PLAY)
        # Both steps in child processes: this one stays small, so the export children it forks
        # later start small too, and the peak memory they report is the export's.
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "export.zip"
            self.stderr.write(f"Writing and importing a synthetic export of {records:,} records...")
            _manage("make_synthetic_export", str(path), "--records", str(records))
            _manage("import_zip", LISTENER, str(path), "--create", "--json", "--skip-checks")
        listener = Listener.objects.get(spotify_user_id=LISTENER)
        stored = Play.objects.filter(listener=listener).count()
        if stored < plays:
            raise CommandError(f"The import stored {stored:,} plays, fewer than {plays:,}.")
        newest = Play.objects.filter(listener=listener).order_by("-played_at", "-id")
        Play.objects.filter(id__in=Subquery(newest.values("id")[: stored - plays])).delete()
        return listener

    def export_in_child(self, format, output):
        command = [
            sys.executable,
            str(Path(settings.BASE_DIR) / "manage.py"),
            "export_history",
            LISTENER,
            "--format",
            format,
            "--output",
            str(output),
            "--skip-checks",  # the export is measured, not the deployment's configuration
            "--verbosity",
            "0",
        ]
        started = time.perf_counter()
        child = subprocess.Popen(command, stderr=subprocess.PIPE)
        errors = child.stderr.read().decode(errors="replace")  # until the child ends
        child.stderr.close()
        _, status, usage = os.wait4(child.pid, 0)  # this child's own resource usage
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise CommandError(f"The {format} export failed: {errors[-2000:]}")
        return seconds, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def _manage(*args):
    command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise CommandError(f"{args[0]} failed: {result.stderr[-2000:]}")


def machine():
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    return (
        f"Machine: {model}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 100}"
    )
