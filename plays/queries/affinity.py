"""Two listeners side by side: the artists and tracks they share, and how alike their listening is.

Only between two listeners who both turned sharing on (`Listener.shares_listening`, on /me); the
other is named by the share handle they gave out (a random string shown on their page while
sharing is on), never by their Spotify id. A handle that names nobody, or somebody who doesn't
share, gets the same sentence, so nothing tells the two apart.

The affinity is the share of listening the two have in common, artist by artist:

    affinity = 100 x sum over artists a of min(plays_you(a) / plays_you, plays_them(a) / plays_them)

where plays_X(a) is X's counted track plays in the window whose primary artist is a, and plays_X
all of X's counted track plays in the window with an artist. 0 means no artist in common, 100
the same artists in the same proportions. `track_overlap` is the same sum over tracks. Each
listener's hidden artists are left out of their own side.

Names: only catalogue rows both listeners' plays use are shown, and of those, a name that came
from the other listener's upload is withheld (null, with the Spotify id when there is one), so no
text of the other listener's files reaches the caller (docs/security.md, hole 1).
"""

# The SQL here is assembled from fixed fragments; every value goes in as a query parameter.
# ruff: noqa: S608

from __future__ import annotations

from django.db import connection

from accounts.models import Listener
from plays.models import Artist, Item, NamesFrom
from plays.queries.exclusions import says_excluded_artists
from plays.queries.sums import GROUP_COLUMNS, _item_source, check_limit, spotify_id_of
from plays.queries.windows import QueryError, Window, listener_tz
from plays.rollups import ensure_fresh

HANDLE_MAX = 64

FORMULA = (
    "affinity = 100 x the sum over artists of min(your share, their share), where a share is "
    "that artist's counted track plays (primary artist) over all counted track plays in the "
    "window; track_overlap is the same sum over tracks."
)

NOT_SHARING_YOURSELF = (
    "Comparing needs sharing turned on by both listeners: turn yours on at /me (Compare with "
    "friends), then ask the other listener for their share handle."
)
# One sentence for a handle that names nobody and for one whose listener doesn't share.
NOT_SHARED = (
    "No listener shares their listening under that handle: ask them for the handle shown on "
    "their page once they have turned sharing on."
)


def sharing_listener(handle):
    """The listener sharing under `handle`, or None (nobody, or not sharing: the same None)."""
    if not isinstance(handle, str) or not 1 <= len(handle.strip()) <= HANDLE_MAX:
        return None
    return Listener.objects.filter(shares_listening=True, share_handle=handle.strip()).first()


def _common(listener, other, window, group, limit):
    """(rows [(key, your plays, their plays)] most in common first, how many keys both played,
    the affinity over `group`, your plays, their plays), summed in one query over both
    listeners' counted track plays (each with their own hidden artists left out)."""
    mine, mine_params = _item_source(listener, window)
    theirs, their_params = _item_source(other, window)
    column = GROUP_COLUMNS[group]
    share = "CASE WHEN a * tb < b * ta THEN a * 1.0 / ta ELSE b * 1.0 / tb END"
    per = (
        f"SELECT {column} AS k, SUM(CASE WHEN x.side = 0 THEN x.plays ELSE 0 END) AS a, "
        "SUM(CASE WHEN x.side = 1 THEN x.plays ELSE 0 END) AS b FROM ("
        f"SELECT 0 AS side, m.item_id, m.plays FROM ({mine}) m UNION ALL "
        f"SELECT 1 AS side, t.item_id, t.plays FROM ({theirs}) t"
        ") x JOIN plays_item i ON i.id = x.item_id "
        f"WHERE i.kind = 'track' AND {column} IS NOT NULL GROUP BY {column}"
    )
    totals = "SELECT SUM(a) AS ta, SUM(b) AS tb FROM per"
    params = [*mine_params, *their_params]
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH per AS ({per}), tot AS ({totals}) "
            f"SELECT k, a, b, ta, tb, COUNT(*) OVER (), SUM({share}) OVER () FROM per, tot "
            f"WHERE a > 0 AND b > 0 ORDER BY {share} DESC, a + b DESC, k LIMIT {int(limit)}",
            params,
        )
        rows = cursor.fetchall()
        if rows:
            ta, tb, shared, common = rows[0][3], rows[0][4], rows[0][5], rows[0][6]
        else:
            cursor.execute(f"WITH per AS ({per}) {totals}", params)
            (ta, tb), shared, common = cursor.fetchone(), 0, 0
    return (
        [(key, int(a), int(b)) for key, a, b, *_ in rows],
        int(shared),
        round(100 * float(common or 0), 1),
        int(ta or 0),
        int(tb or 0),
    )


def _visible(row, other):
    """A shared row's name, unless it came from the other listener's upload."""
    if row.names_from == NamesFrom.UPLOAD and row.named_by_id == other.pk:
        return None
    return row.name


@says_excluded_artists
def compare_listeners(listener, *, handle, window=None, limit=10, tz=None) -> dict:
    """The artists and tracks two sharing listeners have in common in a window, and their
    affinity (see the module's docstring for the formula)."""
    check_limit(limit, 50)
    window = window or Window()
    tz = tz or listener_tz(listener)
    if not listener.shares_listening:
        raise QueryError(NOT_SHARING_YOURSELF)
    other = sharing_listener(handle)
    if other is None:
        raise QueryError(NOT_SHARED)
    if other.pk == listener.pk:
        raise QueryError("That is your own share handle: give another listener's.")
    ensure_fresh(listener)
    ensure_fresh(other)
    artists, shared_artists, affinity, _, _ = _common(
        listener, other, window, "item__primary_artist", limit
    )
    tracks, shared_tracks, track_overlap, my_plays, their_plays = _common(
        listener, other, window, "item", limit
    )
    artist_rows = Artist.objects.in_bulk([key for key, _, _ in artists])
    track_rows = Item.objects.select_related("primary_artist").in_bulk(
        [key for key, _, _ in tracks]
    )
    return {
        "affinity": affinity,
        "track_overlap": track_overlap,
        "formula": FORMULA,
        "your_plays": my_plays,
        "their_plays": their_plays,
        "shared_artists": shared_artists,
        "shared_tracks": shared_tracks,
        "artists": [
            {
                "rank": rank,
                "name": _visible(artist_rows[key], other),
                "spotify_id": spotify_id_of(artist_rows[key]),
                "your_plays": yours,
                "their_plays": theirs,
            }
            for rank, (key, yours, theirs) in enumerate(artists, 1)
        ],
        "tracks": [
            {
                "rank": rank,
                "name": _visible(track_rows[key], other),
                "artist": _visible(track_rows[key].primary_artist, other)
                if track_rows[key].primary_artist
                else None,
                "spotify_id": spotify_id_of(track_rows[key]),
                "your_plays": yours,
                "their_plays": theirs,
            }
            for rank, (key, yours, theirs) in enumerate(tracks, 1)
        ],
        "window": window.describe(tz),
        "time_zone": str(tz),
    }
