"""Migration 0009 attributes the catalogue rows stored before names had a provenance.

An item one listener alone played becomes named by their upload; one several played stays
unattributed; an item without a URI becomes private, split into one per listener when several
shared it (the copies without the album and duration, which may have been another's).
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("plays", "0007_album_image_url")]
AFTER = [("plays", "0009_attribute_catalogue_rows")]
T = datetime(2024, 5, 6, 18, 43, tzinfo=UTC)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    # Listeners as they are now (accounts needs nothing of plays), the catalogue as at `targets`.
    targets = [*targets, *(n for n in executor.loader.graph.leaf_nodes() if n[0] == "accounts")]
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def schema_back_at_its_latest():
    """Every app back at its newest migration after the test: the tests after it (and other
    threads' connections) need the whole schema."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_rows_stored_before_provenance_are_attributed_or_made_private():
    old = migrate(BEFORE)
    Listener = old.get_model("accounts", "Listener")
    Artist, Album = old.get_model("plays", "Artist"), old.get_model("plays", "Album")
    Item, ItemArtist = old.get_model("plays", "Item"), old.get_model("plays", "ItemArtist")
    Play = old.get_model("plays", "Play")
    alice, bob = (Listener.objects.create(spotify_user_id=name) for name in ("alice", "bob"))
    artist = Artist.objects.create(key="local:artist:a", name="Daft Punk")
    album = Album.objects.create(key="local:album:a", name="Planted Album", artist=artist)

    def item(key, **fields):
        made = Item.objects.create(key=key, name="One More Time", primary_artist=artist, **fields)
        ItemArtist.objects.create(item=made, artist=artist, position=0)
        return made

    hers = item("spotify:track:aaaaaaaaaaaaaaaaaaaaaa", spotify_id="aaaaaaaaaaaaaaaaaaaaaa")
    theirs = item("spotify:track:bbbbbbbbbbbbbbbbbbbbbb", spotify_id="bbbbbbbbbbbbbbbbbbbbbb")
    shared_local = item(
        "local:track:1", match_key="daft punk|one more time", album=album, duration_ms=9
    )
    unplayed_local = item("local:track:2")
    for n, (listener, played) in enumerate(
        [(alice, hers), (alice, theirs), (bob, theirs), (alice, shared_local), (bob, shared_local)]
    ):
        Play.objects.create(
            listener=listener, item=played, played_at=T + timedelta(hours=n), source="extended"
        )

    new = migrate(AFTER)
    Item, Play = new.get_model("plays", "Item"), new.get_model("plays", "Play")
    assert Item.objects.get(pk=hers.pk).named_by_id == alice.pk
    assert Item.objects.get(pk=theirs.pk).named_by_id is None
    assert set(Item.objects.values_list("names_from", flat=True)) == {"upload"}
    assert not Item.objects.filter(pk=unplayed_local.pk).exists()
    assert not Item.objects.filter(key__startswith="local:").exists()
    for listener in (alice, bob):
        [own] = Item.objects.filter(private_to_id=listener.pk)
        assert own.key == f"private:{listener.pk}:local:track:1"
        assert (own.name, own.named_by_id, own.album_id, own.duration_ms) == (
            "One More Time",
            listener.pk,
            None,
            None,
        )
        assert list(own.artists.values_list("name", flat=True)) == ["Daft Punk"]
        assert Play.objects.get(listener_id=listener.pk, item__private_to_id=listener.pk)
    assert Play.objects.count() == 5
