"""Two windows side by side: what grew and what faded."""

# The SQL here is assembled from fixed fragments; every value goes in as a query parameter.
# ruff: noqa: S608

from __future__ import annotations

from django.db import connection

from plays.models import Artist, Item
from plays.queries.exclusions import says_excluded_artists
from plays.queries.sums import (
    COUNTED_SQL,
    FLOAT_MS,
    FLOAT_SQL,
    PLAY_MS_SQL,
    RAW_FROM,
    artist_names,
    check_limit,
    source_ranges,
    to_minutes,
)
from plays.queries.windows import listener_tz, min_play_ms
from plays.rollups import ensure_fresh


def _per_item_sql(listener, first, second):
    """(SQL, params) of rows (item_id, a, a_ms, b, b_ms): each item's counted plays and
    milliseconds in the first (a) and second (b) window, items played in neither left out.

    Each table is read once for both windows, with the sums of each picked by condition.
    """
    tables = {}
    for side, window in enumerate((first, second)):
        for table, where, params in source_ranges(listener, window):
            tables.setdefault(table, ([], []))[side].append((where or "1 = 1", params))
    parts, params = [], []
    for table, sides in tables.items():
        raw = table == "plays_play"
        plays, ms = ("1", f"CAST({PLAY_MS_SQL} AS {FLOAT_SQL})") if raw else ("plays", FLOAT_MS)
        conditions, sums, sum_params = [], [], []
        for names, ranges in zip((("a", "a_ms"), ("b", "b_ms")), sides, strict=True):
            condition = " OR ".join(f"({where})" for where, _ in ranges) or "1 = 0"
            condition_params = [value for _, values in ranges for value in values]
            conditions.append((condition, condition_params))
            for name, measure in zip(names, (plays, ms), strict=True):
                sums.append(f"SUM(CASE WHEN {condition} THEN {measure} ELSE 0 END) AS {name}")
                sum_params += condition_params
        either = " OR ".join(f"({condition})" for condition, _ in conditions)
        either_params = [value for _, values in conditions for value in values]
        if raw:
            head = f"SELECT p.item_id AS item_id, {', '.join(sums)} FROM {RAW_FROM} "
            where = f"WHERE p.listener_id = %s AND {COUNTED_SQL} AND ({either}) GROUP BY p.item_id"
            params += [*sum_params, listener.pk, min_play_ms(), *either_params]
        else:
            head = f"SELECT item_id, {', '.join(sums)} FROM {table} "
            where = f"WHERE listener_id = %s AND ({either}) GROUP BY item_id"
            params += [*sum_params, listener.pk, *either_params]
        parts.append(head + where)
    if len(parts) == 1:
        return parts[0], params
    return (
        "SELECT item_id, SUM(a) AS a, SUM(a_ms) AS a_ms, SUM(b) AS b, SUM(b_ms) AS b_ms FROM ("
        + " UNION ALL ".join(parts)
        + ") z GROUP BY item_id",
        params,
    )


# What _side_by_side reads back, besides the totals: the tracks and the artists (of tracks, by
# primary artist) that grew (more plays in the second window) and faded, the `limit` largest
# changes of each, ties by id, as `compare_periods` always ranked them.
_CHANGES = (
    ("tracks", "grew", "t", "b > a", "a - b"),
    ("tracks", "faded", "t", "b < a", "b - a"),
    ("artists", "grew", "ar", "b > a", "a - b"),
    ("artists", "faded", "ar", "b < a", "b - a"),
)


def _side_by_side(listener, first, second, limit):
    """(totals, changes): totals is [[plays, ms, unique tracks, unique artists] of each window];
    changes maps (label, "grew" or "faded") to [(track or artist id, plays in first, in second)].

    One query: the plays of each item in both windows (`_per_item_sql`), then in SQL the totals,
    the tracks and artists heard in each window, and the largest changes, so only a few dozen
    rows come back however many items the windows hold.
    """
    per_item, params = _per_item_sql(listener, first, second)
    heard = "SUM(CASE WHEN {0} > 0 THEN 1 ELSE 0 END)"
    selects = [
        "SELECT 'sums', 0, SUM(a), SUM(a_ms), SUM(b), SUM(b_ms), "
        f"(SELECT {heard.format('a')} FROM t), (SELECT {heard.format('b')} FROM t), "
        f"(SELECT {heard.format('a')} FROM ar) FROM s",
        f"SELECT 'artists_b', 0, (SELECT {heard.format('b')} FROM ar), 0, 0, 0, 0, 0, 0",
    ]
    select_params = []
    for label, direction, source, keep, order in _CHANGES:
        selects.append(
            f"SELECT * FROM (SELECT '{label}_{direction}', id, a, 0, b, 0, 0, 0, 0 FROM {source} "
            f"WHERE {keep} ORDER BY {order}, id LIMIT %s) {label}_{direction}"
        )
        select_params.append(limit)
    sql = (
        f"WITH s AS ({per_item}), "
        "t AS (SELECT s.item_id AS id, s.a AS a, s.b AS b, i.primary_artist_id AS artist "
        "FROM s JOIN plays_item i ON i.id = s.item_id WHERE i.kind = 'track'), "
        "ar AS (SELECT artist AS id, SUM(a) AS a, SUM(b) AS b FROM t "
        "WHERE artist IS NOT NULL GROUP BY artist) " + " UNION ALL ".join(selects)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *select_params])
        rows = cursor.fetchall()
    totals, changes, artists_b = [[0, 0, 0, 0], [0, 0, 0, 0]], {}, 0
    for kind, key, *values in rows:
        values = [int(value or 0) for value in values]
        if kind == "sums":
            a, a_ms, b, b_ms, tracks_a, tracks_b, artists_a = values[:7]
            totals = [[a, a_ms, tracks_a, artists_a], [b, b_ms, tracks_b, 0]]
        elif kind == "artists_b":
            artists_b = values[0]
        else:
            label, direction = kind.split("_")
            changes.setdefault((label, direction), []).append((key, values[0], values[2]))
    totals[1][3] = artists_b
    return totals, changes


@says_excluded_artists
def compare_periods(listener, *, first, second, limit=10, tz=None) -> dict:
    """Two windows side by side: totals, and the artists and tracks that grew or faded."""
    check_limit(limit, 50)
    tz = tz or listener_tz(listener)
    ensure_fresh(listener)
    totals, changes = _side_by_side(listener, first, second, limit)
    sides = [
        {
            "plays": totals[position][0],
            "minutes": to_minutes(totals[position][1]),
            "unique_tracks": totals[position][2],
            "unique_artists": totals[position][3],
            "window": window.describe(tz),
        }
        for position, window in enumerate((first, second))
    ]
    before, after = sides
    result = {
        "first": before,
        "second": after,
        "change": {
            "plays": after["plays"] - before["plays"],
            "minutes": round(after["minutes"] - before["minutes"], 1),
            "plays_percent": round((after["plays"] - before["plays"]) * 100 / before["plays"], 1)
            if before["plays"]
            else None,
        },
        "time_zone": str(tz),
    }
    for label, model in (("artists", Artist), ("tracks", Item)):
        grew, faded = changes.get((label, "grew"), []), changes.get((label, "faded"), [])
        objs = model.objects.in_bulk([d[0] for d in grew + faded])
        names = artist_names(objs) if model is Item else {}

        def entry(d, objs=objs, names=names, model=model):
            row = {"name": objs[d[0]].name, "first_plays": d[1], "second_plays": d[2]}
            row["change"] = d[2] - d[1]
            if model is Item:
                row["artists"] = names.get(d[0], [])
            return row

        result[label] = {"grew": [entry(d) for d in grew], "faded": [entry(d) for d in faded]}
    return result
