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


def _side_by_side(listener, first, second):
    """[(item, kind, primary artist, plays, ms in first, plays, ms in second)] of either window.

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
    sql = (
        "SELECT i.id, i.kind, i.primary_artist_id, y.a, y.a_ms, y.b, y.b_ms FROM (SELECT item_id, "
        "SUM(a) AS a, SUM(a_ms) AS a_ms, SUM(b) AS b, SUM(b_ms) AS b_ms FROM ("
        + " UNION ALL ".join(parts)
        + ") z GROUP BY item_id) y JOIN plays_item i ON i.id = y.item_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            (item, kind, artist, int(a), int(a_ms or 0), int(b), int(b_ms or 0))
            for item, kind, artist, a, a_ms, b, b_ms in cursor.fetchall()
        ]


@says_excluded_artists
def compare_periods(listener, *, first, second, limit=10, tz=None) -> dict:
    """Two windows side by side: totals, and the artists and tracks that grew or faded."""
    check_limit(limit, 50)
    tz = tz or listener_tz(listener)
    ensure_fresh(listener)
    rows = _side_by_side(listener, first, second)
    counts = {"tracks": {}, "artists": {}}
    totals = [[0, 0], [0, 0]]
    for item, kind, artist, a, a_ms, b, b_ms in rows:
        totals[0][0] += a
        totals[0][1] += a_ms
        totals[1][0] += b
        totals[1][1] += b_ms
        if kind != "track":
            continue
        counts["tracks"][item] = (a, b)
        if artist is not None:
            before, after = counts["artists"].get(artist, (0, 0))
            counts["artists"][artist] = (before + a, after + b)
    sides = [
        {
            "plays": totals[position][0],
            "minutes": to_minutes(totals[position][1]),
            "unique_tracks": sum(1 for pair in counts["tracks"].values() if pair[position]),
            "unique_artists": sum(1 for pair in counts["artists"].values() if pair[position]),
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
        deltas = [(key, a, b) for key, (a, b) in counts[label].items()]
        grew = sorted((d for d in deltas if d[2] > d[1]), key=lambda d: (d[1] - d[2], d[0]))
        faded = sorted((d for d in deltas if d[2] < d[1]), key=lambda d: (d[2] - d[1], d[0]))
        grew, faded = grew[:limit], faded[:limit]
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
