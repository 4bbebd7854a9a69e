"""Deleting a listener never removes a catalogue row an ingest batch in flight is using.

PostgreSQL only: there a deletion and another listener's ingest batch can be inside transactions
at once (SQLite admits one writer at a time). The batch holds the catalogue lock shared; the
deletion takes it exclusively, so it waits for the batch, then sees its plays.
"""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, connections, transaction

from accounts.models import Listener
from plays.ingest import PlayIngestor, ingest_plays
from plays.models import Item, Play
from plays.records import PlayRecord

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL"),
]

T = datetime(2024, 5, 6, 18, 43, 12, tzinfo=UTC)
X = "spotify:track:0DiWol3AO6WpXZgp0goxAV"


def exported(played_at):
    return PlayRecord(
        played_at=played_at,
        source="extended",
        kind="track",
        item_name="Only Alice had it",
        item_uri=X,
        artist_names=("Nobody Else",),
        album_name="Rare Album",
        ms_played=200_000,
    )


def waiting_on_a_lock(pid):
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


def test_a_deletion_waits_for_a_batch_in_flight_and_keeps_the_rows_it_uses():
    alice = Listener.objects.create(spotify_user_id="alice")
    bob = Listener.objects.create(spotify_user_id="bob")
    ingest_plays(alice, [exported(T)])  # named by Alice's upload, played by her alone
    batch_stored, commit_batch, deleter_pid = threading.Event(), threading.Event(), []
    errors = []

    def bobs_batch():
        try:
            with transaction.atomic():
                PlayIngestor(bob, import_job_id=7).ingest([exported(T + timedelta(days=1))])
                batch_stored.set()
                assert commit_batch.wait(30)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    def delete_alice():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                deleter_pid.append(cursor.fetchone()[0])
            Listener.objects.get(pk=alice.pk).delete()
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    batch = threading.Thread(target=bobs_batch)
    batch.start()
    assert batch_stored.wait(30)
    deleter = threading.Thread(target=delete_alice)
    deleter.start()
    for _ in range(3000):  # until the deletion waits (for the batch's lock), at most 30 s
        if deleter_pid and waiting_on_a_lock(deleter_pid[0]):
            break
        threading.Event().wait(0.01)
    else:
        pytest.fail("the deletion never waited for the batch in flight")
    commit_batch.set()
    batch.join(30)
    deleter.join(30)

    assert errors == []
    assert not Listener.objects.filter(pk=alice.pk).exists()
    item = Item.objects.get(key=X)
    assert list(Play.objects.filter(item=item).values_list("listener", flat=True)) == [bob.pk]
