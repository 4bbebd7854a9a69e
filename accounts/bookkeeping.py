"""Commits of bookkeeping rows (rate-limit counts, metric counters, log entries) that don't wait
for the disk.

Every MCP call, page POST and poll writes a few rows that keep books rather than data. In
autocommit each is its own commit, and PostgreSQL makes every commit wait until its WAL is on disk
(`synchronous_commit`): on the development machine that wait was 5 ms at the median and 12 ms at
the 95th percentile per commit under load, against 0.04 ms without it (docs/benchmarks.md). Three
such commits per MCP call were most of the time a quick tool call spent outside its query.

`unhurried()` commits such a write without waiting for the flush (`SET LOCAL synchronous_commit
TO OFF`, PostgreSQL's asynchronous commit, for that one transaction only). The row is visible to
every other connection at once and the database stays consistent after any crash; a crash of the
database server itself (not of the service) can lose the last moments of such commits (at most
three times `wal_writer_delay`, 0.6 s by default). Lost counts and log lines are acceptable; it is
never used for plays, tokens, settings or anything a listener or operator made.

Inside the caller's transaction it changes nothing: the write is part of that transaction, which
commits as the caller's does. On SQLite there is nothing to relax.
"""

import contextlib

from django.db import connection, transaction


@contextlib.contextmanager
def unhurried():
    """A transaction whose commit doesn't wait for the disk (PostgreSQL, outside any transaction);
    otherwise nothing."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield
