"""The history tools: questions about the listener's plays, answered by `plays.queries`."""

from __future__ import annotations

from mcp.tools.base import Tool
from mcp.tools.schemas import (
    ALBUM_ROW,
    ARTIST_ROW,
    BY_ARG,
    BY_NAMES,
    CHOICE_MAX,
    COMPARE_OUT,
    COVERAGE_OUT,
    DATE_MAX,
    DISCOVERIES_OUT,
    FORGOTTEN_OUT,
    HEARD_OUT,
    HEATMAP_OUT,
    ITEM_MAX,
    ITEM_OUT,
    NUMBER_ONES_OUT,
    PODCASTS_OUT,
    QUERY_MAX,
    RANK_HISTORY_OUT,
    RECENT_OUT,
    SEARCH_OUT,
    SESSIONS_OUT,
    STREAKS_OUT,
    SUMMARY_OUT,
    SYNC_OUT,
    TIMELINE_OUT,
    TIMEZONE_ARG,
    TRACK_ROW,
    WINDOW_ARGS,
    limit_arg,
    listing_out,
    tool_input,
)
from plays import queries
from plays.queries import Window


def _window(args, tz):
    return Window.parse(args.get("start"), args.get("end"), args.get("days"), tz=tz)


def _ranked_call(function):
    def run(listener, args, tz):
        return function(
            listener,
            window=_window(args, tz),
            limit=args.get("limit", 10),
            by=BY_NAMES[args.get("by", "plays")],
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
        "maxLength": DATE_MAX,
        "description": (
            f"First day of the {side} period: an ISO date '2023-03-01', month '2023-03', year "
            "'2023' (a bare number is read as that year) or datetime."
            if edge == "start"
            else f"Last day of the {side} period, included (same forms as {side}_start); leave "
            "out for up to now."
        ),
    }
    for side in ("first", "second")
    for edge in ("start", "end")
}

HISTORY_TOOLS = [
    Tool(
        name="recent_plays",
        title="Recent plays",
        summary="The listener's most recent plays, newest first, with artists, album (or show), "
        "milliseconds played and the source that recorded each (api, extended, account_data, "
        "or lastfm, listenbrainz, maloja for plays imported from those services).",
        input_schema=tool_input({**limit_arg(20, 200), **WINDOW_ARGS, **TIMEZONE_ARG}),
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
        input_schema=tool_input({**WINDOW_ARGS, **limit_arg(10, 100), **BY_ARG, **TIMEZONE_ARG}),
        output_schema=listing_out(ARTIST_ROW),
        run=_ranked_call(queries.top_artists),
    ),
    Tool(
        name="top_tracks",
        title="Top tracks",
        summary="The most played tracks in a window (all time if none), with their artists and "
        "album, ranked by plays or minutes.",
        input_schema=tool_input({**WINDOW_ARGS, **limit_arg(10, 100), **BY_ARG, **TIMEZONE_ARG}),
        output_schema=listing_out(TRACK_ROW),
        run=_ranked_call(queries.top_tracks),
    ),
    Tool(
        name="top_albums",
        title="Top albums",
        summary="The most played albums in a window (all time if none), with their artist, "
        "ranked by plays or minutes.",
        input_schema=tool_input({**WINDOW_ARGS, **limit_arg(10, 100), **BY_ARG, **TIMEZONE_ARG}),
        output_schema=listing_out(ALBUM_ROW),
        run=_ranked_call(queries.top_albums),
    ),
    Tool(
        name="listening_summary",
        title="Listening summary",
        summary="Totals for a window (all time if none): plays, minutes, unique tracks and "
        "artists, first and last play, top five artists and tracks, peak hour and weekday (in "
        "the time zone), repeat rate, and the share of skipped or short plays.",
        input_schema=tool_input({**WINDOW_ARGS, **TIMEZONE_ARG}),
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
        input_schema=tool_input(
            {
                **WINDOW_ARGS,
                "granularity": {
                    "type": "string",
                    "maxLength": CHOICE_MAX,
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
        input_schema=tool_input({**WINDOW_ARGS, **TIMEZONE_ARG}),
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
        input_schema=tool_input({**WINDOW_ARGS, **limit_arg(20, 100), **TIMEZONE_ARG}),
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
        input_schema=tool_input(
            {**_PERIOD_ARGS, **limit_arg(10, 50), **TIMEZONE_ARG},
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
        input_schema=tool_input(
            {
                "query": {
                    "type": "string",
                    "minLength": 2,
                    "maxLength": QUERY_MAX,
                    "description": f"Part of a name, from 2 to {QUERY_MAX} characters.",
                },
                **WINDOW_ARGS,
                **limit_arg(10, 50),
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
        input_schema=tool_input(
            {
                "item": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": ITEM_MAX,
                    "description": "A name, a Spotify id, a spotify: URI or an open.spotify.com "
                    "link.",
                },
                "kind": {
                    "type": "string",
                    "maxLength": CHOICE_MAX,
                    "enum": list(queries.ITEM_KINDS),
                    "description": "What the item is ("
                    + ", ".join(queries.ITEM_KINDS)
                    + "), when the name alone is ambiguous.",
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
        input_schema=tool_input({**WINDOW_ARGS, **limit_arg(10, 100), **TIMEZONE_ARG}),
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
        input_schema=tool_input({**TIMEZONE_ARG}),
        output_schema=SYNC_OUT,
        run=lambda listener, args, tz: queries.sync_status(listener, tz=tz),
    ),
]


def _rank_kind(what):
    return {
        "kind": {
            "type": "string",
            "maxLength": CHOICE_MAX,
            "enum": list(queries.RANK_KINDS),
            "description": f"What to {what}: artist (a track counts for its primary artist), "
            "track or album.",
        }
    }


def _granularity(choices, default="month"):
    return {
        "granularity": {
            "type": "string",
            "maxLength": CHOICE_MAX,
            "enum": list(choices),
            "default": default,
            "description": "Period: "
            + ", ".join(choices)
            + f" (default {default}), whole periods in the time zone (weeks from Monday).",
        }
    }


_ENTRY_TEXT = {"type": "string", "minLength": 1, "maxLength": queries.ENTRY_TEXT_MAX}
_ENTRIES = {
    "type": "array",
    "minItems": 1,
    "maxItems": queries.MAX_ENTRIES,
    "description": f"1 to {queries.MAX_ENTRIES} things to look for, each either "
    "{'spotify_id': id, URI or open.spotify.com link of a track, episode, artist, album or "
    "show} or {'artist': name, 'track': optional track name}.",
    "items": {
        "type": "object",
        "properties": {
            "spotify_id": {**_ENTRY_TEXT, "description": "A Spotify id, URI or link."},
            "artist": {**_ENTRY_TEXT, "description": "An artist's name."},
            "track": {**_ENTRY_TEXT, "description": "A track's name (with 'artist')."},
        },
        "additionalProperties": False,
    },
}
_ITEM_ARG = {
    "type": "string",
    "minLength": 1,
    "maxLength": ITEM_MAX,
    "description": "A name, a Spotify id, a spotify: URI or an open.spotify.com link.",
}

HISTORY_TOOLS += [
    Tool(
        name="listening_sessions",
        title="Listening sessions",
        summary="How the listener listens in one go, over a window (all time if none). A play "
        "starts at played_at minus ms_played (the item's duration when the source didn't say) "
        "and ends at played_at; plays of every kind, counted or not (short and skipped ones "
        "too), sorted by start, form one session while each starts at most gap_minutes after "
        "the latest end so far. A session lasts from its first start to its last end (real "
        "minutes, whatever the clocks do). Answers the number of sessions, total and average "
        "minutes, the longest sessions (start, end, plays, minutes, the primary artist with the "
        "most plays in it), and a histogram of session lengths.",
        input_schema=tool_input(
            {
                **WINDOW_ARGS,
                "gap_minutes": {
                    "type": "integer",
                    "minimum": queries.MIN_GAP_MINUTES,
                    "maximum": queries.MAX_GAP_MINUTES,
                    "default": 30,
                    "description": "The longest silence inside one session, in minutes "
                    f"({queries.MIN_GAP_MINUTES} to {queries.MAX_GAP_MINUTES}, default 30).",
                },
                **limit_arg(10, 100),
                **TIMEZONE_ARG,
            }
        ),
        output_schema=SESSIONS_OUT,
        counts_plays=False,
        run=lambda listener, args, tz: queries.listening_sessions(
            listener,
            _window(args, tz),
            gap_minutes=args.get("gap_minutes", 30),
            limit=args.get("limit", 10),
            tz=tz,
        ),
    ),
    Tool(
        name="listening_streaks",
        title="Listening streaks",
        summary="The longest runs of consecutive days (local dates in the time zone) with at "
        "least one counted play, overall or of one artist (primary artist of the track) or "
        "track, within a window (all time if none), longest first; and the current streak: the "
        "run that ends today or yesterday, when the window reaches today.",
        input_schema=tool_input(
            {
                **WINDOW_ARGS,
                "artist": {
                    **_ITEM_ARG,
                    "description": "Only plays of this artist: " + _ITEM_ARG["description"],
                },
                "track": {
                    **_ITEM_ARG,
                    "description": "Only plays of this track: " + _ITEM_ARG["description"],
                },
                **limit_arg(5, 50),
                **TIMEZONE_ARG,
            }
        ),
        output_schema=STREAKS_OUT,
        run=lambda listener, args, tz: queries.listening_streaks(
            listener,
            _window(args, tz),
            artist=args.get("artist"),
            track=args.get("track"),
            limit=args.get("limit", 5),
            tz=tz,
        ),
    ),
    Tool(
        name="rank_history",
        title="Rank over time",
        summary="Where one artist, track or album (by name, Spotify id, URI or link) ranked "
        "among the listener's counted plays in each month or year of the time zone: for each "
        "period the window touches (whole periods; all of the history if none), its rank by "
        "counted plays of tracks (ties share a rank: competition ranking, 1, 2, 2, 4), its "
        "plays, how many others tied, and how many items had plays; rank null when it had no "
        "play that period.",
        input_schema=tool_input(
            {
                **_rank_kind("follow"),
                "item": _ITEM_ARG,
                **WINDOW_ARGS,
                **_granularity(queries.RANK_GRANULARITIES),
                **TIMEZONE_ARG,
            },
            required=["kind", "item"],
        ),
        output_schema=RANK_HISTORY_OUT,
        run=lambda listener, args, tz: queries.rank_history(
            listener,
            args["kind"],
            args["item"],
            _window(args, tz),
            granularity=args.get("granularity", "month"),
            tz=tz,
        ),
    ),
    Tool(
        name="number_ones",
        title="Number ones",
        summary="The number-one artist, track or album (most counted plays of tracks) of each "
        "week (from Monday), month or year in the time zone, over the whole periods a window "
        "touches (all of the history if none); a tie goes to the first name alphabetically and "
        "lists the others in tied_with. Also which items were number one most often.",
        input_schema=tool_input(
            {
                **_rank_kind("rank"),
                **WINDOW_ARGS,
                **_granularity(queries.NUMBER_ONE_GRANULARITIES),
                **TIMEZONE_ARG,
            },
            required=["kind"],
        ),
        output_schema=NUMBER_ONES_OUT,
        run=lambda listener, args, tz: queries.number_ones(
            listener,
            args["kind"],
            _window(args, tz),
            granularity=args.get("granularity", "month"),
            tz=tz,
        ),
    ),
    Tool(
        name="forgotten_favorites",
        title="Forgotten favourites",
        summary="The artists and tracks with the most counted plays in a window ('then'; all "
        "time if none) that have no counted play at all in the last quiet_days days (default "
        "365), with their plays then, their last play ever and the days since.",
        input_schema=tool_input(
            {
                **WINDOW_ARGS,
                "quiet_days": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": queries.MAX_DAYS,
                    "default": 365,
                    "description": "How many days up to now must have no counted play of an "
                    "item for it to count as forgotten (default 365).",
                },
                **limit_arg(20, 100),
                **TIMEZONE_ARG,
            }
        ),
        output_schema=FORGOTTEN_OUT,
        run=lambda listener, args, tz: queries.forgotten_favorites(
            listener,
            _window(args, tz),
            quiet_days=args.get("quiet_days", 365),
            limit=args.get("limit", 20),
            tz=tz,
        ),
    ),
    Tool(
        name="heard_before",
        title="Have I heard these?",
        summary="For up to 100 entries (a Spotify id, URI or link; or an artist with an "
        "optional track name), in the order asked: heard (at least one counted play), the first "
        "and last play, and the counted plays. Names match by the strictest rule that finds "
        "something, named in 'match': exact (case and spacing ignored), accents (accents "
        "ignored too), suffixes (also ignoring 'feat. ...', '(Remastered ...)', '- Live ...' "
        "at the end); a track must be by the artist named (its primary artist), and rows "
        "matching equally are added up.",
        input_schema=tool_input({"entries": _ENTRIES, **TIMEZONE_ARG}, required=["entries"]),
        output_schema=HEARD_OUT,
        run=lambda listener, args, tz: queries.heard_before(listener, args["entries"], tz=tz),
    ),
    Tool(
        name="history_coverage",
        title="History coverage",
        summary="What the stored history holds month by month (months in the time zone): "
        "stored plays per source (short ones included), every month from the first play to the "
        "last, and the gaps: spans of at least min_gap_days days (default 14) with no play at "
        "all inside that range (from the last play before to the first after), so missing "
        "data can be named ('spring 2019 is missing').",
        input_schema=tool_input(
            {
                "min_gap_days": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": queries.MAX_DAYS,
                    "default": queries.MIN_GAP_DAYS,
                    "description": "The shortest silence reported as a gap, in days "
                    f"(default {queries.MIN_GAP_DAYS}).",
                },
                **TIMEZONE_ARG,
            }
        ),
        output_schema=COVERAGE_OUT,
        counts_plays=False,
        run=lambda listener, args, tz: queries.history_coverage(
            listener, min_gap_days=args.get("min_gap_days", queries.MIN_GAP_DAYS), tz=tz
        ),
    ),
]

# The original design's dotted names, for clients written against it.
HISTORY_ALIASES = {
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
