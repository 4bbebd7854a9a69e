"""The three export formats, as pure functions from plays to bytes (docs/export.md, field by field).

- `json`: this service's own format, JSON Lines: a header line, then one line per play holding
  every stored field of the play and its item. The importer reads it back exactly.
- `csv`: one row per play under a header row, UTF-8 with a byte order mark (so spreadsheets read
  the accents right), RFC 4180 quoting and CRLF line ends. A text cell that a spreadsheet would
  run as a formula (starting with = + - @, a tab or a carriage return) gets a leading `'`.
- `listenbrainz`: ListenBrainz's listen format, one listen per line, as its own export writes
  them and its importer reads them, with the Spotify ids in `additional_info`.

Each writer takes any iterable of `plays.queries.ExportedPlay` and yields blocks of about 64 KB,
so an export of any size streams in constant memory. The database side is
`plays.queries.exported_plays`; `imports.exporting` puts the two together for the command line,
the admin API and the listener's page.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import chain

import orjson

from plays.dedupe import START_TIME_SOURCES
from plays.models import PLAY_DETAIL_FIELDS
from plays.queries import ExportedPlay

HISTORY_FORMAT = "spotify-history"  # the header's "format"
HISTORY_VERSION = 1  # the header's "version"; the importer refuses newer ones
SUBMISSION_CLIENT = "spotify-history"  # ListenBrainz's additional_info.submission_client
BLOCK_BYTES = 64 * 1024
_BOM = "\ufeff"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CSV_COLUMNS = (
    "played_at_utc",
    "source",
    "kind",
    "title",
    "artist",
    "all_artists",
    "artist_spotify_ids",
    "album",
    "album_spotify_id",
    "album_type",
    "release_date",
    "show",
    "show_spotify_id",
    "uri",
    "spotify_id",
    "duration_ms",
    "ms_played",
    "context_uri",
    "context_type",
    "platform",
    "country",
    "reason_start",
    "reason_end",
    "shuffle",
    "skipped",
    "offline",
    "incognito",
)
LIST_SEPARATOR = "; "  # between the names (and ids) of a track's artists in one CSV cell


@dataclass(frozen=True)
class ExportFormat:
    name: str  # what --format and ?format= say
    extension: str  # of the file a download is saved as
    content_type: str
    # (plays, header, records) -> blocks of bytes; only `json` writes the header and records.
    write: Callable[..., Iterator[bytes]]


def iso_time(moment: datetime) -> str:
    """UTC ISO 8601 with a Z, to the second, or the millisecond or microsecond when stored."""
    moment = moment.astimezone(UTC)
    if moment.microsecond == 0:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if moment.microsecond % 1000 == 0:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- json: this service's own format -----------------------------------------------------------


def history_header(listener_id: str, exported_at: datetime, window=None) -> dict:
    """The first line of a `json` export."""
    return {
        "type": "header",
        "format": HISTORY_FORMAT,
        "version": HISTORY_VERSION,
        "listener": listener_id,
        "exported_at": iso_time(exported_at),
        "start": iso_time(window.start) if window and window.start else None,
        "end": iso_time(window.end) if window and window.end else None,
    }


def history_record(play: ExportedPlay) -> dict:
    """One play as a line of the `json` format."""
    item = play.item
    return {
        "type": "play",
        "played_at": iso_time(play.played_at),
        "source": play.source,
        "ms_played": play.ms_played,
        "item": {
            "kind": item.kind,
            "name": item.name,
            "uri": item.uri,
            "spotify_id": item.spotify_id or None,
            "duration_ms": item.duration_ms,
            "artists": [
                {"name": name, "spotify_id": spotify_id or None}
                for name, spotify_id in item.artists
            ],
            "album": {
                "name": item.album[0],
                "spotify_id": item.album[1] or None,
                "album_type": item.album[2],
                "release_date": item.album[3],
            }
            if item.album
            else None,
            "show": {"name": item.show[0], "spotify_id": item.show[1] or None, "kind": item.show[2]}
            if item.show
            else None,
        },
        **{name: getattr(play, name) for name in PLAY_DETAIL_FIELDS},
    }


def write_history_json(
    plays: Iterable[ExportedPlay], header: dict, records: Iterable[dict] = ()
) -> Iterator[bytes]:
    """The `json` format: the header, then `records` (lines of other types, such as a future
    taste profile: readers skip types they don't know), then one line per play."""
    play_records = (history_record(play) for play in plays)
    lines = (orjson.dumps(record) + b"\n" for record in chain((header,), records, play_records))
    return _blocks(lines)


# --- csv ---------------------------------------------------------------------------------------


def spreadsheet_safe(text: str) -> str:
    """`text` with a leading ' when a spreadsheet would run it as a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_row(play: ExportedPlay) -> list[str]:
    """One play as the cells of a CSV row, in CSV_COLUMNS order."""
    item = play.item
    album = item.album or ("", "", "", "")
    show = item.show or ("", "", "")
    names = [name for name, _ in item.artists]
    ids = [spotify_id for _, spotify_id in item.artists]
    safe = spreadsheet_safe
    return [
        _csv_time(play.played_at),
        play.source,
        item.kind,
        safe(item.name),
        safe(names[0]) if names else "",
        safe(LIST_SEPARATOR.join(names)),
        LIST_SEPARATOR.join(ids) if any(ids) else "",
        safe(album[0]),
        album[1],
        safe(album[2]),
        safe(album[3]),
        safe(show[0]),
        show[1],
        item.uri or "",
        item.spotify_id,
        _number(item.duration_ms),
        _number(play.ms_played),
        safe(play.context_uri),
        safe(play.context_type),
        safe(play.platform),
        safe(play.country),
        safe(play.reason_start),
        safe(play.reason_end),
        _boolean(play.shuffle),
        _boolean(play.skipped),
        _boolean(play.offline),
        _boolean(play.incognito),
    ]


def write_csv(
    plays: Iterable[ExportedPlay], header: dict | None = None, records: Iterable[dict] = ()
) -> Iterator[bytes]:
    """The `csv` format: a BOM and the header row, then one row per play."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # RFC 4180: minimal quoting, doubled quotes, CRLF
    buffer.write(_BOM)
    writer.writerow(CSV_COLUMNS)
    for play in plays:
        writer.writerow(csv_row(play))
        if buffer.tell() >= BLOCK_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


def _csv_time(moment: datetime) -> str:
    """`2024-03-09 18:04:27` (UTC, with .fff when stored): what spreadsheets read as a time."""
    return iso_time(moment).replace("T", " ").removesuffix("Z")


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def _boolean(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


# --- listenbrainz ------------------------------------------------------------------------------


def open_spotify_url(uri: str) -> str:
    """`spotify:track:<id>` as `https://open.spotify.com/track/<id>`."""
    _, kind, spotify_id = uri.split(":", 2)
    return f"https://open.spotify.com/{kind}/{spotify_id}"


def listen_span_ms(play: ExportedPlay) -> int | None:
    """How long before `played_at` the play started, when known.

    ms_played when stored; else the item's duration, except for plays of services whose own
    time was the start (stored there when their duration was unknown).
    """
    if play.ms_played is not None:
        return play.ms_played
    if play.source in START_TIME_SOURCES:
        return None
    return play.item.duration_ms


def listenbrainz_listen(play: ExportedPlay) -> dict:
    """One play as a ListenBrainz listen (`listened_at` is when it started)."""
    item = play.item
    span = listen_span_ms(play)
    started = play.played_at - timedelta(milliseconds=span or 0)
    names = [name for name, _ in item.artists]
    info: dict = {}
    if item.kind == "track":
        artist_name = ", ".join(names)
        release = item.album[0] if item.album else None
        if names:
            info["artist_names"] = names
        if names and all(spotify_id for _, spotify_id in item.artists):
            info["spotify_artist_ids"] = [
                f"https://open.spotify.com/artist/{spotify_id}" for _, spotify_id in item.artists
            ]
        if item.album and item.album[1]:
            info["spotify_album_id"] = f"https://open.spotify.com/album/{item.album[1]}"
    else:  # episodes and chapters: the show (or book) stands where the artist would
        artist_name = item.show[0] if item.show else ""
        release = artist_name or None
    if span is not None:
        if item.duration_ms is not None:
            info["duration_ms"] = item.duration_ms
        info["ms_played"] = span
    if item.uri:
        info["spotify_id"] = info["origin_url"] = open_spotify_url(item.uri)
        info["music_service"] = "spotify.com"
    info["submission_client"] = SUBMISSION_CLIENT
    info["item_kind"] = item.kind
    info["play_source"] = play.source
    metadata = {"artist_name": artist_name, "track_name": item.name}
    if release:
        metadata["release_name"] = release
    metadata["additional_info"] = info
    return {"listened_at": _unix_time(started), "track_metadata": metadata}


def write_listenbrainz(
    plays: Iterable[ExportedPlay], header: dict | None = None, records: Iterable[dict] = ()
) -> Iterator[bytes]:
    """The `listenbrainz` format: one listen per line (JSON Lines), oldest first."""
    return _blocks(orjson.dumps(listenbrainz_listen(play)) + b"\n" for play in plays)


def _unix_time(moment: datetime) -> int | float:
    """Whole seconds as an integer (what ListenBrainz submissions use), else to the millisecond."""
    seconds = moment.timestamp()
    if moment.microsecond == 0:
        return int(seconds)
    return round(seconds, 3)


# --- all formats -------------------------------------------------------------------------------


def _blocks(lines: Iterable[bytes]) -> Iterator[bytes]:
    """Lines joined into blocks of about BLOCK_BYTES, fewer and larger writes for the response."""
    block: list[bytes] = []
    size = 0
    for line in lines:
        block.append(line)
        size += len(line)
        if size >= BLOCK_BYTES:
            yield b"".join(block)
            block, size = [], 0
    if block:
        yield b"".join(block)


FORMATS: dict[str, ExportFormat] = {
    "json": ExportFormat(
        "json", "jsonl", "application/x-ndjson; charset=utf-8", write_history_json
    ),
    "csv": ExportFormat("csv", "csv", "text/csv; charset=utf-8", write_csv),
    "listenbrainz": ExportFormat(
        "listenbrainz",
        "listenbrainz.jsonl",
        "application/x-ndjson; charset=utf-8",
        write_listenbrainz,
    ),
}
