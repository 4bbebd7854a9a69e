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

from __future__ import annotations

from accounts.models import Listener
from plays.models import Artist, Item, NamesFrom
from plays.queries.exclusions import says_excluded_artists
from plays.queries.sums import check_limit, grouped, spotify_id_of
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


def _shares(listener, window, group):
    rows, _groups, plays, _ms = grouped(listener, window, group, kinds=["track"], with_totals=True)
    return {key: count for key, count, _ms, _first, _last in rows}, plays


def _overlap(mine, mine_total, theirs, theirs_total):
    if not mine_total or not theirs_total:
        return 0.0
    common = sum(
        min(mine[key] / mine_total, theirs[key] / theirs_total) for key in mine.keys() & theirs
    )
    return round(100 * common, 1)


def _visible(row, other):
    """A shared row's name, unless it came from the other listener's upload."""
    if row.names_from == NamesFrom.UPLOAD and row.named_by_id == other.pk:
        return None
    return row.name


def _ranked(mine, mine_total, theirs, theirs_total, limit):
    common = mine.keys() & theirs
    order = sorted(
        common,
        key=lambda key: (
            -min(mine[key] / mine_total, theirs[key] / theirs_total),
            -(mine[key] + theirs[key]),
            key,
        ),
    )
    return [(key, mine[key], theirs[key]) for key in order[:limit]], len(common)


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
    my_artists, my_plays = _shares(listener, window, "item__primary_artist")
    their_artists, their_plays = _shares(other, window, "item__primary_artist")
    my_tracks, my_track_plays = _shares(listener, window, "item")
    their_tracks, their_track_plays = _shares(other, window, "item")
    # Shares of artists are over the plays with an artist; of tracks over all track plays.
    my_plays, their_plays = sum(my_artists.values()), sum(their_artists.values())
    artists, shared_artists = _ranked(my_artists, my_plays, their_artists, their_plays, limit)
    tracks, shared_tracks = _ranked(
        my_tracks, my_track_plays, their_tracks, their_track_plays, limit
    )
    artist_rows = Artist.objects.in_bulk([key for key, _, _ in artists])
    track_rows = Item.objects.select_related("primary_artist").in_bulk(
        [key for key, _, _ in tracks]
    )
    return {
        "affinity": _overlap(my_artists, my_plays, their_artists, their_plays),
        "track_overlap": _overlap(my_tracks, my_track_plays, their_tracks, their_track_plays),
        "formula": FORMULA,
        "your_plays": my_track_plays,
        "their_plays": their_track_plays,
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
