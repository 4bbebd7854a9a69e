"""Draws the charts of docs/performance/ from a benchmark's `--json` figures.

The charts are redrawn from the raw figures after each benchmark run rather than kept by hand:

    python manage.py benchmark_mcp_load --json /tmp/mcp_load.json
    python manage.py plot_benchmarks --mcp-load /tmp/mcp_load.json --out docs/performance

Needs matplotlib (the dev extra).
"""

import json

from django.core.management.base import BaseCommand, CommandError

from benchmarks.plots import plot_mcp_load


class Command(BaseCommand):
    help = "Draw docs/performance/ PNGs from benchmark JSON figures."

    def add_arguments(self, parser):
        parser.add_argument(
            "--mcp-load", required=True, help="JSON written by benchmark_mcp_load --json"
        )
        parser.add_argument("--out", default="docs/performance", help="folder of the PNGs")

    def handle(self, *args, mcp_load, out, **options):
        try:
            with open(mcp_load) as source:
                report = json.load(source)
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {mcp_load}: {error}") from None
        try:
            paths = plot_mcp_load(report, out)
        except (KeyError, TypeError) as error:
            raise CommandError(f"{mcp_load} is not benchmark_mcp_load output: {error}") from None
        for path in paths:
            self.stdout.write(str(path))
