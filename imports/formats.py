"""Turning one row of a Spotify export into a `PlayRecord`, or into the reason it was skipped.

Every field of every export format may be missing or null (see docs/imports.md), so nothing here
raises on a bad row: a row is either a play or one of the `SKIP_REASONS`, which the importer counts
and reports. Personal data the exports carry (IP addresses, user agents, user names) is never read.
An import parses millions of rows, so the parsers avoid regular expressions and `strptime` on the
common path, and rows come as `ExtendedRow` / `AccountDataRow` structs that `imports.exports`
decodes straight from the JSON text with msgspec, skipping the fields never read (about three
times faster than building a dict of every field); a plain dict is accepted too.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus

import msgspec

from imports.foreign import FOREIGN_PARSERS, FOREIGN_SKIP_REASONS
from imports.row_values import (
    COUNTRY_LENGTH,
    MAX_MS_PLAYED,
    PLATFORM_LENGTH,
    REASON_LENGTH,
    spotify_id,
    spotify_uri_parts,
)
from imports.row_values import clean_name as _name
from imports.row_values import clean_text as _text
from imports.row_values import flag as _flag
from plays.records import PlayRecord

EXTENDED = "extended"
ACCOUNT_DATA = "account_data"

# Why a row was skipped: code -> what the skipped rows were, completing "925 rows ..." (the pages'
# and the API's sentences, `skipped_sentence`, and the admin API's documentation all use this).
SKIP_REASONS: dict[str, str] = {
    "not_an_object": "were not JSON objects",
    "missing_timestamp": "had no time of play (ts / endTime, listened_at, date or time)",
    "bad_timestamp": "had a time (ts / endTime) that is not a date and time",
    "bad_ms_played": (
        "had a play length (ms_played / msPlayed) that is negative, not a whole number or over "
        "24 days"
    ),
    "missing_name": (
        "had no track, episode or audiobook chapter name (Spotify leaves every name empty for "
        "some unavailable items)"
    ),
    "missing_artist": (
        "had a track title but neither a Spotify URI nor an artist, so the track can't be told "
        "apart from others with the same title"
    ),
    **FOREIGN_SKIP_REASONS,
}
# The few reasons that read differently for a single row.
_ONE_ROW = {
    "not_an_object": "was not a JSON object",
    "now_playing": (
        "was the track Last.fm showed as playing when the page was saved (it has no date)"
    ),
}


def skipped_sentence(reason, count):
    """What happened to `count` rows skipped for `reason` (a SKIP_REASONS code), as a sentence:
    "925 rows had no track, episode or audiobook chapter name (...) and were skipped." A code this
    version doesn't know (from an older one) is left out of the sentence, never shown."""
    rows, were = (f"{count:,} row", "was") if count == 1 else (f"{count:,} rows", "were")
    what = (_ONE_ROW.get(reason) if count == 1 else None) or SKIP_REASONS.get(reason)
    return f"{rows} {what} and {were} skipped." if what else f"{rows} {were} skipped."


def skipped_sentences(skipped):
    """`skipped_sentence` of every reason of a job's `skipped` counts, most rows first."""
    ordered = sorted(skipped.items(), key=lambda item: (-item[1], item[0]))
    return [skipped_sentence(reason, count) for reason, count in ordered]


_BAD = object()  # marks an ms_played value that makes the row a skip
_TRACK_PREFIX = "spotify:track:"
_EPISODE_PREFIX = "spotify:episode:"
_LOCAL_PREFIX = "spotify:local:"

Parser = Callable[[object], PlayRecord | str]


class ExtendedRow(msgspec.Struct, gc=False):
    """The fields of an extended history row that are read; any may be missing, null or odd."""

    ts: Any = None
    ms_played: Any = None
    platform: Any = None
    conn_country: Any = None
    master_metadata_track_name: Any = None
    master_metadata_album_artist_name: Any = None
    master_metadata_album_album_name: Any = None
    spotify_track_uri: Any = None
    episode_name: Any = None
    episode_show_name: Any = None
    spotify_episode_uri: Any = None
    audiobook_title: Any = None
    audiobook_uri: Any = None
    audiobook_chapter_title: Any = None
    audiobook_chapter_uri: Any = None
    reason_start: Any = None
    reason_end: Any = None
    shuffle: Any = None
    skipped: Any = None
    offline: Any = None
    incognito_mode: Any = None


class AccountDataRow(msgspec.Struct, gc=False):
    """The fields of an account-data row that are read."""

    endTime: Any = None  # Spotify's names
    msPlayed: Any = None
    artistName: Any = None
    trackName: Any = None
    podcastName: Any = None
    episodeName: Any = None
    audiobookName: Any = None
    chapterName: Any = None


def parse_row(row: object, format: str) -> PlayRecord | str:
    """A PlayRecord for a good row, else a skip reason code from SKIP_REASONS."""
    return parser_for(format)(row)


def parser_for(format: str) -> Parser:
    """The row parser of one export format, for loops that parse many rows of it."""
    try:
        return _PARSERS[format]
    except KeyError:
        raise ValueError(f"unknown export format {format!r}") from None


def row_type_for(format: str) -> type[msgspec.Struct] | None:
    """The struct the rows of one of Spotify's formats are decoded into (None for the others,
    whose rows come as they are read)."""
    return _ROW_TYPES.get(format)


def as_row(value: object, row_type: type[msgspec.Struct]) -> object:
    """A JSON object (dict) as `row_type`; anything else as it is (the parser will skip it)."""
    return msgspec.convert(value, row_type) if type(value) is dict else value


def parse_extended_row(row: object) -> PlayRecord | str:
    """A row of endsong_*.json / Streaming_History_Audio_*.json / Streaming_History_Video_*.json."""
    if type(row) is not ExtendedRow:
        if type(row) is not dict:
            return "not_an_object"
        row = as_row(row, ExtendedRow)
    played_at = _utc_time(row.ts)
    if type(played_at) is str:
        return played_at
    ms_played = _ms_played(row.ms_played)
    if ms_played is _BAD:
        return "bad_ms_played"

    artist_names: tuple[str, ...] = ()
    album_name = show_name = show_id = duration_ms = None
    track_name = _name(row.master_metadata_track_name)
    track_uri = row.spotify_track_uri
    if track_name or (type(track_uri) is str and track_uri.startswith(_LOCAL_PREFIX)):
        track = _extended_track(row, track_name, track_uri)
        if type(track) is str:
            return track
        kind = "track"
        item_name, item_uri, artist_names, album_name, duration_ms = track
    elif item_name := _name(row.episode_name):
        kind = "episode"
        item_uri = _uri(row.spotify_episode_uri, _EPISODE_PREFIX)
        show_name = _name(row.episode_show_name)
    elif item_name := _name(row.audiobook_chapter_title):
        kind = "chapter"
        item_uri = _chapter_uri(row.audiobook_chapter_uri)
        show_name = _name(row.audiobook_title)
        show_id = _audiobook_id(row.audiobook_uri)
    else:
        return "missing_name"
    return PlayRecord(
        played_at=played_at,
        source=EXTENDED,
        kind=kind,
        item_name=item_name,
        item_uri=item_uri,
        artist_names=artist_names,
        album_name=album_name,
        show_name=show_name,
        show_id=show_id,
        duration_ms=duration_ms,
        ms_played=ms_played,
        platform=_text(row.platform, PLATFORM_LENGTH),
        country=_text(row.conn_country, COUNTRY_LENGTH),
        reason_start=_text(row.reason_start, REASON_LENGTH),
        reason_end=_text(row.reason_end, REASON_LENGTH),
        shuffle=_flag(row.shuffle),
        skipped=_flag(row.skipped),
        offline=_flag(row.offline),
        incognito=_flag(row.incognito_mode),
    )


def parse_account_data_row(row: object) -> PlayRecord | str:
    """A row of StreamingHistory*.json (music, podcast or audiobook), minute precision, no URIs."""
    if type(row) is not AccountDataRow:
        if type(row) is not dict:
            return "not_an_object"
        row = as_row(row, AccountDataRow)
    played_at = _utc_time(row.endTime)
    if type(played_at) is str:
        return played_at
    ms_played = _ms_played(row.msPlayed)
    if ms_played is _BAD:
        return "bad_ms_played"

    artist_names: tuple[str, ...] = ()
    show_name = None
    if item_name := _name(row.trackName):
        kind = "track"
        artist = _name(row.artistName)
        if not artist:
            return "missing_artist"
        artist_names = (artist,)
    elif item_name := _name(row.episodeName):
        kind = "episode"
        show_name = _name(row.podcastName)
    elif item_name := _name(row.chapterName):
        kind = "chapter"
        show_name = _name(row.audiobookName)
    else:
        return "missing_name"
    return PlayRecord(
        played_at=played_at,
        source=ACCOUNT_DATA,
        kind=kind,
        item_name=item_name,
        artist_names=artist_names,
        show_name=show_name,
        ms_played=ms_played,
    )


_PARSERS: dict[str, Parser] = {
    EXTENDED: parse_extended_row,
    ACCOUNT_DATA: parse_account_data_row,
    **FOREIGN_PARSERS,  # other services' formats and this service's own (imports.foreign)
}
_ROW_TYPES = {EXTENDED: ExtendedRow, ACCOUNT_DATA: AccountDataRow}
SPOTIFY_FORMATS = frozenset(_ROW_TYPES)


def _extended_track(
    row: ExtendedRow, track_name: str | None, track_uri: object
) -> tuple[str, str | None, tuple[str, ...], str | None, int | None] | str:
    """(name, uri, artists, album, duration_ms) of a track row, or a skip reason.

    Local files (`spotify:local:...`) have no Spotify URI; their names are in the row or, failing
    that, in the local URI itself.
    """
    artist = _name(row.master_metadata_album_artist_name)
    album = _name(row.master_metadata_album_album_name)
    item_uri = _uri(track_uri, _TRACK_PREFIX)
    duration_ms = None
    if item_uri is None and type(track_uri) is str and track_uri.startswith(_LOCAL_PREFIX):
        local_artist, local_album, local_title, duration_ms = _local_file(track_uri)
        track_name = track_name or local_title
        artist = artist or local_artist
        album = album or local_album
    if not track_name:
        return "missing_name"
    if item_uri is None and not artist:
        return "missing_artist"
    return track_name, item_uri, (artist,) if artist else (), album, duration_ms


def _local_file(uri: str) -> tuple[str | None, str | None, str | None, int | None]:
    """`spotify:local:<artist>:<album>:<title>:<seconds>`, each part URL-encoded with `+`."""
    parts = uri[len(_LOCAL_PREFIX) :].split(":")
    parts += [""] * (4 - len(parts))
    artist, album, title, seconds = (unquote_plus(part) for part in parts[:4])
    duration_ms = int(seconds) * 1000 if seconds.isdigit() else None
    return _name(artist), _name(album), _name(title), duration_ms


PLAUSIBLE_FROM = datetime(2000, 1, 1, tzinfo=UTC)
PLAUSIBLE_UNTIL = datetime(2100, 1, 1, tzinfo=UTC)


def _utc_time(value: object) -> datetime | str:
    """An aware UTC datetime, or a skip reason.

    Extended rows say `"2019-07-21T12:00:00Z"` (fractions and `+00:00` are accepted too);
    account-data rows say `"2024-05-06 18:43"`, which is UTC with no zone marker.
    """
    if not value:
        return "missing_timestamp"
    if type(value) is not str:
        return "bad_timestamp"
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        elif moment.tzinfo is not UTC:
            moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return "bad_timestamp"
    # Spotify began in 2008: anything far outside its lifetime is a damaged row, not a play.
    if not PLAUSIBLE_FROM <= moment < PLAUSIBLE_UNTIL:
        return "bad_timestamp"
    return moment


def _ms_played(value: object) -> object:
    if value is None:
        return None
    if type(value) is int and 0 <= value <= MAX_MS_PLAYED:
        return value
    return _BAD


def _uri(value: object, prefix: str) -> str | None:
    if type(value) is not str or not value.startswith(prefix):
        return None
    return value if spotify_id(value[len(prefix) :]) else None


def _chapter_uri(value: object) -> str | None:
    """Exports name chapters `spotify:episode:<id>` (as the Web API does); accept `chapter` too."""
    parsed = spotify_uri_parts(value)
    return value if parsed and parsed[0] in ("episode", "chapter") else None


def _audiobook_id(value: object) -> str | None:
    """Exports name audiobooks `spotify:show:<id>`; accept `spotify:audiobook:<id>` too."""
    parsed = spotify_uri_parts(value)
    return parsed[1] if parsed and parsed[0] in ("show", "audiobook") else None
