"""One listener's plays with everything stored about them, oldest first, for exports.

An export may hold millions of plays, so they are read through a cursor in chunks and handed out
one at a time: on PostgreSQL a server-side (named) cursor inside a read-only transaction, so the
server streams rows as they are fetched; on SQLite the driver's own cursor, which streams too
(no transaction, so a long export never holds SQLite's write lock). Each chunk's item credits
(artists in order) come from one more query, remembered for the items seen recently, so memory
stays the same whatever the number of plays. Formatting is `imports.export_formats`' job.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from django.db import connection, transaction

from plays.models import PLAY_DETAIL_FIELDS, ItemArtist, Play
from plays.queries.windows import UTC_ZONE, Window

CHUNK_SIZE = 2000  # plays fetched from the cursor at a time
CREDITS_REMEMBERED = 20_000  # items whose credits are kept between chunks

_PLAY_FIELDS = (
    "played_at",
    "source",
    "ms_played",
    *PLAY_DETAIL_FIELDS,
)
_ITEM_FIELDS = (
    "item_id",
    "item__kind",
    "item__name",
    "item__key",
    "item__spotify_id",
    "item__duration_ms",
    "item__album__name",
    "item__album__spotify_id",
    "item__album__album_type",
    "item__album__release_date",
    "item__show__name",
    "item__show__spotify_id",
    "item__show__kind",
    "item__primary_artist__name",
    "item__primary_artist__spotify_id",
)
_PLAYS = len(_PLAY_FIELDS)


@dataclass(frozen=True, slots=True)
class ExportedItem:
    kind: str  # track, episode, chapter
    name: str
    uri: str | None  # spotify:track:<id>, spotify:episode:<id>...; None for local items
    spotify_id: str  # "" when Spotify never named it
    duration_ms: int | None
    artists: tuple[tuple[str, str], ...]  # (name, spotify id or ""), credited order
    album: tuple[str, str, str, str] | None  # name, spotify id, album type, release date
    show: tuple[str, str, str] | None  # name, spotify id, kind (podcast or audiobook)


@dataclass(frozen=True, slots=True)
class ExportedPlay:
    played_at: datetime  # aware, UTC: when the play ended
    source: str
    ms_played: int | None
    context_uri: str
    context_type: str
    platform: str
    country: str
    reason_start: str
    reason_end: str
    shuffle: bool | None
    skipped: bool | None
    offline: bool | None
    incognito: bool | None
    item: ExportedItem


def export_window(start=None, end=None) -> Window:
    """The plays an export covers: ISO dates or datetimes in UTC, the end date included."""
    return Window.parse(start, end, tz=UTC_ZONE)


def count_plays(listener, window: Window | None = None) -> int:
    """How many plays `exported_plays` will hand out (for progress bars)."""
    return (window or Window()).filter(Play.objects.filter(listener=listener)).count()


def exported_plays(
    listener, window: Window | None = None, *, chunk_size: int = CHUNK_SIZE
) -> Iterator[ExportedPlay]:
    """Every play of `listener` in `window` (all time by default), oldest first."""
    plays = (
        (window or Window())
        .filter(Play.objects.filter(listener=listener))
        # The unique (listener, played_at, item) index gives this order: no sort, rows stream.
        .order_by("played_at", "item_id")
        .values_list(*_PLAY_FIELDS, *_ITEM_FIELDS)
    )
    credits = _Credits()
    # A named cursor inside a transaction streams; outside one (autocommit) PostgreSQL would have
    # to compute and keep the whole result before the first row.
    streaming = transaction.atomic() if connection.vendor == "postgresql" else nullcontext()
    with streaming:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION READ ONLY")
        rows = plays.iterator(chunk_size=chunk_size)
        while chunk := list(islice(rows, chunk_size)):
            credits.load({row[_PLAYS] for row in chunk})
            for row in chunk:
                yield _play(row, credits)


def _play(row, credits) -> ExportedPlay:
    (
        item_id,
        kind,
        name,
        key,
        spotify_id,
        duration_ms,
        album_name,
        album_id,
        album_type,
        release_date,
        show_name,
        show_id,
        show_kind,
        primary_name,
        primary_id,
    ) = row[_PLAYS:]
    artists = credits.of(item_id) or (
        ((primary_name, primary_id or ""),) if primary_name is not None else ()
    )
    item = ExportedItem(
        kind=kind,
        name=name,
        uri=key if key.startswith("spotify:") else None,
        spotify_id=spotify_id,
        duration_ms=duration_ms,
        artists=artists,
        album=(album_name, album_id, album_type, release_date) if album_name is not None else None,
        show=(show_name, show_id, show_kind) if show_name is not None else None,
    )
    return ExportedPlay(*row[:_PLAYS], item=item)


class _Credits:
    """Items' credited artists, read a chunk at a time and kept for the recently seen items."""

    def __init__(self):
        self._by_item: dict[int, tuple[tuple[str, str], ...]] = {}

    def load(self, item_ids):
        missing = [item_id for item_id in item_ids if item_id not in self._by_item]
        if not missing:
            return
        if len(self._by_item) + len(missing) > CREDITS_REMEMBERED:
            self._by_item.clear()
        found = {item_id: [] for item_id in missing}
        for start in range(0, len(missing), 900):  # under SQLite's limit of query parameters
            rows = (
                ItemArtist.objects.filter(item_id__in=missing[start : start + 900])
                .order_by("item_id", "position", "id")
                .values_list("item_id", "artist__name", "artist__spotify_id")
            )
            for item_id, name, spotify_id in rows:
                found[item_id].append((name, spotify_id or ""))
        self._by_item.update((item_id, tuple(names)) for item_id, names in found.items())

    def of(self, item_id):
        return self._by_item.get(item_id, ())
