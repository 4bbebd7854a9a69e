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
from plays.queries.sums import _item_source, check_limit, spotify_id_of
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


def _in_common(listener, other, window, limit):
    """{"item__primary_artist": ..., "item": ...}: for each grouping, (rows [(key, your plays,
    their plays)] most in common first, how many keys both played, the affinity over the
    grouping, your plays, their plays). One statement reads both listeners' counted track plays
    once (each with their own hidden artists left out), sums them per track, then per artist."""
    mine, mine_params = _item_source(listener, window)
    theirs, their_params = _item_source(other, window)
    share = "CASE WHEN a * tb < b * ta THEN a * 1.0 / ta ELSE b * 1.0 / tb END"
    per_item = (
        "SELECT i.id AS k, i.primary_artist_id AS artist, "
        # Integers (one track's plays fit), so PostgreSQL sums them per artist as bigints,
        # not as numerics (several times slower); the shares are the same numbers.
        "CAST(SUM(CASE WHEN x.side = 0 THEN x.plays ELSE 0 END) AS INTEGER) AS a, "
        "CAST(SUM(CASE WHEN x.side = 1 THEN x.plays ELSE 0 END) AS INTEGER) AS b FROM ("
        f"SELECT 0 AS side, m.item_id, m.plays FROM ({mine}) m UNION ALL "
        f"SELECT 1 AS side, t.item_id, t.plays FROM ({theirs}) t"
        ") x JOIN plays_item i ON i.id = x.item_id "
        "WHERE i.kind = 'track' GROUP BY i.id, i.primary_artist_id"
    )
    per_artist = (
        "SELECT artist AS k, SUM(a) AS a, SUM(b) AS b FROM per_item "
        "WHERE artist IS NOT NULL GROUP BY artist"
    )
    ranked = [
        f"SELECT * FROM (SELECT {number} AS g, k, a, b, ta, tb, COUNT(*) OVER () AS n, "
        f"SUM({share}) OVER () AS common FROM {per}, {tot} WHERE a > 0 AND b > 0 "
        f"ORDER BY {share} DESC, a + b DESC, k LIMIT {int(limit)}) r{number}"
        for number, per, tot in ((0, "per_artist", "tot_artist"), (1, "per_item", "tot_item"))
    ]
    totals = [
        f"SELECT {number}, NULL, NULL, NULL, ta, tb, 0, 0 FROM {tot}"
        for number, tot in ((2, "tot_artist"), (3, "tot_item"))
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH per_item AS ({per_item}), per_artist AS ({per_artist}), "
            "tot_artist AS (SELECT SUM(a) AS ta, SUM(b) AS tb FROM per_artist), "
            "tot_item AS (SELECT SUM(a) AS ta, SUM(b) AS tb FROM per_item) "
            + " UNION ALL ".join([*ranked, *totals]),
            [*mine_params, *their_params],
        )
        found = cursor.fetchall()
    answers = {}
    for number, group in enumerate(("item__primary_artist", "item")):
        rows = [row for row in found if row[0] == number]
        (_, _, _, _, ta, tb, _, _), *_ = [row for row in found if row[0] == number + 2]
        shared, common = (rows[0][6], rows[0][7]) if rows else (0, 0)
        answers[group] = (
            [(key, int(a), int(b)) for _, key, a, b, *_ in rows],
            int(shared),
            round(100 * float(common or 0), 1),
            int(ta or 0),
            int(tb or 0),
        )
    return answers


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
    in_common = _in_common(listener, other, window, limit)
    artists, shared_artists, affinity, _, _ = in_common["item__primary_artist"]
    tracks, shared_tracks, track_overlap, my_plays, their_plays = in_common["item"]
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
