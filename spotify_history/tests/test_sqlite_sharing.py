"""On SQLite, the web server and the worker can share the file: WAL, IMMEDIATE, busy timeout."""

import threading

import pytest
from django.db import connection, connections, transaction

from accounts.models import Listener

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite settings; the PostgreSQL run covers the rest"
)


@sqlite_only
@pytest.mark.django_db
def test_it_uses_write_ahead_logging():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_two_writers_queue_instead_of_failing_with_database_is_locked():
    errors = []
    barrier = threading.Barrier(2)

    def write(user_id):
        try:
            barrier.wait()
            for number in range(20):
                with transaction.atomic():
                    # read first, then write: the pattern that fails without BEGIN IMMEDIATE
                    Listener.objects.count()
                    Listener.objects.create(spotify_user_id=f"{user_id}-{number}")
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(name,)) for name in ("web", "worker")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Listener.objects.count() == 40
