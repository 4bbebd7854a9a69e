"""Turning one row of another service's export (or of this service's own) into a `PlayRecord`.

The formats and every field they carry are in docs/imports.md. Like `imports.formats`, nothing here
raises on an odd row: a row is a play or one of the `SKIP_REASONS`. The exception is a row that
shows the whole file can't be trusted (a date before 2000 or in the future, a date that can't be
read, a source this service doesn't know in its own format): that raises `RowRefused`, which the
importer turns into a refusal of the file naming the row, before anything is stored.

Last.fm, ListenBrainz and Maloja record when a play **started**. This service stores when a play
ended, so a play of known duration is stored at start + duration with `ms_played` set to that
duration, and one of unknown duration at its start with `ms_played` unknown; `plays.dedupe`
knows which sources those are and compares them with Spotify's plays accordingly. Plays name no
Spotify id (except ListenBrainz listens that came from Spotify): their tracks are matched to known
ones by artist and title in `plays.catalogue`, like account-data rows, or kept as local items.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from imports.export_formats import HISTORY_FORMAT, HISTORY_VERSION
from imports.row_values import (
    CONTEXT_TYPE_LENGTH,
    CONTEXT_URI_LENGTH,
    COUNTRY_LENGTH,
    MAX_MS_PLAYED,
    PLATFORM_LENGTH,
    REASON_LENGTH,
    RowRefused,
    check_play_time,
    clean_name,
    clean_text,
    flag,
    spotify_id,
    spotify_uri_parts,
)
from plays.models import Item, Play
from plays.records import PlayRecord

HISTORY_JSON = "history_json"  # this service's own `json` export
LISTENBRAINZ = "listenbrainz"
LASTFM_CSV = "lastfm_csv"
LASTFM_JSON = "lastfm_json"
MALOJA = "maloja"

FOREIGN_SKIP_REASONS = {
    "now_playing": (
        "were tracks Last.fm showed as playing when the page was saved (they have no date)"
    ),
}

_KINDS = frozenset(Item.Kind.values)
_SOURCES = frozenset(Play.Source.values)
_OPEN_SPOTIFY = re.compile(
    r"^https?://open\.spotify\.com/(?:intl-[a-z-]+/)?"
    r"(track|episode|chapter|album|artist|show|audiobook)/([A-Za-z0-9]+)"
)
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_LASTFM_DATE = re.compile(
    r"^\s*(\d{1,2})\s+([A-Za-z]{3,9})\s+(\d{4}),?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$"
)


def now() -> datetime:
    return datetime.now(UTC)


# --- this service's own json -------------------------------------------------------------------


def check_history_header(row: object) -> None:
    """Refuses a file whose first line is not the header of a `json` export this service reads."""
    if not isinstance(row, dict) or row.get("format") != HISTORY_FORMAT:
        raise RowRefused("not_a_history_export", "is not the header of this service's json export")
    version = row.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version > HISTORY_VERSION:
        raise RowRefused(
            "unsupported_version",
            f"says it is version {version!r} of this service's json export, and this server "
            f"reads version {HISTORY_VERSION} at most: export it again from this server's version",
        )


def parse_history_row(row: object) -> PlayRecord | str:
    """A `"type": "play"` line of this service's `json` export: every field back as it was."""
    if type(row) is not dict:
        return "not_an_object"
    played_at = _iso_time(row.get("played_at"))
    if played_at is None:
        return "missing_timestamp"
    source = row.get("source")
    if source not in _SOURCES:
        raise RowRefused(
            "unknown_source",
            f"names the source {str(source)[:40]!r}, which this service doesn't store "
            f"(it knows {', '.join(sorted(_SOURCES))})",
        )
    if source == Play.Source.API:
        # An upload is never Spotify's API, whatever its file says: a polled play comes back as
        # an export play (the same end time, Spotify's own data), so its names count as the
        # uploader's and never replace what the API named for everyone (docs/security.md).
        source = Play.Source.EXTENDED
    item = row.get("item")
    if type(item) is not dict:
        return "missing_name"
    kind = item.get("kind")
    if kind not in _KINDS:
        raise RowRefused("unknown_kind", f"names the item kind {str(kind)[:40]!r}")
    name = clean_name(item.get("name"))
    if not name:
        return "missing_name"
    ms_played = row.get("ms_played")
    if ms_played is not None and not _is_count(ms_played, MAX_MS_PLAYED):
        return "bad_ms_played"
    uri = item.get("uri") if spotify_uri_parts(item.get("uri")) else None
    artists = [
        a for a in _list(item.get("artists")) if type(a) is dict and clean_name(a.get("name"))
    ]
    album = item.get("album") if type(item.get("album")) is dict else {}
    show = item.get("show") if type(item.get("show")) is dict else {}
    if kind == Item.Kind.TRACK and uri is None and not artists:
        return "missing_artist"
    return PlayRecord(
        played_at=played_at,
        source=source,
        kind=kind,
        item_name=name,
        item_uri=uri,
        artist_names=tuple(clean_name(a["name"]) for a in artists),
        artist_ids=tuple(spotify_id(a.get("spotify_id")) for a in artists),
        album_name=clean_name(album.get("name")),
        album_id=spotify_id(album.get("spotify_id")),
        album_type=clean_text(album.get("album_type"), 32),
        release_date=clean_text(album.get("release_date"), 10),
        show_name=clean_name(show.get("name")),
        show_id=spotify_id(show.get("spotify_id")),
        duration_ms=item.get("duration_ms")
        if _is_count(item.get("duration_ms"), MAX_MS_PLAYED)
        else None,
        ms_played=ms_played,
        context_uri=clean_text(row.get("context_uri"), CONTEXT_URI_LENGTH),
        context_type=clean_text(row.get("context_type"), CONTEXT_TYPE_LENGTH),
        platform=clean_text(row.get("platform"), PLATFORM_LENGTH),
        country=clean_text(row.get("country"), COUNTRY_LENGTH),
        reason_start=clean_text(row.get("reason_start"), REASON_LENGTH),
        reason_end=clean_text(row.get("reason_end"), REASON_LENGTH),
        shuffle=flag(row.get("shuffle")),
        skipped=flag(row.get("skipped")),
        offline=flag(row.get("offline")),
        incognito=flag(row.get("incognito")),
    )


# --- ListenBrainz ------------------------------------------------------------------------------


def parse_listenbrainz_row(row: object) -> PlayRecord | str:
    """A listen of a ListenBrainz export (JSON Lines, or the older single JSON list)."""
    if type(row) is not dict:
        return "not_an_object"
    listened_at = row.get("listened_at")
    if listened_at is None or listened_at == "":
        return "missing_timestamp"
    started = _unix_time(listened_at)
    metadata = row.get("track_metadata")
    if type(metadata) is not dict:
        return "missing_name"
    info = metadata.get("additional_info")
    info = info if type(info) is dict else {}
    name = clean_name(metadata.get("track_name"))
    if not name:
        return "missing_name"
    reference = _spotify_reference(info.get("spotify_id")) or _spotify_reference(
        info.get("origin_url")
    )
    kind = info.get("item_kind")
    if kind not in _KINDS:
        kind = Item.Kind.EPISODE if reference and reference[0] == "episode" else Item.Kind.TRACK
    uri = None
    if reference and reference[0] in ("track", "episode", "chapter", None):
        uri_kind = reference[0] or ("track" if kind == Item.Kind.TRACK else "episode")
        uri = f"spotify:{uri_kind}:{reference[1]}"
    artist = clean_name(metadata.get("artist_name"))
    names = [n for n in map(clean_name, _list(info.get("artist_names"))) if n] or (
        [artist] if artist else []
    )
    track_length = _milliseconds(info.get("duration_ms"), 1) or _milliseconds(
        info.get("duration"), 1000
    )
    played = _milliseconds(info.get("ms_played"), 1)
    span = played if played is not None else track_length
    artist_names, artist_ids, album_name, album_id, show_name = (), (), None, None, None
    if kind == Item.Kind.TRACK:
        if uri is None and not names:
            return "missing_artist"
        artist_names = tuple(names)
        ids = [_spotify_id(value, "artist") for value in _list(info.get("spotify_artist_ids"))]
        artist_ids = tuple(ids) if len(ids) == len(names) else ()
        album_name = clean_name(metadata.get("release_name"))
        album_id = _spotify_id(info.get("spotify_album_id"), "album")
    else:
        show_name = artist or clean_name(metadata.get("release_name"))
    return PlayRecord(
        played_at=_ended(started, span),
        source=Play.Source.LISTENBRAINZ,
        kind=kind,
        item_name=name,
        item_uri=uri,
        artist_names=artist_names,
        artist_ids=artist_ids,
        album_name=album_name,
        album_id=album_id,
        show_name=show_name,
        duration_ms=track_length,
        ms_played=span,
    )


# --- Last.fm -----------------------------------------------------------------------------------


def parse_lastfm_csv_row(row: object) -> PlayRecord | str:
    """A row of the 4-column Last.fm CSV: artist, album, track, `31 Jan 2020 12:34` (UTC)."""
    artist, album, track, date = row
    if not date.strip():
        return "missing_timestamp"
    started = _lastfm_date(date)
    return _scrobble(started, track, artist, album)


def parse_lastfm_json_row(row: object) -> PlayRecord | str:
    """A track of a Last.fm `user.getRecentTracks` page (plain or `extended=1`)."""
    if type(row) is not dict:
        return "not_an_object"
    attributes = row.get("@attr")
    if type(attributes) is dict and str(attributes.get("nowplaying")).lower() == "true":
        return "now_playing"
    date = row.get("date")
    seconds = date.get("uts") if type(date) is dict else None
    if seconds is None or seconds == "":
        return "missing_timestamp"
    return _scrobble(
        _unix_time(seconds), row.get("name"), _lastfm_text(row.get("artist")), row.get("album")
    )


def _scrobble(started, track, artist, album) -> PlayRecord | str:
    name = clean_name(track)
    if not name:
        return "missing_name"
    artist = clean_name(artist)
    if not artist:
        return "missing_artist"
    return PlayRecord(
        played_at=started,  # Last.fm gives no duration: stored at the start (plays.dedupe)
        source=Play.Source.LASTFM,
        kind=Item.Kind.TRACK,
        item_name=name,
        artist_names=(artist,),
        album_name=clean_name(_lastfm_text(album)),
    )


def _lastfm_text(value: object) -> object:
    """Last.fm's `{"#text": ...}` objects (`{"name": ...}` with extended=1), or a plain string."""
    if type(value) is dict:
        return value.get("#text") or value.get("name")
    return value


def _lastfm_date(text: str) -> datetime:
    match = _LASTFM_DATE.match(text)
    month = _MONTHS.get(match[2][:3].lower()) if match else None
    if month is None:
        raise RowRefused(
            "bad_date", f"has the date {text[:40]!r}, which is not a date like 31 Jan 2020 12:34"
        )
    try:
        moment = datetime(
            int(match[3]),
            month,
            int(match[1]),
            int(match[4]),
            int(match[5]),
            int(match[6] or 0),
            tzinfo=UTC,
        )
    except ValueError:
        raise RowRefused(
            "bad_date", f"has the date {text[:40]!r}, which is not a date like 31 Jan 2020 12:34"
        ) from None
    return check_play_time(moment, repr(text.strip()), now())


# --- Maloja ------------------------------------------------------------------------------------


def parse_maloja_row(row: object) -> PlayRecord | str:
    """A scrobble of a Maloja export's `scrobbles` list."""
    if type(row) is not dict:
        return "not_an_object"
    time = row.get("time")
    if time is None or time == "":
        return "missing_timestamp"
    started = _unix_time(time)
    track = row.get("track")
    if type(track) is not dict:
        return "missing_name"
    name = clean_name(track.get("title"))
    if not name:
        return "missing_name"
    artists = tuple(n for n in map(clean_name, _list(track.get("artists"))) if n)
    if not artists:
        return "missing_artist"
    album = track.get("album")
    if type(album) is dict:
        album = album.get("albumtitle") or album.get("name")
    length = _milliseconds(track.get("length"), 1000)
    played = _milliseconds(row.get("duration"), 1000)
    span = played if played is not None else length
    return PlayRecord(
        played_at=_ended(started, span),
        source=Play.Source.MALOJA,
        kind=Item.Kind.TRACK,
        item_name=name,
        artist_names=artists,
        album_name=clean_name(album),
        duration_ms=length,
        ms_played=span,
    )


FOREIGN_PARSERS: dict[str, Callable[[object], PlayRecord | str]] = {
    HISTORY_JSON: parse_history_row,
    LISTENBRAINZ: parse_listenbrainz_row,
    LASTFM_CSV: parse_lastfm_csv_row,
    LASTFM_JSON: parse_lastfm_json_row,
    MALOJA: parse_maloja_row,
}


# --- values ------------------------------------------------------------------------------------


def _ended(started: datetime, span_ms: int | None) -> datetime:
    return started if span_ms is None else started + timedelta(milliseconds=span_ms)


def _unix_time(value: object) -> datetime:
    """Unix seconds (a number, or digits in a string as Last.fm writes them) as a checked time."""
    seconds = value
    if type(value) is str:
        try:
            seconds = float(value) if "." in value else int(value)
        except ValueError:
            seconds = None
    if type(seconds) not in (int, float):
        raise RowRefused("bad_date", f"has the time {str(value)[:40]!r}, not a Unix time")
    try:
        moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=round(seconds * 1000))
    except (OverflowError, ValueError):
        raise RowRefused("bad_date", f"has the time {str(value)[:40]!r}, not a Unix time") from None
    return check_play_time(moment, repr(value), now())


def _iso_time(value: object) -> datetime | None:
    if value is None or value == "":
        return None
    if type(value) is not str:
        raise RowRefused("bad_date", f"has the time {str(value)[:40]!r}, not an ISO 8601 time")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise RowRefused("bad_date", f"has the time {value[:40]!r}, not an ISO 8601 time") from None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return check_play_time(moment, repr(value), now())


def _milliseconds(value: object, scale: int) -> int | None:
    """A non-negative duration in `scale` milliseconds (1: ms, 1000: seconds) as whole ms."""
    if type(value) not in (int, float) or value < 0:
        return None
    result = round(value * scale)
    return result if result <= MAX_MS_PLAYED else None


def _is_count(value: object, limit: int) -> bool:
    return type(value) is int and 0 <= value <= limit


def _list(value: object) -> list:
    return value if type(value) is list else []


def _spotify_reference(value: object) -> tuple[str | None, str] | None:
    """(kind, id) of an open.spotify.com link or a spotify: URI, (None, id) of a bare id."""
    if type(value) is not str:
        return None
    parsed = spotify_uri_parts(value)
    if parsed:
        return parsed
    match = _OPEN_SPOTIFY.match(value)
    if match:
        return (match[1], match[2]) if spotify_id(match[2]) else None
    return (None, value) if spotify_id(value) else None


def _spotify_id(value: object, kind: str) -> str | None:
    reference = _spotify_reference(value)
    if reference and reference[0] in (kind, None):
        return reference[1]
    return None
