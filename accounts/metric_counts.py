"""Counting what the service does, for `/metrics`: totals kept in the database.

gunicorn serves requests from several processes, the worker polls and imports in others (often in
another container, or on another machine), and any of them may restart. A counter kept in one
process's memory would only ever show that process's share, and start again at zero with it. So
each event adds to a row of `MetricCounter` (one per series and labels) with one UPDATE, and the
endpoint reads the rows: every process adds to the same totals, which never go down.

Two rules keep this exact and out of the way of the work it counts:

- Inside a transaction the addition is part of it (in a savepoint): a batch that rolls back counts
  nothing, and one that commits is counted in the same commit. The callers count at the end of
  the work they count (after the plays are inserted, after the job's row is updated), so the
  counter row stays locked only for the moment of the commit: imports of several listeners don't
  queue on it.
- Counting never fails its caller: a database error while counting is logged and dropped, and the
  caller's transaction goes on (the savepoint is rolled back). The one exception is a lost
  connection, which the caller's next statement would meet anyway: it is raised, so the caller
  fails as it would have without counting (an import fails saying the connection was
  terminated, and Django's transaction handling drops the dead connection).

`add()` counts events (polls by outcome, plays stored by source, refusals); `observe()` counts one
measurement into a histogram's bucket (the bucket it falls in, not the cumulative ones: the
endpoint adds them up) and adds the value to the bucket row's `total`, the histogram's sum.
"""

import contextlib
import logging
import math

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F

from accounts.bookkeeping import unhurried
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
        _add_row(name, labels_key(labels), amount, 0.0)


def observe(name, value, *, buckets=LATENCY_BUCKETS, **labels):
    """Counts one measurement `value` into the histogram `name` with `labels`."""
    key = labels_key({**labels, "le": bucket_label(value, buckets)})
    _add_row(name, key, 1, float(value))


def _savepoint():
    """A savepoint inside the caller's transaction, so a failed count can't spoil it; nothing in
    autocommit (one statement is its own transaction)."""
    return transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()


def _add_row(name, key, count, total):
    """Outside a transaction, committed without waiting for the disk (`accounts.bookkeeping`)."""
    with unhurried():
        _add_to_row(name, key, count, total)


def _add_to_row(name, key, count, total):
    rows = MetricCounter.objects.filter(name=name, labels=key)
    try:
        with _savepoint():
            if rows.update(count=F("count") + count, total=F("total") + total):
                return
        try:
            with transaction.atomic():
                MetricCounter.objects.create(name=name, labels=key, count=count, total=total)
        except IntegrityError:  # another process created the row first: add to it
            with _savepoint():
                rows.update(count=F("count") + count, total=F("total") + total)
    except DatabaseError:
        if not connection.is_usable():
            raise
        logger.warning("could not count %s {%s}", name, key, exc_info=True)
