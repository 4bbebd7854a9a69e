"""Sums per hour moved into the listener's time zone: whole UTC hours from the hourly rollup,
shifted with integer arithmetic, the ends of a window from the plays."""

# The SQL here is assembled from fixed fragments; every value goes in as a query parameter.
# ruff: noqa: S608

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime
from functools import lru_cache

from django.db import connection

from plays.queries.exclusions import exclusion_of
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
    In a zone whose offsets are whole hours, the whole UTC days among those hours come from the
    day rollup (DayHourTotal) instead, when it holds what is asked (`_day_sums`). Buckets
    without a counted play (or, when asked for, a stored one) are left out. With `by_source`
    the keys are (bucket, source).
    """
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
    segments = _offset_segments(
        tz,
        (first_hour * 60 - 60 * 24 * 8) // _MINUTES_PER_WEEK,
        (last_hour * 60 + 60 * 24 * 8) // _MINUTES_PER_WEEK,
    )
    found = {}
    hour_ranges = []
    if hours is not None:
        hour_range = (
            epoch_hour(hours[0]) if hours[0] else None,
            epoch_hour(hours[1]) if hours[1] else None,
        )
        hour_ranges = [hour_range]
        if _day_rollup_answers(key, sums, by_source, segments, first_hour):
            days, hour_ranges = _split_days(*hour_range)
            if days is not None:
                found = _day_sums(listener, days, key, sums, segments)
    rows = _hour_rows(listener, hour_ranges, ends, tz, key, sums, by_source, first_hour, last_hour)
    width = 2 if by_source else 1
    for row in rows:
        bucket = tuple(row[:2]) if by_source else row[0]
        values = (int(v or 0) for v in row[width:])
        if bucket in found:
            found[bucket] = {
                name: found[bucket][name] + value for name, value in zip(sums, values, strict=True)
            }
        else:
            found[bucket] = dict(zip(sums, values, strict=True))
    kept = "stored" if "stored" in sums else "plays"
    return {bucket: values for bucket, values in found.items() if values[kept]}


def _hour_rows(listener, hour_ranges, ends, tz, key, sums, by_source, first_hour, last_hour):
    """Rows (bucket[, source], sums...) of the hourly rollup's hours in `hour_ranges` and of
    the plays in the windows `ends`, moved into `tz` in SQL."""
    if not hour_ranges and not ends:
        return []
    source = ", source" if by_source else ""
    exclusion = exclusion_of(listener)
    raw = _raw_hour_columns()
    parts, params = [], []
    for hour_range in hour_ranges:
        where, where_params = range_sql("epoch_hour", *hour_range)
        parts.append(
            f"SELECT epoch_hour * 60 AS m{source}, "
            f"{', '.join(FLOAT_MS + ' AS ms' if name == 'ms' else name for name in sums)} "
            f"FROM plays_hourtotal WHERE listener_id = %s{where}"
        )
        params += [listener.pk, *where_params]
        if exclusion:
            # The hidden artists' plays in those hours, taken back out: their own hourly rollup
            # (HiddenHourTotal, built with HourTotal from the same plays).
            negated = ", ".join(
                f"-({FLOAT_MS if name == 'ms' else name}) AS {name}" for name in sums
            )
            parts.append(
                f"SELECT epoch_hour * 60 AS m{source}, {negated} "
                f"FROM plays_hiddenhourtotal WHERE listener_id = %s{where}"
            )
            params += [listener.pk, *where_params]
    keep, keep_params = exclusion.keep_sql("p.item_id")
    for end in ends:
        where, where_params = range_sql("p.played_at", end.start, end.end)
        columns = ", ".join(f"{raw[name][0]} AS {name}" for name in sums)
        parts.append(
            f"SELECT {epoch_minute('p.played_at')} AS m{source and ', p.source AS source'}, "
            f"{columns} "
            "FROM plays_play p JOIN plays_item pi ON pi.id = p.item_id "
            f"WHERE p.listener_id = %s{where}" + (f" AND {keep}" if keep else "")
        )
        params += [*[min_play_ms()] * sum(raw[name][1] for name in sums)]
        params += [listener.pk, *where_params, *keep_params]
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
        return cursor.fetchall()


# What DayHourTotal holds hour by hour; it holds every sum of HOUR_SUMS per day.
_DAY_HOUR_SUMS = {"plays": "p", "ms": "m"}


def _day_rollup_answers(key, sums, by_source, segments, first_hour):
    """True when the day rollup can give these sums: no sources, every offset and change of
    offset on a whole hour, per hour only what it holds per hour, and no hour before 1970 (the
    rollup's days are SQL's truncating divisions)."""
    if by_source or first_hour < 0:
        return False
    if any((start or 0) % 60 or offset % 60 for start, offset in segments):
        return False
    return key is None or all(name in _DAY_HOUR_SUMS for name in sums)


def _split_days(first, after):
    """((first day or None, after day or None) or None, [hour ranges left]) of epoch hours."""
    first_day = None if first is None else -(-first // 24)
    after_day = None if after is None else after // 24
    if first_day is not None and after_day is not None and first_day >= after_day:
        return None, [(first, after)]
    left = []
    if first is not None and first < first_day * 24:
        left.append((first, first_day * 24))
    if after is not None and after_day * 24 < after:
        left.append((after_day * 24, after))
    return (first_day, after_day), left


def _day_offsets(segments):
    """(SQL of each UTC day's offset in hours, NULL on a day the offset changes in; the days it
    changes in) of the zone's `segments` (all on whole hours)."""
    cases, changing = [], []
    for start, offset in reversed(segments[1:]):
        hour, value = start // 60, offset // 60
        if hour % 24 == 0:
            cases.append(f"WHEN day >= {hour // 24} THEN {value}")
        else:
            cases.append(f"WHEN day > {hour // 24} THEN {value} WHEN day = {hour // 24} THEN NULL")
            changing.append(hour // 24)
    first = segments[0][1] // 60
    if not cases:
        return str(first), changing
    return f"CASE {' '.join(cases)} ELSE {first} END", changing


def _day_sums(listener, days, key, sums, segments):
    """{bucket: {sum: value}} of the whole UTC days in `days` from DayHourTotal: the day's sums
    for one bucket (`key` None), else each hour's plays and ms moved by the zone's offset (in
    SQL, grouped by weekday and offset, for the hours of the week; per day for days)."""
    where, params = range_sql("day", *days)
    head = f"FROM plays_dayhourtotal WHERE listener_id = %s{where}"
    params = [listener.pk, *params]
    if key is None:
        columns = ", ".join(
            f"SUM(CAST({name} AS {FLOAT_SQL}))" if name == "ms" else f"SUM({name})" for name in sums
        )
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns} {head}", params)
            row = cursor.fetchone()
        if row[0] is None:
            return {}
        return {0: dict(zip(sums, (int(v or 0) for v in row), strict=True))}
    offset_sql, changing = _day_offsets(segments)
    hourly = [f"{_DAY_HOUR_SUMS[name]}{hour}" for name in sums for hour in range(24)]
    found = {}

    def add(bucket, values):
        into = found.setdefault(bucket, dict.fromkeys(sums, 0))
        for name, value in zip(sums, values, strict=True):
            into[name] += value

    if key == "how":
        columns = ", ".join(
            f"SUM(CAST({column} AS {FLOAT_SQL}))" if column[0] == "m" else f"SUM({column})"
            for column in hourly
        )
        sql = (
            f"SELECT day %% 7, o, {columns} FROM (SELECT day, {offset_sql} AS o, "
            f"{', '.join(hourly)} {head}) d WHERE o IS NOT NULL GROUP BY day %% 7, o"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        for weekday, offset, *values in rows:
            for hour in range(24):
                add(
                    (weekday * 24 + hour + offset) % 168,
                    [int(values[n * 24 + hour] or 0) for n in range(len(sums))],
                )
    else:
        # One offset all day: the hours before `split` fall on one local day, the rest on
        # the next (as in `plays.queries.days.local_days`).
        offsets = sorted({offset // 60 for _, offset in segments})
        low = []
        for name in sums:
            cases = " ".join(
                f"WHEN {offset} THEN "
                + " + ".join(
                    f"{_DAY_HOUR_SUMS[name]}{hour}"
                    for hour in range(24 * (offset // 24 + 1) - offset)
                )
                for offset in offsets
            )
            low.append(f"CASE o {cases} END")
        sql = (
            f"SELECT day, o, {', '.join(low)}, {', '.join(sums)} FROM (SELECT day, "
            f"{offset_sql} AS o, {', '.join(sorted({*hourly, *sums}))} {head}) d "
            "WHERE o IS NOT NULL"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        width = len(sums)
        for day, offset, *values in rows:
            first = day + offset // 24
            lows = [int(v) for v in values[:width]]
            add(first, lows)
            add(first + 1, [int(v) - lo for v, lo in zip(values[width:], lows, strict=True)])
    if changing:
        # The days the offset changes in: hour by hour.
        wanted = [day for day in changing if _in_days(day, days)]
        if wanted:
            marks = ", ".join(["%s"] * len(wanted))
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT day, {', '.join(hourly)} FROM plays_dayhourtotal "
                    f"WHERE listener_id = %s AND day IN ({marks})",
                    [listener.pk, *wanted],
                )
                rows = cursor.fetchall()
            starts = [start // 60 for start, _ in segments[1:]]
            values_of = [offset // 60 for _, offset in segments]
            for day, *values in rows:
                for hour in range(24):
                    at = day * 24 + hour
                    local = at + values_of[bisect_right(starts, at)]
                    add(
                        local % 168 if key == "how" else local // 24,
                        [int(values[n * 24 + hour] or 0) for n in range(len(sums))],
                    )
    return found


def _in_days(day, days):
    first, after = days
    return (first is None or day >= first) and (after is None or day < after)


def _weekday_hour(how):
    """(ISO weekday 1-7, hour) of an hour of the week counted from Thursday 00:00."""
    return (3 + how // 24) % 7 + 1, how % 24


def heat(listener, window, tz, sums=HOUR_SUMS):
    """{(ISO weekday, hour): sums} in `tz`."""
    return {
        _weekday_hour(how): values
        for how, values in time_sums(listener, window, tz, "how", sums).items()
    }


def net_hours_sql(listener):
    """SQL of rows (epoch_hour, source, stored): the listener's stored plays per UTC hour and
    source from the hourly rollup, the hidden artists' plays taken back out (their own hourly
    rollup, whose hours are always among the rollup's: both come from the same plays), and the
    hours left with none dropped (for coverage: which hours hold plays, from which source)."""
    if not exclusion_of(listener):
        return (
            "SELECT epoch_hour, source, stored FROM plays_hourtotal WHERE listener_id = %s",
            [listener.pk],
        )
    left = "h.stored - COALESCE(x.stored, 0)"
    return (
        f"SELECT h.epoch_hour AS epoch_hour, h.source AS source, {left} AS stored "
        "FROM plays_hourtotal h LEFT JOIN plays_hiddenhourtotal x ON x.listener_id = "
        "h.listener_id AND x.epoch_hour = h.epoch_hour AND x.source = h.source "
        f"WHERE h.listener_id = %s AND {left} > 0",
        [listener.pk],
    )
