"""The one query module: every question asked of a listener's history is answered here.

The MCP tools (`mcp.tools`) and the operator and listener pages call these plain functions; none of
them knows about HTTP. Each tool has one function of the same name taking the Listener first and
keyword arguments for the rest, and returning JSON-able data with times shown in the listener's
time zone (or the one asked for).

What counts as a play: a stored play whose `ms_played` is at least `settings.MIN_PLAY_MS` (30 s by
default), or unknown (the API's recently-played feed leaves it out, and only lists plays of about
30 s or more). Shorter plays are kept in the database and reported only where a tool says so
(the share of skipped plays). Minutes come from `ms_played`, or the item's duration when the
source didn't say. Artists are counted by each track's primary (first credited) artist.

Speed: the answers are summed from the rollups (`plays.rollups`: counted plays per item per UTC
month, per UTC year and for all time, and per UTC hour), brought up to date before each read,
plus the plays themselves at the ragged ends of a window that doesn't start or end on a month (or
hour) boundary. A time zone whose offset isn't a whole number of hours reads hours from the plays.
On SQLite, name searches fold the case of ASCII letters only (its LIKE).

The package has a module per family of questions (`listings`, `over_time`, `summary`,
`comparisons`, `lookup`, `coverage`, `sessions` (sessions and streaks), `ranks` (ranks over time
and number ones), and `export`: every play with all its fields, streamed for
the exports) on top of the shared parts (`windows`: windows and zones;
`sums`: summing counted plays from the rollups and the plays; `hours`: sums per local hour).
Callers import the public names from here. The operator's listings (listeners, sync runs) are the
module `plays.queries.operator`, shared by the admin API and the operator's MCP tools.
"""

from plays.queries.comparisons import compare_periods
from plays.queries.coverage import (
    MIN_GAP_DAYS,
    coverage,
    coverage_gaps,
    history_coverage,
    plays_by_source,
    sync_status,
)
from plays.queries.export import (
    ExportedItem,
    ExportedPlay,
    count_plays,
    export_window,
    exported_plays,
)
from plays.queries.hours import WEEKDAYS
from plays.queries.listings import (
    discoveries,
    forgotten_favorites,
    podcasts,
    recent_plays,
    top_albums,
    top_artists,
    top_tracks,
)
from plays.queries.lookup import (
    DETAIL_KINDS,
    ENTRY_TEXT_MAX,
    ITEM_KINDS,
    MATCH_RULES,
    MAX_ENTRIES,
    find_played,
    heard_before,
    item_detail,
    item_history,
    search_history,
)
from plays.queries.over_time import (
    GRANULARITIES,
    MAX_BUCKETS,
    listening_heatmap,
    listening_timeline,
)
from plays.queries.ranks import (
    NUMBER_ONE_GRANULARITIES,
    RANK_GRANULARITIES,
    RANK_KINDS,
    number_ones,
    rank_history,
)
from plays.queries.sessions import (
    HISTOGRAM_EDGES,
    MAX_GAP_MINUTES,
    MIN_GAP_MINUTES,
    listening_sessions,
    listening_streaks,
)
from plays.queries.summary import listening_summary
from plays.queries.windows import (
    MAX_DAYS,
    UTC_ZONE,
    QueryError,
    Window,
    listener_tz,
    min_play_ms,
)

__all__ = [
    "DETAIL_KINDS",
    "ENTRY_TEXT_MAX",
    "GRANULARITIES",
    "HISTOGRAM_EDGES",
    "ITEM_KINDS",
    "MATCH_RULES",
    "MAX_BUCKETS",
    "MAX_DAYS",
    "MAX_ENTRIES",
    "MAX_GAP_MINUTES",
    "MIN_GAP_DAYS",
    "MIN_GAP_MINUTES",
    "NUMBER_ONE_GRANULARITIES",
    "RANK_GRANULARITIES",
    "RANK_KINDS",
    "UTC_ZONE",
    "WEEKDAYS",
    "ExportedItem",
    "ExportedPlay",
    "QueryError",
    "Window",
    "compare_periods",
    "count_plays",
    "coverage",
    "coverage_gaps",
    "discoveries",
    "export_window",
    "exported_plays",
    "find_played",
    "forgotten_favorites",
    "heard_before",
    "history_coverage",
    "item_detail",
    "item_history",
    "listener_tz",
    "listening_heatmap",
    "listening_sessions",
    "listening_streaks",
    "listening_summary",
    "listening_timeline",
    "min_play_ms",
    "number_ones",
    "plays_by_source",
    "podcasts",
    "rank_history",
    "recent_plays",
    "search_history",
    "sync_status",
    "top_albums",
    "top_artists",
    "top_tracks",
]
