"""`plays.queries.exported_plays`: every play with its item, oldest first, a chunk at a time."""

from datetime import UTC, datetime, timedelta

import pytest

from plays import queries
from plays.ingest import ingest_plays
from plays.models import Play
from plays.records import PlayRecord

pytestmark = pytest.mark.django_db
T = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def records(count):
    return [
        PlayRecord(
            played_at=T + timedelta(minutes=5 * n),
            source="extended",
            kind="track",
            item_name=f"Song {n % 4}",
            item_uri=f"spotify:track:{n % 4:022d}",
            artist_names=(f"Lead {n % 4}", "Featured Guest"),
            album_name="Album",
            ms_played=1000 * n,
            platform="ios",
        )
        for n in range(count)
    ]


def test_it_hands_out_every_play_oldest_first_with_credits_across_chunks(listener):
    ingest_plays(listener, records(23))
    ingest_plays(listener, [PlayRecord(T, "api", "episode", "Talk", show_name="Show")])
    plays = list(queries.exported_plays(listener, chunk_size=5))
    assert [p.played_at for p in plays] == sorted(
        Play.objects.filter(listener=listener).values_list("played_at", flat=True)
    )
    songs = [p for p in plays if p.item.kind == "track"]
    assert [p.ms_played for p in songs] == [1000 * n for n in range(23)]
    assert {p.item.artists for p in songs} == {
        ((f"Lead {n}", ""), ("Featured Guest", "")) for n in range(4)
    }
    assert songs[5].item.uri == "spotify:track:" + "1".rjust(22, "0")
    assert songs[5].item.album == ("Album", "", "", "")
    talk = next(p for p in plays if p.item.kind == "episode")
    assert (talk.item.show, talk.item.uri, talk.item.artists) == (("Show", "", "podcast"), None, ())


def test_a_window_and_another_listener_are_left_out(listener):
    from accounts.models import Listener

    other = Listener.objects.create(spotify_user_id="bob")
    ingest_plays(listener, records(10))
    ingest_plays(other, records(10))
    window = queries.export_window("2024-05-01T12:10:00", "2024-05-01T12:30:00")
    plays = list(queries.exported_plays(listener, window))
    assert [p.played_at for p in plays] == [T + timedelta(minutes=m) for m in (10, 15, 20, 25)]
    assert queries.count_plays(listener, window) == 4
