"""MCP under concurrent load: 1, 8 and 32 clients over ten listeners of growing size (issue 17).

`benchmark_mcp` times each tool alone, one call at a time. This command asks what happens when
several assistants call at once, as on a shared instance: a real server (gunicorn started in a
child process from the repository, so gunicorn.conf.py applies as in the image), real HTTP on
127.0.0.1 only, one MCP token per listener, JSON-RPC `tools/call` on `/mcp`. Each concurrency level
runs for a fixed time (`--seconds`), so the run is bounded; it is a benchmark, never a test.

The ten listeners (`--listeners`) hold `max_plays / 10`, `2 * max_plays / 10`, ... `max_plays`
plays (100,000 to 1,000,000 by default), imported once through the real import path
(`benchmark_mcp`'s builder, a synthetic export per listener) and reused by later runs: each is
named after its size, so a quick run (`--max-plays 50000`) leaves the big listeners alone.

Every client keeps one keep-alive connection and, for each call, picks a listener uniformly and a
tool by the weights of MIX (fixed seed: the same sequence of choices every run), then one of that
tool's argument sets from `benchmark_mcp.calls_for` (all time, one year, ...). Reported per level:
calls/s, p50/p95/p99 per tool and per listener size, errors (a non-200 answer, a JSON-RPC error
or a tool error; there must be none, the command fails otherwise) and the server's peak resident
memory (gunicorn master + workers, sampled from /proc every half second). `--json FILE` writes the
raw figures, which `plot_benchmarks` turns into the PNGs of docs/performance/.

    createdb -h 127.0.0.1 -U postgres sh_mcp_load
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sh_mcp_load python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sh_mcp_load \\
        python manage.py benchmark_mcp_load --json /tmp/mcp_load.json
"""

import http.client
import json
import math
import os
import platform
import random
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from accounts.models import Listener
from benchmarks.http_load import tree_rss_mb
from benchmarks.management.commands import benchmark_mcp
from mcp.tokens import issue_token, revoke_token
from plays.models import Play
from plays.rollups import ensure_fresh

PREFIX = "benchmark-load-"
# The mix of tool calls, as weights (out of 100): mostly the everyday questions (tops, recent
# plays, a summary, a timeline, a search), some of the heavier ones. compare_listeners (needs a
# friend who shares), heard_before (a playlist check, rare) and the Spotify, memory and operator
# tools (not about the history's size) are left out.
MIX = {
    "recent_plays": 14,
    "top_artists": 12,
    "top_tracks": 12,
    "listening_summary": 12,
    "listening_timeline": 10,
    "search_history": 10,
    "top_albums": 6,
    "listening_heatmap": 4,
    "discoveries": 4,
    "item_history": 4,
    "compare_periods": 3,
    "listening_sessions": 3,
    "rank_history": 2,
    "number_ones": 2,
    "listening_streaks": 1,
    "forgotten_favorites": 1,
}
SAMPLE_EVERY_SECONDS = 0.5


@dataclass
class Target:
    """One benchmark listener as the clients see it: its size, token and argument sets per tool."""

    plays: int
    secret: str
    cases: dict = field(default_factory=dict)  # tool -> [(window label, arguments)]


def listener_sizes(max_plays, count):
    """The listeners' sizes: max_plays/count, 2*max_plays/count, ..., max_plays."""
    if count < 1 or max_plays < count:
        raise ValueError("need at least one listener and one play per listener")
    return [max_plays * number // count for number in range(1, count + 1)]


def choose_call(rng, mix, targets):
    """(target, tool, window label, arguments) for the next call, drawn with `rng`."""
    target = rng.choice(targets)
    tools = list(mix)
    tool = rng.choices(tools, weights=[mix[name] for name in tools])[0]
    label, arguments = rng.choice(target.cases[tool])
    return target, tool, label, arguments


def percentile(values, fraction):
    """The nearest-rank percentile of `values` (as benchmark_mcp's p95): None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _spread(milliseconds):
    return {
        "calls": len(milliseconds),
        "p50_ms": _round(percentile(milliseconds, 0.50)),
        "p95_ms": _round(percentile(milliseconds, 0.95)),
        "p99_ms": _round(percentile(milliseconds, 0.99)),
    }


def _round(value):
    return None if value is None else round(value, 1)


def summarise(calls, *, clients, seconds, peak_rss_mb, reconnects=0, error_samples=()):
    """One concurrency level's figures from its calls: [(plays, tool, milliseconds, ok)]."""
    by_tool, by_plays, answered = defaultdict(list), defaultdict(list), []
    errors = 0
    for plays, tool, milliseconds, ok in calls:
        if not ok:
            errors += 1
            continue
        answered.append(milliseconds)
        by_tool[tool].append(milliseconds)
        by_plays[plays].append(milliseconds)
    return {
        "clients": clients,
        "seconds": round(seconds, 1),
        "calls": len(calls),
        "calls_per_second": round(len(calls) / seconds, 1) if seconds else None,
        "errors": errors,
        "error_samples": list(error_samples)[:5],
        "reconnects": reconnects,
        "peak_rss_mb": round(peak_rss_mb, 1),
        "all": _spread(answered),
        "tools": {tool: _spread(by_tool[tool]) for tool in sorted(by_tool)},
        "listeners": [{"plays": plays, **_spread(by_plays[plays])} for plays in sorted(by_plays)],
    }


class Command(BaseCommand):
    help = "MCP under load: 1, 8, 32 clients over ten listeners; throughput, p50/p95/p99, memory."

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-plays",
            type=int,
            default=1_000_000,
            help="plays of the largest listener; the others hold 1/N, 2/N, ... of it",
        )
        parser.add_argument("--listeners", type=int, default=10, help="how many listeners")
        parser.add_argument(
            "--clients", default="1,8,32", help="comma-separated concurrency levels"
        )
        parser.add_argument(
            "--seconds", type=float, default=150, help="measured seconds per concurrency level"
        )
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
        parser.add_argument("--seed", type=int, default=17, help="seed of the call sequence")
        parser.add_argument("--json", dest="json_path", default="", help="write the figures here")
        parser.add_argument(
            "--build-only", action="store_true", help="build (or check) the listeners and stop"
        )

    def handle(self, *args, max_plays, listeners, clients, seconds, workers, seed, **options):
        try:
            sizes = listener_sizes(max_plays, listeners)
            levels = [int(part) for part in clients.split(",") if part.strip()]
        except ValueError as error:
            raise CommandError(f"Bad --max-plays, --listeners or --clients: {error}") from None
        if not levels or min(levels) < 1 or seconds <= 0:
            raise CommandError("--clients needs positive numbers and --seconds a positive time.")
        if Listener.objects.exclude(spotify_user_id__startswith="benchmark-").exists():
            raise CommandError("This database has real listeners; use a scratch database.")
        builds = [self.build(plays, number) for number, plays in enumerate(sizes)]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # what autovacuum does soon after big imports
        if options["build_only"]:
            self.stdout.write(json.dumps(builds, indent=2))
            return
        tokens, targets = [], []
        try:
            for plays, build in zip(sizes, builds, strict=True):
                listener = Listener.objects.get(pk=build["listener_id"])
                token, secret = issue_token(listener, name="benchmark-load")
                tokens.append(token)
                targets.append(Target(plays=plays, secret=secret, cases=self.cases_for(listener)))
            report = self.run(targets, levels, seconds, workers, seed)
        finally:
            for token in tokens:
                revoke_token(token)
        report["listeners"] = builds
        report["mix"] = MIX
        report["seed"] = seed
        report["workers"] = workers
        if options["json_path"]:
            with open(options["json_path"], "w") as out:
                json.dump(report, out, indent=2)
        self.stdout.write(table(report))
        errors = sum(level["errors"] for level in report["levels"])
        if errors:
            raise CommandError(f"{errors} calls failed (see error_samples in the figures).")

    def build(self, plays, number):
        """The listener of `plays` plays, imported the first time; what it holds."""
        user_id = f"{PREFIX}{plays}"
        started = time.perf_counter()
        listener, build = benchmark_mcp.Command(stderr=self.stderr).listener_with(
            plays, user_id=user_id, seed=100 + number
        )
        ensure_fresh(listener)
        if not build["reused"]:
            build["seconds_with_rollups"] = round(time.perf_counter() - started)
        stored = Play.objects.filter(listener=listener).count()
        self.stderr.write(f"{user_id}: {stored:,} plays ({build})")
        return {"listener_id": listener.pk, "plays": plays, "stored": stored, **build}

    def cases_for(self, listener):
        """{tool: [(window label, arguments)]} for the tools of MIX, from benchmark_mcp's cases."""
        cases = defaultdict(list)
        for tool, label, arguments in benchmark_mcp.Command().calls_for(listener):
            if tool in MIX:
                cases[tool].append((label, arguments))
        missing = set(MIX) - set(cases)
        if missing:
            raise CommandError(f"No argument sets for {', '.join(sorted(missing))}.")
        return dict(cases)

    def run(self, targets, levels, seconds, workers, seed):
        machine = _machine()
        machine["load_before"] = os.getloadavg()
        results = []
        with benchmark_mcp._Server(workers) as server:
            address = urlsplit(server.url)
            port = address.port
            self.stderr.write("Warming up: every tool once per listener...")
            warm = [
                (target, tool, label, arguments)
                for target in targets
                for tool in MIX
                for label, arguments in target.cases[tool][:1]
            ]
            _Client(port, None, None, None).warm(warm)
            for clients in levels:
                self.stderr.write(f"{clients} clients for {seconds:g} s...")
                level = _level(port, server.process.pid, targets, clients, seconds, seed)
                results.append(level)
                self.stderr.write(
                    f"  {level['calls_per_second']} calls/s, p95 {level['all']['p95_ms']} ms, "
                    f"{level['errors']} errors, peak RSS {level['peak_rss_mb']} MB"
                )
        machine["load_after"] = os.getloadavg()
        return {
            "path": "POST /mcp tools/call (JSON-RPC), keep-alive, 127.0.0.1",
            "seconds_per_level": seconds,
            "machine": machine,
            "levels": results,
        }


def _level(port, server_pid, targets, clients, seconds, seed):
    calls, errors, counters = [], [], {"reconnects": 0}
    stop_at = time.monotonic() + seconds
    runners = [
        _Client(port, random.Random(seed * 1000 + number), stop_at, calls, errors, counters)  # noqa: S311
        for number in range(clients)
    ]
    threads = [threading.Thread(target=runner.run, args=(targets,)) for runner in runners]
    peak = tree_rss_mb(server_pid)
    started = time.monotonic()
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        time.sleep(SAMPLE_EVERY_SECONDS)
        peak = max(peak, tree_rss_mb(server_pid))
    elapsed = time.monotonic() - started
    return summarise(
        calls,
        clients=clients,
        seconds=elapsed,
        peak_rss_mb=peak,
        reconnects=counters["reconnects"],
        error_samples=errors,
    )


class _Client:
    """One MCP client: a keep-alive connection, calls until `stop_at`, each call recorded."""

    def __init__(self, port, rng, stop_at, calls, errors=None, counters=None):
        self.port, self.rng, self.stop_at = port, rng, stop_at
        self.calls, self.errors = calls, errors if errors is not None else []
        self.counters = counters if counters is not None else {"reconnects": 0}
        self.connection = None
        self.number = 0

    def run(self, targets):
        while time.monotonic() < self.stop_at:
            target, tool, label, arguments = choose_call(self.rng, MIX, targets)
            started = time.perf_counter()
            ok, problem = self.call(target.secret, tool, arguments)
            milliseconds = (time.perf_counter() - started) * 1000
            self.calls.append((target.plays, tool, milliseconds, ok))
            if not ok:
                self.errors.append(f"{tool} ({label}, {target.plays} plays): {problem}")

    def warm(self, calls):
        for target, tool, label, arguments in calls:
            ok, problem = self.call(target.secret, tool, arguments)
            if not ok:
                raise CommandError(f"Warm-up {tool} ({label}, {target.plays} plays): {problem}")

    def call(self, secret, tool, arguments):
        """(ok, problem): one tools/call; a kept-alive connection the server closed is reopened
        once (a worker recycled by max_requests closes its idle connections) and counted."""
        self.number += 1
        body = json.dumps(
            {
                "jsonrpc": "2.0",
                "id": self.number,
                "method": "tools/call",
                "params": {"name": tool, "arguments": arguments},
            }
        )
        headers = {
            "Authorization": f"Bearer {secret}",
            "Content-Type": "application/json",
            "Accept": "application/json, text/event-stream",
            "MCP-Protocol-Version": benchmark_mcp.PROTOCOL_VERSION,
        }
        for attempt in (1, 2):
            reused = self.connection is not None
            if not reused:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.connection.request("POST", "/mcp", body=body, headers=headers)
                response = self.connection.getresponse()
                payload = response.read()
                break
            except (OSError, http.client.HTTPException) as error:
                self.connection.close()
                self.connection = None
                if reused and attempt == 1:
                    self.counters["reconnects"] += 1
                    continue
                return False, type(error).__name__
        if response.status != 200:
            return False, f"HTTP {response.status}"
        try:
            answer = json.loads(payload)
        except ValueError:
            return False, "not JSON"
        if answer.get("error") or answer.get("result", {}).get("isError"):
            return False, json.dumps(answer)[:200]
        return True, ""


def _machine():
    model = ""  # what `lscpu` shows as "Model name"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(
                (
                    line.split(":", 1)[1].strip()
                    for line in cpuinfo
                    if line.startswith("model name")
                ),
                "",
            )
    except OSError:
        pass
    database = connection.vendor
    if database == "postgresql":
        database = f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 100}"
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "database": database,
    }


def table(report):
    """The report as Markdown: a line per level, then p50/p95/p99 per tool and per size."""
    levels = report["levels"]
    machine = report["machine"]
    load = "load average {:.2f} {:.2f} {:.2f}"
    lines = [
        f"{machine['nproc']} CPUs ({machine['cpu_model']}), Python {machine['python']}, "
        f"{machine['database']}; {load.format(*machine['load_before'])} before, "
        f"{load.format(*machine['load_after'])} after; {report['path']}; "
        f"{report['seconds_per_level']:g} s per level.",
        "",
        "| Clients | Calls | Calls/s | p50 | p95 | p99 | Errors | Reconnects | Server RSS (peak) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for level in levels:
        spread = level["all"]
        lines.append(
            f"| {level['clients']} | {level['calls']:,} | {level['calls_per_second']} | "
            f"{spread['p50_ms']} ms | {spread['p95_ms']} ms | {spread['p99_ms']} ms | "
            f"{level['errors']} | {level['reconnects']} | {level['peak_rss_mb']:.0f} MB |"
        )
    heads = " | ".join(f"{level['clients']} clients p50 / p95 / p99 (ms)" for level in levels)
    lines += ["", f"| Tool | Weight | {heads} |", "|---|---|" + "---|" * len(levels)]
    for tool, weight in report["mix"].items():
        cells = " | ".join(_cell(level["tools"].get(tool)) for level in levels)
        lines.append(f"| `{tool}` | {weight} | {cells} |")
    lines += ["", f"| Plays of the listener | {heads} |", "|---|" + "---|" * len(levels)]
    sizes = sorted({row["plays"] for level in levels for row in level["listeners"]})
    for plays in sizes:
        cells = " | ".join(
            _cell(next((row for row in level["listeners"] if row["plays"] == plays), None))
            for level in levels
        )
        lines.append(f"| {plays:,} | {cells} |")
    return "\n".join(lines)


def _cell(spread):
    if not spread or not spread["calls"]:
        return "no calls"
    return f"{spread['p50_ms']} / {spread['p95_ms']} / {spread['p99_ms']}"
