"""Counting what the service does, for `/metrics`: totals kept in the database.

gunicorn serves requests from several processes, the worker polls and imports in others (often in
another container, or on another machine), and any of them may restart. A counter kept in one
process's memory would only ever show that process's share, and start again at zero with it. So
each event adds to a row of `MetricCounter` (one per series and labels) with one UPDATE, and the
endpoint reads the rows: every process adds to the same totals, which never go down.

Two rules keep this cheap and out of the way of the work it counts:

- Inside a transaction the addition waits for the commit (`transaction.on_commit`): a batch that
  rolls back counts nothing, and the counter row is never locked for the length of someone
  else's transaction (imports of several listeners would otherwise queue on it).
- Counting never fails its caller: a database error while counting is logged and dropped. The
  one exception is a lost connection, which the caller's next statement would meet anyway: it is
  closed (so the caller can reconnect) and raised, so the caller fails the way it would have
  without counting (an import, say, fails saying the connection was terminated), not later on
  a dead connection.

`add()` counts events (polls by outcome, plays stored by source, refusals); `observe()` counts one
measurement into a histogram's bucket (the bucket it falls in, not the cumulative ones: the
endpoint adds them up) and adds the value to the bucket row's `total`, the histogram's sum.
"""

import logging
import math
from functools import partial

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F

from accounts.models import MetricCounter

logger = logging.getLogger(__name__)

# Seconds; the default buckets of Prometheus' client libraries, which suit HTTP-ish latencies.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
INFINITY = "+Inf"

# The series counted here, by the name of their rows (`/metrics` adds the prefix and units).
POLLS = "polls"  # kind, outcome: how each poll or initial sync ended
PLAYS_STORED = "plays_stored"  # source: plays inserted, by where they came from
PLAYS_TAKEN_BACK = "plays_taken_back"  # plays a failed import removed again
IMPORT_RECORDS = "import_records"  # rows of exports read and committed by imports
IMPORT_JOBS_FINISHED = "import_jobs_finished"  # outcome: how each import job ended
MCP_CALL_SECONDS = "mcp_call_seconds"  # tool, outcome, le: MCP tool calls and their time
RATE_LIMIT_REFUSALS = "rate_limit_refusals"  # limit: requests refused for going over one
ALERT_DELIVERIES = "alert_deliveries"  # outcome: webhook alerts the receiver took, or not


def labels_key(labels):
    """The stored form of a set of labels: "key=value,..." sorted by key."""
    return ",".join(f"{key}={labels[key]}" for key in sorted(labels))


def parse_labels(key):
    """The labels of a stored key, as a dict (the inverse of `labels_key`)."""
    if not key:
        return {}
    return dict(part.split("=", 1) for part in key.split(","))


def bucket_label(value, buckets=LATENCY_BUCKETS):
    """The `le` of the smallest bucket that holds `value` ("+Inf" past the largest)."""
    for bound in buckets:
        if value <= bound:
            return format_bound(bound)
    return INFINITY


def format_bound(bound):
    return INFINITY if math.isinf(bound) else repr(float(bound))


def add(name, amount=1, **labels):
    """Adds `amount` events to the series `name` with `labels`."""
    if amount > 0:
        _when_committed(name, labels_key(labels), amount, 0.0)


def observe(name, value, *, buckets=LATENCY_BUCKETS, **labels):
    """Counts one measurement `value` into the histogram `name` with `labels`."""
    key = labels_key({**labels, "le": bucket_label(value, buckets)})
    _when_committed(name, key, 1, float(value))


def _when_committed(name, key, count, total):
    if connection.in_atomic_block:
        transaction.on_commit(partial(_add_row, name, key, count, total))
    else:
        _add_row(name, key, count, total)


def _add_row(name, key, count, total):
    try:
        rows = MetricCounter.objects.filter(name=name, labels=key)
        if rows.update(count=F("count") + count, total=F("total") + total):
            return
        try:
            with transaction.atomic():
                MetricCounter.objects.create(name=name, labels=key, count=count, total=total)
        except IntegrityError:  # another process created the row first: add to it
            rows.update(count=F("count") + count, total=F("total") + total)
    except DatabaseError:
        if not connection.is_usable():
            connection.close()
            raise
        logger.warning("could not count %s {%s}", name, key, exc_info=True)
