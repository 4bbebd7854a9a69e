"""The one insert path: each play stored once, whatever the source and order."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import DatabaseError

from accounts.models import Listener
from plays.ingest import COPY_THRESHOLD, PLAY_COLUMNS, PlayIngestor, ingest_plays
from plays.models import Album, Artist, Item, ItemArtist, Play, Show
from plays.records import PlayRecord

pytestmark = pytest.mark.django_db

T = datetime(2024, 5, 6, 18, 43, 12, tzinfo=UTC)
ONE_MORE_TIME = "spotify:track:0DiWol3AO6WpXZgp0goxAV"
AROUND = "spotify:track:1pKYYY0dkg23sQQXi0Q5zN"


def track(played_at, source="extended", uri=ONE_MORE_TIME, name="One More Time", **fields):
    if source == "account_data":
        uri = None
    return PlayRecord(
        played_at=played_at,
        source=source,
        kind="track",
        item_name=name,
        item_uri=uri,
        artist_names=fields.pop("artist_names", ("Daft Punk",)),
        album_name=None if source == "account_data" else fields.pop("album_name", "Discovery"),
        ms_played=fields.pop("ms_played", 200_000),
        **fields,
    )


def minute(moment):
    return moment.replace(second=0, microsecond=0)


def test_it_stores_each_record_with_its_catalogue(listener):
    result = ingest_plays(
        listener,
        [
            track(T, reason_end="trackdone", country="FR", shuffle=True),
            track(T + timedelta(minutes=5), uri=AROUND, name="Around the World"),
        ],
    )
    assert (result.received, result.inserted, result.duplicates) == (2, 2, 0)
    assert (result.earliest, result.latest) == (T, T + timedelta(minutes=5))
    play = Play.objects.get(item__key=ONE_MORE_TIME)
    assert (play.played_at, play.ms_played, play.source) == (T, 200_000, "extended")
    assert (play.reason_end, play.country, play.shuffle) == ("trackdone", "FR", True)
    assert play.item.primary_artist.name == "Daft Punk"
    assert play.item.album.name == "Discovery"
    assert play.item.album.artist.name == "Daft Punk"
    assert Artist.objects.count() == Album.objects.count() == 1


def test_ingesting_the_same_records_again_inserts_nothing(listener):
    records = [track(T + timedelta(minutes=4 * n)) for n in range(20)]
    assert ingest_plays(listener, records).inserted == 20
    again = ingest_plays(listener, records)
    assert (again.inserted, again.duplicates) == (0, 20)
    assert Play.objects.count() == 20


def test_exact_duplicate_rows_in_one_batch_are_stored_once(listener):
    result = ingest_plays(listener, [track(T), track(T)])
    assert (result.inserted, result.duplicates) == (1, 1)


@pytest.mark.parametrize("first", ["api", "extended"])
def test_an_api_play_and_the_exported_play_count_once_in_either_order(listener, first):
    api = track(T, source="api", ms_played=None, duration_ms=320_357)
    exported = track(T + timedelta(seconds=3))
    records = [api, exported] if first == "api" else [exported, api]
    results = [ingest_plays(listener, [record]) for record in records]
    assert [r.inserted for r in results] == [1, 0]
    assert Play.objects.get().source == first


@pytest.mark.parametrize("first", ["account_data", "extended"])
def test_extended_and_account_data_exports_count_each_play_once(listener, first):
    extended = [track(T + timedelta(minutes=4 * n, seconds=17)) for n in range(10)]
    account = [track(minute(r.played_at), source="account_data") for r in extended]
    batches = [account, extended] if first == "account_data" else [extended, account]
    for batch in batches:
        ingest_plays(listener, batch)
    assert Play.objects.count() == 10
    assert set(Play.objects.values_list("source", flat=True)) == {first}
    assert Item.objects.count() == 1  # the account rows ended up on the real track


def test_account_data_rows_are_matched_to_a_known_track_by_artist_and_title(listener):
    ingest_plays(listener, [track(T)])
    ingest_plays(
        listener,
        [track(T + timedelta(hours=1), source="account_data", artist_names=("DAFT PUNK",))],
    )
    assert Item.objects.count() == 1
    assert Play.objects.filter(item__key=ONE_MORE_TIME).count() == 2


def test_a_local_item_is_merged_when_the_real_track_appears(listener):
    ingest_plays(listener, [track(minute(T), source="account_data")])
    local = Item.objects.get()
    assert (local.spotify_id, local.private_to) == ("", listener)
    ingest_plays(listener, [track(T + timedelta(days=1))])
    assert not Item.objects.filter(pk=local.pk).exists()
    assert list(Play.objects.values_list("item__key", flat=True)) == [ONE_MORE_TIME] * 2


def test_merging_moves_only_the_plays_of_the_listener_whose_records_name_the_real_track(listener):
    bob = Listener.objects.create(spotify_user_id="bob")
    ingest_plays(listener, [track(minute(T), source="account_data")])
    ingest_plays(bob, [track(minute(T), source="account_data")])
    ingest_plays(bob, [track(T + timedelta(days=2))])
    assert Play.objects.filter(item__key=ONE_MORE_TIME, listener=bob).count() == 2
    assert Play.objects.filter(item__private_to=listener, listener=listener).count() == 1
    # Alice's own records of the real track merge hers too.
    ingest_plays(listener, [track(T + timedelta(days=3), source="api", ms_played=None)])
    assert Play.objects.filter(item__key=ONE_MORE_TIME).count() == 4
    assert not Item.objects.filter(spotify_id="").exists()


def test_back_to_back_plays_of_a_short_track_from_one_source_stay_two(listener):
    result = ingest_plays(
        listener, [track(T, ms_played=31_000), track(T + timedelta(seconds=31), ms_played=31_000)]
    )
    assert result.inserted == 2


def test_different_tracks_at_the_same_moment_never_merge(listener):
    ingest_plays(listener, [track(T, source="api")])
    result = ingest_plays(listener, [track(T, uri=AROUND, name="Around the World")])
    assert result.inserted == 1
    assert Play.objects.count() == 2


def test_another_listeners_plays_are_not_duplicates(listener):
    bob = Listener.objects.create(spotify_user_id="bob")
    ingest_plays(listener, [track(T, source="api")])
    assert ingest_plays(bob, [track(T + timedelta(seconds=2))]).inserted == 1


def test_podcast_episodes_and_audiobook_chapters_are_stored_with_their_shows(listener):
    episode = PlayRecord(
        played_at=T,
        source="extended",
        kind="episode",
        item_name="Episode 12",
        item_uri="spotify:episode:5Xt5DXGzch68nYYamXrNxZ",
        show_name="The Daily",
        ms_played=0,
    )
    chapter = PlayRecord(
        played_at=T + timedelta(hours=1),
        source="extended",
        kind="chapter",
        item_name="Chapter 3",
        item_uri="spotify:chapter:7a1b2c3d4e5f6g7h8i9j0k",
        show_name="Dune",
        show_id="2Fq1f4nC4uKsP0UDfD0y8e",
        ms_played=600_000,
    )
    assert ingest_plays(listener, [episode, chapter]).inserted == 2
    shows = dict(Show.objects.values_list("name", "kind"))
    assert shows == {"The Daily": "podcast", "Dune": "audiobook"}
    assert Item.objects.get(kind="chapter").show.spotify_id == "2Fq1f4nC4uKsP0UDfD0y8e"
    assert Play.objects.get(item__kind="episode").ms_played == 0  # short plays are kept


def test_every_credited_artist_is_kept_in_order(listener):
    record = track(
        T, source="api", artist_names=("Daft Punk", "Romanthony"), artist_ids=("4tZw", "1hzf")
    )
    ingest_plays(listener, [record])
    credits = ItemArtist.objects.order_by("position").values_list("artist__name", "position")
    assert list(credits) == [("Daft Punk", 0), ("Romanthony", 1)]
    assert Artist.objects.get(name="Daft Punk").spotify_id == "4tZw"


def test_a_failing_batch_stores_nothing_of_itself(listener):
    ingestor = PlayIngestor(listener)
    ingestor.ingest([track(T)])
    with pytest.raises(DatabaseError):
        ingestor.ingest(
            [track(T + timedelta(hours=1), uri=AROUND), track(T + timedelta(hours=2), ms_played=-5)]
        )
    assert Play.objects.count() == 1
    assert not Item.objects.filter(key=AROUND).exists()
    assert ingestor.ingest([track(T + timedelta(hours=1), uri=AROUND)]).inserted == 1


def test_large_inputs_are_stored_in_batches_of_either_insert_method(listener):
    assert COPY_THRESHOLD < 2000
    records = [track(T + timedelta(minutes=4 * n)) for n in range(2500)]
    result = ingest_plays(listener, records, batch_size=2000)  # one COPY-sized, one small
    assert (result.received, result.inserted) == (2500, 2500)
    again = ingest_plays(listener, [*records, track(T - timedelta(days=1))], batch_size=2000)
    assert (again.received, again.inserted) == (2501, 1)
    assert Play.objects.count() == 2501


def bulk(count, start=T, step=timedelta(minutes=4), **fields):
    """`count` plays of seven tracks, `step` apart: a batch the size an import stores."""
    return [
        track(
            start + step * n,
            uri=f"spotify:track:{n % 7:022d}",
            name=f"Song {n % 7}",
            **fields,
        )
        for n in range(count)
    ]


def test_every_column_survives_the_bulk_path(listener):
    odd_texts = ["tab\there", "new\nline", "back\\slash", "Ørsted 雨の日 🎧", "", "quote'\"", "\\N"]
    records = [
        track(
            T + timedelta(minutes=4 * n, microseconds=n),
            uri=f"spotify:track:{n % 5:022d}",
            name=f"Song {n % 5}",
            ms_played=None if n % 3 == 0 else n * 1000,
            platform=odd_texts[n % len(odd_texts)],
            country=["DE", "", "FR"][n % 3],
            reason_start="clickrow",
            reason_end=odd_texts[(n + 1) % len(odd_texts)],
            context_uri=f"spotify:playlist:{n}" if n % 2 else "",
            context_type="playlist" if n % 2 else "",
            shuffle=[True, False, None][n % 3],
            skipped=[None, True, False][n % 3],
            offline=n % 2 == 0,
            incognito=None,
        )
        for n in range(COPY_THRESHOLD + 200)
    ]
    result = PlayIngestor(listener, import_job_id=42).ingest(records)
    assert result.inserted == len(records)
    columns = PLAY_COLUMNS[2:-1]
    stored = Play.objects.order_by("played_at").values_list(*columns, "inserted_by_import")
    assert list(stored) == [(*(getattr(r, c) for c in columns), 42) for r in records]


def test_a_play_stored_since_the_check_is_skipped_not_an_error(listener, monkeypatch):
    records = bulk(COPY_THRESHOLD + 100)
    assert ingest_plays(listener, records).inserted == len(records)
    # As if another ingest stored them between this batch's read of the stored plays and its
    # insert: the read finds nothing, so only the database's own check can catch the repeats.
    far_away = (T - timedelta(days=9000), T - timedelta(days=8999))
    monkeypatch.setattr("plays.ingest.search_window", lambda earliest, latest: far_away)
    again = ingest_plays(listener, [*records, track(T - timedelta(days=1))])
    assert (again.inserted, again.duplicates) == (1, len(records))
    assert Play.objects.count() == len(records) + 1


def test_a_sparse_batch_over_a_dense_history_is_stored_exactly(listener):
    dense = bulk(4000, step=timedelta(minutes=1))  # listened all day
    ingest_plays(listener, dense)
    # A video history file: few rows spread over the same span, with repeats of the dense ones,
    # the same listens as the API reported them (another source, 3 s apart), and new ones.
    exact = dense[5::400]
    other_source = [
        track(r.played_at + timedelta(seconds=3), source="api", uri=r.item_uri, name=r.item_name)
        for r in dense[9::400]
    ]
    new = bulk(COPY_THRESHOLD, start=T + timedelta(seconds=30), step=timedelta(minutes=4))
    result = ingest_plays(listener, [*exact, *other_source, *new])
    assert (result.inserted, result.duplicates) == (len(new), len(exact) + len(other_source))
    assert Play.objects.count() == len(dense) + len(new)
    assert not Play.objects.filter(source="api").exists()


@pytest.mark.parametrize("first", ["api", "extended"])
def test_polled_plays_and_a_bulk_export_batch_count_each_listen_once(listener, first):
    exported = bulk(COPY_THRESHOLD + 100)
    polled = [
        track(r.played_at - timedelta(seconds=4), source="api", uri=r.item_uri, name=r.item_name)
        for r in exported[-50:]
    ]
    batches = [polled, exported] if first == "api" else [exported, polled]
    results = [ingest_plays(listener, batch) for batch in batches]
    if first == "api":
        assert [r.inserted for r in results] == [50, len(exported) - 50]
    else:
        assert [r.inserted for r in results] == [len(exported), 0]
    assert Play.objects.count() == len(exported)
    assert Play.objects.filter(source="api").count() == (50 if first == "api" else 0)
