"""Sums per hour moved into the listener's time zone: whole UTC hours from the hourly rollup,
shifted with integer arithmetic, the ends of a window from the plays."""

# The SQL here is assembled from fixed fragments; every value goes in as a query parameter.
# ruff: noqa: S608

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from django.db import connection

from plays.queries.sums import (
    COUNTED_SQL,
    FLOAT_MS,
    FLOAT_SQL,
    PLAY_MS_SQL,
    hour_ceil,
    hour_floor,
    range_sql,
    split_whole,
)
from plays.queries.windows import min_play_ms
from plays.rollups import epoch_hour

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@lru_cache(maxsize=64)
def _whole_hour_zone(tz) -> bool:
    """True when the zone's offset from UTC was a whole number of hours in 1970-2037."""
    for year in range(1970, 2038):
        for month in (1, 4, 7, 10):
            offset = datetime(year, month, 1, tzinfo=tz).utcoffset()
            if offset.total_seconds() % 3600:
                return False
    return True


def epoch_minute(column):
    if connection.vendor == "postgresql":
        return f"FLOOR(EXTRACT(EPOCH FROM {column}) / 60)::bigint"
    return f"(CAST(strftime('%%s', {column}) AS INTEGER) / 60)"


HOUR_SUMS = ("plays", "ms", "track_plays", "stored", "short_or_skipped")


_MINUTES_PER_WEEK = 7 * 24 * 60


@lru_cache(maxsize=256)
def _offset_segments(tz, first_week, last_week):
    """[(first epoch minute or None, UTC offset in minutes)] of `tz` over those weeks since 1970."""

    def offset(minute):
        return int(datetime.fromtimestamp(minute * 60, tz).utcoffset().total_seconds() // 60)

    segments = [(None, offset(first_week * _MINUTES_PER_WEEK))]
    for week in range(first_week, last_week + 1):
        low, high = week * _MINUTES_PER_WEEK, (week + 1) * _MINUTES_PER_WEEK
        while offset(low) != offset(high):  # a change in this week: find its minute
            a, b = low, high
            while b - a > 1:
                middle = (a + b) // 2
                if offset(middle) == offset(low):
                    a = middle
                else:
                    b = middle
            segments.append((b, offset(b)))
            low = b
    return segments


def local_minute_sql(tz, first_minute, last_minute):
    segments = _offset_segments(
        tz, first_minute // _MINUTES_PER_WEEK, last_minute // _MINUTES_PER_WEEK
    )
    if len(segments) == 1:
        return f"(x.m + {segments[0][1]})"
    cases = " ".join(f"WHEN x.m >= {start} THEN {off}" for start, off in reversed(segments[1:]))
    return f"(x.m + CASE {cases} ELSE {segments[0][1]} END)"


def _raw_hour_columns():
    counted = COUNTED_SQL
    return {
        "plays": (f"CASE WHEN {counted} THEN 1 ELSE 0 END", 1),
        "ms": (f"CAST(CASE WHEN {counted} THEN {PLAY_MS_SQL} ELSE 0 END AS {FLOAT_SQL})", 1),
        "track_plays": (f"CASE WHEN {counted} AND pi.kind = 'track' THEN 1 ELSE 0 END", 1),
        "stored": ("1", 0),
        "short_or_skipped": (
            "CASE WHEN p.skipped IS TRUE OR p.ms_played < %s THEN 1 ELSE 0 END",
            1,
        ),
    }


def time_sums(listener, window, tz, key, sums=HOUR_SUMS, *, by_source=False):
    """{bucket: {sum name: value}} over the window in `tz`, for the `sums` of HOUR_SUMS.

    `key` is "how" (hour of the week, counted from Thursday 00:00 as 1970 began), "day" (days
    since 1970-01-01) or None (one bucket, 0). Whole UTC hours come from the hourly rollup and
    are moved into `tz` with integer arithmetic; the ends of the window come from the plays.
    Buckets without a counted play (or, when asked for, a stored one) are left out. With
    `by_source` the keys are (bucket, source).
    """
    source = ", source" if by_source else ""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT MIN(epoch_hour), MAX(epoch_hour) FROM plays_hourtotal WHERE listener_id = %s",
            [listener.pk],
        )
        first_hour, last_hour = cursor.fetchone()
    if first_hour is None:
        return {}
    if _whole_hour_zone(tz):
        hours, ends = split_whole(window, hour_floor, hour_ceil)
    else:
        hours, ends = None, [window]
    parts, params = [], []
    if hours is not None:
        where, where_params = range_sql(
            "epoch_hour",
            epoch_hour(hours[0]) if hours[0] else None,
            epoch_hour(hours[1]) if hours[1] else None,
        )
        parts.append(
            f"SELECT epoch_hour * 60 AS m{source}, "
            f"{', '.join(FLOAT_MS + ' AS ms' if name == 'ms' else name for name in sums)} "
            f"FROM plays_hourtotal WHERE listener_id = %s{where}"
        )
        params += [listener.pk, *where_params]
    raw = _raw_hour_columns()
    for end in ends:
        where, where_params = range_sql("p.played_at", end.start, end.end)
        columns = ", ".join(f"{raw[name][0]} AS {name}" for name in sums)
        parts.append(
            f"SELECT {epoch_minute('p.played_at')} AS m{source and ', p.source AS source'}, "
            f"{columns} "
            "FROM plays_play p JOIN plays_item pi ON pi.id = p.item_id "
            f"WHERE p.listener_id = %s{where}"
        )
        params += [*[min_play_ms()] * sum(raw[name][1] for name in sums)]
        params += [listener.pk, *where_params]
    local = local_minute_sql(tz, first_hour * 60 - 60 * 24 * 8, last_hour * 60 + 60 * 24 * 8)
    bucket = {"how": f"({local} / 60) %% 168", "day": f"({local} / 1440)", None: "0"}[key]
    totals = ", ".join(f"SUM(x.{name})" for name in sums)
    group = "1, x.source" if by_source else "1"
    sql = (
        f"SELECT {bucket}{source and ', x.source'}, {totals} "
        f"FROM ({' UNION ALL '.join(parts)}) x GROUP BY {group}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    kept = sums.index("stored") if "stored" in sums else sums.index("plays")
    width = 2 if by_source else 1
    return {
        (tuple(row[:2]) if by_source else row[0]): dict(
            zip(sums, (int(v or 0) for v in row[width:]), strict=True)
        )
        for row in rows
        if row[width + kept]
    }


def _weekday_hour(how):
    """(ISO weekday 1-7, hour) of an hour of the week counted from Thursday 00:00."""
    return (3 + how // 24) % 7 + 1, how % 24


def heat(listener, window, tz, sums=HOUR_SUMS):
    """{(ISO weekday, hour): sums} in `tz`."""
    return {
        _weekday_hour(how): values
        for how, values in time_sums(listener, window, tz, "how", sums).items()
    }
