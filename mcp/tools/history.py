"""The history tools: questions about the listener's plays, answered by `plays.queries`."""

from __future__ import annotations

from mcp.tools.base import Tool
from mcp.tools.schemas import (
    AFFINITY_OUT,
    ALBUM_ROW,
    ARTIST_ROW,
    BY_ARG,
    BY_NAMES,
    CHOICE_MAX,
    COMPARE_OUT,
    DATE_MAX,
    DISCOVERIES_OUT,
    HEATMAP_OUT,
    ITEM_MAX,
    ITEM_OUT,
    PODCASTS_OUT,
    QUERY_MAX,
    RECENT_OUT,
    SEARCH_OUT,
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


def _compare_listeners(listener, args, tz):
    return queries.compare_listeners(
        listener,
        handle=args["handle"],
        window=_window(args, tz),
        limit=args.get("limit", 10),
        tz=tz,
    )


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
        name="compare_listeners",
        title="Compare with another listener",
        summary="The artists and tracks you and another listener both played in a window (all "
        "time if none), most in common first, with each side's plays, and an affinity score: "
        "100 x the sum over artists of min(your share, their share), where a share is that "
        "artist's counted track plays (primary artist) over all counted track plays in the "
        "window (0: nothing in common, 100: the same artists in the same proportions); "
        "track_overlap is the same over tracks. Only when both listeners turned sharing on "
        "(on their page, 'Compare with friends'); name the other by the share handle shown "
        "there. A name that came from the other listener's upload is null.",
        input_schema=tool_input(
            {
                "handle": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": queries.HANDLE_MAX,
                    "description": "The other listener's share handle, from their page.",
                },
                **WINDOW_ARGS,
                **limit_arg(10, 50),
                **TIMEZONE_ARG,
            },
            required=["handle"],
        ),
        output_schema=AFFINITY_OUT,
        run=_compare_listeners,
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
    "history.compare_listeners": "compare_listeners",
    "history.search": "search_history",
    "history.search_history": "search_history",
    "history.item_history": "item_history",
    "history.podcasts": "podcasts",
    "history.coverage": "sync_status",
    "ops.sync_status": "sync_status",
}
