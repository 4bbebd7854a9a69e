"""Draws docs/performance/'s collector and import charts from the benchmarks' `--json` figures.

    python manage.py benchmark_collector --json /tmp/collector.json
    python manage.py benchmark_concurrent_imports --records 100000 --json /tmp/imports-100k.json
    python manage.py plot_performance --collector /tmp/collector.json \\
        --imports /tmp/imports-100k.json /tmp/imports-300k.json --out docs/performance

Needs matplotlib (the dev extra).
"""

import json

from django.core.management.base import BaseCommand, CommandError

from benchmarks.plot_figures import plot_collector, plot_import_rates


def read_report(path):
    try:
        with open(path) as source:
            return json.load(source)
    except (OSError, ValueError) as error:
        raise CommandError(f"Cannot read {path}: {error}") from None


class Command(BaseCommand):
    help = "Draw the collector and concurrent-import PNGs of docs/performance/ from JSON figures."
    requires_system_checks = []  # drawing needs no database, secrets or settings checks

    def add_arguments(self, parser):
        parser.add_argument("--collector", help="JSON written by benchmark_collector --json")
        parser.add_argument(
            "--imports", nargs="+", default=[], help="JSON of benchmark_concurrent_imports runs"
        )
        parser.add_argument("--out", default="docs/performance", help="folder of the PNGs")

    def handle(self, *args, collector, imports, out, **options):
        if not collector and not imports:
            raise CommandError("Give --collector and/or --imports.")
        paths = []
        try:
            if collector:
                paths.append(plot_collector(read_report(collector), out))
            if imports:
                paths.append(plot_import_rates([read_report(path) for path in imports], out))
        except (KeyError, TypeError, ValueError) as error:
            raise CommandError(f"Not the output of the benchmark commands: {error}") from None
        for path in paths:
            self.stdout.write(str(path))
