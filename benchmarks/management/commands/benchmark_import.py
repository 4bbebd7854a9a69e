"""Measures the import path on a synthetic export, beside a raw COPY of the same rows.

Imports are what people judge the project by, so their speed is measured, not guessed: this writes
(or reuses) a synthetic export of N records, imports it for a throwaway listener in a child
process (`import_zip`, so the child's peak memory and CPU time are the import's alone), and in the
same run streams the same rows, read and parsed the same way, with one binary COPY into a bare
unlogged table: the fastest the database can take them, as the reference. On a shared machine wall
times swing with the load, so it also reads the CPU seconds of the PostgreSQL backends serving each
(from /proc: the database must run on the same machine, else they print as 0). Run it against a
scratch database:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/spotify_bench \\
        python manage.py benchmark_import --records 1000000
"""

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections

from accounts.models import Listener
from benchmarks.synthetic import build_synthetic_export
from imports.exports import Limits, open_export
from plays.ingest import PLAY_COLUMNS, PLAY_COPY_TYPES

LISTENER = "benchmark-import"


class Command(BaseCommand):
    help = "Time an import of a synthetic export of N records and a raw COPY of the same rows."

    def add_arguments(self, parser):
        parser.add_argument("--records", type=int, default=1_000_000)
        parser.add_argument("--export", help="reuse this synthetic export instead of writing one")
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, records, export, seed, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark compares against COPY: run it on PostgreSQL.")
        if Listener.objects.exclude(spotify_user_id=LISTENER).exists():
            raise CommandError("This database has real listeners; use a scratch database.")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(export) if export else self.write_export(Path(folder), records, seed)
            Listener.objects.filter(spotify_user_id=LISTENER).delete()
            copy_seconds, copied, copy_backend_cpu = self.raw_copy(path)
            with _BackendCpu() as backends:
                summary, import_seconds, peak_rss, import_cpu = self.import_in_child(path)
        Listener.objects.filter(spotify_user_id=LISTENER).delete()
        total = summary["records_done"]
        self.stdout.write(
            f"Import: {total:,} records in {import_seconds:.1f} s = {total / import_seconds:,.0f} "
            f"records/s end to end; {summary['inserted']:,} plays inserted; peak RSS "
            f"{peak_rss / 1024:.0f} MB; {import_cpu:.1f} CPU seconds in the import process, "
            f"{backends.seconds:.1f} in PostgreSQL backends.\n"
            f"Raw COPY of the same {copied:,} rows (read, parsed, COPY into a bare table): "
            f"{copy_seconds:.1f} s = {copied / copy_seconds:,.0f} rows/s; "
            f"{copy_backend_cpu:.1f} CPU seconds in its PostgreSQL backend.\n"
            f"Import rate / reference rate: {copy_seconds / import_seconds:.2f}.\n"
            f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
            f"{platform.python_version()}, PostgreSQL {connection.pg_version // 10000}."
            f"{connection.pg_version % 100}"
        )

    def write_export(self, folder, records, seed):
        self.stderr.write(f"Writing a synthetic export of {records:,} records...")
        return build_synthetic_export(folder / "export.zip", records=records, seed=seed).path

    def raw_copy(self, path):
        columns = ", ".join(PLAY_COLUMNS)
        started = time.perf_counter()
        copied = 0
        with open_export(path, Limits.from_settings()) as export, connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
            backend_cpu = _cpu_seconds(backend)
            cursor.execute("DROP TABLE IF EXISTS benchmark_raw_copy")
            cursor.execute(
                f"CREATE UNLOGGED TABLE benchmark_raw_copy AS SELECT {columns} "  # noqa: S608
                "FROM plays_play WITH NO DATA"
            )
            copy_sql = f"COPY benchmark_raw_copy ({columns}) FROM STDIN (FORMAT BINARY)"
            with cursor.copy(copy_sql) as copy:
                copy.set_types(PLAY_COPY_TYPES)
                for _, record in export.records():
                    if isinstance(record, str):
                        continue
                    copy.write_row(
                        (
                            0,
                            0,
                            record.played_at,
                            record.ms_played,
                            record.source,
                            record.context_uri,
                            record.context_type,
                            record.platform,
                            record.country,
                            record.reason_start,
                            record.reason_end,
                            record.shuffle,
                            record.skipped,
                            record.offline,
                            record.incognito,
                            None,
                        )
                    )
                    copied += 1
            elapsed = time.perf_counter() - started
            backend_cpu = _cpu_seconds(backend) - backend_cpu
            cursor.execute("DROP TABLE benchmark_raw_copy")
        return elapsed, copied, backend_cpu

    def import_in_child(self, path):
        command = [
            sys.executable,
            str(Path(settings.BASE_DIR) / "manage.py"),
            "import_zip",
            LISTENER,
            str(path),
            "--create",
            "--json",
            "--skip-checks",  # the import is measured, not the deployment's configuration
        ]
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
        if result.returncode != 0:
            raise CommandError(f"The import failed: {result.stderr[-2000:]}")
        summary = json.loads(result.stdout.strip().splitlines()[-1])
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak_rss = usage.ru_maxrss  # KB on Linux
        return summary, elapsed, peak_rss, usage.ru_utime + usage.ru_stime


def _cpu_seconds(pid):
    """User + system CPU seconds of a process on this machine so far (0 if it can't be read)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _BackendCpu:
    """Adds up the CPU seconds of the database's other backends (the import's) while in the block.

    A thread lists them every SAMPLE_SECONDS and keeps each one's latest reading; a backend that
    lives less than that is missed, which an import's (one connection, throughout) is not."""

    SAMPLE_SECONDS = 0.2

    def __enter__(self):
        self._done = threading.Event()
        self._seen = {}
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._done.set()
        self._thread.join()

    @property
    def seconds(self):
        return sum(self._seen.values())

    def _sample(self):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid(), current_database()")
                own, database = cursor.fetchone()
                while not self._done.wait(self.SAMPLE_SECONDS):
                    cursor.execute(
                        "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> %s",
                        [database, own],
                    )
                    for (pid,) in cursor.fetchall():
                        self._seen[pid] = max(self._seen.get(pid, 0.0), _cpu_seconds(pid))
        finally:
            connections.close_all()
