"""Finds or creates the catalogue rows (artists, albums, shows, items) that plays point to.

Keys (see `plays.keys`): an item is keyed by its Spotify URI when a source names it. Artists,
albums and shows are keyed by normalised names, because the exports, the richest source, name
them only by name; their Spotify ids are kept as attributes when the API gives them.

An item seen without a URI (account-data exports) is matched to a known real item by artist (or
show) and title; failing that it gets a local key, and when the real item turns up later the
local one is merged into it, plays included.

A `CatalogueResolver` caches key -> id for the duration of one ingest run, so a million-row
import asks the database only about rows it has not seen yet.
"""

from django.db.models import Exists, OuterRef

from plays.keys import local_key, match_key, parse_spotify_uri
from plays.models import Album, Artist, Item, ItemArtist, Play, Show

_SHOW_KIND = {Item.Kind.EPISODE: Show.Kind.PODCAST, Item.Kind.CHAPTER: Show.Kind.AUDIOBOOK}


def artist_key(name):
    return local_key("artist", name)


def album_key(artist_name, album_name):
    return local_key("album", artist_name, album_name)


def show_key(kind, name):
    return local_key(kind, name)


def record_match_key(record):
    return match_key(record.show_name or record.primary_artist, record.item_name)


def _ensure(model, cache, wanted):
    """Makes sure a row exists for every key of `wanted` ({key: field values}); fills `cache`.

    Rows are inserted in key order (and tables in one order: artists, albums, shows, items), so
    concurrent ingests that create the same rows wait for each other instead of deadlocking.
    """
    missing = sorted(key for key in wanted if key not in cache)
    if not missing:
        return []
    for chunk in _chunks(missing):
        cache.update(model.objects.filter(key__in=chunk).values_list("key", "id"))
    to_create = [key for key in missing if key not in cache]
    if to_create:
        model.objects.bulk_create(
            [model(key=key, **wanted[key]) for key in to_create], ignore_conflicts=True
        )
        for chunk in _chunks(to_create):
            cache.update(model.objects.filter(key__in=chunk).values_list("key", "id"))
    return to_create


def _chunks(values, size=900):
    for start in range(0, len(values), size):
        yield values[start : start + size]


class CatalogueResolver:
    """Resolves PlayRecords to item ids, creating what is missing."""

    def __init__(self):
        self.artists = {}
        self.albums = {}
        self.shows = {}
        self.items = {}
        self.real_items_by_match = {}
        self.album_images = set()  # keys of albums whose cover this run has already seen to

    def item_ids(self, records):
        """The item id of each record, in order."""
        # Most rows of a big import repeat items already seen in this run: look those up by URI
        # and send only the rest through the full resolution below.
        ids = [self.items.get(record.item_uri) if record.item_uri else None for record in records]
        unknown = [record for record, item_id in zip(records, ids, strict=True) if item_id is None]
        if not unknown:
            return ids
        resolved = iter(self._resolve(unknown))
        return [item_id if item_id is not None else next(resolved) for item_id in ids]

    def _resolve(self, records):
        artists, albums, shows = {}, {}, {}
        for record in records:
            for position, name in enumerate(record.artist_names):
                spotify_id = (
                    record.artist_ids[position] if position < len(record.artist_ids) else None
                )
                artists.setdefault(artist_key(name), {"name": name, "spotify_id": spotify_id or ""})
            if record.album_name and record.kind == Item.Kind.TRACK:
                albums.setdefault(
                    album_key(record.primary_artist, record.album_name),
                    {
                        "name": record.album_name,
                        "spotify_id": record.album_id or "",
                        "album_type": record.album_type,
                        "release_date": record.release_date,
                        "image_url": record.album_image_url,
                        "artist_key": artist_key(record.primary_artist)
                        if record.primary_artist
                        else None,
                    },
                )
            if record.show_name and record.kind in _SHOW_KIND:
                kind = _SHOW_KIND[record.kind]
                shows.setdefault(
                    show_key(kind, record.show_name),
                    {"name": record.show_name, "kind": kind, "spotify_id": record.show_id or ""},
                )
        _ensure(Artist, self.artists, artists)
        for values in albums.values():
            key = values.pop("artist_key")
            values["artist_id"] = self.artists.get(key)
        created = set(_ensure(Album, self.albums, albums))
        self._add_album_images(
            {key: v["image_url"] for key, v in albums.items() if v["image_url"]}, created
        )
        _ensure(Show, self.shows, shows)
        return self._resolve_items(records)

    def _add_album_images(self, urls, created):
        """Gives albums that were stored without a cover (an export named them first) the one
        the API just sent. Imports send none, so they never come here."""
        for key, url in urls.items():
            if key in created or key in self.album_images:
                continue
            Album.objects.filter(key=key, image_url="").update(image_url=url)
            self.album_images.add(key)

    def _resolve_items(self, records):
        self._load_real_items_by_match(
            {record_match_key(r) for r in records if not parse_spotify_uri(r.item_uri)}
        )
        keys, wanted, credits = [], {}, {}
        for record in records:
            key = self._item_key(record)
            keys.append(key)
            if key not in self.items and key not in wanted:
                wanted[key] = self._item_values(record)
                credits[key] = list(dict.fromkeys(artist_key(n) for n in record.artist_names))
        created = _ensure(Item, self.items, wanted)
        if created:
            ItemArtist.objects.bulk_create(
                [
                    ItemArtist(item_id=self.items[key], artist_id=self.artists[a], position=p)
                    for key in created
                    for p, a in enumerate(credits[key])
                ],
                ignore_conflicts=True,
            )
            real = {wanted[key]["match_key"]: key for key in created if parse_spotify_uri(key)}
            self._merge_local_items_into(real)
        return [self.items[key] for key in keys]

    def _item_key(self, record):
        if parse_spotify_uri(record.item_uri):
            return record.item_uri
        real = self.real_items_by_match.get(record_match_key(record))
        if real:
            return real
        return local_key(record.kind, record.show_name or record.primary_artist, record.item_name)

    def _item_values(self, record):
        parsed = parse_spotify_uri(record.item_uri)
        album = show = artist = None
        if record.primary_artist:
            artist = self.artists[artist_key(record.primary_artist)]
        if record.album_name and record.kind == Item.Kind.TRACK:
            album = self.albums[album_key(record.primary_artist, record.album_name)]
        if record.show_name and record.kind in _SHOW_KIND:
            show = self.shows[show_key(_SHOW_KIND[record.kind], record.show_name)]
        return {
            "spotify_id": parsed[1] if parsed else "",
            "kind": record.kind,
            "name": record.item_name,
            "primary_artist_id": artist,
            "album_id": album,
            "show_id": show,
            "duration_ms": record.duration_ms,
            "match_key": record_match_key(record),
        }

    def _load_real_items_by_match(self, match_keys):
        """Finds real (URI-keyed) items for names seen without a URI; remembers their keys."""
        unknown = [key for key in match_keys if key not in self.real_items_by_match]
        for chunk in _chunks(unknown):
            rows = (
                Item.objects.filter(match_key__in=chunk, key__startswith="spotify:")
                .order_by("-id")
                .values_list("match_key", "key", "id")
            )
            for match, key, item_id in rows:  # the oldest real item wins
                self.real_items_by_match[match] = key
                self.items[key] = item_id

    def _merge_local_items_into(self, real_keys_by_match):
        """Moves the plays of local items onto real items that just appeared, then drops them."""
        for match, key in real_keys_by_match.items():
            self.real_items_by_match.setdefault(match, key)
        local_items = Item.objects.filter(
            match_key__in=list(real_keys_by_match), key__startswith="local:"
        ).values_list("id", "key", "match_key")
        for local_id, local_item_key, match in local_items:
            real_id = self.items[self.real_items_by_match[match]]
            same_play_on_real_item = Play.objects.filter(
                listener=OuterRef("listener"), played_at=OuterRef("played_at"), item_id=real_id
            )
            Play.objects.filter(item_id=local_id).filter(Exists(same_play_on_real_item)).delete()
            Play.objects.filter(item_id=local_id).update(item_id=real_id)
            Item.objects.filter(pk=local_id).delete()
            self.items.pop(local_item_key, None)
