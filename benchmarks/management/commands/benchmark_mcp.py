"""Measures every MCP tool through HTTP for a listener with a million plays.

The target (issues 7 and 15) is p95 <= 50 ms for every tool over all time and over one year at
1,000,000 plays, measured the way a client sees it: a real server (gunicorn, started here in a child
process), real HTTP on 127.0.0.1, an MCP token, JSON-RPC `tools/call` on `/mcp` (or the plain
`POST /mcp/call` with --plain). The listener is built through the real import path from a
synthetic export the first time and reused afterwards. Run it against a scratch database:

    createdb -h 127.0.0.1 -U postgres spotify_bench_mcp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/spotify_bench_mcp python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/spotify_bench_mcp \\
        python manage.py benchmark_mcp --plays 1000000 --calls 30

By default the server runs with the MCP rate limit off (`MCP_RATE_LIMIT_PER_MINUTE=0`, which
counts nothing) and `LOG_LEVEL=WARNING` (no `mcp.tool_call` line, so no call-log row): the figures
are the token check, the query, the metric counter and the JSON. `--with-limit-and-log` measures a
production call instead: the limit counted (set far above what the benchmark sends) and every call
logged to stdout and the call log (`LogEntry`), two more committed writes per call.

`--tools a,b` times only those tools (every tool by default). A second listener (a quarter of the
plays) shares with the first, for `compare_listeners`; `--hide-top-artists N` has the listener hide
their N most played artists first.
"""

import json
import math
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Max, Min

from accounts.models import Listener
from benchmarks.synthetic import build_synthetic_export
from imports.jobs import job_for_file, run_import_job
from mcp.tokens import issue_token, revoke_token
from plays.models import ExcludedArtist, Play
from plays.queries import top_artists, top_tracks
from plays.rollups import ensure_fresh

LISTENER = "benchmark-mcp"
# A second listener, sharing with the first, for compare_listeners: a quarter of the plays, from
# another synthetic export (the same generator, so the two share much of the catalogue).
FRIEND = "benchmark-mcp-friend"
FRIEND_HANDLE = "benchmark-friend-handle"
OWN_HANDLE = "benchmark-own-handle"
PLAYS_PER_RECORD = 0.99  # synthetic exports repeat or leave out about 0.7% of their rows
PROTOCOL_VERSION = "2025-11-25"


class Command(BaseCommand):
    help = "Time every MCP tool over HTTP (all time and one year) for a listener with N plays."

    def add_arguments(self, parser):
        parser.add_argument("--plays", type=int, default=1_000_000, help="plays of the listener")
        parser.add_argument("--calls", type=int, default=30, help="timed calls per tool and window")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
        parser.add_argument(
            "--plain", action="store_true", help="POST /mcp/call instead of JSON-RPC on /mcp"
        )
        parser.add_argument("--json", dest="as_json", action="store_true", help="print JSON")
        parser.add_argument(
            "--tools",
            default="",
            help="comma-separated tool names to time (default: every tool)",
        )
        parser.add_argument(
            "--with-limit-and-log",
            action="store_true",
            help="count the rate limit (far above the calls sent) and log every call, as in "
            "production (default: limit off, LOG_LEVEL=WARNING)",
        )
        parser.add_argument(
            "--hide-top-artists",
            type=int,
            default=0,
            help="the listener hides their N most played artists first (the hidden artists' "
            "plays are then subtracted from the hourly sums: the heaviest case)",
        )

    def handle(
        self,
        *args,
        plays,
        calls,
        workers,
        plain,
        as_json,
        tools,
        hide_top_artists,
        with_limit_and_log,
        **options,
    ):
        if Listener.objects.exclude(spotify_user_id__in=(LISTENER, FRIEND)).exists():
            raise CommandError("This database has real listeners; use a scratch database.")
        listener, build = self.listener_with(plays)
        friend, build["friend"] = self.listener_with(plays // 4, FRIEND, seed=1)
        Listener.objects.filter(pk=listener.pk).update(
            shares_listening=True, share_handle=OWN_HANDLE
        )
        Listener.objects.filter(pk=friend.pk).update(
            shares_listening=True, share_handle=FRIEND_HANDLE
        )
        build["hidden_artists"] = self.hide(listener, hide_top_artists)
        started = time.perf_counter()
        ensure_fresh(listener)
        build["rollups_seconds"] = round(time.perf_counter() - started, 1)
        if connection.vendor == "postgresql":
            # What autovacuum does soon after a big import; without it the planner guesses.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        stored = Play.objects.filter(listener=listener).count()
        token, secret = issue_token(listener, name="benchmark")
        cases = self.calls_for(listener)
        if tools:
            wanted = {name.strip() for name in tools.split(",") if name.strip()}
            unknown = wanted - {tool for tool, _, _ in cases}
            if unknown:
                raise CommandError(f"No such tool here: {', '.join(sorted(unknown))}.")
            cases = [case for case in cases if case[0] in wanted]
        try:
            with _Server(workers, with_limit_and_log) as server:
                timings = self.measure(server.url, secret, cases, calls, plain)
        finally:
            revoke_token(token)
        report = {
            "plays": stored,
            "calls_per_case": calls,
            "path": "POST /mcp/call" if plain else "POST /mcp tools/call (JSON-RPC)",
            "limit_and_log": "rate limit counted, calls logged"
            if with_limit_and_log
            else "rate limit off, calls not logged",
            "build": build,
            "machine": _machine(),
            "results": timings,
        }
        if as_json:
            self.stdout.write(json.dumps(report, indent=2))
        else:
            self.stdout.write(_table(report))

    def hide(self, listener, count):
        """The listener hides exactly their `count` most played artists; returns how many."""
        ExcludedArtist.objects.filter(listener=listener).delete()
        if count:
            top = top_artists(listener, limit=count)["items"]
            ExcludedArtist.objects.bulk_create(
                ExcludedArtist(listener=listener, artist_id=row["id"]) for row in top
            )
        return ExcludedArtist.objects.filter(listener=listener).count()

    def listener_with(self, plays, user_id=LISTENER, seed=0):
        """The benchmark listener with at least `plays` plays, imported the first time."""
        listener, _ = Listener.objects.get_or_create(spotify_user_id=user_id)
        have = Play.objects.filter(listener=listener).count()
        if have >= plays * 0.995:
            return listener, {"reused": True}
        Listener.objects.filter(pk=listener.pk).delete()
        listener = Listener.objects.create(spotify_user_id=user_id, display_name="Benchmark")
        records = math.ceil(plays / PLAYS_PER_RECORD)
        with tempfile.TemporaryDirectory() as folder:
            self.stderr.write(f"Writing a synthetic export of {records:,} records...")
            path = build_synthetic_export(
                Path(folder) / "export.zip", records=records, seed=seed
            ).path
            self.stderr.write("Importing it (the import_zip path)...")
            started = time.perf_counter()
            job = run_import_job(job_for_file(listener, path).pk)
            seconds = time.perf_counter() - started
        if job.status == job.Status.FAILED:
            raise CommandError(f"The import failed: {job.error}")
        return listener, {"reused": False, "records": records, "import_seconds": round(seconds)}

    def calls_for(self, listener):
        """[(tool, window label, arguments)]: every tool over all time and over one year."""
        bounds = Play.objects.filter(listener=listener).aggregate(
            a=Min("played_at"), b=Max("played_at")
        )
        if bounds["a"] is None:
            raise CommandError("The benchmark listener has no plays.")
        year = str(bounds["b"].year - 1)  # the last whole year of the history
        first_year, middle = bounds["a"].year, (bounds["a"].year + bounds["b"].year) // 2
        artist = top_artists(listener, limit=1)["items"][0]["name"]
        track = top_tracks(listener, window=None, limit=1)["items"][0]["name"]
        one_year = {"start": year, "end": year}
        cases = []
        for tool, extra in [
            ("recent_plays", {"limit": 50}),
            ("top_artists", {"limit": 10}),
            ("top_tracks", {"limit": 10}),
            ("top_albums", {"limit": 10}),
            ("listening_summary", {}),
            ("listening_timeline", {"granularity": "month"}),
            ("listening_heatmap", {"timezone": "Europe/Paris"}),
            ("discoveries", {"limit": 20}),
            ("search_history", {"query": artist[:4]}),
            ("podcasts", {"limit": 10}),
            ("compare_listeners", {"handle": FRIEND_HANDLE, "limit": 10}),
        ]:
            cases.append((tool, "all time", extra))
            cases.append((tool, "one year", {**extra, **one_year}))
        cases += [
            ("listening_timeline", "all time, by day", {"granularity": "day"}),
            (
                "compare_periods",
                "all time (two halves)",
                {
                    "first_start": str(first_year),
                    "first_end": str(middle),
                    "second_start": str(middle + 1),
                },
            ),
            (
                "compare_periods",
                "one year vs the one before",
                {
                    "first_start": str(int(year) - 1),
                    "first_end": str(int(year) - 1),
                    **{"second_start": year, "second_end": year},
                },
            ),
            ("item_history", "all time (top artist)", {"item": artist, "kind": "artist"}),
            ("item_history", "all time (top track)", {"item": track, "kind": "track"}),
            ("sync_status", "all time", {}),
        ]
        for tool, extra in [
            ("listening_sessions", {"limit": 10}),
            ("listening_streaks", {}),
            ("number_ones", {"kind": "artist", "granularity": "month"}),
            ("forgotten_favorites", {"limit": 20}),
        ]:
            cases.append((tool, "all time", extra))
            cases.append((tool, "one year", {**extra, **one_year}))
        top_entries = top_artists(listener, limit=50)["items"]
        top_tracks_rows = top_tracks(listener, limit=50)["items"]
        entries = [{"artist": row["name"].upper()} for row in top_entries]
        entries += [
            {"artist": row["artists"][0], "track": f"{row['name']} - Live"}
            for row in top_tracks_rows
            if row["artists"]
        ]
        cases += [
            ("listening_streaks", "all time (top artist)", {"artist": artist}),
            ("rank_history", "all time by month (top artist)", {"kind": "artist", "item": artist}),
            (
                "rank_history",
                "all time by year (top track)",
                {"kind": "track", "item": track, "granularity": "year"},
            ),
            (
                "number_ones",
                "one year by week (tracks)",
                {"kind": "track", "granularity": "week", **one_year},
            ),
            ("heard_before", f"{len(entries[:100])} entries", {"entries": entries[:100]}),
            ("history_coverage", "all time", {}),
        ]
        return cases

    def measure(self, url, secret, cases, calls, plain):
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {secret}"
        results = []
        for number, (tool, label, arguments) in enumerate(cases):
            if plain:
                post = {"url": f"{url}/mcp/call", "json": {"tool": tool, "args": arguments}}
            else:
                post = {
                    "url": f"{url}/mcp",
                    "json": {
                        "jsonrpc": "2.0",
                        "id": number,
                        "method": "tools/call",
                        "params": {"name": tool, "arguments": arguments},
                    },
                    "headers": {
                        "Accept": "application/json, text/event-stream",
                        "MCP-Protocol-Version": PROTOCOL_VERSION,
                    },
                }
            seconds = []
            for attempt in range(calls + 2):  # two untimed warm-up calls (one per worker)
                started = time.perf_counter()
                response = session.post(timeout=60, **post)
                elapsed = time.perf_counter() - started
                _check(response, tool, plain)
                if attempt >= 2:
                    seconds.append(elapsed * 1000)
            seconds.sort()
            results.append(
                {
                    "tool": tool,
                    "window": label,
                    "p50_ms": round(statistics.median(seconds), 1),
                    "p95_ms": round(seconds[max(0, math.ceil(0.95 * len(seconds)) - 1)], 1),
                    "max_ms": round(seconds[-1], 1),
                    "bytes": len(response.content),
                }
            )
            self.stderr.write(f"{tool:20} {label:28} p95 {results[-1]['p95_ms']:7.1f} ms")
        return results


def _check(response, tool, plain):
    if response.status_code != 200:
        raise CommandError(f"{tool}: HTTP {response.status_code}: {response.text[:300]}")
    body = response.json()
    if not plain and (body.get("error") or body["result"].get("isError")):
        raise CommandError(f"{tool}: {json.dumps(body)[:300]}")


class _Server:
    """gunicorn serving this project on a free port of 127.0.0.1, in a child process."""

    def __init__(self, workers, with_limit_and_log=False):
        self.workers = workers
        self.with_limit_and_log = with_limit_and_log

    def __enter__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "SECURE_SSL_REDIRECT": "false",
            "MCP_RATE_LIMIT_PER_MINUTE": "0",  # the benchmark's calls would hit the limit
            "LOG_LEVEL": "WARNING",
        }
        if self.with_limit_and_log:  # counted, never reached; every call logged
            env.update({"MCP_RATE_LIMIT_PER_MINUTE": "1000000000", "LOG_LEVEL": "INFO"})
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "spotify_history.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(self.workers),
                "--log-level",
                "warning",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/healthz", timeout=10).status_code == 200:
                    return self
            except requests.RequestException:
                time.sleep(0.5)
        self.__exit__()
        raise CommandError("gunicorn did not answer on /healthz within 60 s.")

    def __exit__(self, *exc_info):
        self.process.terminate()
        self.process.wait(timeout=30)


def _machine():
    version = ""
    if connection.vendor == "postgresql":
        version = f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 100}"
    return (
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{version or connection.vendor}"
    )


def _table(report):
    lines = [
        f"{report['plays']:,} plays; {report['calls_per_case']} timed calls per row through "
        f"{report['path']} ({report['limit_and_log']}); {report['machine']}.",
        f"Build: {report['build']}",
        "",
        "| Tool | Window | p50 | p95 | max | Answer size |",
        "|---|---|---|---|---|---|",
    ]
    for row in report["results"]:
        lines.append(
            f"| `{row['tool']}` | {row['window']} | {row['p50_ms']} ms | {row['p95_ms']} ms | "
            f"{row['max_ms']} ms | {row['bytes']:,} B |"
        )
    worst = max(report["results"], key=lambda row: row["p95_ms"])
    lines.append("")
    lines.append(f"Slowest p95: {worst['tool']} ({worst['window']}), {worst['p95_ms']} ms.")
    return "\n".join(lines)
