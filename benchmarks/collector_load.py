"""Pure parts of the collector load benchmark: expected faults, outcome tallies, the JSON report.

Kept apart from the command so they can be tested without a stand-in, workers or PostgreSQL.
"""

import os
import platform
import shutil
import subprocess
from collections import Counter

from spotify_standin.state import random_fault_status

# A poll's run status -> the benchmark's outcome name. A 429 ends the poll "rate limited"; it is
# retried once Retry-After has passed. A 5xx ends it "failed"; it is retried after a backoff.
OUTCOMES = {"succeeded": "ok", "rate_limited": "retried", "failed": "failed"}


def expected_outcomes(seed, user_ids, *, ordinal, rate):
    """The outcome each listener's poll will have, from the stand-in's seeded fault draw.

    Every benchmark poll makes one recently-played request, so a listener's `ordinal`-th pass
    meets that request's draw: 429 -> "retried", 503 -> "failed", none -> "ok".
    """
    names = {None: "ok", 429: "retried", 503: "failed"}
    return {
        user_id: names[random_fault_status(seed, "recently_played", user_id, ordinal, rate)]
        for user_id in user_ids
    }


def tally(statuses):
    """Counts of ok / retried / failed (and anything unexpected under its own status)."""
    counts = Counter(OUTCOMES.get(status, status) for status in statuses)
    return {
        "ok": counts.pop("ok", 0),
        "retried": counts.pop("retried", 0),
        "failed": counts.pop("failed", 0),
        **dict(sorted(counts.items())),
    }


def coverage(listener_ids, runs_per_listener):
    """(polled twice, skipped) listener counts, from each listener's number of runs."""
    twice = sum(1 for pk in listener_ids if runs_per_listener.get(pk, 0) > 1)
    skipped = sum(1 for pk in listener_ids if runs_per_listener.get(pk, 0) == 0)
    return twice, skipped


def load_average():
    return [round(value, 2) for value in os.getloadavg()]


def machine():
    """nproc, the CPU model and Python, for the published figures."""
    model = ""
    lscpu_path = shutil.which("lscpu")
    try:
        lscpu = subprocess.run(
            [lscpu_path or "/usr/bin/lscpu"], capture_output=True, text=True, check=False
        ).stdout
        model = next(
            (
                line.split(":", 1)[1].strip()
                for line in lscpu.splitlines()
                if line.startswith("Model name")
            ),
            "",
        )
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
    }


def pass_report(*, workers, seconds, listeners, outcomes, expected, twice, skipped, plays):
    """One worker count's row of the JSON report."""
    return {
        "workers": workers,
        "seconds": round(seconds, 2),
        "listeners": listeners,
        "listeners_per_second": round(listeners / seconds, 1) if seconds else None,
        "outcomes": outcomes,
        "expected_outcomes": expected,
        "polled_twice": twice,
        "skipped": skipped,
        "plays_stored": plays,
        "correct": twice == 0 and skipped == 0 and outcomes == expected,
    }
