"""Rate counts, metric counters and log entries are committed without waiting for the disk on
PostgreSQL (`accounts.bookkeeping.unhurried`), each in its own short transaction; inside a
caller's transaction they are part of it and change nothing about its commit."""

import logging

import pytest
from django.db import connection, transaction

from accounts import metric_counts
from accounts.bookkeeping import unhurried
from accounts.counters import count_one
from accounts.logs import DatabaseHandler
from accounts.models import LogEntry, MetricCounter, PageRateCounter

pytestmark = pytest.mark.django_db(transaction=True)
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="asynchronous commit is PostgreSQL's"
)
RELAX = "SET LOCAL synchronous_commit TO OFF"


class Statements:
    """Records each statement sent and whether it ran inside a transaction."""

    def __init__(self):
        self.seen = []

    def __call__(self, execute, sql, params, many, context):
        self.seen.append((sql, connection.in_atomic_block))
        return execute(sql, params, many, context)

    def relaxed_before(self, word):
        """True when a write starting with `word` followed RELAX inside one transaction."""
        relaxed = False
        for sql, atomic in self.seen:
            if sql == RELAX:
                relaxed = atomic
            elif sql.lstrip().upper().startswith(word) and relaxed:
                return True
        return False


def recorded(work):
    statements = Statements()
    with connection.execute_wrapper(statements):
        work()
    return statements


def setting():
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


@postgresql_only
def test_unhurried_relaxes_only_its_own_transaction():
    with unhurried():
        assert setting() == "off"
        assert connection.in_atomic_block
    assert setting() == "on"


@postgresql_only
def test_a_rate_count_a_metric_and_a_log_line_each_commit_unhurried():
    from datetime import UTC, datetime

    start = datetime(2026, 1, 1, tzinfo=UTC)
    count_one(PageRateCounter, "listener:1", start)  # the row exists: the next count is an UPDATE
    assert recorded(lambda: count_one(PageRateCounter, "listener:1", start)).relaxed_before(
        "UPDATE"
    )
    metric_counts.add(metric_counts.PLAYS_STORED, source="api")
    assert recorded(
        lambda: metric_counts.add(metric_counts.PLAYS_STORED, source="api")
    ).relaxed_before("UPDATE")
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "a line", None, None)
    assert recorded(lambda: DatabaseHandler().emit(record)).relaxed_before("INSERT")
    # What they wrote is there, as before.
    assert PageRateCounter.objects.get(key="listener:1").count == 2
    assert MetricCounter.objects.get(name=metric_counts.PLAYS_STORED).count == 2
    assert LogEntry.objects.filter(message="a line").count() == 1


@postgresql_only
def test_inside_the_callers_transaction_nothing_is_relaxed():
    def inside():
        with transaction.atomic():
            metric_counts.add(metric_counts.PLAYS_STORED, source="api")

    statements = recorded(inside)
    assert RELAX not in [sql for sql, _ in statements.seen]
    assert MetricCounter.objects.get(name=metric_counts.PLAYS_STORED).count == 1


def test_on_sqlite_or_inside_a_transaction_unhurried_relaxes_nothing():
    def inside():
        with transaction.atomic(), unhurried():
            metric_counts.add(metric_counts.PLAYS_STORED, source="api")

    def alone():
        with unhurried():
            metric_counts.add(metric_counts.PLAYS_STORED, source="api")

    assert RELAX not in [sql for sql, _ in recorded(inside).seen]
    if connection.vendor == "sqlite":
        assert RELAX not in [sql for sql, _ in recorded(alone).seen]
    assert MetricCounter.objects.get(name=metric_counts.PLAYS_STORED).count == (
        2 if connection.vendor == "sqlite" else 1
    )
