"""Benchmarks and load tools, kept apart from the service.

The benchmark commands (benchmark_import, benchmark_export, benchmark_mcp, benchmark_polling),
the synthetic-export generator and its command (make_synthetic_export), and the loopback HTTP load
script (http_load.py) measure the apps; nothing in accounts, plays, imports, mcp or adminui
imports from here (spotify_history/tests/test_layers.py checks it), so the service runs without
this app. It is installed only so that `python manage.py benchmark_mcp ...` finds its commands.
"""

from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    name = "benchmarks"
    verbose_name = "Benchmarks"
