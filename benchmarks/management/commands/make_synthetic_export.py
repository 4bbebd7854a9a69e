"""Writes a realistic synthetic Spotify export ZIP.

Real exports are personal data, so benchmarks, demos and load tests need made-up ones of any
size: `python manage.py make_synthetic_export OUT.zip --records 1000000` writes an extended
streaming history export shaped like Spotify's (see benchmarks/synthetic.py and docs/imports.md),
and `--format account_data` the last-year "Account data" kind. The same seed writes the same file.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from benchmarks.synthetic import ACCOUNT_DATA, EXTENDED, build_synthetic_export


class Command(BaseCommand):
    help = "Write a realistic synthetic Spotify export ZIP, for benchmarks and demos."
    requires_system_checks = []  # touches no database and no secret, so it runs anywhere

    def add_arguments(self, parser):
        parser.add_argument("output", help="path of the ZIP file to write")
        parser.add_argument("--records", type=int, required=True, help="history rows to write")
        parser.add_argument("--seed", type=int, default=0, help="same seed, same file (default 0)")
        parser.add_argument(
            "--format",
            choices=(EXTENDED, ACCOUNT_DATA),
            default=EXTENDED,
            help="extended streaming history (default) or last-year account data",
        )
        parser.add_argument(
            "--start-year", type=int, default=2015, help="year the history starts (default 2015)"
        )

    def handle(self, *args, output, records, seed, format, start_year, **options):
        if records < 1:
            raise CommandError("--records must be at least 1")
        started = time.monotonic()
        summary = build_synthetic_export(
            output, records=records, seed=seed, format=format, start_year=start_year
        )
        elapsed = time.monotonic() - started
        size_mb = summary.path.stat().st_size / 1024 / 1024
        kinds = summary.kinds
        first = time.strftime("%Y-%m-%d", time.gmtime(summary.first_played_at))
        last = time.strftime("%Y-%m-%d", time.gmtime(summary.last_played_at))
        self.stdout.write(
            f"Wrote {summary.path} ({size_mb:.1f} MB, {format}, seed {seed}) in {elapsed:.1f} s: "
            f"{summary.records:,} records in {len(summary.files)} history files, "
            f"{first} to {last}."
        )
        self.stdout.write(
            f"  {kinds['track']:,} tracks, {kinds['episode']:,} podcast episodes, "
            f"{kinds['chapter']:,} audiobook chapters, {kinds['missing_name']:,} rows without "
            f"metadata, {summary.duplicates:,} exact duplicates."
        )
