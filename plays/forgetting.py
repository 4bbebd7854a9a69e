"""What deleting a listener removes from the shared catalogue, whichever way they are deleted.

A listener's plays, sync runs, rollups and the rest go with them by cascade. The catalogue is
shared, so it needs a decision: the listener's private items go, and so does every shared item,
artist, album or show that only they needed (their plays used it or their upload named it, and
no other listener's play or item uses it now). Rows other listeners still need stay; the ones
their upload named are no longer attributed to anyone.

`forget_catalogue_of` runs on Listener's `pre_delete` signal, so the operator pages, the admin
API, the listener's own "delete all my data", the Django admin and any `Listener.delete()` all
do it. It first takes the catalogue's lock exclusively: ingest batches hold it shared
(`plays.ingest`), so no batch is pointing plays at a row while this decides the row is unused,
and the catalogue version it then bumps makes every running ingest forget the ids it remembers.
Callers that lock other rows first (`adminui.operations.delete_listener`) take the lock before.
"""

from django.db import connection
from django.db.models import Exists, OuterRef

from plays.catalogue import bump_catalogue_version
from plays.ingest import CATALOGUE_LOCK_SPACE
from plays.models import Album, Artist, Item, ItemArtist, Play, Show

# What uses each kind of name row: (model, field pointing at it).
_USED_BY = {
    Album: [(Item, "album")],
    Show: [(Item, "show")],
    Artist: [(Item, "primary_artist"), (ItemArtist, "artist"), (Album, "artist")],
}


def lock_catalogue():
    """Waits until no ingest batch is running and keeps new ones waiting until the transaction
    ends (PostgreSQL; SQLite has one writer at a time anyway). Call inside a transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, 0)", [CATALOGUE_LOCK_SPACE])


def forget_catalogue_of(sender, instance, **kwargs):
    """The pre_delete receiver: removes the listener's plays, private items and the catalogue
    rows only they needed, before the listener row itself goes."""
    lock_catalogue()
    listener_id = instance.pk
    played = set(
        Play.objects.filter(listener_id=listener_id)
        .values_list("item_id", flat=True)
        .distinct()
        .order_by()
    )
    Play.objects.filter(listener_id=listener_id).delete()
    candidates = (
        played
        | set(Item.objects.filter(private_to_id=listener_id).values_list("id", flat=True))
        | set(Item.objects.filter(named_by_id=listener_id).values_list("id", flat=True))
    )
    names = _delete_unused_items(sorted(candidates))
    for model in (Album, Show, Artist):  # albums first: they use artists
        rows = names[model] | set(
            model.objects.filter(named_by_id=listener_id).values_list("id", flat=True)
        )
        _delete_unused(model, sorted(rows))
    bump_catalogue_version()


def _delete_unused_items(item_ids):
    """Deletes the items no play uses any more; returns the albums, shows and artists they named,
    which may now be unused too."""
    names = {Album: set(), Show: set(), Artist: set()}
    for chunk in _chunks(item_ids):
        unused = Item.objects.filter(pk__in=chunk).exclude(
            Exists(Play.objects.filter(item_id=OuterRef("pk")))
        )
        rows = list(unused.values_list("id", "album_id", "show_id", "primary_artist_id"))
        if not rows:
            continue
        ids = [row[0] for row in rows]
        names[Album].update(row[1] for row in rows if row[1])
        names[Show].update(row[2] for row in rows if row[2])
        names[Artist].update(row[3] for row in rows if row[3])
        names[Artist].update(
            ItemArtist.objects.filter(item_id__in=ids).values_list("artist_id", flat=True)
        )
        Item.objects.filter(pk__in=ids).delete()
    return names


def _delete_unused(model, row_ids):
    for chunk in _chunks(row_ids):
        rows = model.objects.filter(pk__in=chunk)
        for user, field in _USED_BY[model]:
            rows = rows.exclude(Exists(user.objects.filter(**{field: OuterRef("pk")})))
        rows.delete()


def _chunks(values, size=900):
    for start in range(0, len(values), size):
        yield values[start : start + size]
