"""Two writers of one listener (a poll and an import batch) take turns, so a listen is stored once.

PostgreSQL only: there both can be inside a transaction at once; SQLite admits one writer at a time.
"""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, connections, transaction

from accounts.models import Listener
from plays.ingest import PlayIngestor
from plays.models import Play
from plays.records import PlayRecord

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL"),
]

T = datetime(2024, 5, 6, 18, 43, 12, tzinfo=UTC)


def play(played_at, source):
    return PlayRecord(
        played_at=played_at,
        source=source,
        kind="track",
        item_name="One More Time",
        item_uri="spotify:track:0DiWol3AO6WpXZgp0goxAV",
        artist_names=("Daft Punk",),
        album_name="Discovery",
        ms_played=200_000,
    )


def test_a_poll_waits_for_an_import_batch_in_flight_and_then_sees_its_play():
    listener = Listener.objects.create(spotify_user_id="two-writers")
    # The track is known already, so neither writer waits on the other's catalogue rows.
    PlayIngestor(listener).ingest([play(T - timedelta(days=1), "api")])
    stored_uncommitted = threading.Event()

    def import_batch():
        try:
            with transaction.atomic():
                PlayIngestor(listener, import_job_id=1).ingest([play(T, "extended")])
                stored_uncommitted.set()
                time.sleep(1)  # the poll below starts while this batch is not committed
        finally:
            connections.close_all()

    importer = threading.Thread(target=import_batch)
    importer.start()
    assert stored_uncommitted.wait(30)
    # The same listen as the API reports it: 3 s apart, so no unique-constraint clash.
    polled = PlayIngestor(listener).ingest([play(T + timedelta(seconds=3), "api")])
    importer.join(30)

    assert (polled.inserted, polled.duplicates) == (0, 1)
    assert list(
        Play.objects.filter(listener=listener, played_at__gte=T - timedelta(minutes=1)).values_list(
            "source", flat=True
        )
    ) == ["extended"]
