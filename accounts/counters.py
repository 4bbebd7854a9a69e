"""Counting events per key in fixed time windows, shared by every process through the database.

Rate limits and brute-force limits must hold however many gunicorn workers (and machines) serve
the requests, so their counts live in a table with one row per key: `key`, `window_start` and
`count`. `count_one()` adds one event and returns the key's count in the current window in a single
statement, so two processes counting at once each get their own number.
"""

from django.db import IntegrityError, connection, transaction

from accounts.bookkeeping import unhurried


def count_one(model, key, start):
    """Adds one event for `key` in the window starting at `start`; returns the window's count.

    `model` has the fields `key` (unique), `window_start` and `count`. One UPDATE ... RETURNING
    (PostgreSQL, and SQLite from 3.35) both counts and reads; the SET expressions see the row as it
    was, so a row from an earlier window starts again at one. Only a key's very first event
    creates the row. The count is committed without waiting for the disk
    (`accounts.bookkeeping.unhurried`): a count lost in a database crash lets one more request
    through, no more.
    """
    with unhurried():
        return _count_one(model, key, start)


def _count_one(model, key, start):
    table = connection.ops.quote_name(model._meta.db_table)
    count, key_column, window = (
        connection.ops.quote_name(c) for c in ("count", "key", "window_start")
    )
    # Only quoted identifiers of the model are formatted in; every value is a parameter.
    sql = (
        f"UPDATE {table} SET {count} = "  # noqa: S608
        f"CASE WHEN {window} = %s THEN {count} + 1 ELSE 1 END, {window} = %s "
        f"WHERE {key_column} = %s AND {window} <= %s RETURNING {count}"
    )
    at = connection.ops.adapt_datetimefield_value(start)
    for _ in range(3):
        with connection.cursor() as cursor:
            cursor.execute(sql, [at, at, key, at])
            row = cursor.fetchone()
        if row is not None:
            return row[0]
        try:
            with transaction.atomic():
                model.objects.create(key=key, window_start=start, count=1)
            return 1
        except IntegrityError:
            continue  # another process created the row first: count on it
    return 1  # the row's window is ahead of this clock (skew between machines): count this one


def current_count(model, key, start):
    """The count of `key` in the window starting at `start`, without adding to it."""
    return (
        model.objects.filter(key=key, window_start=start).values_list("count", flat=True).first()
        or 0
    )
