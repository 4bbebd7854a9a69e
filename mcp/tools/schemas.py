"""JSON Schemas of the tools: building blocks for arguments and answers, and the history answers."""

from __future__ import annotations

from plays import queries


def nullable(schema):
    """`schema` or null, spelled as two `anyOf` branches that each have one `type`.

    Not `"type": [X, "null"]`: that form is legal JSON Schema, but the MCP Inspector's schema lint
    warns about every `type` array, and clients that read `type` as a single string drop or refuse
    it. The description stays on the outside, where clients look for it.
    """
    inner = {key: value for key, value in schema.items() if key != "description"}
    wrapped = {"anyOf": [inner, {"type": "null"}]}
    if "description" in schema:
        wrapped["description"] = schema["description"]
    return wrapped


STR = {"type": "string"}
INT = {"type": "integer"}
NUM = {"type": "number"}
BOOL = {"type": "boolean"}
# The longest string each kind of argument may be. Every string argument of every tool has a
# maxLength (a test checks it), so no argument can be big enough to trouble a query: SQLite, for
# one, refuses a LIKE pattern over 50,000 bytes ("LIKE or GLOB pattern too complex").
DATE_MAX = 40  # '2024-03-01T18:00:00.000000+05:30' is 32
TIMEZONE_MAX = 64  # the longest IANA name is about 32
USER_ID_MAX = 255  # as a listener's Spotify user id on the pages
CHOICE_MAX = 16  # enums: 'plays', 'month', 'episode'
QUERY_MAX = 500  # search_history's query: part of a name
ITEM_MAX = 1000  # item_history's item: a whole name, a URI or an open.spotify.com link

TIME = nullable({"type": "string", "description": "ISO 8601 time in the answer's time zone."})
NAMES = {"type": "array", "items": {"type": "string"}}

WINDOW_ARGS = {
    "start": {
        "type": "string",
        "maxLength": DATE_MAX,
        "description": "First day of the window: an ISO date '2024-03-01', month '2024-03', year "
        "'2024' (a bare number such as 2024 is read as that year) or datetime "
        "'2024-03-01T18:00:00' (in the time zone). Leave out start, end and days for all time.",
    },
    "end": {
        "type": "string",
        "maxLength": DATE_MAX,
        "description": "Last day of the window, included (same forms as start). Leave out for "
        "up to now.",
    },
    "days": {
        "type": "integer",
        "minimum": 1,
        "maximum": queries.MAX_DAYS,
        "description": "The last N days up to now (or up to 'end'); instead of 'start'. A "
        "number; text such as '30' is read as that number.",
    },
}
TIMEZONE_ARG = {
    "timezone": {
        "type": "string",
        "maxLength": TIMEZONE_MAX,
        "description": "IANA time zone for dates, days and hours, e.g. 'Europe/Paris'. Default: "
        "the listener's own setting (UTC unless they changed it).",
    }
}
USER_ID_ARG = {
    "user_id": {
        "type": "string",
        "maxLength": USER_ID_MAX,
        "description": "Operator tokens only: the Spotify user id of the listener to ask about. "
        "A listener's own token always answers about that listener.",
    }
}


def limit_arg(default, most):
    return {
        "limit": {
            "type": "integer",
            "minimum": 1,
            "maximum": most,
            "default": default,
            "description": f"How many entries to return (1 to {most}, default {default}).",
        }
    }


# What to rank by: the number of plays, or the minutes listened ("minutes"; "time" is its older
# name, kept for clients written against it). Answers say "time" for both.
BY_NAMES = {"plays": "plays", "minutes": "time", "time": "time"}
BY_ARG = {
    "by": {
        "type": "string",
        "maxLength": CHOICE_MAX,
        "enum": list(BY_NAMES),
        "default": "plays",
        "description": "Rank by number of plays ('plays', the default) or by minutes listened "
        "('minutes', or 'time', which means the same).",
    }
}


def tool_input(properties, required=()):
    schema = {
        "type": "object",
        "properties": {**properties, **USER_ID_ARG},
        "additionalProperties": False,
    }
    if required:
        schema["required"] = list(required)
    return schema


def object_schema(properties, required=None):
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else list(required),
    }


WINDOW_OUT = object_schema({"start": TIME, "end": TIME, "all_time": {"type": "boolean"}})
COMMON_OUT = {"window": WINDOW_OUT, "time_zone": STR}
_RANKED = {
    "rank": INT,
    "name": STR,
    "spotify_id": nullable(STR),
    "plays": INT,
    "minutes": NUM,
}
ARTIST_ROW = object_schema(_RANKED)
TRACK_ROW = object_schema({**_RANKED, "artists": NAMES, "album": nullable(STR)})
ALBUM_ROW = object_schema({**_RANKED, "artists": NAMES})


def listing_out(row):
    return object_schema(
        {
            "items": {"type": "array", "items": row},
            "by": {
                "type": "string",
                "enum": ["plays", "time"],
                "description": "What the list is ranked by: plays, or time (minutes listened).",
            },
            **COMMON_OUT,
            "min_play_seconds": NUM,
        }
    )


RECENT_OUT = object_schema(
    {
        "items": {
            "type": "array",
            "items": object_schema(
                {
                    "played_at": STR,
                    "track": STR,
                    "kind": {"type": "string", "enum": ["track", "episode", "chapter"]},
                    "artists": NAMES,
                    "album": nullable(STR),
                    "show": nullable(STR),
                    "ms_played": nullable(INT),
                    "source": STR,
                    "spotify_id": nullable(STR),
                }
            ),
        },
        "count": INT,
        "time_zone": STR,
    }
)
SUMMARY_OUT = object_schema(
    {
        "plays": INT,
        "minutes": NUM,
        "track_plays": INT,
        "unique_tracks": INT,
        "unique_artists": INT,
        "first_play": TIME,
        "last_play": TIME,
        "top_artists": {"type": "array", "items": ARTIST_ROW},
        "top_tracks": {"type": "array", "items": TRACK_ROW},
        "peak_hour": nullable(
            {**object_schema({"hour": INT, "plays": INT}), "description": "Hour 0-23 in the zone."}
        ),
        "peak_weekday": nullable(object_schema({"weekday": STR, "plays": INT})),
        "repeat_rate": nullable(
            {
                "type": "number",
                "description": "Share of track plays that repeated a track already played in "
                "the window: 1 - unique_tracks / track_plays.",
            }
        ),
        "skipped_share": nullable(
            {
                "type": "number",
                "description": "Share of all stored plays in the window (short ones included) "
                "that were skipped or shorter than the minimum.",
            }
        ),
        **COMMON_OUT,
        "min_play_seconds": NUM,
    }
)
TIMELINE_OUT = object_schema(
    {
        "granularity": {"type": "string", "enum": list(queries.GRANULARITIES)},
        "buckets": {
            "type": "array",
            "items": object_schema(
                {
                    "start": {"type": "string", "description": "First day of the bucket."},
                    "plays": INT,
                    "minutes": NUM,
                }
            ),
        },
        "plays": INT,
        "minutes": NUM,
        **COMMON_OUT,
    }
)
HEATMAP_OUT = object_schema(
    {
        "cells": {
            "type": "array",
            "description": "Seven rows (Monday first) of 24 counts (hour 0 first).",
            "items": {"type": "array", "items": INT},
        },
        "weekdays": NAMES,
        "plays": INT,
        "peak": nullable(object_schema({"weekday": STR, "hour": INT, "plays": INT})),
        **COMMON_OUT,
    }
)
_FIRST = {"name": STR, "spotify_id": nullable(STR), "first_play": STR, "plays": INT}
DISCOVERIES_OUT = object_schema(
    {
        "new_artists": INT,
        "new_tracks": INT,
        "artists": {"type": "array", "items": object_schema(_FIRST)},
        "tracks": {"type": "array", "items": object_schema({**_FIRST, "artists": NAMES})},
        **COMMON_OUT,
    }
)
_PERIOD = object_schema(
    {
        "plays": INT,
        "minutes": NUM,
        "unique_tracks": INT,
        "unique_artists": INT,
        "window": WINDOW_OUT,
    }
)
_CHANGE_ROW = object_schema(
    {"name": STR, "first_plays": INT, "second_plays": INT, "change": INT},
)
_CHANGES = object_schema(
    {
        "grew": {"type": "array", "items": _CHANGE_ROW},
        "faded": {"type": "array", "items": _CHANGE_ROW},
    }
)
COMPARE_OUT = object_schema(
    {
        "first": _PERIOD,
        "second": _PERIOD,
        "change": object_schema(
            {"plays": INT, "minutes": NUM, "plays_percent": nullable(NUM)},
        ),
        "artists": _CHANGES,
        "tracks": _CHANGES,
        "time_zone": STR,
    }
)
_FOUND = {
    "name": STR,
    "spotify_id": nullable(STR),
    "plays": INT,
    "minutes": NUM,
    "first_play": STR,
    "last_play": STR,
}
SEARCH_OUT = object_schema(
    {
        "query": STR,
        "tracks": {
            "type": "array",
            "items": object_schema({**_FOUND, "artists": NAMES, "kind": STR}),
        },
        "artists": {"type": "array", "items": object_schema(_FOUND)},
        "albums": {"type": "array", "items": object_schema(_FOUND)},
        "shows": {"type": "array", "items": object_schema({**_FOUND, "kind": STR})},
        **COMMON_OUT,
    }
)
ITEM_OUT = object_schema(
    {
        "kind": {"type": "string", "enum": list(queries.ITEM_KINDS)},
        "name": STR,
        "artists": NAMES,
        "spotify_id": nullable(STR),
        "plays": INT,
        "minutes": NUM,
        "first_play": TIME,
        "last_play": TIME,
        "per_year": {
            "type": "array",
            "items": object_schema({"year": INT, "plays": INT, "minutes": NUM}),
        },
        "other_matches": {
            "type": "array",
            "items": object_schema({"kind": STR, "name": STR, "plays": INT}),
        },
        "time_zone": STR,
    },
    required=[
        "kind",
        "name",
        "spotify_id",
        "plays",
        "minutes",
        "first_play",
        "last_play",
        "per_year",
        "other_matches",
        "time_zone",
    ],
)
PODCASTS_OUT = object_schema(
    {
        "plays": INT,
        "minutes": NUM,
        "shows": {"type": "array", "items": object_schema({**_RANKED, "kind": STR})},
        "episodes": {
            "type": "array",
            "items": object_schema({**_RANKED, "kind": STR, "show": nullable(STR)}),
        },
        **COMMON_OUT,
        "min_play_seconds": NUM,
    }
)
SYNC_OUT = object_schema(
    {
        "listener": STR,
        "display_name": STR,
        "status": STR,
        "status_label": STR,
        "status_reason": STR,
        "needs_reauth": {"type": "boolean"},
        "polling": {"type": "boolean"},
        "plays": {"type": "integer", "description": "Stored plays, short ones included."},
        "first_play": TIME,
        "last_play": TIME,
        "coverage": {
            "type": "array",
            "items": object_schema(
                {
                    "source": STR,
                    "label": STR,
                    "plays": INT,
                    "first_play": TIME,
                    "last_play": TIME,
                }
            ),
        },
        "last_poll_at": TIME,
        "last_success_at": TIME,
        "next_poll_at": TIME,
        "rate_limited_until": TIME,
        "consecutive_failures": INT,
        "refresh_token_expires_at": TIME,
        "recent_imports": {
            "type": "array",
            "items": object_schema(
                {
                    "job_id": INT,
                    "file_name": STR,
                    "status": STR,
                    "format": STR,
                    "inserted": INT,
                    "duplicates": INT,
                    "earliest_play": TIME,
                    "latest_play": TIME,
                    "created_at": TIME,
                    "finished_at": TIME,
                    "error": nullable(STR),
                }
            ),
        },
        "time_zone": STR,
    }
)
_SESSION = object_schema(
    {"start": STR, "end": STR, "plays": INT, "minutes": NUM, "top_artist": nullable(STR)}
)
SESSIONS_OUT = object_schema(
    {
        "sessions": INT,
        "plays": {
            "type": "integer",
            "description": "Stored plays in the sessions, short ones too.",
        },
        "total_minutes": NUM,
        "average_minutes": nullable(NUM),
        "longest": {"type": "array", "items": _SESSION},
        "histogram": {
            "type": "array",
            "description": "Sessions by length: from_minutes included, to_minutes excluded "
            "(null: no upper end).",
            "items": object_schema(
                {"from_minutes": INT, "to_minutes": nullable(INT), "sessions": INT}
            ),
        },
        "gap_minutes": INT,
        **COMMON_OUT,
    }
)
_STREAK = object_schema(
    {
        "start": {"type": "string", "description": "First local date of the streak."},
        "end": {"type": "string", "description": "Last local date of the streak."},
        "days": INT,
    }
)
STREAKS_OUT = object_schema(
    {
        "longest": {"type": "array", "items": _STREAK},
        "current": nullable(_STREAK),
        "active_days": INT,
        "subject": nullable(
            object_schema(
                {
                    "kind": {"type": "string", "enum": ["artist", "track"]},
                    "name": STR,
                    "spotify_id": nullable(STR),
                }
            )
        ),
        **COMMON_OUT,
    }
)
RANK_HISTORY_OUT = object_schema(
    {
        "item": object_schema(
            {
                "kind": {"type": "string", "enum": list(queries.RANK_KINDS)},
                "name": STR,
                "spotify_id": nullable(STR),
                "artists": NAMES,
            }
        ),
        "granularity": {"type": "string", "enum": list(queries.RANK_GRANULARITIES)},
        "ranking": {
            "type": "string",
            "description": "'competition': items tied share a rank, and the next rank skips "
            "as many places (1, 2, 2, 4).",
        },
        "periods": {
            "type": "array",
            "items": object_schema(
                {
                    "period": STR,
                    "start": {"type": "string", "description": "First local day of the period."},
                    "rank": nullable(INT),
                    "plays": INT,
                    "tied": {"type": "integer", "description": "Other items with as many plays."},
                    "ranked": {"type": "integer", "description": "Items with a play that period."},
                }
            ),
        },
        "best_rank": nullable(INT),
        **COMMON_OUT,
    }
)
NUMBER_ONES_OUT = object_schema(
    {
        "kind": {"type": "string", "enum": list(queries.RANK_KINDS)},
        "granularity": {"type": "string", "enum": list(queries.NUMBER_ONE_GRANULARITIES)},
        "periods": {
            "type": "array",
            "items": object_schema(
                {
                    "period": STR,
                    "start": STR,
                    "name": STR,
                    "artists": NAMES,
                    "spotify_id": nullable(STR),
                    "plays": INT,
                    "tied_with": NAMES,
                }
            ),
        },
        "most_periods": {
            "type": "array",
            "items": object_schema({"name": STR, "periods": INT}),
        },
        **COMMON_OUT,
    }
)
_QUIET = {"last_play": STR, "days_quiet": INT}
FORGOTTEN_OUT = object_schema(
    {
        "artists": {"type": "array", "items": object_schema({**_RANKED, **_QUIET})},
        "tracks": {
            "type": "array",
            "items": object_schema({**_RANKED, **_QUIET, "artists": NAMES, "album": nullable(STR)}),
        },
        "forgotten_artists": INT,
        "forgotten_tracks": INT,
        "quiet_days": INT,
        "quiet_since": STR,
        **COMMON_OUT,
        "min_play_seconds": NUM,
    }
)
HEARD_OUT = object_schema(
    {
        "entries": {
            "type": "array",
            "items": object_schema(
                {
                    "index": {"type": "integer", "description": "Position in 'entries', from 0."},
                    "heard": BOOL,
                    "match": nullable(
                        {
                            "type": "string",
                            "enum": ["spotify_id", *queries.MATCH_RULES],
                            "description": "The rule that matched.",
                        }
                    ),
                    "kind": nullable(STR),
                    "name": nullable(STR),
                    "artists": NAMES,
                    "plays": INT,
                    "first_play": TIME,
                    "last_play": TIME,
                    "matched_rows": INT,
                }
            ),
        },
        "heard": INT,
        "asked": INT,
        "time_zone": STR,
    }
)
_GAP = object_schema({"start": STR, "end": STR, "days": NUM})
COVERAGE_OUT = object_schema(
    {
        "plays": {"type": "integer", "description": "Stored plays, short ones included."},
        "by_source": {"type": "object", "additionalProperties": INT},
        "first_play": TIME,
        "last_play": TIME,
        "months": {
            "type": "array",
            "items": object_schema(
                {
                    "month": STR,
                    "plays": INT,
                    "by_source": {"type": "object", "additionalProperties": INT},
                }
            ),
        },
        "empty_months": INT,
        "gaps": {"type": "array", "items": _GAP},
        "longest_gap": nullable(_GAP),
        "missing_days": NUM,
        "min_gap_days": INT,
        "time_zone": STR,
    }
)
