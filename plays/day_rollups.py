"""Builds `ItemDay` (which UTC hours of each UTC day held a listener's plays, overall, per primary
artist and per item, as 24-bit masks) and `DayTotal` (stored plays per UTC day and source).

Streaks of one artist or track used to read every play of it (100,000 for a heavy listener's top
artist) to find its local days; a few thousand day rows give the same days (`plays.queries.sessions`
shifts the bits by the zone's offset). `plays.rollups` calls `rebuild` with the months it rebuilds
(or everything), and `rebuild_hidden` when the hidden items change: the "all" and "artist" rows
and DayTotal leave the hidden items out, like every other answer (the "artist" rows are rebuilt
only for the artists of the items hidden or shown).

The "all" rows and DayTotal come from the hourly rollups (HourTotal less HiddenHourTotal), which
`plays.rollups` builds first: tens of thousands of rows rather than a million plays. The masks
are built in SQL with `SUM(DISTINCT 1 << hour)`: the sum of distinct powers of two is
their bitwise or, and both PostgreSQL and SQLite have it (SQLite has no BIT_OR).
"""

# The SQL here is assembled from fixed fragments; every value goes in as a query parameter.
# ruff: noqa: S608

from __future__ import annotations

from django.db import connection

from plays import hidden
from plays.models import DayTotal, ItemDay

# What `rebuild` can build: ItemDay's scopes, and DayTotal.
SOURCES = "sources"
PARTS = (*ItemDay.Scope.values, SOURCES)

_COUNTED = "(p.ms_played IS NULL OR p.ms_played >= %s)"


def _hour_sql():
    if connection.vendor == "postgresql":
        return "FLOOR(EXTRACT(EPOCH FROM p.played_at) / 3600)::bigint"
    return "(CAST(strftime('%%s', p.played_at) AS INTEGER) / 3600)"


def _bit(hour):
    return f"(CAST(1 AS BIGINT) << CAST({hour} %% 24 AS INTEGER))"


def _day_bounds(start, end):
    """(first day, first day after) of a UTC range of whole days; (None, None) for all time."""
    if start is None:
        return None, None
    return int(start.timestamp() // 86400), int(end.timestamp() // 86400)


def rebuild(listener_id, min_ms, start=None, end=None, parts=PARTS, artists_of=None):
    """Rebuilds the listener's day rows of plays in [start, end) (whole UTC days; all time for
    None): the ItemDay scopes among `parts`, and DayTotal if SOURCES is among them. With
    `artists_of` (item ids), the "artist" rows only of those items' primary artists."""
    scopes = [part for part in parts if part != SOURCES]
    first_day, after_day = _day_bounds(start, end)
    artists, artists_params = "", []
    if artists_of is not None:
        ids, ids_params = hidden.ids_sql(artists_of)
        artists = (
            f"SELECT ai.primary_artist_id FROM plays_item ai WHERE ai.id IN ({ids}) "
            "AND ai.primary_artist_id IS NOT NULL"
        )
        artists_params = ids_params
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM plays_itemday WHERE listener_id = %s AND scope = %s "
                f"AND key IN ({artists})",
                [listener_id, ItemDay.Scope.ARTIST, *artists_params],
            )
        scopes = [scope for scope in scopes if scope != ItemDay.Scope.ARTIST]
    for rows in (
        ItemDay.objects.filter(listener_id=listener_id, scope__in=scopes),
        DayTotal.objects.filter(listener_id=listener_id) if SOURCES in parts else None,
    ):
        if rows is None:
            continue
        if first_day is not None:
            rows = rows.filter(day__gte=first_day, day__lt=after_day)
        rows.delete()
    where, params = "", []
    if start is not None:
        adapt = connection.ops.adapt_datetimefield_value
        where, params = " AND p.played_at >= %s AND p.played_at < %s", [adapt(start), adapt(end)]
    artist_where = ""
    if artists:
        artist_where = (
            " AND p.item_id IN (SELECT bi.id FROM plays_item bi "
            f"WHERE bi.primary_artist_id IN ({artists}))"
        )
    artist_ids = hidden.hidden_artist_ids(listener_id)
    keep, keep_params = "", []
    if artist_ids:
        items, keep_params = hidden.items_sql(artist_ids)
        keep = f" AND p.item_id NOT IN ({items})"
    hour = _hour_sql()
    plays = (
        "SELECT p.item_id AS item, i.primary_artist_id AS artist, p.source AS source, "
        f"{hour} AS h, "
        f"CASE WHEN {_COUNTED} THEN 1 ELSE 0 END AS counted "
        "FROM plays_play p JOIN plays_item i ON i.id = p.item_id "
        f"WHERE p.listener_id = %s{where}"
    )
    plays_params = [min_ms, listener_id, *params]
    columns = "INSERT INTO plays_itemday (listener_id, scope, key, day, hours, stored_hours) "
    # Overall and per source, the hourly rollups (built just before, from the same plays) hold
    # what is needed: the hours' counted and stored plays, the hidden items' taken back out.
    hour_where, hour_params = "", []
    if start is not None:
        hour_where = " AND h.epoch_hour >= %s AND h.epoch_hour < %s"
        hour_params = [first_day * 24, after_day * 24]
    net = (
        "SELECT h.epoch_hour AS h, h.source AS source, "
        "h.plays - COALESCE(x.plays, 0) AS counted, h.stored - COALESCE(x.stored, 0) AS stored "
        "FROM plays_hourtotal h LEFT JOIN plays_hiddenhourtotal x ON x.listener_id = "
        "h.listener_id AND x.epoch_hour = h.epoch_hour AND x.source = h.source "
        f"WHERE h.listener_id = %s{hour_where}"
    )
    net_params = [listener_id, *hour_params]
    statements = {
        ItemDay.Scope.ALL: (
            f"{columns}SELECT %s, 'all', 0, h / 24, "
            f"SUM(DISTINCT CASE WHEN counted > 0 THEN {_bit('h')} ELSE 0 END), "
            f"SUM(DISTINCT {_bit('h')}) FROM ({net}) x WHERE stored > 0 GROUP BY h / 24",
            [listener_id, *net_params],
        ),
        ItemDay.Scope.ARTIST: (
            f"{columns}SELECT %s, 'artist', artist, h / 24, SUM(DISTINCT {_bit('h')}), 0 "
            f"FROM ({plays}{artist_where}{keep}) x WHERE counted = 1 AND artist IS NOT NULL "
            "GROUP BY artist, h / 24",
            [listener_id, *plays_params, *artists_params, *keep_params],
        ),
        ItemDay.Scope.ITEM: (
            f"{columns}SELECT %s, 'item', item, h / 24, SUM(DISTINCT {_bit('h')}), 0 "
            f"FROM ({plays}) x WHERE counted = 1 GROUP BY item, h / 24",
            [listener_id, *plays_params],
        ),
        SOURCES: (
            "INSERT INTO plays_daytotal (listener_id, day, source, stored) "
            f"SELECT %s, h / 24, source, SUM(stored) FROM ({net}) x WHERE stored > 0 "
            "GROUP BY h / 24, source",
            [listener_id, *net_params],
        ),
    }
    with connection.cursor() as cursor:
        for part in parts:
            sql, sql_params = statements[part]
            cursor.execute(sql, sql_params)


def rebuild_hidden(listener_id, min_ms, changed=None):
    """Rebuilds the rows that leave the hidden items out ("all", "artist", DayTotal), all time;
    given the items hidden or shown since (`changed`), the "artist" rows of just their primary
    artists (the "all" rows and DayTotal come from the hourly rollups, which is quick)."""
    if changed is not None and not changed:
        return
    parts = (ItemDay.Scope.ALL, ItemDay.Scope.ARTIST, SOURCES)
    rebuild(listener_id, min_ms, parts=parts, artists_of=changed)
