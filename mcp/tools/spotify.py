"""The live Spotify tools: playlists made from the history, Spotify's top items, search.

Thin adapters over `plays.live`, which does the calls (through the one Spotify client and token
helper), keeps the ledger of playlists made here and turns Spotify's faults into sentences. They
work only for a listener who allowed assistants to use Spotify on /me; otherwise the answer is
`isError` with the sentence saying where to turn it on. Every one calls Spotify
(`openWorldHint`); the two that write are not read-only, and none deletes anything.
"""

from __future__ import annotations

from mcp.tools.base import LIVE_READ, LIVE_WRITE, Tool, refusals_as_tool_errors
from mcp.tools.schemas import (
    BOOL,
    CHOICE_MAX,
    INT,
    ITEM_MAX,
    NAMES,
    QUERY_MAX,
    STR,
    nullable,
    object_schema,
    tool_input,
)
from plays import live

_URIS = {
    "type": "array",
    "items": {"type": "string", "maxLength": ITEM_MAX},
    "maxItems": live.MAX_TRACKS_PER_CALL,
    "description": "Tracks in the order they should play: 'spotify:track:<id>' URIs, "
    "open.spotify.com/track links, or the 22-character spotify_id of rows from the history "
    f"tools (top_tracks, discoveries, recent_plays). At most {live.MAX_TRACKS_PER_CALL}; "
    "they are sent to Spotify 100 at a time.",
}
_PLAYLIST = {
    "playlist_id": STR,
    "uri": STR,
    "url": STR,
    "name": STR,
    "public": BOOL,
    "items_added": {"type": "integer", "description": "Tracks this service added, all calls."},
    "client": {"type": "string", "description": "The client that created the playlist."},
    "created_at": STR,
}
PLAYLIST_ROW = object_schema(_PLAYLIST)
PLAYLIST_WRITE_OUT = object_schema(
    {
        **_PLAYLIST,
        "added": {"type": "integer", "description": "Tracks added by this call."},
        "requested": {"type": "integer", "description": "Tracks this call asked to add."},
    }
)
LIST_OUT = object_schema(
    {
        "created_here": {
            "type": "array",
            "description": "Playlists this service created for the listener, newest first.",
            "items": PLAYLIST_ROW,
        },
        "spotify": nullable(
            {
                **object_schema(
                    {
                        "total": nullable(INT),
                        "items": {
                            "type": "array",
                            "items": object_schema(
                                {
                                    "playlist_id": STR,
                                    "name": STR,
                                    "public": nullable(BOOL),
                                    "owner": nullable(STR),
                                    "items": nullable(INT),
                                    "url": nullable(STR),
                                    "created_here": BOOL,
                                }
                            ),
                        },
                    }
                ),
                "description": "With include_spotify: the listener's playlists on Spotify.",
            }
        ),
    }
)
_FOUND = {"name": STR, "uri": nullable(STR), "spotify_id": nullable(STR), "url": nullable(STR)}
TRACK_FOUND = object_schema(
    {**_FOUND, "artists": NAMES, "album": nullable(STR)}, required=["name", "uri", "spotify_id"]
)
ARTIST_FOUND = object_schema({**_FOUND, "genres": NAMES}, required=["name", "uri", "spotify_id"])
ALBUM_FOUND = object_schema(
    {**_FOUND, "artists": NAMES, "release_date": nullable(STR)},
    required=["name", "uri", "spotify_id"],
)
TOP_OUT = object_schema(
    {
        "type": {"type": "string", "enum": ["artists", "tracks"]},
        "time_range": {"type": "string", "enum": list(live.TIME_RANGES)},
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"rank": INT, **_FOUND},
                "required": ["rank", "name", "uri", "spotify_id"],
            },
        },
    }
)
SEARCH_OUT = object_schema(
    {
        "query": STR,
        "tracks": {"type": "array", "items": TRACK_FOUND},
        "artists": {"type": "array", "items": ARTIST_FOUND},
        "albums": {"type": "array", "items": ALBUM_FOUND},
    }
)


_refused = refusals_as_tool_errors(live.LiveRefused)  # plays.live says why, in one sentence


SPOTIFY_TOOLS = [
    Tool(
        name="create_playlist",
        title="Create a Spotify playlist",
        summary="Creates a playlist in the listener's Spotify account and adds the given tracks "
        "in order, e.g. the spotify_id of each top_tracks row of a year; answers the playlist's "
        "id, URL and how many tracks were added. Private unless public is true. Needs the "
        "listener to have allowed assistants to use Spotify (on their page /me).",
        input_schema=tool_input(
            {
                "name": {
                    "type": "string",
                    "maxLength": live.MAX_NAME_CHARS,
                    "minLength": 1,
                    "description": f"The playlist's name (at most {live.MAX_NAME_CHARS} "
                    "characters).",
                },
                "track_uris": _URIS,
                "description": {
                    "type": "string",
                    "maxLength": live.MAX_DESCRIPTION_CHARS,
                    "description": "Shown under the name on Spotify (at most "
                    f"{live.MAX_DESCRIPTION_CHARS} characters).",
                },
                "public": {
                    "type": "boolean",
                    "default": False,
                    "description": "Whether the playlist is public on the listener's profile.",
                },
            },
            required=["name"],
        ),
        output_schema=PLAYLIST_WRITE_OUT,
        run=_refused(
            lambda listener, args, client: live.create_playlist(
                listener,
                name=args["name"],
                track_uris=args.get("track_uris", []),
                description=args.get("description", ""),
                public=args.get("public", False),
                client_name=client,
            )
        ),
        annotations=LIVE_WRITE,
        takes_client=True,
        counts_plays=False,
    ),
    Tool(
        name="add_to_playlist",
        title="Add tracks to a playlist",
        summary="Appends tracks, in order, to a playlist this service created for the listener "
        "(list_playlists shows them); the listener's other playlists can't be changed.",
        input_schema=tool_input(
            {
                "playlist_id": {
                    "type": "string",
                    "maxLength": ITEM_MAX,
                    "minLength": 1,
                    "description": "The playlist_id (or URI or link) create_playlist or "
                    "list_playlists gave.",
                },
                "track_uris": {**_URIS, "minItems": 1},
            },
            required=["playlist_id", "track_uris"],
        ),
        output_schema=PLAYLIST_WRITE_OUT,
        run=_refused(
            lambda listener, args, client: live.add_to_playlist(
                listener,
                playlist_id=args["playlist_id"],
                track_uris=args["track_uris"],
                client_name=client,
            )
        ),
        annotations=LIVE_WRITE,
        takes_client=True,
        counts_plays=False,
    ),
    Tool(
        name="list_playlists",
        title="Playlists made here",
        summary="The playlists this service created for the listener (name, Spotify id, URL, "
        "when, tracks added, by which client), newest first; with include_spotify also the "
        "listener's own playlists as Spotify lists them.",
        input_schema=tool_input(
            {
                "include_spotify": {
                    "type": "boolean",
                    "default": False,
                    "description": "Also ask Spotify for the listener's playlists.",
                },
                "limit": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 50,
                    "default": 50,
                    "description": "How many of the Spotify playlists (1 to 50, default 50).",
                },
            }
        ),
        output_schema=LIST_OUT,
        run=_refused(
            lambda listener, args, client: live.list_playlists(
                listener,
                include_spotify=args.get("include_spotify", False),
                limit=args.get("limit", 50),
            )
        ),
        annotations=LIVE_READ,
        takes_client=True,
        counts_plays=False,
    ),
    Tool(
        name="spotify_top_items",
        title="Spotify's top items",
        summary="The listener's top artists or tracks as Spotify itself computes them (about "
        "4 weeks, 6 months or a year), live from Spotify; for the complete history use "
        "top_artists / top_tracks instead.",
        input_schema=tool_input(
            {
                "type": {
                    "type": "string",
                    "maxLength": CHOICE_MAX,
                    "enum": ["artists", "tracks"],
                    "default": "tracks",
                    "description": "artists or tracks (default).",
                },
                "time_range": {
                    "type": "string",
                    "maxLength": CHOICE_MAX,
                    "enum": list(live.TIME_RANGES),
                    "default": "medium_term",
                    "description": "short_term (about 4 weeks), medium_term (about 6 months, "
                    "default) or long_term (about a year).",
                },
                "limit": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 50,
                    "default": 20,
                    "description": "How many (1 to 50, default 20).",
                },
            }
        ),
        output_schema=TOP_OUT,
        run=_refused(
            lambda listener, args, client: live.top_items(
                listener,
                kind=args.get("type", "tracks"),
                time_range=args.get("time_range", "medium_term"),
                limit=args.get("limit", 20),
            )
        ),
        annotations=LIVE_READ,
        takes_client=True,
        counts_plays=False,
    ),
    Tool(
        name="spotify_search",
        title="Search Spotify",
        summary="Searches Spotify's catalogue (not the listener's history: that is "
        "search_history) for tracks, artists or albums, e.g. to find a new album or the URI "
        "of a track to add to a playlist.",
        input_schema=tool_input(
            {
                "query": {
                    "type": "string",
                    "maxLength": QUERY_MAX,
                    "minLength": 1,
                    "description": "What to look for, e.g. 'Kind of Blue Miles Davis'.",
                },
                "type": {
                    "type": "string",
                    "maxLength": CHOICE_MAX,
                    "enum": list(live.SEARCH_TYPES),
                    "default": "track",
                    "description": "track (default), artist or album.",
                },
                "limit": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 10,
                    "default": 5,
                    "description": "How many results (1 to 10, Spotify's limit; default 5).",
                },
            },
            required=["query"],
        ),
        output_schema=SEARCH_OUT,
        run=_refused(
            lambda listener, args, client: live.search(
                listener,
                query=args["query"],
                types=(args.get("type", "track"),),
                limit=args.get("limit", 5),
            )
        ),
        annotations=LIVE_READ,
        takes_client=True,
        counts_plays=False,
    ),
]

# The original design's names.
SPOTIFY_ALIASES = {
    "spotify.create_playlist": "create_playlist",
    "spotify.add_tracks": "add_to_playlist",
    "spotify.list_playlists": "list_playlists",
    "spotify.get_top": "spotify_top_items",
    "spotify.search": "spotify_search",
}
