"""Attributes the catalogue rows stored before names had a provenance (see 0005).

Apart from 0005 because PostgreSQL creates 0005's indexes at the end of its transaction, which it
refuses while this data migration's changes still have foreign-key checks pending.
"""

from django.db import migrations
from django.db.models import Count, Min

# Rows stored before names were attributed: every row is marked as named by an upload, which the
# API's names replace at its next sighting. An item with a Spotify URI that one listener alone
# played is attributed to that listener's upload; one several listeners played stays unattributed
# (a conflicting upload then gets a private item). Items without a URI become private: a listener
# who played one alone keeps it; several listeners get a copy each, without the album and
# duration, which may have come from another listener's upload.


def _chunks(values, size=900):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def attribute_existing_rows(apps, schema_editor):
    Item = apps.get_model("plays", "Item")
    ItemArtist = apps.get_model("plays", "ItemArtist")
    Play = apps.get_model("plays", "Play")
    local_ids = list(Item.objects.filter(key__startswith="local:").values_list("pk", flat=True))
    for item in (Item.objects.get(pk=pk) for pk in local_ids):
        listeners = list(
            Play.objects.filter(item_id=item.pk)
            .values_list("listener_id", flat=True)
            .distinct()
            .order_by("listener_id")
        )
        if not listeners:
            ItemArtist.objects.filter(item_id=item.pk).delete()
            item.delete()
            continue
        shared_by_several = len(listeners) > 1
        for listener_id in listeners[1:]:
            copy = Item.objects.create(
                key=f"private:{listener_id}:{item.key}",
                spotify_id="",
                kind=item.kind,
                name=item.name,
                primary_artist_id=item.primary_artist_id,
                show_id=item.show_id,
                match_key=item.match_key,
                names_from="upload",
                named_by_id=listener_id,
                private_to_id=listener_id,
            )
            ItemArtist.objects.bulk_create(
                [
                    ItemArtist(item_id=copy.pk, artist_id=credit.artist_id, position=credit.position)
                    for credit in ItemArtist.objects.filter(item_id=item.pk)
                ]
            )
            Play.objects.filter(item_id=item.pk, listener_id=listener_id).update(item_id=copy.pk)
        item.key = f"private:{listeners[0]}:{item.key}"
        item.named_by_id = item.private_to_id = listeners[0]
        if shared_by_several:
            item.album_id = item.duration_ms = None
        item.save()
    alone = (
        Play.objects.values("item_id")
        .annotate(listeners=Count("listener_id", distinct=True), listener=Min("listener_id"))
        .filter(listeners=1)
        .values_list("item_id", "listener")
        .order_by()
    )
    by_listener = {}
    for item_id, listener_id in alone.iterator():
        by_listener.setdefault(listener_id, []).append(item_id)
    for listener_id, item_ids in by_listener.items():
        for chunk in _chunks(item_ids):
            Item.objects.filter(pk__in=chunk, key__startswith="spotify:").update(
                named_by_id=listener_id
            )


class Migration(migrations.Migration):
    dependencies = [
        ("plays", "0008_catalogue_provenance"),
    ]

    operations = [
        migrations.RunPython(attribute_existing_rows, migrations.RunPython.noop),
    ]
