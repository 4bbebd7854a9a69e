"""Small checks on single values of an uploaded row, shared by every format's parser.

Rows come from outside and any field may be missing, null or of the wrong type, so these never
raise on a bad value: they clean it or say it's unusable. `RowRefused` is the one exception: a row
whose value shows the whole file can't be trusted (a date in the future), which the importer turns
into a refusal naming the file and the row.
"""

import re
from datetime import UTC, datetime, timedelta

from plays.keys import parse_spotify_uri

# Longest values the plays tables hold (plays.models); longer ones are cut, not rejected.
NAME_LENGTH = 500
PLATFORM_LENGTH = 255
COUNTRY_LENGTH = 8
REASON_LENGTH = 32
CONTEXT_URI_LENGTH = 255
CONTEXT_TYPE_LENGTH = 32
MAX_MS_PLAYED = 2**31 - 1  # the column's limit, about 24.8 days
# A Spotify id is exactly 22 base-62 characters. Only such ids in an upload are taken as naming
# a Spotify item (a shared catalogue row); anything else is kept as the listener's own item.
SPOTIFY_ID = re.compile(r"[0-9A-Za-z]{22}")

# Other services' files: a play before this, or later than FUTURE_SLACK from now, refuses the file.
EARLIEST_PLAY = datetime(2000, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)


class RowRefused(Exception):
    """A row that makes the whole file unimportable; `reason` completes "row N of FILE ...".

    `code` is one of the refusal codes of docs/imports.md.
    """

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


def spotify_id(value: object) -> str | None:
    """`value` if it is a Spotify id (22 base-62 characters), else None."""
    return value if type(value) is str and SPOTIFY_ID.fullmatch(value) else None


def spotify_uri_parts(value: object) -> tuple[str, str] | None:
    """(kind, id) of a `spotify:<kind>:<id>` URI whose id is a real Spotify id, else None."""
    parsed = parse_spotify_uri(value) if type(value) is str else None
    return parsed if parsed and spotify_id(parsed[1]) else None


def clean_name(value: object) -> str | None:
    """A non-blank string cut to NAME_LENGTH, else None."""
    if type(value) is not str or not value or value.isspace():
        return None
    return value if len(value) <= NAME_LENGTH else value[:NAME_LENGTH]


def clean_text(value: object, length: int) -> str:
    """A string cut to `length`, else ""."""
    if type(value) is not str:
        return ""
    return value if len(value) <= length else value[:length]


def flag(value: object) -> bool | None:
    return value if type(value) is bool else None


def check_play_time(moment: datetime, shown: str, now: datetime) -> datetime:
    """`moment` if it is a plausible play time, else RowRefused saying why (`shown` is how the
    file wrote it)."""
    if moment < EARLIEST_PLAY:
        raise RowRefused(
            "date_out_of_range",
            f"is dated {shown} ({moment:%Y-%m-%d}), before 2000, which no streaming history "
            "reaches: fix or remove that row and upload the file again",
        )
    if moment > now + FUTURE_SLACK:
        raise RowRefused(
            "date_out_of_range",
            f"is dated {shown} ({moment:%Y-%m-%d}), in the future: the file's dates are wrong "
            "(fix or remove that row and upload the file again)",
        )
    return moment
