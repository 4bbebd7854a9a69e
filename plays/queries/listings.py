"""Lists of what was played: recent plays, top artists, tracks and albums, discoveries, podcasts."""

# The SQL here is assembled from fixed fragments; every value goes in as a query parameter.
# ruff: noqa: S608

from __future__ import annotations

from datetime import timedelta

from django.db.models import Max
from django.utils import timezone

from plays.models import Album, Artist, Item, ItemTotal, Show
from plays.queries.exclusions import exclusion_of, hidden_rollup_rows, says_excluded_artists
from plays.queries.sums import (
    GROUP_COLUMNS,
    artist_names,
    check_by,
    check_limit,
    counted_plays,
    grouped,
    grouped_each,
    spotify_id_of,
    sql_param,
    to_minutes,
)
from plays.queries.windows import MAX_DAYS, QueryError, Window, iso, listener_tz, min_play_ms
from plays.rollups import ensure_fresh

_RECENT_COLUMNS = (
    "item_id",
    "played_at",
    "ms_played",
    "source",
    "item__name",
    "item__kind",
    "item__spotify_id",
    "item__album_id",
    "item__album__name",
    "item__album__image_url",
    "item__show_id",
    "item__show__name",
)


@says_excluded_artists
def recent_plays(listener, *, limit=20, window=None, tz=None) -> dict:
    """The newest counted plays first: what, by whom, from where."""
    check_limit(limit, 200)
    tz = tz or listener_tz(listener)
    # Plain rows, not model instances: only the columns the answer shows.
    plays = list(
        counted_plays(listener, window)
        # The order of the (listener, played_at, item) index: the newest N without a sort.
        .order_by("-played_at", "-item_id")
        .values_list(*_RECENT_COLUMNS)[:limit]
    )
    names = artist_names({p[0] for p in plays})
    items = [
        {
            "id": item_id,
            "played_at": iso(played_at, tz),
            "track": name,
            "kind": kind,
            "artists": names.get(item_id, []),
            "album": album if album_id is not None else None,
            "album_id": album_id,
            "image_url": image_url if album_id is not None else "",
            "show": show if show_id is not None else None,
            "ms_played": ms_played,
            "source": source,
            "spotify_id": spotify_id or None,
        }
        for (
            item_id,
            played_at,
            ms_played,
            source,
            name,
            kind,
            spotify_id,
            album_id,
            album,
            image_url,
            show_id,
            show,
        ) in plays
    ]
    return {"items": items, "count": len(items), "time_zone": str(tz)}


def artist_rows(rows):
    artists = Artist.objects.in_bulk([row[0] for row in rows])
    return [
        {
            "rank": rank,
            "id": key,
            "name": artists[key].name,
            "spotify_id": spotify_id_of(artists[key]),
            "plays": plays,
            "minutes": to_minutes(ms),
        }
        for rank, (key, plays, ms, _first, _last) in enumerate(rows, 1)
    ]


def track_rows(rows):
    tracks = Item.objects.select_related("album").in_bulk([row[0] for row in rows])
    names = artist_names(tracks)
    return [
        {
            "rank": rank,
            "id": key,
            "name": tracks[key].name,
            "artists": names.get(key, []),
            "album": tracks[key].album.name if tracks[key].album else None,
            "image_url": tracks[key].album.image_url if tracks[key].album else "",
            "spotify_id": spotify_id_of(tracks[key]),
            "plays": plays,
            "minutes": to_minutes(ms),
        }
        for rank, (key, plays, ms, _first, _last) in enumerate(rows, 1)
    ]


def _album_rows(rows):
    albums = Album.objects.select_related("artist").in_bulk([row[0] for row in rows])
    return [
        {
            "rank": rank,
            "id": key,
            "name": albums[key].name,
            "artists": [albums[key].artist.name] if albums[key].artist else [],
            "image_url": albums[key].image_url,
            "spotify_id": spotify_id_of(albums[key]),
            "plays": plays,
            "minutes": to_minutes(ms),
        }
        for rank, (key, plays, ms, _first, _last) in enumerate(rows, 1)
    ]


def _listing(listener, window, limit, by, tz, group, to_rows):
    check_limit(limit)
    check_by(by)
    window = window or Window()
    tz = tz or listener_tz(listener)
    ensure_fresh(listener)
    rows, _ = grouped(listener, window, group, kinds=["track"], order=by, limit=limit)
    return {
        "items": to_rows(rows),
        "by": by,
        "window": window.describe(tz),
        "time_zone": str(tz),
        "min_play_seconds": min_play_ms() / 1000,
    }


@says_excluded_artists
def top_artists(listener, *, window=None, limit=10, by="plays", tz=None) -> dict:
    """The artists most played (or longest listened to), by primary artist of each track."""
    return _listing(listener, window, limit, by, tz, "item__primary_artist", artist_rows)


@says_excluded_artists
def top_tracks(listener, *, window=None, limit=10, by="plays", tz=None) -> dict:
    """The tracks most played (or longest listened to), with their artists and album."""
    return _listing(listener, window, limit, by, tz, "item", track_rows)


@says_excluded_artists
def top_albums(listener, *, window=None, limit=10, by="plays", tz=None) -> dict:
    """The albums most played (or longest listened to), with their artist."""
    return _listing(listener, window, limit, by, tz, "item__album", _album_rows)


def _first_heard_in(listener, window, group):
    """A subquery of the item ids of the tracks (or of the artists' tracks) whose first counted
    play ever is in the window."""
    having, params = "", []
    if window.start is not None:
        having, params = " AND MIN(t.first_at) >= %s", [sql_param(window.start)]
    if window.end is not None:
        having, params = having + " AND MIN(t.first_at) < %s", [*params, sql_param(window.end)]
    column = GROUP_COLUMNS[group].replace("i.", "ti.")
    keep, keep_params = exclusion_of(listener).keep_sql("t.item_id")
    firsts = (
        f"SELECT {column} FROM plays_itemtotal t JOIN plays_item ti ON ti.id = t.item_id "
        f"WHERE t.listener_id = %s AND ti.kind = 'track' AND {column} IS NOT NULL "
        + (f"AND {keep} " if keep else "")
        + f"GROUP BY {column} HAVING COUNT(*) > 0{having}"
    )
    if group == "item":
        return firsts, [listener.pk, *keep_params, *params]
    return (
        f"SELECT ai.id FROM plays_item ai WHERE ai.primary_artist_id IN ({firsts})",
        [listener.pk, *keep_params, *params],
    )


@says_excluded_artists
def discoveries(listener, *, window=None, limit=20, tz=None) -> dict:
    """Artists and tracks whose first counted play ever falls in the window."""
    check_limit(limit)
    window = window or Window()
    tz = tz or listener_tz(listener)
    ensure_fresh(listener)
    groups = ("item", "item__primary_artist")
    if window.is_all_time:
        # Over all time everything was first heard in the window: both lists from one read.
        found = grouped_each(
            listener, window, groups, kinds=["track"], order="plays_then_first", limit=limit
        )
    else:
        # Only the few items first heard in the window are summed, each list on its own.
        found = []
        for group in groups:
            items_sql, items_params = _first_heard_in(listener, window, group)
            found.append(
                grouped(
                    listener,
                    window,
                    group,
                    kinds=["track"],
                    order="plays_then_first",
                    limit=limit,
                    items_sql=items_sql,
                    items_params=items_params,
                )
            )
    (tracks, new_tracks), (artists, new_artists) = found
    track_objs = Item.objects.in_bulk([row[0] for row in tracks])
    artist_objs = Artist.objects.in_bulk([row[0] for row in artists])
    names = artist_names(track_objs)
    return {
        "new_artists": new_artists,
        "new_tracks": new_tracks,
        "artists": [
            {
                "id": key,
                "name": artist_objs[key].name,
                "spotify_id": spotify_id_of(artist_objs[key]),
                "first_play": iso(first, tz),
                "plays": plays,
            }
            for key, plays, _ms, first, _last in artists
        ],
        "tracks": [
            {
                "id": key,
                "name": track_objs[key].name,
                "artists": names.get(key, []),
                "spotify_id": spotify_id_of(track_objs[key]),
                "first_play": iso(first, tz),
                "plays": plays,
            }
            for key, plays, _ms, first, _last in tracks
        ],
        "window": window.describe(tz),
        "time_zone": str(tz),
    }


@says_excluded_artists
def podcasts(listener, *, window=None, limit=10, tz=None) -> dict:
    """Podcast shows and audiobooks, and their episodes and chapters, by minutes listened."""
    check_limit(limit)
    window = window or Window()
    tz = tz or listener_tz(listener)
    ensure_fresh(listener)
    kinds = ["episode", "chapter"]
    show_rows, _ = grouped(listener, window, "item__show", kinds=kinds, order="time", limit=limit)
    episode_rows, _, plays, ms = grouped(
        listener, window, "item", kinds=kinds, order="time", limit=limit, with_totals=True
    )
    shows = Show.objects.in_bulk([row[0] for row in show_rows])
    episodes = Item.objects.select_related("show").in_bulk([row[0] for row in episode_rows])
    return {
        "plays": int(plays),
        "minutes": to_minutes(int(ms)),
        "shows": [
            {
                "rank": rank,
                "id": key,
                "name": shows[key].name,
                "kind": shows[key].kind,
                "spotify_id": spotify_id_of(shows[key]),
                "plays": plays,
                "minutes": to_minutes(ms),
            }
            for rank, (key, plays, ms, _first, _last) in enumerate(show_rows, 1)
        ],
        "episodes": [
            {
                "rank": rank,
                "id": key,
                "name": episodes[key].name,
                "kind": episodes[key].kind,
                "show": episodes[key].show.name if episodes[key].show else None,
                "spotify_id": spotify_id_of(episodes[key]),
                "plays": plays,
                "minutes": to_minutes(ms),
            }
            for rank, (key, plays, ms, _first, _last) in enumerate(episode_rows, 1)
        ],
        "window": window.describe(tz),
        "time_zone": str(tz),
        "min_play_seconds": min_play_ms() / 1000,
    }


def _quiet_since(listener, group, cutoff):
    """A condition on the item `i` (and its parameters): it is a track, or an artist's track,
    with no counted play since `cutoff`. The few played since are the ones left out: read from
    the (listener, last_at) index of the all-time rollup, not by grouping all of it."""
    if group == "item":
        return (
            "i.id NOT IN (SELECT t.item_id FROM plays_itemtotal t WHERE t.listener_id = %s "
            "AND t.last_at >= %s)",
            [listener.pk, sql_param(cutoff)],
        )
    keep, keep_params = exclusion_of(listener).keep_sql("t.item_id")
    keep = f" AND {keep}" if keep else ""
    return (
        "i.primary_artist_id NOT IN (SELECT ti.primary_artist_id FROM plays_itemtotal t "
        "JOIN plays_item ti ON ti.id = t.item_id WHERE t.listener_id = %s AND t.last_at >= %s "
        f"AND ti.kind = 'track' AND ti.primary_artist_id IS NOT NULL{keep})",
        [listener.pk, sql_param(cutoff), *keep_params],
    )


def _last_plays(listener, group, keys):
    """{key: the last counted play ever} of artists or tracks."""
    path = "item" if group == "item" else "item__primary_artist"
    return dict(
        hidden_rollup_rows(ItemTotal, listener)
        .filter(**{f"{path}__in": list(keys)})
        .values(path)
        .annotate(last=Max("last_at"))
        .values_list(path, "last")
        .order_by()
    )


@says_excluded_artists
def forgotten_favorites(listener, window=None, *, quiet_days=365, limit=20, tz=None) -> dict:
    """The artists and tracks with the most counted plays in the window ("then") that have no
    counted play at all in the last `quiet_days` days, with when each was last played."""
    if isinstance(quiet_days, bool) or not isinstance(quiet_days, int):
        raise QueryError(f"'quiet_days' must be a whole number from 1 to {MAX_DAYS}.")
    if not 1 <= quiet_days <= MAX_DAYS:
        raise QueryError(f"'quiet_days' must be a whole number from 1 to {MAX_DAYS}.")
    check_limit(limit)
    window = window or Window()
    tz = tz or listener_tz(listener)
    ensure_fresh(listener)
    now = timezone.now()
    cutoff = now - timedelta(days=quiet_days)
    result = {}
    labels = (("artists", "item__primary_artist", artist_rows), ("tracks", "item", track_rows))
    answers = grouped_each(
        listener,
        window,
        [group for _, group, _ in labels],
        kinds=["track"],
        limit=limit,
        wheres=[_quiet_since(listener, group, cutoff) for _, group, _ in labels],
    )
    for (label, group, to_rows), (rows, found) in zip(labels, answers, strict=True):
        last = _last_plays(listener, group, [row[0] for row in rows])
        listed = to_rows(rows)
        for row in listed:
            row["last_play"] = iso(last[row["id"]], tz)
            row["days_quiet"] = (now - last[row["id"]]).days
        result[label] = listed
        result[f"forgotten_{label}"] = found
    return {
        **result,
        "quiet_days": quiet_days,
        "quiet_since": iso(cutoff, tz),
        "window": window.describe(tz),
        "time_zone": str(tz),
        "min_play_seconds": min_play_ms() / 1000,
    }
