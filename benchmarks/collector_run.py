"""Running the real collector against the stand-in, for `benchmark_collector` and
`benchmark_concurrent_imports`: start the stand-in, connect benchmark listeners, start worker
processes of the scheduled pass together, and check afterwards that every listener was polled
once with the outcome the stand-in's seeded faults predict.
"""

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import requests
from django.conf import settings
from django.core.management.base import CommandError
from django.db.models import Count
from django.utils import timezone

from accounts.crypto import encrypt_token
from accounts.models import Listener
from benchmarks.collector_load import coverage, expected_outcomes, pass_report, tally
from plays.models import Play, SyncRun

RUN_STATUS = {"ok": "succeeded", "retried": "rate_limited", "failed": "failed"}


def start_standin(*, latency_ms, fault_rate, seed, plays_per_user):
    """The stand-in in its own process; returns (process, base URL)."""
    command = [
        sys.executable,
        "-m",
        "spotify_standin",
        "--port",
        "0",
        "--latency-ms",
        str(latency_ms),
        "--fault-rate",
        str(fault_rate),
        "--seed",
        str(seed),
        "--plays-per-user",
        str(plays_per_user),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    return process, process.stdout.readline().split()[3].rstrip(";")


def stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _mint(url, user_ids):
    session = requests.Session()
    return [
        (user_id, session.post(f"{url}/_control/users/{user_id}/tokens", timeout=30).json())
        for user_id in user_ids
    ]


def connect_listeners(url, prefix, count):
    """`count` listeners with stand-in tokens valid for hours; returns their Spotify ids.

    Tokens are minted over 16 connections at once: one after another, 10,000 listeners took
    minutes of round trips on a loaded machine."""
    now = timezone.now()
    user_ids = [f"{prefix}{number:05d}" for number in range(count)]
    chunks = [user_ids[start::16] for start in range(16)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        minted = [
            pair for chunk in pool.map(lambda chunk: _mint(url, chunk), chunks) for pair in chunk
        ]
    minted.sort()
    listeners = []
    for user_id, tokens in minted:
        listeners.append(
            Listener(
                spotify_user_id=user_id,
                status=Listener.Status.ACTIVE,
                encrypted_access_token=encrypt_token(tokens["access_token"]),
                encrypted_refresh_token=encrypt_token(tokens["refresh_token"]),
                access_token_expires_at=now + timedelta(hours=6),
                next_poll_at=now + timedelta(days=1),  # not due until a pass is set up
            )
        )
    Listener.objects.bulk_create(listeners, batch_size=1000)
    return [listener.spotify_user_id for listener in listeners]


def reset_listeners(prefix):
    """Every listener of `prefix` due now, without cursor, plays or runs: a full pass."""
    mine = Listener.objects.filter(spotify_user_id__startswith=prefix)
    Play.objects.filter(listener__in=mine).delete()
    SyncRun.objects.filter(listener__in=mine).delete()
    mine.update(
        next_poll_at=timezone.now() - timedelta(seconds=1),
        rate_limited_until=None,
        cursor_after_ms=None,
        consecutive_failures=0,
        needs_initial_sync=False,
        lease_owner="",
        lease_expires_at=None,
    )


def start_workers(count, url):
    """`count` processes of `benchmarks.collector_worker`, each set up and waiting for "go"."""
    env = {
        **os.environ,
        "SPOTIFY_ACCOUNTS_BASE_URL": url,
        "SPOTIFY_API_BASE_URL": f"{url}/v1",
        "SPOTIFY_CLIENT_ID": "benchmark",
        "SPOTIFY_CLIENT_SECRET": "benchmark",
    }
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "benchmarks.collector_worker"],
            cwd=settings.BASE_DIR,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # a warning per refused poll
            text=True,
        )
        for _ in range(count)
    ]
    for process in processes:
        if "ready" not in process.stdout.readline():
            for other in processes:
                stop(other)
            raise CommandError("A collector worker process did not start.")
    return processes


def go(processes):
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()


def results(processes):
    """Each worker's {"polled", "seconds"} (its last output line; the pass logs before it)."""
    return [
        json.loads((process.stdout.read().strip().splitlines() or ["{}"])[-1])
        for process in processes
    ]


def check_pass(prefix, user_ids, *, ordinal, workers, seconds, per_worker, options):
    """The pass's report row: outcomes against the seeded prediction, coverage, plays."""
    mine = Listener.objects.filter(spotify_user_id__startswith=prefix)
    runs = dict(
        SyncRun.objects.filter(listener__in=mine)
        .values_list("listener_id")
        .annotate(count=Count("id"))
    )
    twice, skipped = coverage(list(mine.values_list("pk", flat=True)), runs)
    outcomes = tally(SyncRun.objects.filter(listener__in=mine).values_list("status", flat=True))
    predicted = expected_outcomes(
        options["seed"], user_ids, ordinal=ordinal, rate=options["fault_rate"]
    )
    expected = tally(RUN_STATUS[name] for name in predicted.values())
    row = pass_report(
        workers=workers,
        seconds=seconds,
        listeners=len(user_ids),
        outcomes=outcomes,
        expected=expected,
        twice=twice,
        skipped=skipped,
        plays=Play.objects.filter(listener__in=mine).count(),
    )
    row["polled_by_each_worker"] = [entry.get("polled") for entry in per_worker]
    # What the refused polls said, a few distinct messages (a wrong set-up shows here).
    errors = SyncRun.objects.filter(listener__in=mine).exclude(error="").values_list("error")
    row["errors"] = sorted({error[:120] for (error,) in errors.distinct()[:20]})[:5]
    row["expected_plays"] = expected["ok"] * min(options["plays_per_user"], 50)
    row["correct"] = row["correct"] and row["plays_stored"] == row["expected_plays"]
    return row
