"""Finds or creates the catalogue rows (artists, albums, shows, items) that one listener's plays
point to, and decides whose names each of those rows carries.

Keys (see `plays.keys`): an item is keyed by its Spotify URI when a source names it. Artists,
albums and shows are keyed by normalised names, because the exports, the richest source, name
them only by name; their Spotify ids are kept as attributes when the API gives them.

Whose names a listener sees (one listener must never rewrite what another sees; the rules are
explained for people in docs/imports.md, "Whose names you see"):

- Names from Spotify's API win. A record of the `api` source with a Spotify URI names a new row,
  and replaces the names of a row an upload named (item name, credited artists, album, show,
  duration) for everyone. API records of local files are not Spotify's names: the listener's own
  files give them, so they count as an upload.
- Any other record is an upload (exports, imports from other services). It names a new shared
  row, marked as named by that listener. When it names a URI differently from the shared row
  (named by the API, by another listener's upload, or before names were attributed), the
  listener's plays go to an item of their own (`Item.private_to`, same Spotify id) with their
  names, taking along any plays of theirs on a shared row another upload named; a listener who
  already has plays on an API-named row keeps using it. When their own API data later names the
  item, the private item is merged into the shared row (plays moved, then it is deleted), so the
  cross-source deduplication compares their upload plays with their API plays of one item.
- An item seen without a URI (account-data exports, local files) is the listener's own too. It
  is matched to a real item the listener sees (their private one, an API-named one, one their
  upload named, one they have plays on) by artist (or show) and title; failing that it gets a
  private local key, and when such a real item turns up later, the local one is merged into it.

Every merge moves only the resolving listener's own plays, so one listener's ingest never moves
or renames what another listener's plays point to, except that API names replace upload names.

A `CatalogueResolver` caches key -> id for the duration of one ingest run, so a million-row
import asks the database only about rows it has not seen yet. It forgets them when the
`CatalogueVersion` number changed since its last batch (rows were merged away or deleted).
"""

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q

from plays.keys import local_key, match_key, normalize_name, parse_spotify_uri
from plays.models import (
    Album,
    Artist,
    CatalogueVersion,
    Item,
    ItemArtist,
    NamesFrom,
    Play,
    Show,
)

_SHOW_KIND = {Item.Kind.EPISODE: Show.Kind.PODCAST, Item.Kind.CHAPTER: Show.Kind.AUDIOBOOK}
_ITEM_FIELDS = (
    "id",
    "key",
    "name",
    "primary_artist_id",
    "album_id",
    "show_id",
    "duration_ms",
    "names_from",
    "named_by_id",
    "match_key",
)


def artist_key(name):
    return local_key("artist", name)


def album_key(artist_name, album_name):
    return local_key("album", artist_name, album_name)


def show_key(kind, name):
    return local_key(kind, name)


def private_key(listener_id, key):
    """The key of a listener's own item: their names for a URI, or an item without a URI."""
    return f"private:{listener_id}:{key}"


def record_match_key(record):
    return match_key(record.show_name or record.primary_artist, record.item_name)


def names_from_api(record) -> bool:
    """True when Spotify's API named what the record describes (not the listener's own files)."""
    return record.source == Play.Source.API and parse_spotify_uri(record.item_uri) is not None


def catalogue_version() -> int:
    return CatalogueVersion.objects.filter(pk=1).values_list("number", flat=True).first() or 0


def bump_catalogue_version() -> int:
    """Adds one to the catalogue version, in the caller's transaction; returns the new number."""
    for _ in range(3):
        if CatalogueVersion.objects.filter(pk=1).update(number=F("number") + 1):
            return catalogue_version()
        try:
            with transaction.atomic():
                CatalogueVersion.objects.create(pk=1, number=1)
            return 1
        except IntegrityError:
            continue  # created by another transaction meanwhile: add to it
    return catalogue_version()


def _ensure(model, cache, wanted):
    """Makes sure a row exists for every key of `wanted` ({key: field values}); fills `cache`.

    Rows are inserted in key order (and tables in one order: artists, albums, shows, items), so
    concurrent ingests that create the same rows wait for each other instead of deadlocking.
    Returns the keys that were missing (created here, or by a concurrent ingest meanwhile).
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
    """Resolves one listener's PlayRecords to item ids, creating what is missing.

    Call `start_batch()` at the start of each batch's transaction (after the ingest's locks) and
    `finish_batch()` before it commits.
    """

    def __init__(self, listener):
        self.listener_id = listener.pk
        self.version = None
        self._api = {"names_from": NamesFrom.API, "named_by_id": None}
        self._upload = {"names_from": NamesFrom.UPLOAD, "named_by_id": self.listener_id}
        self._forget()

    def _forget(self):
        self.artists = {}
        self.albums = {}
        self.shows = {}
        self.items = {}  # URI or private local key -> id of the item this listener's plays use
        self.api_named = set()  # URIs whose shared item this run has seen named by the API
        self.api_checked = set()  # (model, key) of artists, albums, shows given the API's names
        self.real_items_by_match = {}  # match key -> id of a real item the listener sees, or None
        self.album_images = set()  # keys of albums whose cover this run has already seen to
        self.has_private_items = None  # whether the listener has private URI items
        self.has_local_items = None  # whether the listener has items without a URI
        self.changed = False  # whether this batch merged rows away or made private items

    def start_batch(self):
        """Forgets every remembered id if catalogue rows were merged away or deleted since, and
        what another run of the listener may have changed since (it stores between our batches).
        """
        version = catalogue_version()
        if version != self.version:
            self._forget()
            self.version = version
        self.has_private_items = self.has_local_items = None
        self.real_items_by_match = {
            match: item_id
            for match, item_id in self.real_items_by_match.items()
            if item_id is not None
        }

    def finish_batch(self):
        """Tells other runs that this batch merged rows away or gave the listener private items
        (they forget the ids they remember)."""
        if self.changed:
            self.changed = False
            expected = None if self.version is None else self.version + 1
            number = bump_catalogue_version()
            # Our own merges are in our cache; anyone else's since our start are not.
            self.version = number if number == expected else None

    def item_ids(self, records):
        """The item id of each record, in order."""
        # Most rows of a big import repeat items already seen in this run: look those up by URI
        # and send only the rest through the full resolution below. An API record of an item
        # this run knows only from uploads goes through it too: its names may replace theirs.
        get, api = self.items.get, Play.Source.API
        ids = [get(record.item_uri) if record.item_uri else None for record in records]
        for position, record in enumerate(records):
            if record.source == api and record.item_uri not in self.api_named:
                ids[position] = None
        unknown = [position for position, item_id in enumerate(ids) if item_id is None]
        if unknown:
            resolved = self._resolve([records[position] for position in unknown])
            for position, item_id in zip(unknown, resolved, strict=True):
                ids[position] = item_id
        return ids

    def _resolve(self, records):
        self._ensure_names(records)
        with_uri = [record for record in records if parse_spotify_uri(record.item_uri)]
        without_uri = [record for record in records if not parse_spotify_uri(record.item_uri)]
        if with_uri:
            self._resolve_uris(with_uri)
        local_ids = iter(self._resolve_without_uri(without_uri) if without_uri else ())
        return [
            self.items[record.item_uri] if parse_spotify_uri(record.item_uri) else next(local_ids)
            for record in records
        ]

    # --- artists, albums, shows --------------------------------------------------------------

    def _ensure_names(self, records):
        """Creates the artists, albums and shows the records name; the API's spelling of a name
        replaces an upload's."""
        artists, from_api = {}, {Artist: {}, Album: {}, Show: {}}
        for record in records:
            trusted = names_from_api(record)
            provenance = self._api if trusted else self._upload
            for position, name in enumerate(record.artist_names):
                spotify_id = (
                    record.artist_ids[position] if position < len(record.artist_ids) else None
                )
                values = {"name": name, "spotify_id": spotify_id or "", **provenance}
                key = artist_key(name)
                artists.setdefault(key, values)
                if trusted:
                    from_api[Artist].setdefault(key, values)
        _ensure(Artist, self.artists, artists)
        albums, shows = {}, {}
        for record in records:
            trusted = names_from_api(record)
            provenance = self._api if trusted else self._upload
            if record.album_name and record.kind == Item.Kind.TRACK:
                values = {
                    "name": record.album_name,
                    "spotify_id": record.album_id or "",
                    "album_type": record.album_type,
                    "release_date": record.release_date,
                    "artist_id": self.artists.get(artist_key(record.primary_artist))
                    if record.primary_artist
                    else None,
                    **provenance,
                }
                if trusted and record.album_image_url:
                    values["image_url"] = record.album_image_url
                key = album_key(record.primary_artist, record.album_name)
                albums.setdefault(key, values)
                if trusted:
                    from_api[Album].setdefault(key, values)
            if record.show_name and record.kind in _SHOW_KIND:
                kind = _SHOW_KIND[record.kind]
                values = {
                    "name": record.show_name,
                    "kind": kind,
                    "spotify_id": record.show_id or "",
                    **provenance,
                }
                key = show_key(kind, record.show_name)
                shows.setdefault(key, values)
                if trusted:
                    from_api[Show].setdefault(key, values)
        created = set(_ensure(Album, self.albums, albums))
        self._add_album_images(
            {key: v["image_url"] for key, v in from_api[Album].items() if v.get("image_url")},
            created,
        )
        _ensure(Show, self.shows, shows)
        for model, wanted in from_api.items():
            if wanted:
                self._give_api_names(model, wanted)

    def _add_album_images(self, urls, created):
        """Gives albums that were stored without a cover (an export named them first) the one
        the API just sent. Imports send none, so they never come here."""
        for key, url in urls.items():
            if key in created or key in self.album_images:
                continue
            Album.objects.filter(key=key, image_url="").update(image_url=url)
            self.album_images.add(key)

    def _give_api_names(self, model, wanted):
        """Replaces the names of rows an upload named with the API's names for them."""
        keys = sorted(key for key in wanted if (model, key) not in self.api_checked)
        for chunk in _chunks(keys):
            named_by_uploads = (
                model.objects.filter(key__in=chunk)
                .exclude(names_from=NamesFrom.API)
                .values_list("id", "key")
            )
            for row_id, key in named_by_uploads:
                model.objects.filter(pk=row_id).update(**wanted[key])
        self.api_checked.update((model, key) for key in keys)

    # --- items with a Spotify URI ------------------------------------------------------------

    def _resolve_uris(self, records):
        """Settles self.items[uri] for each URI of the records."""
        listener_id = self.listener_id
        deciding = {}  # uri -> the record whose names decide (an API record if there is one)
        for record in records:
            current = deciding.get(record.item_uri)
            if current is None or (names_from_api(record) and not names_from_api(current)):
                deciding[record.item_uri] = record
        keys = list(deciding)
        if self._has_private_items():
            keys += [private_key(listener_id, uri) for uri in deciding]
        rows = self._item_rows(keys)
        missing = {
            uri: record
            for uri, record in deciding.items()
            if uri not in rows
            and (names_from_api(record) or private_key(listener_id, uri) not in rows)
        }
        if missing:
            rows.update(self._create_shared(missing))

        settled, renames, merges, undecided = {}, [], [], {}
        for uri, record in deciding.items():
            shared, private = rows.get(uri), rows.get(private_key(listener_id, uri))
            if names_from_api(record):
                if shared.names_from != NamesFrom.API:
                    renames.append((shared, record))
                if private is not None:
                    merges.append((private.id, shared.id))
                self.items[uri] = shared.id
                self.api_named.add(uri)
                settled[uri] = (shared.id, record_match_key(record))
            elif private is not None:
                self.items[uri] = private.id
                settled[uri] = (private.id, private.match_key)
            else:
                undecided[uri] = (shared, record)
        shareable, leaving = self._shareable(undecided) if undecided else (set(), set())
        for uri, (shared, _) in undecided.items():
            if uri in shareable:
                self.items[uri] = shared.id
                settled[uri] = (shared.id, shared.match_key)
        own = {uri: record for uri, (_, record) in undecided.items() if uri not in self.items}
        if own:
            for uri, item_id in self._create_private(own).items():
                self.items[uri] = item_id
                settled[uri] = (item_id, record_match_key(own[uri]))
                if uri in leaving:  # their plays on the row someone else named go with them
                    merges.append((undecided[uri][0].id, item_id))
        if renames:
            self._rename_from_api(renames)
        if merges:
            self._merge(merges)
        real_by_match = {}
        for item_id, match in settled.values():
            real_by_match.setdefault(match, item_id)
        self._merge_local_items_into(real_by_match)

    def _item_rows(self, keys):
        """{key: row} of the existing items with these keys (only the fields decisions need)."""
        rows = {}
        for chunk in _chunks(sorted(keys)):
            for row in Item.objects.filter(key__in=chunk).values_list(*_ITEM_FIELDS, named=True):
                rows[row.key] = row
        return rows

    def _create_shared(self, records):
        """Creates the shared items of URIs no row has yet; returns {uri: row} as stored (a
        concurrent ingest may have created one first, with its own names)."""
        wanted = {
            uri: {
                **self._item_values(record),
                **(self._api if names_from_api(record) else self._upload),
            }
            for uri, record in records.items()
        }
        Item.objects.bulk_create(
            [Item(key=uri, **wanted[uri]) for uri in sorted(wanted)], ignore_conflicts=True
        )
        rows = self._item_rows(list(records))
        ours = [
            (rows[uri].id, records[uri])
            for uri in records
            if rows[uri].names_from == wanted[uri]["names_from"]
            and rows[uri].named_by_id == wanted[uri]["named_by_id"]
        ]
        self._credit(ours)
        return rows

    def _create_private(self, records):
        """Creates the listener's own items for these URIs; returns {uri: item id}."""
        keys = {uri: private_key(self.listener_id, uri) for uri in records}
        wanted = {
            keys[uri]: {
                **self._item_values(record),
                **self._upload,
                "private_to_id": self.listener_id,
            }
            for uri, record in records.items()
        }
        ids = {}
        created = set(_ensure(Item, ids, wanted))
        self._credit([(ids[keys[uri]], r) for uri, r in records.items() if keys[uri] in created])
        self.has_private_items = True
        self.changed = True  # another run of the listener may remember the shared items
        return {uri: ids[keys[uri]] for uri in records}

    def _shareable(self, undecided):
        """(URIs whose shared item the listener may use for their upload's names, URIs whose
        shared item they must leave, plays and all).

        They may use a shared item named by their own upload or named the same, and one the API
        named differently if they already have plays on it (their own API data merged them
        there). They leave one another upload named differently (or that was stored before names
        were attributed), taking their plays from it to their own item.
        """
        shareable, to_check_credits, conflicts = set(), {}, {}
        for uri, (shared, record) in undecided.items():
            if shared.names_from == NamesFrom.UPLOAD and shared.named_by_id == self.listener_id:
                shareable.add(uri)
            elif not self._same_names(shared, record):
                conflicts[shared.id] = uri
            elif shared.names_from == NamesFrom.API:
                shareable.add(uri)
            else:
                to_check_credits[shared.id] = (uri, record)
        if to_check_credits:
            credits = self._credits_of(list(to_check_credits))
            for item_id, (uri, record) in to_check_credits.items():
                if credits.get(item_id, []) == self._credit_ids(record):
                    shareable.add(uri)
                else:
                    conflicts[item_id] = uri
        leaving = set()
        for chunk in _chunks(list(conflicts)):
            played = Play.objects.filter(listener_id=self.listener_id, item_id__in=chunk)
            for item_id in played.values_list("item_id", flat=True).distinct().order_by():
                uri = conflicts[item_id]
                if undecided[uri][0].names_from == NamesFrom.API:
                    shareable.add(uri)
                else:
                    leaving.add(uri)
        return shareable, leaving

    def _same_names(self, shared, record):
        """Whether the shared item shows the names the record gives (a field the record leaves
        out counts as the same only when the API named it)."""
        if normalize_name(record.item_name) != normalize_name(shared.name):
            return False
        trusted = shared.names_from == NamesFrom.API
        values = self._item_values(record)
        return all(
            (values[field] is None and trusted) or values[field] == getattr(shared, field)
            for field in ("primary_artist_id", "album_id", "show_id", "duration_ms")
        )

    def _credit_ids(self, record):
        return [self.artists[key] for key in dict.fromkeys(map(artist_key, record.artist_names))]

    def _credits_of(self, item_ids):
        credits = {}
        for chunk in _chunks(item_ids):
            rows = (
                ItemArtist.objects.filter(item_id__in=chunk)
                .order_by("item_id", "position")
                .values_list("item_id", "artist_id")
            )
            for item_id, artist_id in rows:
                credits.setdefault(item_id, []).append(artist_id)
        return credits

    def _credit(self, items_and_records):
        """Credits each record's artists, in order, on the item made from it."""
        ItemArtist.objects.bulk_create(
            [
                ItemArtist(item_id=item_id, artist_id=artist_id, position=position)
                for item_id, record in items_and_records
                for position, artist_id in enumerate(self._credit_ids(record))
            ],
            ignore_conflicts=True,
        )

    def _rename_from_api(self, renames):
        """Gives shared items the API's names in place of an upload's, credits included."""
        for shared, record in renames:
            Item.objects.filter(pk=shared.id).update(**self._item_values(record), **self._api)
        ItemArtist.objects.filter(item_id__in=[shared.id for shared, _ in renames]).delete()
        self._credit([(shared.id, record) for shared, record in renames])

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

    def _has_private_items(self):
        if self.has_private_items is None:
            self.has_private_items = (
                Item.objects.filter(private_to_id=self.listener_id).exclude(spotify_id="").exists()
            )
        return self.has_private_items

    # --- items without a URI -----------------------------------------------------------------

    def _resolve_without_uri(self, records):
        """Item ids for records without a Spotify URI: a real item the listener sees with the
        same artist (or show) and title, else the listener's own local item."""
        self._load_real_items_by_match({record_match_key(record) for record in records})
        listener_id, found, wanted = self.listener_id, [], {}
        for record in records:
            real = self.real_items_by_match.get(record_match_key(record))
            if real is not None:
                found.append(real)
                continue
            key = private_key(
                listener_id,
                local_key(record.kind, record.show_name or record.primary_artist, record.item_name),
            )
            if key not in self.items and key not in wanted:
                wanted[key] = (record, {**self._item_values(record), **self._upload})
            found.append(key)
        if wanted:
            values = {key: {**v, "private_to_id": listener_id} for key, (_, v) in wanted.items()}
            created = set(_ensure(Item, self.items, values))
            self._credit([(self.items[key], r) for key, (r, _) in wanted.items() if key in created])
            self.has_local_items = True
        return [self.items[value] if isinstance(value, str) else value for value in found]

    def _load_real_items_by_match(self, match_keys):
        """Finds, for names seen without a URI, the real item the listener sees (their private
        one first, then the oldest of the others); remembers None when there is none."""
        unknown = sorted(key for key in match_keys if key not in self.real_items_by_match)
        listener_id = self.listener_id
        theirs_to_see = Q(private_to_id=listener_id) | Q(private_to__isnull=True) & (
            Q(names_from=NamesFrom.API)
            | Q(named_by_id=listener_id)
            | Exists(Play.objects.filter(listener_id=listener_id, item_id=OuterRef("pk")))
        )
        for chunk in _chunks(unknown):
            best = {}
            rows = (
                Item.objects.filter(match_key__in=chunk)
                .exclude(spotify_id="")
                .filter(theirs_to_see)
                .values_list("match_key", "id", "private_to_id")
            )
            for match, item_id, private_to in rows:
                rank = (private_to is None, item_id)
                if match not in best or rank < best[match]:
                    best[match] = rank
            for match in chunk:
                self.real_items_by_match[match] = best[match][1] if match in best else None

    # --- merging the listener's own items ----------------------------------------------------

    def _merge_local_items_into(self, real_by_match):
        """Moves the listener's local items' plays onto the real item they now see by those
        names (the first one, if several), and drops the local items."""
        for match, item_id in real_by_match.items():
            if self.real_items_by_match.get(match) is None:
                self.real_items_by_match[match] = item_id
        if not real_by_match or not self._has_local_items():
            return
        merges = []
        for chunk in _chunks(sorted(real_by_match)):
            local_items = Item.objects.filter(
                private_to_id=self.listener_id, spotify_id="", match_key__in=chunk
            ).values_list("id", "match_key")
            merges += [(item_id, self.real_items_by_match[match]) for item_id, match in local_items]
        if merges:
            self._merge(merges)

    def _has_local_items(self):
        if self.has_local_items is None:
            self.has_local_items = Item.objects.filter(
                private_to_id=self.listener_id, spotify_id=""
            ).exists()
        return self.has_local_items

    def _merge(self, merges):
        """Moves the listener's plays from each of their own items onto another item (a play
        already stored there at the same moment is dropped), then deletes their items."""
        listener_id = self.listener_id
        for from_id, into_id in merges:
            same_play_there = Play.objects.filter(
                listener_id=listener_id, item_id=into_id, played_at=OuterRef("played_at")
            )
            plays = Play.objects.filter(listener_id=listener_id, item_id=from_id)
            plays.filter(Exists(same_play_there)).delete()
            plays.update(item_id=into_id)
        moved = dict(merges)
        Item.objects.filter(pk__in=list(moved), private_to_id=listener_id).delete()
        self.items = {key: moved.get(item_id, item_id) for key, item_id in self.items.items()}
        self.real_items_by_match = {
            match: moved.get(item_id, item_id)
            for match, item_id in self.real_items_by_match.items()
        }
        self.changed = True
