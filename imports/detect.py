"""Telling an upload's format from its content: which service wrote it, and how it is laid out.

Pure decisions on what was peeked at (the first bytes, the first row, the top-level keys);
`imports.exports` does the peeking. Spotify's own files are still told by their names first
(`imports.exports.history_format`), as before other services were read.
"""

from __future__ import annotations

import csv
import io

import ijson

from imports.errors import ImportRejected
from imports.foreign import (
    HISTORY_JSON,
    LASTFM_CSV,
    LASTFM_JSON,
    LISTENBRAINZ,
    MALOJA,
    parse_lastfm_csv_row,
)
from imports.formats import ACCOUNT_DATA, EXTENDED
from imports.readers import wrong_columns
from imports.row_values import RowRefused

# How a file's rows are laid out (`imports.exports.Export.rows` reads each its way).
JSON_ARRAY = "json_array"  # one JSON list of rows (Spotify's files, old ListenBrainz exports)
JSON_LINES = "json_lines"  # one JSON object per line (ListenBrainz)
HISTORY_LINES = "history_lines"  # this service's json: a header line, then plays
CSV_ROWS = "csv"  # Last.fm's 4-column CSV
LASTFM_PAGE = "lastfm_page"  # one user.getRecentTracks answer: {"recenttracks": {"track": [...]}}
LASTFM_PAGES = "lastfm_pages"  # a JSON list of such answers
MALOJA_OBJECT = "maloja_object"  # {"maloja": {...}, "scrobbles": [...]}

LASTFM_CSV_COLUMNS = 4
OTHER_SERVICES = "an export of ListenBrainz, Last.fm or Maloja, or this service's own json export"


def first_row_format(row: object) -> tuple[str, str] | None:
    """(format, layout) of a JSON list whose first row is `row`, or None."""
    if not isinstance(row, dict):
        return None
    if "ts" in row and "ms_played" in row:
        return EXTENDED, JSON_ARRAY
    if "endTime" in row and "msPlayed" in row:
        return ACCOUNT_DATA, JSON_ARRAY
    if "listened_at" in row and "track_metadata" in row:
        return LISTENBRAINZ, JSON_ARRAY
    if "recenttracks" in row:
        return LASTFM_JSON, LASTFM_PAGES
    if "name" in row and "artist" in row and ("date" in row or "@attr" in row):
        return LASTFM_JSON, JSON_ARRAY
    if "time" in row and isinstance(row.get("track"), dict):
        return MALOJA, JSON_ARRAY
    return None


def first_line_format(value: object) -> tuple[str, str] | None:
    """(format, layout) of a JSON Lines file whose first line is `value`, or None."""
    if not isinstance(value, dict):
        return None
    if value.get("type") == "header" and "format" in value:
        return HISTORY_JSON, HISTORY_LINES
    if "listened_at" in value and "track_metadata" in value:
        return LISTENBRAINZ, JSON_LINES
    return None


def object_format(head: bytes) -> tuple[str, str] | None:
    """(format, layout) of a JSON document holding one object, from its first top-level keys."""
    for key in _top_level_keys(head):
        if key in ("scrobbles", "maloja"):
            return MALOJA, MALOJA_OBJECT
        if key == "recenttracks":
            return LASTFM_JSON, LASTFM_PAGE
    return None


def _top_level_keys(head: bytes):
    try:
        for prefix, event, value in ijson.parse(io.BytesIO(head)):
            if prefix == "" and event == "map_key":
                yield value
    except (ijson.JSONError, UnicodeDecodeError):
        return  # the head ends inside the document, or it is broken: what was read decides


def csv_format(first_line: str, name: str, *, named_csv: bool) -> tuple[str, str] | None:
    """(format, layout) of a text file whose first line is `first_line`, or None if it isn't a
    Last.fm CSV and doesn't claim to be a CSV. A file named .csv (or whose first line has the
    four columns) with the wrong columns or date is refused, saying what a Last.fm CSV holds."""
    try:
        row = next(csv.reader([first_line]), [])
    except csv.Error:
        row = []
    if len(row) == LASTFM_CSV_COLUMNS:
        try:
            parse_lastfm_csv_row(row)
        except RowRefused as refusal:
            raise ImportRejected(
                "wrong_columns",
                f"Line 1 of {name} {refusal.reason}: a Last.fm scrobble CSV has 4 columns and no "
                "header: artist, album, track and the date (like 31 Jan 2020 12:34).",
                member=name,
            ) from None
        return LASTFM_CSV, CSV_ROWS
    if named_csv:
        raise wrong_columns(name, 1, row, LASTFM_CSV_COLUMNS)
    return None
