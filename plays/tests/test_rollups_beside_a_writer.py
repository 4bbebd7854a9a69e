"""A query's rollup rebuild never waits for (or deadlocks with) an import batch in flight.

PostgreSQL only: SQLite has one writer at a time, so there is nothing to wait for there.
"""

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, connections, transaction

from accounts.models import Listener
from plays.ingest import ingest_plays
from plays.models import RollupDirty
from plays.records import PlayRecord
from plays.rollups import rebuild

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
]


def _play(at):
    return PlayRecord(
        played_at=at,
        source="extended",
        kind="track",
        item_name="Tidal",
        item_uri="spotify:track:0tidaltidaltidaltidalz",
        artist_names=("Harbour Lights",),
        album_name="Coast",
        duration_ms=200_000,
        ms_played=100_000,
    )


def test_a_rebuild_skips_the_months_a_writer_holds_and_leaves_them_marked():
    listener = Listener.objects.create(spotify_user_id="writer-race")
    ingest_plays(listener, [_play(datetime(2024, 1, 10, tzinfo=UTC))])
    ingest_plays(listener, [_play(datetime(2024, 2, 10, tzinfo=UTC))])
    held = threading.Event()
    release = threading.Event()

    def writer():
        try:
            with transaction.atomic():
                # What the trigger does for a batch in flight: bump February's mark, uncommitted.
                RollupDirty.objects.filter(month="2024-02-01").update(version=99)
                held.set()
                release.wait(30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert held.wait(30)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '5s'")  # a wait would fail, not hang
        assert rebuild(listener) is True
        left = set(RollupDirty.objects.values_list("month", flat=True))
        assert [m.isoformat() for m in left] == ["2024-02-01"]
    finally:
        release.set()
        thread.join(30)
