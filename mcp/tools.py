"""The MCP tools: names, descriptions, JSON Schemas, argument checks, and the calls behind them.

One registry serves every way in: `tools/list` and `tools/call` on `/mcp`, and the plain-HTTP
`GET /mcp/tools` and `POST /mcp/call` (which also accept the original design's dotted names, see
`ALIASES`). The protocol layer authenticates, picks the listener (removing an operator's
`user_id`), and hands the rest of the arguments to `call_tool`, which checks them against the
tool's input schema, turns windows and time zones into `plays.queries` terms, and returns either
the structured answer or one sentence saying what to change. The answers themselves all come
from `plays.queries`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings

from plays import queries
from plays.queries import QueryError, Window

ANNOTATIONS = {
    "readOnlyHint": True,
    "destructiveHint": False,
    "idempotentHint": True,
    "openWorldHint": False,
}


class UnknownTool(LookupError):
    def __init__(self, name):
        super().__init__(name)
        self.name = name

    def __str__(self):
        return f"Unknown tool {self.name!r}: call tools/list (or GET /mcp/tools) for the names."


@dataclass(frozen=True)
class ToolOutcome:
    """What a call produced: the structured answer, or a sentence saying what to change."""

    structured: dict | None = None
    error: str | None = None

    @property
    def is_error(self) -> bool:
        return self.error is not None


@dataclass(frozen=True)
class Tool:
    name: str
    title: str
    summary: str
    input_schema: dict
    output_schema: dict
    run: Callable = field(repr=False)
    annotations: dict = field(default_factory=lambda: {**ANNOTATIONS})

    @property
    def description(self) -> str:
        seconds = settings.MIN_PLAY_MS / 1000
        return (
            f"{self.summary} A play counts when it lasted at least {seconds:g} seconds "
            "(the server's MIN_PLAY_MS); shorter plays are left out unless stated."
        )

    def as_dict(self) -> dict:
        """The tool as `tools/list` and `GET /mcp/tools` show it."""
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "inputSchema": self.input_schema,
            "outputSchema": self.output_schema,
            "annotations": {"title": self.title, **self.annotations},
        }


# --- Schemas -------------------------------------------------------------------------------------


def _nullable(schema):
    kind = schema["type"]
    return {**schema, "type": [*kind, "null"] if isinstance(kind, list) else [kind, "null"]}


_STR = {"type": "string"}
_INT = {"type": "integer"}
_NUM = {"type": "number"}
_TIME = _nullable({"type": "string", "description": "ISO 8601 time in the answer's time zone."})
_NAMES = {"type": "array", "items": {"type": "string"}}

WINDOW_ARGS = {
    "start": {
        "type": "string",
        "description": "First day of the window: an ISO date '2024-03-01', month '2024-03', year "
        "'2024' or datetime '2024-03-01T18:00:00' (in the time zone). Leave out start, end and "
        "days for all time.",
    },
    "end": {
        "type": "string",
        "description": "Last day of the window, included (same forms as start). Leave out for "
        "up to now.",
    },
    "days": {
        "type": "integer",
        "minimum": 1,
        "maximum": queries.MAX_DAYS,
        "description": "The last N days up to now (or up to 'end'); instead of 'start'.",
    },
}
TIMEZONE_ARG = {
    "timezone": {
        "type": "string",
        "description": "IANA time zone for dates, days and hours, e.g. 'Europe/Paris'. Default: "
        "the listener's own setting (UTC unless they changed it).",
    }
}
USER_ID_ARG = {
    "user_id": {
        "type": "string",
        "description": "Operator tokens only: the Spotify user id of the listener to ask about. "
        "A listener's own token always answers about that listener.",
    }
}


def _limit(default, most):
    return {
        "limit": {
            "type": "integer",
            "minimum": 1,
            "maximum": most,
            "default": default,
            "description": f"How many entries to return (1 to {most}, default {default}).",
        }
    }


BY_ARG = {
    "by": {
        "type": "string",
        "enum": ["plays", "time"],
        "default": "plays",
        "description": "Rank by number of plays or by minutes listened.",
    }
}


def _input(properties, required=()):
    schema = {
        "type": "object",
        "properties": {**properties, **USER_ID_ARG},
        "additionalProperties": False,
    }
    if required:
        schema["required"] = list(required)
    return schema


def _object(properties, required=None):
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else list(required),
    }


WINDOW_OUT = _object({"start": _TIME, "end": _TIME, "all_time": {"type": "boolean"}})
_COMMON_OUT = {"window": WINDOW_OUT, "time_zone": _STR}
_RANKED = {
    "rank": _INT,
    "name": _STR,
    "spotify_id": _nullable(_STR),
    "plays": _INT,
    "minutes": _NUM,
}
ARTIST_ROW = _object(_RANKED)
TRACK_ROW = _object({**_RANKED, "artists": _NAMES, "album": _nullable(_STR)})
ALBUM_ROW = _object({**_RANKED, "artists": _NAMES})


def _listing_out(row):
    return _object(
        {
            "items": {"type": "array", "items": row},
            "by": {"type": "string", "enum": ["plays", "time"]},
            **_COMMON_OUT,
            "min_play_seconds": _NUM,
        }
    )


RECENT_OUT = _object(
    {
        "items": {
            "type": "array",
            "items": _object(
                {
                    "played_at": _STR,
                    "track": _STR,
                    "kind": {"type": "string", "enum": ["track", "episode", "chapter"]},
                    "artists": _NAMES,
                    "album": _nullable(_STR),
                    "show": _nullable(_STR),
                    "ms_played": _nullable(_INT),
                    "source": _STR,
                    "spotify_id": _nullable(_STR),
                }
            ),
        },
        "count": _INT,
        "time_zone": _STR,
    }
)
SUMMARY_OUT = _object(
    {
        "plays": _INT,
        "minutes": _NUM,
        "track_plays": _INT,
        "unique_tracks": _INT,
        "unique_artists": _INT,
        "first_play": _TIME,
        "last_play": _TIME,
        "top_artists": {"type": "array", "items": ARTIST_ROW},
        "top_tracks": {"type": "array", "items": TRACK_ROW},
        "peak_hour": _nullable(
            {**_object({"hour": _INT, "plays": _INT}), "description": "Hour 0-23 in the zone."}
        ),
        "peak_weekday": _nullable(_object({"weekday": _STR, "plays": _INT})),
        "repeat_rate": _nullable(
            {
                "type": "number",
                "description": "Share of track plays that repeated a track already played in "
                "the window: 1 - unique_tracks / track_plays.",
            }
        ),
        "skipped_share": _nullable(
            {
                "type": "number",
                "description": "Share of all stored plays in the window (short ones included) "
                "that were skipped or shorter than the minimum.",
            }
        ),
        **_COMMON_OUT,
        "min_play_seconds": _NUM,
    }
)
TIMELINE_OUT = _object(
    {
        "granularity": {"type": "string", "enum": list(queries.GRANULARITIES)},
        "buckets": {
            "type": "array",
            "items": _object(
                {
                    "start": {"type": "string", "description": "First day of the bucket."},
                    "plays": _INT,
                    "minutes": _NUM,
                }
            ),
        },
        "plays": _INT,
        "minutes": _NUM,
        **_COMMON_OUT,
    }
)
HEATMAP_OUT = _object(
    {
        "cells": {
            "type": "array",
            "description": "Seven rows (Monday first) of 24 counts (hour 0 first).",
            "items": {"type": "array", "items": _INT},
        },
        "weekdays": _NAMES,
        "plays": _INT,
        "peak": _nullable(_object({"weekday": _STR, "hour": _INT, "plays": _INT})),
        **_COMMON_OUT,
    }
)
_FIRST = {"name": _STR, "spotify_id": _nullable(_STR), "first_play": _STR, "plays": _INT}
DISCOVERIES_OUT = _object(
    {
        "new_artists": _INT,
        "new_tracks": _INT,
        "artists": {"type": "array", "items": _object(_FIRST)},
        "tracks": {"type": "array", "items": _object({**_FIRST, "artists": _NAMES})},
        **_COMMON_OUT,
    }
)
_PERIOD = _object(
    {
        "plays": _INT,
        "minutes": _NUM,
        "unique_tracks": _INT,
        "unique_artists": _INT,
        "window": WINDOW_OUT,
    }
)
_CHANGE_ROW = _object(
    {"name": _STR, "first_plays": _INT, "second_plays": _INT, "change": _INT},
)
_CHANGES = _object(
    {
        "grew": {"type": "array", "items": _CHANGE_ROW},
        "faded": {"type": "array", "items": _CHANGE_ROW},
    }
)
COMPARE_OUT = _object(
    {
        "first": _PERIOD,
        "second": _PERIOD,
        "change": _object(
            {"plays": _INT, "minutes": _NUM, "plays_percent": _nullable(_NUM)},
        ),
        "artists": _CHANGES,
        "tracks": _CHANGES,
        "time_zone": _STR,
    }
)
_FOUND = {
    "name": _STR,
    "spotify_id": _nullable(_STR),
    "plays": _INT,
    "minutes": _NUM,
    "first_play": _STR,
    "last_play": _STR,
}
SEARCH_OUT = _object(
    {
        "query": _STR,
        "tracks": {
            "type": "array",
            "items": _object({**_FOUND, "artists": _NAMES, "kind": _STR}),
        },
        "artists": {"type": "array", "items": _object(_FOUND)},
        "albums": {"type": "array", "items": _object(_FOUND)},
        "shows": {"type": "array", "items": _object({**_FOUND, "kind": _STR})},
        **_COMMON_OUT,
    }
)
ITEM_OUT = _object(
    {
        "kind": {"type": "string", "enum": list(queries.ITEM_KINDS)},
        "name": _STR,
        "artists": _NAMES,
        "spotify_id": _nullable(_STR),
        "plays": _INT,
        "minutes": _NUM,
        "first_play": _TIME,
        "last_play": _TIME,
        "per_year": {
            "type": "array",
            "items": _object({"year": _INT, "plays": _INT, "minutes": _NUM}),
        },
        "other_matches": {
            "type": "array",
            "items": _object({"kind": _STR, "name": _STR, "plays": _INT}),
        },
        "time_zone": _STR,
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
PODCASTS_OUT = _object(
    {
        "plays": _INT,
        "minutes": _NUM,
        "shows": {"type": "array", "items": _object({**_RANKED, "kind": _STR})},
        "episodes": {
            "type": "array",
            "items": _object({**_RANKED, "kind": _STR, "show": _nullable(_STR)}),
        },
        **_COMMON_OUT,
        "min_play_seconds": _NUM,
    }
)
SYNC_OUT = _object(
    {
        "listener": _STR,
        "display_name": _STR,
        "status": _STR,
        "status_label": _STR,
        "status_reason": _STR,
        "needs_reauth": {"type": "boolean"},
        "polling": {"type": "boolean"},
        "plays": {"type": "integer", "description": "Stored plays, short ones included."},
        "first_play": _TIME,
        "last_play": _TIME,
        "coverage": {
            "type": "array",
            "items": _object(
                {
                    "source": _STR,
                    "label": _STR,
                    "plays": _INT,
                    "first_play": _TIME,
                    "last_play": _TIME,
                }
            ),
        },
        "last_poll_at": _TIME,
        "last_success_at": _TIME,
        "next_poll_at": _TIME,
        "rate_limited_until": _TIME,
        "consecutive_failures": _INT,
        "refresh_token_expires_at": _TIME,
        "recent_imports": {
            "type": "array",
            "items": _object(
                {
                    "job_id": _INT,
                    "file_name": _STR,
                    "status": _STR,
                    "format": _STR,
                    "inserted": _INT,
                    "duplicates": _INT,
                    "earliest_play": _TIME,
                    "latest_play": _TIME,
                    "created_at": _TIME,
                    "finished_at": _TIME,
                    "error": _nullable(_STR),
                }
            ),
        },
        "time_zone": _STR,
    }
)


# --- Calls ---------------------------------------------------------------------------------------


def _window(args, tz):
    return Window.parse(args.get("start"), args.get("end"), args.get("days"), tz=tz)


def _ranked_call(function):
    def run(listener, args, tz):
        return function(
            listener,
            window=_window(args, tz),
            limit=args.get("limit", 10),
            by=args.get("by", "plays"),
            tz=tz,
        )

    return run


def _compare(listener, args, tz):
    first = Window.parse(args.get("first_start"), args.get("first_end"), tz=tz)
    second = Window.parse(args.get("second_start"), args.get("second_end"), tz=tz)
    return queries.compare_periods(
        listener, first=first, second=second, limit=args.get("limit", 10), tz=tz
    )


_PERIOD_ARGS = {
    f"{side}_{edge}": {
        "type": "string",
        "description": f"{'First' if edge == 'start' else 'Last'} day of the {side} period "
        "(ISO date, month, year or datetime; the end is included"
        + ("; leave out for up to now" if edge == "end" else "")
        + ").",
    }
    for side in ("first", "second")
    for edge in ("start", "end")
}

TOOLS = [
    Tool(
        name="recent_plays",
        title="Recent plays",
        summary="The listener's most recent plays, newest first, with artists, album (or show), "
        "milliseconds played and the source that recorded each (api, extended, account_data).",
        input_schema=_input({**_limit(20, 200), **WINDOW_ARGS, **TIMEZONE_ARG}),
        output_schema=RECENT_OUT,
        run=lambda listener, args, tz: queries.recent_plays(
            listener, limit=args.get("limit", 20), window=_window(args, tz), tz=tz
        ),
    ),
    Tool(
        name="top_artists",
        title="Top artists",
        summary="The most played artists in a window (all time if none), ranked by plays or "
        "minutes; a track counts for its primary (first credited) artist.",
        input_schema=_input({**WINDOW_ARGS, **_limit(10, 100), **BY_ARG, **TIMEZONE_ARG}),
        output_schema=_listing_out(ARTIST_ROW),
        run=_ranked_call(queries.top_artists),
    ),
    Tool(
        name="top_tracks",
        title="Top tracks",
        summary="The most played tracks in a window (all time if none), with their artists and "
        "album, ranked by plays or minutes.",
        input_schema=_input({**WINDOW_ARGS, **_limit(10, 100), **BY_ARG, **TIMEZONE_ARG}),
        output_schema=_listing_out(TRACK_ROW),
        run=_ranked_call(queries.top_tracks),
    ),
    Tool(
        name="top_albums",
        title="Top albums",
        summary="The most played albums in a window (all time if none), with their artist, "
        "ranked by plays or minutes.",
        input_schema=_input({**WINDOW_ARGS, **_limit(10, 100), **BY_ARG, **TIMEZONE_ARG}),
        output_schema=_listing_out(ALBUM_ROW),
        run=_ranked_call(queries.top_albums),
    ),
    Tool(
        name="listening_summary",
        title="Listening summary",
        summary="Totals for a window (all time if none): plays, minutes, unique tracks and "
        "artists, first and last play, top five artists and tracks, peak hour and weekday (in "
        "the time zone), repeat rate, and the share of skipped or short plays.",
        input_schema=_input({**WINDOW_ARGS, **TIMEZONE_ARG}),
        output_schema=SUMMARY_OUT,
        run=lambda listener, args, tz: queries.listening_summary(
            listener, window=_window(args, tz), tz=tz
        ),
    ),
    Tool(
        name="listening_timeline",
        title="Listening timeline",
        summary="Plays and minutes per day, week (Monday first), month or year in the time "
        "zone, with empty buckets included, over a window (all time if none).",
        input_schema=_input(
            {
                **WINDOW_ARGS,
                "granularity": {
                    "type": "string",
                    "enum": list(queries.GRANULARITIES),
                    "default": "month",
                    "description": "Bucket size: day, week, month (default) or year.",
                },
                **TIMEZONE_ARG,
            }
        ),
        output_schema=TIMELINE_OUT,
        run=lambda listener, args, tz: queries.listening_timeline(
            listener, window=_window(args, tz), granularity=args.get("granularity", "month"), tz=tz
        ),
    ),
    Tool(
        name="listening_heatmap",
        title="Listening heatmap",
        summary="Plays per weekday (Monday first) and hour of the day in the time zone, over a "
        "window (all time if none), with the busiest cell.",
        input_schema=_input({**WINDOW_ARGS, **TIMEZONE_ARG}),
        output_schema=HEATMAP_OUT,
        run=lambda listener, args, tz: queries.listening_heatmap(
            listener, window=_window(args, tz), tz=tz
        ),
    ),
    Tool(
        name="discoveries",
        title="Discoveries",
        summary="Artists and tracks first heard in a window (their first play ever falls in "
        "it), most played first, with the time of that first play and the counts of new ones.",
        input_schema=_input({**WINDOW_ARGS, **_limit(20, 100), **TIMEZONE_ARG}),
        output_schema=DISCOVERIES_OUT,
        run=lambda listener, args, tz: queries.discoveries(
            listener, window=_window(args, tz), limit=args.get("limit", 20), tz=tz
        ),
    ),
    Tool(
        name="compare_periods",
        title="Compare two periods",
        summary="Two periods side by side: plays, minutes, unique tracks and artists of each, "
        "the change, and the artists and tracks that grew or faded most from the first to "
        "the second.",
        input_schema=_input(
            {**_PERIOD_ARGS, **_limit(10, 50), **TIMEZONE_ARG},
            required=["first_start", "second_start"],
        ),
        output_schema=COMPARE_OUT,
        run=_compare,
    ),
    Tool(
        name="search_history",
        title="Search the history",
        summary="Tracks, artists, albums and podcast shows whose name contains the query "
        "(case-insensitive) that the listener played in a window (all time if none), with "
        "plays, minutes, first and last play.",
        input_schema=_input(
            {
                "query": {
                    "type": "string",
                    "minLength": 2,
                    "description": "Part of a name, at least two characters.",
                },
                **WINDOW_ARGS,
                **_limit(10, 50),
                **TIMEZONE_ARG,
            },
            required=["query"],
        ),
        output_schema=SEARCH_OUT,
        run=lambda listener, args, tz: queries.search_history(
            listener,
            query=args["query"],
            window=_window(args, tz),
            limit=args.get("limit", 10),
            tz=tz,
        ),
    ),
    Tool(
        name="item_history",
        title="History of one item",
        summary="One track, artist, album, podcast show or episode, named by its name, "
        "Spotify id, URI or open.spotify.com link: plays, minutes, first and last play, and "
        "plays per year (in the time zone). The most played match wins; others are listed.",
        input_schema=_input(
            {
                "item": {
                    "type": "string",
                    "minLength": 1,
                    "description": "A name, a Spotify id, a spotify: URI or an open.spotify.com "
                    "link.",
                },
                "kind": {
                    "type": "string",
                    "enum": list(queries.ITEM_KINDS),
                    "description": "What the item is, when the name alone is ambiguous.",
                },
                **TIMEZONE_ARG,
            },
            required=["item"],
        ),
        output_schema=ITEM_OUT,
        run=lambda listener, args, tz: queries.item_history(
            listener, item=args["item"], kind=args.get("kind"), tz=tz
        ),
    ),
    Tool(
        name="podcasts",
        title="Podcasts and audiobooks",
        summary="Top podcast shows and audiobooks, and top episodes and chapters, by minutes "
        "listened in a window (all time if none).",
        input_schema=_input({**WINDOW_ARGS, **_limit(10, 100), **TIMEZONE_ARG}),
        output_schema=PODCASTS_OUT,
        run=lambda listener, args, tz: queries.podcasts(
            listener, window=_window(args, tz), limit=args.get("limit", 10), tz=tz
        ),
    ),
    Tool(
        name="sync_status",
        title="Sync status",
        summary="How complete and fresh the history is: stored plays per source (API polling "
        "and each kind of export import) with first and last play, the last and next poll, "
        "whether the listener must log in again or is rate limited (until when), the "
        "refresh-token expiry and the recent import jobs. Counts here include short plays.",
        input_schema=_input({**TIMEZONE_ARG}),
        output_schema=SYNC_OUT,
        run=lambda listener, args, tz: queries.sync_status(listener, tz=tz),
    ),
]
TOOLS_BY_NAME = {tool.name: tool for tool in TOOLS}

# The original design's dotted names, for clients written against it.
ALIASES = {
    "history.recent_plays": "recent_plays",
    "history.recent": "recent_plays",
    "history.top_artists": "top_artists",
    "history.top_tracks": "top_tracks",
    "history.top_albums": "top_albums",
    "history.taste_summary": "listening_summary",
    "history.summary": "listening_summary",
    "history.listening_summary": "listening_summary",
    "history.timeline": "listening_timeline",
    "history.listening_timeline": "listening_timeline",
    "history.listening_heatmap": "listening_heatmap",
    "history.heatmap": "listening_heatmap",
    "history.discoveries": "discoveries",
    "history.compare_periods": "compare_periods",
    "history.search": "search_history",
    "history.search_history": "search_history",
    "history.item_history": "item_history",
    "history.podcasts": "podcasts",
    "history.coverage": "sync_status",
    "ops.sync_status": "sync_status",
}


def resolve_tool(name) -> Tool:
    """The tool called `name` or one of its aliases; UnknownTool otherwise."""
    if isinstance(name, str):
        tool = TOOLS_BY_NAME.get(name) or TOOLS_BY_NAME.get(ALIASES.get(name, ""))
        if tool is not None:
            return tool
    raise UnknownTool(name)


def call_tool(tool: Tool, arguments, listener) -> ToolOutcome:
    """Checks the arguments and answers; bad arguments give an error sentence, not an exception."""
    arguments = {} if arguments is None else arguments
    problem = check_arguments(tool, arguments)
    if problem:
        return ToolOutcome(error=problem)
    # A null optional argument means "the default", as if it were left out.
    args = {k: v for k, v in arguments.items() if k != "user_id" and v is not None}
    try:
        tz = queries.listener_tz(listener, args.get("timezone"))
        return ToolOutcome(structured=tool.run(listener, args, tz))
    except QueryError as error:
        return ToolOutcome(error=str(error))


# --- Argument checks (the small part of JSON Schema the tools use) --------------------------------

_TYPE_NAMES = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "an object",
    "array": "an array",
    "null": "null",
}


def check_arguments(tool: Tool, arguments) -> str | None:
    """None when the arguments fit the tool's input schema, else one sentence saying what to fix."""
    schema = tool.input_schema
    if not isinstance(arguments, dict):
        return f"{tool.name} takes its arguments as a JSON object."
    allowed = schema["properties"]
    for name in arguments:
        if name not in allowed:
            names = ", ".join(n for n in allowed if n != "user_id") or "no arguments"
            return f"{tool.name} has no argument {name!r}; it accepts: {names}."
    for name in schema.get("required", []):
        if arguments.get(name) is None:
            return f"{tool.name} needs the argument {name!r}: {allowed[name]['description']}"
    for name, value in arguments.items():
        if value is None and name not in schema.get("required", []):
            continue
        problem = schema_problem(allowed[name], value, name)
        if problem:
            return problem
    return None


def schema_problem(schema, value, path="value") -> str | None:
    """Why `value` doesn't fit `schema` (type, enum, minimum/maximum, minLength, object
    properties/required/additionalProperties, array items), or None."""
    kinds = schema.get("type")
    if kinds is not None:
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if not any(_is_type(value, kind) for kind in kinds):
            expected = " or ".join(_TYPE_NAMES[k] for k in kinds)
            return f"{path!r} must be {expected} (got {_shown(value)})."
    if value is None:
        return None
    if "enum" in schema and value not in schema["enum"]:
        options = ", ".join(repr(option) for option in schema["enum"])
        return f"{path!r} must be one of {options} (got {_shown(value)})."
    if isinstance(value, int | float) and not isinstance(value, bool):
        low, high = schema.get("minimum"), schema.get("maximum")
        if (low is not None and value < low) or (high is not None and value > high):
            return f"{path!r} must be from {low} to {high} (got {value})."
    if isinstance(value, str) and len(value.strip()) < schema.get("minLength", 0):
        return f"{path!r} must be at least {schema['minLength']} characters long."
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                return f"{path!r} lacks {name!r}."
        for name, item in value.items():
            if name in properties:
                problem = schema_problem(properties[name], item, f"{path}.{name}")
                if problem:
                    return problem
            elif schema.get("additionalProperties") is False:
                return f"{path!r} has an unexpected {name!r}."
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            problem = schema_problem(schema["items"], item, f"{path}[{index}]")
            if problem:
                return problem
    return None


def _is_type(value, kind):
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(
        value,
        {
            "string": str,
            "boolean": bool,
            "object": dict,
            "array": list,
            "null": type(None),
        }[kind],
    )


def _shown(value):
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
