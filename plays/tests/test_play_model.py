"""The core data model: one play per (listener, played_at, item), aware times, cascades."""

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import Listener
from plays.keys import spotify_key
from plays.models import Album, Artist, Item, ItemArtist, Play

pytestmark = pytest.mark.django_db

PLAYED_AT = datetime(2024, 5, 6, 18, 43, 12, 345000, tzinfo=UTC)


@pytest.fixture
def track():
    artist = Artist.objects.create(key=spotify_key("artist", "a1"), spotify_id="a1", name="Artist")
    album = Album.objects.create(key=spotify_key("album", "b1"), name="Album", artist=artist)
    item = Item.objects.create(
        key=spotify_key("track", "t1"),
        spotify_id="t1",
        name="Song",
        primary_artist=artist,
        album=album,
        duration_ms=200_000,
    )
    ItemArtist.objects.create(item=item, artist=artist, position=0)
    return item


def test_it_stores_a_play_with_every_field_and_an_aware_time(listener, track):
    Play.objects.create(
        listener=listener,
        played_at=PLAYED_AT,
        item=track,
        ms_played=0,
        source=Play.Source.EXTENDED,
        context_uri="spotify:playlist:p1",
        context_type="playlist",
        platform="android",
        country="DE",
        reason_start="clickrow",
        reason_end="fwdbtn",
        shuffle=False,
        skipped=True,
        offline=False,
        incognito=False,
    )
    play = Play.objects.get()
    assert play.played_at == PLAYED_AT
    assert play.played_at.tzinfo is not None
    assert play.ms_played == 0  # short plays are kept; queries decide what counts
    assert (play.reason_end, play.skipped, play.country) == ("fwdbtn", True, "DE")
    assert list(play.item.artists.all()) == [track.primary_artist]


def test_it_refuses_a_second_play_of_the_same_item_at_the_same_time(listener, track):
    Play.objects.create(listener=listener, played_at=PLAYED_AT, item=track, source="api")
    with pytest.raises(IntegrityError), transaction.atomic():
        Play.objects.create(listener=listener, played_at=PLAYED_AT, item=track, source="extended")
    assert Play.objects.count() == 1


def test_it_keeps_the_same_item_at_the_same_time_for_two_listeners(listener, track):
    bob = Listener.objects.create(spotify_user_id="bob")
    Play.objects.create(listener=listener, played_at=PLAYED_AT, item=track, source="api")
    Play.objects.create(listener=bob, played_at=PLAYED_AT, item=track, source="api")
    assert Play.objects.count() == 2


def test_deleting_a_listener_keeps_the_catalogue_rows_another_listener_plays(listener, track):
    bob = Listener.objects.create(spotify_user_id="bob")
    Play.objects.create(listener=listener, played_at=PLAYED_AT, item=track, source="api")
    Play.objects.create(listener=bob, played_at=PLAYED_AT, item=track, source="api")
    listener.delete()
    assert list(Play.objects.values_list("listener", flat=True)) == [bob.pk]
    assert Item.objects.filter(pk=track.pk).exists()
    assert Album.objects.exists() and Artist.objects.exists()


def test_deleting_a_listener_deletes_the_catalogue_rows_only_their_plays_used(listener, track):
    Play.objects.create(listener=listener, played_at=PLAYED_AT, item=track, source="api")
    listener.delete()
    assert Play.objects.count() == 0
    assert not Item.objects.exists()
    assert not Album.objects.exists() and not Artist.objects.exists()


def test_an_item_with_plays_cannot_be_deleted(listener, track):
    from django.db.models import ProtectedError

    Play.objects.create(listener=listener, played_at=PLAYED_AT, item=track, source="api")
    with pytest.raises(ProtectedError):
        track.delete()


# The database itself refuses a play pointing nowhere, whatever the code above it does: plain
# foreign keys on SQLite, statement-level triggers on PostgreSQL (migration 0012). SQLite checks
# its deferred keys at commit, so these tests commit (transaction=True).


def _play(listener_id, item_id, second=0):
    return Play(
        listener_id=listener_id,
        item_id=item_id,
        played_at=PLAYED_AT.replace(second=second),
        source=Play.Source.EXTENDED,
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("missing", ["item", "listener"])
def test_a_batch_with_one_play_pointing_nowhere_is_refused_whole(listener, track, missing):
    plays = [_play(listener.pk, track.pk, second) for second in range(5)]
    plays[3] = _play(
        listener.pk if missing == "item" else listener.pk + 1000,
        track.pk + 1000 if missing == "item" else track.pk,
        second=3,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Play.objects.bulk_create(plays)
    assert Play.objects.count() == 0
    Play.objects.bulk_create([_play(listener.pk, track.pk, second) for second in range(5)])
    assert Play.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_moving_a_play_to_an_item_that_does_not_exist_is_refused(listener, track):
    play = Play.objects.create(listener=listener, played_at=PLAYED_AT, item=track, source="api")
    with pytest.raises(IntegrityError), transaction.atomic():
        Play.objects.filter(pk=play.pk).update(item_id=track.pk + 1000)
    assert Play.objects.get().item_id == track.pk


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("table", ["plays_item", "accounts_listener"])
def test_the_database_refuses_to_remove_a_row_plays_still_point_to(listener, track, table):
    Play.objects.create(listener=listener, played_at=PLAYED_AT, item=track, source="api")
    row = track.pk if table == "plays_item" else listener.pk
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [row])  # noqa: S608 - fixed names
    assert Play.objects.filter(item=track, listener=listener).count() == 1
    assert Item.objects.filter(pk=track.pk).exists()
    assert Listener.objects.filter(pk=listener.pk).exists()
