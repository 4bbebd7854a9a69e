"""Builds `DayHourTotal`: per listener and UTC day, the day's sums and its 24 UTC hours' counted
plays and milliseconds in columns, the items the listener hides left out.

The heatmap, the summary and the timelines used to read every row of the hourly rollup (87,000
for a million plays over ten years) and move each hour into the asked zone in SQL; in a zone whose
offset is a whole number of hours, a UTC day's hours move together, so a few thousand day rows
answer the same (`plays.queries.hours`). The rows come from the hourly rollups (HourTotal less
HiddenHourTotal), which `plays.rollups` builds first: tens of thousands of rows rather than a
million plays. `plays.rollups` calls `rebuild` with the months it rebuilds, everything, or
everything when the hidden items change.
"""

# The SQL here is assembled from fixed fragments; every value goes in as a query parameter.
# ruff: noqa: S608

from __future__ import annotations

from django.db import connection

from plays.models import DayHourTotal

_SUMS = ("plays", "ms", "track_plays", "stored", "short_or_skipped")


def rebuild(listener_id, start=None, end=None):
    """Rebuilds the listener's rows of the UTC days in [start, end) (whole UTC days; all time
    for None)."""
    rows = DayHourTotal.objects.filter(listener_id=listener_id)
    where, params = "", []
    if start is not None:
        first_day, after_day = int(start.timestamp() // 86400), int(end.timestamp() // 86400)
        rows = rows.filter(day__gte=first_day, day__lt=after_day)
        where, params = (
            " AND h.epoch_hour >= %s AND h.epoch_hour < %s",
            [
                first_day * 24,
                after_day * 24,
            ],
        )
    rows.delete()
    net = ", ".join(f"h.{name} - COALESCE(x.{name}, 0) AS {name}" for name in _SUMS)
    hours = [f"p{hour}" for hour in range(24)] + [f"m{hour}" for hour in range(24)]
    by_hour = [f"SUM(CASE WHEN h %% 24 = {hour} THEN plays ELSE 0 END)" for hour in range(24)] + [
        f"SUM(CASE WHEN h %% 24 = {hour} THEN ms ELSE 0 END)" for hour in range(24)
    ]
    sql = (
        f"INSERT INTO plays_dayhourtotal (listener_id, day, {', '.join(_SUMS)}, "
        f"{', '.join(hours)}) "
        f"SELECT %s, h / 24, {', '.join(f'SUM({name})' for name in _SUMS)}, {', '.join(by_hour)} "
        f"FROM (SELECT h.epoch_hour AS h, {net} "
        "FROM plays_hourtotal h LEFT JOIN plays_hiddenhourtotal x ON x.listener_id = "
        "h.listener_id AND x.epoch_hour = h.epoch_hour AND x.source = h.source "
        f"WHERE h.listener_id = %s{where}) n GROUP BY h / 24 HAVING SUM(stored) > 0"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [listener_id, listener_id, *params])
