"""Draws the charts of docs/performance/ from the benchmarks' `--json` figures.

The charts are redrawn from the raw figures after each benchmark run rather than kept by hand:

    python manage.py benchmark_mcp_load --json /tmp/mcp_load.json
    python manage.py benchmark_collector --json /tmp/collector.json
    python manage.py benchmark_concurrent_imports --records 100000 --json /tmp/imports-100k.json
    python manage.py plot_benchmarks --mcp-load /tmp/mcp_load.json \\
        --collector /tmp/collector.json \\
        --imports /tmp/imports-100k.json /tmp/imports-300k.json --out docs/performance

Any of the three may be left out. Needs matplotlib (the dev extra).
"""

import json

from django.core.management.base import BaseCommand, CommandError

from benchmarks.plots import plot_collector, plot_import_rates, plot_mcp_load


def read_report(path):
    try:
        with open(path) as source:
            return json.load(source)
    except (OSError, ValueError) as error:
        raise CommandError(f"Cannot read {path}: {error}") from None


class Command(BaseCommand):
    help = "Draw docs/performance/ PNGs from benchmark JSON figures."
    requires_system_checks = []  # drawing needs no database, secrets or settings checks

    def add_arguments(self, parser):
        parser.add_argument("--mcp-load", help="JSON written by benchmark_mcp_load --json")
        parser.add_argument("--collector", help="JSON written by benchmark_collector --json")
        parser.add_argument(
            "--imports", nargs="+", default=[], help="JSON of benchmark_concurrent_imports runs"
        )
        parser.add_argument("--out", default="docs/performance", help="folder of the PNGs")

    def handle(self, *args, mcp_load, collector, imports, out, **options):
        if not (mcp_load or collector or imports):
            raise CommandError("Give --mcp-load, --collector and/or --imports.")
        paths = []
        try:
            if mcp_load:
                paths += plot_mcp_load(read_report(mcp_load), out)
            if collector:
                paths.append(plot_collector(read_report(collector), out))
            if imports:
                paths.append(plot_import_rates([read_report(path) for path in imports], out))
        except (KeyError, TypeError, ValueError) as error:
            raise CommandError(f"Not the output of the benchmark commands: {error}") from None
        for path in paths:
            self.stdout.write(str(path))
