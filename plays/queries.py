"""The one query module: every question asked of a listener's history is answered here.

The MCP tools (`mcp.tools`) and the operator and listener pages call these plain functions; none of
them knows about HTTP. Each tool has one function of the same name taking the Listener first and
keyword arguments for the rest, and returning JSON-able data with times shown in the listener's
time zone (or the one asked for).

What counts as a play: a stored play whose `ms_played` is at least `settings.MIN_PLAY_MS` (30 s by
default), or unknown (the API's recently-played feed leaves it out, and only lists plays of about
30 s or more). Shorter plays are kept in the database and reported only where a tool says so
(the share of skipped plays). Minutes come from `ms_played`, or the item's duration when the
source didn't say. Artists are counted by each track's primary (first credited) artist.

Speed: the answers are summed from the rollups (`plays.rollups`: counted plays per item per UTC
month, per UTC year and for all time, and per UTC hour), brought up to date before each read,
plus the plays themselves at the ragged ends of a window that doesn't start or end on a month (or
hour) boundary. A time zone whose offset isn't a whole number of hours reads hours from the plays.
On SQLite, name searches fold the case of ASCII letters only (its LIKE).
"""

# The SQL here is assembled from fixed fragments; every value goes in as a query parameter.
# ruff: noqa: S608

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Min, Q, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from plays.models import Album, Artist, HourTotal, Item, ItemMonth, ItemTotal, Play, Show
from plays.rollups import ensure_fresh, epoch_hour

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
GRANULARITIES = ("day", "week", "month", "year")
MAX_BUCKETS = 5000
MAX_DAYS = 36_600
UTC_ZONE = ZoneInfo("UTC")


class QueryError(ValueError):
    """A question that can't be answered as asked; the message says how to ask it instead."""


def min_play_ms() -> int:
    return settings.MIN_PLAY_MS


def listener_tz(listener, timezone_name=None) -> ZoneInfo:
    """The zone to show times in: the argument, else the listener's setting, else UTC."""
    name = timezone_name or getattr(listener, "time_zone", "") or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise QueryError(
            f"Unknown time zone {name!r}: use an IANA name such as 'Europe/Paris', "
            "'America/New_York' or 'UTC'."
        ) from None


# --- Windows -------------------------------------------------------------------------------------

_YEAR = re.compile(r"^\d{4}$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")


def _parse_moment(value, tz, *, is_end, name):
    """An ISO year, month, date or datetime as an aware datetime.

    A start is the first instant of what it names; an end names the last day (or month, year)
    included, so it becomes the first instant after it. Naive datetimes are in `tz`.
    """
    if isinstance(value, datetime):
        moment = value if timezone.is_aware(value) else value.replace(tzinfo=tz)
        return moment
    if isinstance(value, date):
        day = value
        return _midnight(day + timedelta(days=1) if is_end else day, tz)
    if not isinstance(value, str) or not value.strip():
        raise QueryError(
            f"'{name}' must be an ISO date such as '2024-03-01' or a datetime such as "
            "'2024-03-01T18:00:00'."
        )
    text = value.strip()
    try:
        if _YEAR.match(text):
            year = int(text)
            return _midnight(date(year + 1 if is_end else year, 1, 1), tz)
        if _MONTH.match(text):
            first = date.fromisoformat(f"{text}-01")
            if is_end:
                first = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
            return _midnight(first, tz)
        if "T" not in text.upper() and " " not in text:
            # A date in any ISO form ('2024-03-31', '20240331', '2024-091'): the whole day.
            day = date.fromisoformat(text)
            return _midnight(day + timedelta(days=1) if is_end else day, tz)
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise QueryError(
            f"'{name}' is {value!r}, which is not a date: use an ISO date such as '2024-03-01', "
            "a month '2024-03', a year '2024' or a datetime such as '2024-03-01T18:00:00'."
        ) from None
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=tz)


def _midnight(day, tz):
    return datetime.combine(day, time(0), tzinfo=tz)


@dataclass(frozen=True)
class Window:
    """A half-open span of time [start, end); None on either side means unbounded."""

    start: datetime | None = None
    end: datetime | None = None

    @classmethod
    def all_time(cls) -> Window:
        return cls()

    @classmethod
    def parse(cls, start=None, end=None, days=None, *, tz) -> Window:
        """A window from tool arguments: ISO start/end (end date included), or the last N days."""
        if days is not None:
            if start not in (None, ""):
                raise QueryError(
                    "Give either 'days' or 'start' (with an optional 'end'), not both."
                )
            if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
                raise QueryError(f"'days' must be a whole number from 1 to {MAX_DAYS}.")
        try:
            start_at = (
                None
                if start in (None, "")
                else _parse_moment(start, tz, is_end=False, name="start")
            )
            end_at = None if end in (None, "") else _parse_moment(end, tz, is_end=True, name="end")
            if days is not None:
                end_at = end_at or timezone.now()
                start_at = end_at - timedelta(days=days)
            for moment in (start_at, end_at):
                if moment is not None:
                    moment.astimezone(UTC_ZONE)  # the queries compare in UTC
        except OverflowError:
            raise QueryError(
                "The window reaches past the calendar's ends: use dates between the years 2 and "
                "9998."
            ) from None
        if start_at and end_at and start_at >= end_at:
            raise QueryError(
                "The window's 'start' must come before its 'end' (the end date is included)."
            )
        return cls(start=start_at, end=end_at)

    @property
    def is_all_time(self) -> bool:
        return self.start is None and self.end is None

    def filter(self, queryset, field="played_at"):
        if self.start is not None:
            queryset = queryset.filter(**{f"{field}__gte": self.start})
        if self.end is not None:
            queryset = queryset.filter(**{f"{field}__lt": self.end})
        return queryset

    def contains(self, moment) -> bool:
        return (self.start is None or moment >= self.start) and (
            self.end is None or moment < self.end
        )

    def describe(self, tz=None) -> dict:
        """The window as JSON: its bounds in `tz` (end exclusive), or all time."""
        return {
            "start": _iso(self.start, tz),
            "end": _iso(self.end, tz),
            "all_time": self.is_all_time,
        }


def _iso(moment, tz=None):
    if moment is None:
        return None
    return moment.astimezone(tz or UTC_ZONE).isoformat()


# --- Building blocks -----------------------------------------------------------------------------


def _counted_q():
    return Q(ms_played__isnull=True) | Q(ms_played__gte=min_play_ms())


def _counted(listener, window=None):
    """The listener's stored plays that count, in the window."""
    queryset = Play.objects.filter(listener=listener).filter(_counted_q())
    return (window or Window()).filter(queryset)


_MS = Coalesce("ms_played", "item__duration_ms", 0)


def _minutes(ms) -> float:
    return round((ms or 0) / 60000, 1)


def _check_by(by):
    if by not in ("plays", "time"):
        raise QueryError("'by' must be 'plays' (number of plays) or 'time' (minutes listened).")


def _check_limit(limit, most=100):
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= most:
        raise QueryError(f"'limit' must be a whole number from 1 to {most}.")


def _spotify_id(obj):
    return obj.spotify_id or None


def _artist_names(item_ids):
    """item id -> credited artist names, in order."""
    names = defaultdict(list)
    rows = (
        Item.artists.through.objects.filter(item_id__in=list(item_ids))
        .order_by("item_id", "position")
        .values_list("item_id", "artist__name")
    )
    for item_id, name in rows:
        names[item_id].append(name)
    return names


def _month_floor(moment):
    moment = moment.astimezone(UTC_ZONE)
    return datetime(moment.year, moment.month, 1, tzinfo=UTC_ZONE)


def _month_ceil(moment):
    floor = _month_floor(moment)
    if floor == moment:
        return floor
    return (floor + timedelta(days=32)).replace(day=1)


def _hour_floor(moment):
    return moment.astimezone(UTC_ZONE).replace(minute=0, second=0, microsecond=0)


def _hour_ceil(moment):
    floor = _hour_floor(moment)
    return floor if floor == moment else floor + timedelta(hours=1)


def _split(window, floor, ceil):
    """(whole units as (start or None, end or None), or None; the ragged ends as Windows).

    The whole units are read from a rollup, the ends from the plays themselves.
    """
    inner_start = None if window.start is None else ceil(window.start)
    inner_end = None if window.end is None else floor(window.end)
    if inner_start is not None and inner_end is not None and inner_start >= inner_end:
        return None, [window]
    ends = []
    if window.start is not None and window.start < inner_start:
        ends.append(Window(window.start, inner_start))
    if window.end is not None and inner_end < window.end:
        ends.append(Window(inner_end, window.end))
    return (inner_start, inner_end), ends


@lru_cache(maxsize=64)
def _whole_hour_zone(tz) -> bool:
    """True when the zone's offset from UTC was a whole number of hours in 1970-2037."""
    for year in range(1970, 2038):
        for month in (1, 4, 7, 10):
            offset = datetime(year, month, 1, tzinfo=tz).utcoffset()
            if offset.total_seconds() % 3600:
                return False
    return True


def _param(value):
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    return value


def _as_datetime(value):
    """A datetime from a raw query (SQLite gives text, PostgreSQL aware datetimes)."""
    if value is None or (isinstance(value, datetime) and timezone.is_aware(value)):
        return value
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC_ZONE)


def _epoch_minute(column):
    if connection.vendor == "postgresql":
        return f"FLOOR(EXTRACT(EPOCH FROM {column}) / 60)::bigint"
    return f"(CAST(strftime('%%s', {column}) AS INTEGER) / 60)"


_COUNTED_SQL = "(p.ms_played IS NULL OR p.ms_played >= %s)"
_FLOAT = "DOUBLE PRECISION"
_FLOAT_MS = f"CAST(ms AS {_FLOAT})"
_PLAY_MS_SQL = "COALESCE(p.ms_played, pi.duration_ms, 0)"


def _range_sql(column, start, end):
    sql, params = "", []
    if start is not None:
        sql, params = f" AND {column} >= %s", [_param(start)]
    if end is not None:
        sql, params = sql + f" AND {column} < %s", [*params, _param(end)]
    return sql, params


def _year_after(day):
    return date(day.year + 1, 1, 1)


def _whole_years(first_month, end_month):
    """([first Jan 1, end Jan 1) or None, [month ranges left over]) of a range of UTC months."""
    first_year = None
    if first_month is not None:
        first_year = first_month if first_month.month == 1 else _year_after(first_month)
    end_year = None if end_month is None else date(end_month.year, 1, 1)
    if first_year is not None and end_year is not None and first_year >= end_year:
        return None, [(first_month, end_month)]
    leftovers = []
    if first_month is not None and first_month < first_year:
        leftovers.append((first_month, first_year))
    if end_month is not None and end_year < end_month:
        leftovers.append((end_year, end_month))
    return (first_year, end_year), leftovers


def _source_ranges(window):
    """[(table, condition, params)]: where the counted plays of the window are summed up.

    All time: the all-time rollup. Otherwise whole UTC years, then whole UTC months, from their
    rollups, and "plays_play" itself for the ragged ends. Conditions are SQL on that table's
    columns ("" for no condition).
    """
    if window.is_all_time:
        return [("plays_itemtotal", "", [])]
    months, ends = _split(window, _month_floor, _month_ceil)
    ranges = []
    if months is not None:
        years, leftovers = _whole_years(
            months[0].date() if months[0] else None, months[1].date() if months[1] else None
        )
        if years is not None:
            ranges.append(("plays_itemyear", *_range_sql("year", *years)))
        ranges += [("plays_itemmonth", *_range_sql("month", *pair)) for pair in leftovers]
    ranges += [("plays_play", *_range_sql("p.played_at", end.start, end.end)) for end in ends]
    return [(table, where.removeprefix(" AND "), params) for table, where, params in ranges]


# Sums of doubles run about twice as fast as PostgreSQL's numeric sums of bigints, and are exact
# for whole numbers below 2**53 (285,000 years of milliseconds).
_ROLLUP_COLUMNS = f"item_id, plays, {_FLOAT_MS} AS ms, first_at, last_at"
_RAW_COLUMNS = (
    f"p.item_id AS item_id, 1 AS plays, CAST({_PLAY_MS_SQL} AS {_FLOAT}) AS ms, "
    "p.played_at AS first_at, p.played_at AS last_at"
)
_RAW_FROM = "plays_play p JOIN plays_item pi ON pi.id = p.item_id"


def _item_source(listener, window, items_sql="", items_params=()):
    """SQL for rows (item_id, plays, ms, first_at, last_at) of the counted plays in the window
    (see `_source_ranges`). `items_sql` (a subquery of item ids) keeps only those items."""
    parts, params = [], []
    for table, where, where_params in _source_ranges(window):
        conditions = [f"({where})"] if where else []
        if table == "plays_play":
            conditions = ["p.listener_id = %s", _COUNTED_SQL, *conditions]
            head, column_params = f"SELECT {_RAW_COLUMNS} FROM {_RAW_FROM}", [min_play_ms()]
            item = "p.item_id"
        else:
            conditions = ["listener_id = %s", *conditions]
            head, column_params, item = f"SELECT {_ROLLUP_COLUMNS} FROM {table}", [], "item_id"
        if items_sql:
            conditions.append(f"{item} IN ({items_sql})")
        parts.append(f"{head} WHERE {' AND '.join(conditions)}")
        params += [listener.pk, *column_params, *where_params, *items_params]
    return " UNION ALL ".join(parts), params


_GROUP_COLUMNS = {
    "item": "i.id",
    "item__primary_artist": "i.primary_artist_id",
    "item__album": "i.album_id",
    "item__show": "i.show_id",
}
_ORDERS = {
    "plays": "2 DESC, 3 DESC, 1",
    "time": "3 DESC, 2 DESC, 1",
    "plays_then_first": "2 DESC, 4, 1",
}


def _grouped(
    listener,
    window,
    group,
    *,
    kinds=None,
    where="",
    params=(),
    order="plays",
    limit=None,
    items_sql="",
    items_params=(),
    with_totals=False,
):
    """([(key, plays, ms, first, last)], number of groups) over the counted plays of the window,
    and with `with_totals` the plays and ms of all groups (not just the first `limit`).

    `group` is a path from an item ("item", "item__primary_artist", "item__album",
    "item__show", with the item as `i` in `where`); `kinds` keeps items of those kinds.
    """
    source, source_params = _item_source(listener, window, items_sql, items_params)
    column = _GROUP_COLUMNS[group]
    conditions, condition_params = [f"{column} IS NOT NULL"], []
    if kinds:
        conditions.append(f"i.kind IN ({', '.join(['%s'] * len(kinds))})")
        condition_params += list(kinds)
    if where:
        conditions.append(where)
        condition_params += list(params)
    if not window.is_all_time:  # one row per item before the join
        source = (
            "SELECT item_id, SUM(plays) AS plays, SUM(ms) AS ms, MIN(first_at) AS first_at, "
            f"MAX(last_at) AS last_at FROM ({source}) w GROUP BY item_id"
        )
    sql = (
        f"SELECT {column}, SUM(x.plays), SUM(x.ms), MIN(x.first_at), MAX(x.last_at), "
        "COUNT(*) OVER (), SUM(SUM(x.plays)) OVER (), SUM(SUM(x.ms)) OVER () "
        f"FROM ({source}) x JOIN plays_item i ON i.id = x.item_id "
        f"WHERE {' AND '.join(conditions)} GROUP BY {column} ORDER BY {_ORDERS[order]}"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*source_params, *condition_params])
        rows = cursor.fetchall()
    groups, plays, ms = (rows[0][5], int(rows[0][6]), int(rows[0][7] or 0)) if rows else (0, 0, 0)
    rows = [
        (key, int(plays), int(ms or 0), _as_datetime(first), _as_datetime(last))
        for key, plays, ms, first, last, *_ in rows
    ]
    return (rows, groups, plays, ms) if with_totals else (rows, groups)


def _subquery(queryset):
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


_HOUR_SUMS = ("plays", "ms", "track_plays", "stored", "short_or_skipped")
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


def _local_minute_sql(tz, first_minute, last_minute):
    segments = _offset_segments(
        tz, first_minute // _MINUTES_PER_WEEK, last_minute // _MINUTES_PER_WEEK
    )
    if len(segments) == 1:
        return f"(x.m + {segments[0][1]})"
    cases = " ".join(f"WHEN x.m >= {start} THEN {off}" for start, off in reversed(segments[1:]))
    return f"(x.m + CASE {cases} ELSE {segments[0][1]} END)"


def _raw_hour_columns():
    counted = _COUNTED_SQL
    return {
        "plays": (f"CASE WHEN {counted} THEN 1 ELSE 0 END", 1),
        "ms": (f"CAST(CASE WHEN {counted} THEN {_PLAY_MS_SQL} ELSE 0 END AS {_FLOAT})", 1),
        "track_plays": (f"CASE WHEN {counted} AND pi.kind = 'track' THEN 1 ELSE 0 END", 1),
        "stored": ("1", 0),
        "short_or_skipped": (
            "CASE WHEN p.skipped IS TRUE OR p.ms_played < %s THEN 1 ELSE 0 END",
            1,
        ),
    }


def _time_sums(listener, window, tz, key, sums=_HOUR_SUMS):
    """{bucket: {sum name: value}} over the window in `tz`, for the `sums` of _HOUR_SUMS.

    `key` is "how" (hour of the week, counted from Thursday 00:00 as 1970 began), "day" (days
    since 1970-01-01) or None (one bucket, 0). Whole UTC hours come from the hourly rollup and
    are moved into `tz` with integer arithmetic; the ends of the window come from the plays.
    Buckets without a counted play (or, when asked for, a stored one) are left out.
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
        hours, ends = _split(window, _hour_floor, _hour_ceil)
    else:
        hours, ends = None, [window]
    parts, params = [], []
    if hours is not None:
        where, where_params = _range_sql(
            "epoch_hour",
            epoch_hour(hours[0]) if hours[0] else None,
            epoch_hour(hours[1]) if hours[1] else None,
        )
        parts.append(
            "SELECT epoch_hour * 60 AS m, "
            f"{', '.join(_FLOAT_MS + ' AS ms' if name == 'ms' else name for name in sums)} "
            f"FROM plays_hourtotal WHERE listener_id = %s{where}"
        )
        params += [listener.pk, *where_params]
    raw = _raw_hour_columns()
    for end in ends:
        where, where_params = _range_sql("p.played_at", end.start, end.end)
        columns = ", ".join(f"{raw[name][0]} AS {name}" for name in sums)
        parts.append(
            f"SELECT {_epoch_minute('p.played_at')} AS m, {columns} "
            "FROM plays_play p JOIN plays_item pi ON pi.id = p.item_id "
            f"WHERE p.listener_id = %s{where}"
        )
        params += [*[min_play_ms()] * sum(raw[name][1] for name in sums)]
        params += [listener.pk, *where_params]
    local = _local_minute_sql(tz, first_hour * 60 - 60 * 24 * 8, last_hour * 60 + 60 * 24 * 8)
    bucket = {"how": f"({local} / 60) %% 168", "day": f"({local} / 1440)", None: "0"}[key]
    totals = ", ".join(f"SUM(x.{name})" for name in sums)
    sql = f"SELECT {bucket}, {totals} FROM ({' UNION ALL '.join(parts)}) x GROUP BY 1"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    kept = sums.index("stored") if "stored" in sums else sums.index("plays")
    return {
        row[0]: dict(zip(sums, (int(v or 0) for v in row[1:]), strict=True))
        for row in rows
        if row[1 + kept]
    }


def _weekday_hour(how):
    """(ISO weekday 1-7, hour) of an hour of the week counted from Thursday 00:00."""
    return (3 + how // 24) % 7 + 1, how % 24


def _first_and_last(listener, window):
    """The first and last counted play in the window (exact times)."""
    counted = _counted(listener, window)
    first = counted.order_by("played_at").values_list("played_at", flat=True).first()
    last = counted.order_by("-played_at").values_list("played_at", flat=True).first()
    return first, last


# --- Tools ---------------------------------------------------------------------------------------


def recent_plays(listener, *, limit=20, window=None, tz=None) -> dict:
    """The newest counted plays first: what, by whom, from where."""
    _check_limit(limit, 200)
    tz = tz or listener_tz(listener)
    plays = list(
        _counted(listener, window)
        .select_related("item", "item__album", "item__show")
        # The order of the (listener, played_at, item) index: the newest N without a sort.
        .order_by("-played_at", "-item_id")[:limit]
    )
    names = _artist_names({p.item_id for p in plays})
    items = [
        {
            "played_at": _iso(p.played_at, tz),
            "track": p.item.name,
            "kind": p.item.kind,
            "artists": names.get(p.item_id, []),
            "album": p.item.album.name if p.item.album else None,
            "show": p.item.show.name if p.item.show else None,
            "ms_played": p.ms_played,
            "source": p.source,
            "spotify_id": _spotify_id(p.item),
        }
        for p in plays
    ]
    return {"items": items, "count": len(items), "time_zone": str(tz)}


def _artist_rows(rows):
    artists = Artist.objects.in_bulk([row[0] for row in rows])
    return [
        {
            "rank": rank,
            "name": artists[key].name,
            "spotify_id": _spotify_id(artists[key]),
            "plays": plays,
            "minutes": _minutes(ms),
        }
        for rank, (key, plays, ms, _first, _last) in enumerate(rows, 1)
    ]


def _track_rows(rows):
    tracks = Item.objects.select_related("album").in_bulk([row[0] for row in rows])
    names = _artist_names(tracks)
    return [
        {
            "rank": rank,
            "name": tracks[key].name,
            "artists": names.get(key, []),
            "album": tracks[key].album.name if tracks[key].album else None,
            "spotify_id": _spotify_id(tracks[key]),
            "plays": plays,
            "minutes": _minutes(ms),
        }
        for rank, (key, plays, ms, _first, _last) in enumerate(rows, 1)
    ]


def _album_rows(rows):
    albums = Album.objects.select_related("artist").in_bulk([row[0] for row in rows])
    return [
        {
            "rank": rank,
            "name": albums[key].name,
            "artists": [albums[key].artist.name] if albums[key].artist else [],
            "spotify_id": _spotify_id(albums[key]),
            "plays": plays,
            "minutes": _minutes(ms),
        }
        for rank, (key, plays, ms, _first, _last) in enumerate(rows, 1)
    ]


def _listing(listener, window, limit, by, tz, group, to_rows):
    _check_limit(limit)
    _check_by(by)
    window = window or Window()
    tz = tz or listener_tz(listener)
    ensure_fresh(listener)
    rows, _ = _grouped(listener, window, group, kinds=["track"], order=by, limit=limit)
    return {
        "items": to_rows(rows),
        "by": by,
        "window": window.describe(tz),
        "time_zone": str(tz),
        "min_play_seconds": min_play_ms() / 1000,
    }


def top_artists(listener, *, window=None, limit=10, by="plays", tz=None) -> dict:
    """The artists most played (or longest listened to), by primary artist of each track."""
    return _listing(listener, window, limit, by, tz, "item__primary_artist", _artist_rows)


def top_tracks(listener, *, window=None, limit=10, by="plays", tz=None) -> dict:
    """The tracks most played (or longest listened to), with their artists and album."""
    return _listing(listener, window, limit, by, tz, "item", _track_rows)


def top_albums(listener, *, window=None, limit=10, by="plays", tz=None) -> dict:
    """The albums most played (or longest listened to), with their artist."""
    return _listing(listener, window, limit, by, tz, "item__album", _album_rows)


def _heat(listener, window, tz, sums=_HOUR_SUMS):
    """{(ISO weekday, hour): sums} in `tz`."""
    return {
        _weekday_hour(how): values
        for how, values in _time_sums(listener, window, tz, "how", sums).items()
    }


def listening_heatmap(listener, *, window=None, tz=None) -> dict:
    """Counted plays per weekday (Monday first) and hour of the day, in the listener's zone."""
    window = window or Window()
    tz = tz or listener_tz(listener)
    ensure_fresh(listener)
    counts = {key: sums["plays"] for key, sums in _heat(listener, window, tz, ("plays",)).items()}
    cells = [[counts.get((wd, hr), 0) for hr in range(24)] for wd in range(1, 8)]
    peak = max(counts.items(), key=lambda kv: (kv[1], -kv[0][0], -kv[0][1]), default=None)
    return {
        "cells": cells,
        "weekdays": list(WEEKDAYS),
        "plays": sum(counts.values()),
        "peak": {"weekday": WEEKDAYS[peak[0][0] - 1], "hour": peak[0][1], "plays": peak[1]}
        if peak
        else None,
        "window": window.describe(tz),
        "time_zone": str(tz),
    }


def _next_bucket(day, granularity):
    if granularity == "day":
        return day + timedelta(days=1)
    if granularity == "week":
        return day + timedelta(days=7)
    if granularity == "month":
        return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return day.replace(year=day.year + 1)


def _bucket_of(day, granularity):
    if granularity == "day":
        return day
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


_EPOCH_DAY = date(1970, 1, 1)


def listening_timeline(listener, *, window=None, granularity="month", tz=None) -> dict:
    """Counted plays and minutes per day, week (from Monday), month or year in the listener's zone.

    Buckets run without gaps from the first to the last (the window's bounds when it has them).
    """
    if granularity not in GRANULARITIES:
        raise QueryError("'granularity' must be one of: day, week, month, year.")
    window = window or Window()
    tz = tz or listener_tz(listener)
    ensure_fresh(listener)
    found = defaultdict(lambda: [0, 0])
    for day, sums in _time_sums(listener, window, tz, "day", ("plays", "ms")).items():
        if sums["plays"]:
            bucket = found[_bucket_of(_EPOCH_DAY + timedelta(days=day), granularity)]
            bucket[0] += sums["plays"]
            bucket[1] += sums["ms"]
    buckets = []
    if found or not window.is_all_time:
        first = (
            _bucket_of(window.start.astimezone(tz).date(), granularity)
            if window.start
            else min(found)
        )
        last = (
            _bucket_of((window.end - timedelta(microseconds=1)).astimezone(tz).date(), granularity)
            if window.end
            else max(found)
        )
        if found:
            first, last = min(first, min(found)), max(last, max(found))
        day = first
        while day <= last:
            if len(buckets) >= MAX_BUCKETS:
                raise QueryError(
                    f"That is more than {MAX_BUCKETS} {granularity}s: use a coarser "
                    "'granularity' or a shorter window."
                )
            plays, ms = found.get(day, (0, 0))
            buckets.append({"start": day.isoformat(), "plays": plays, "minutes": _minutes(ms)})
            day = _next_bucket(day, granularity)
    return {
        "granularity": granularity,
        "buckets": buckets,
        "plays": sum(plays for plays, _ in found.values()),
        "minutes": _minutes(sum(ms for _, ms in found.values())),
        "window": window.describe(tz),
        "time_zone": str(tz),
    }


def listening_summary(listener, *, window=None, tz=None) -> dict:
    """Totals of a window: plays, minutes, variety, firsts and lasts, top fives, habits."""
    window = window or Window()
    tz = tz or listener_tz(listener)
    ensure_fresh(listener)
    totals = dict.fromkeys(_HOUR_SUMS, 0)
    by_hour, by_weekday = defaultdict(int), defaultdict(int)
    for (wd, hr), sums in _heat(listener, window, tz).items():
        for key in _HOUR_SUMS:
            totals[key] += sums[key]
        if sums["plays"]:
            by_hour[hr] += sums["plays"]
            by_weekday[wd] += sums["plays"]
    peak_hour = max(by_hour.items(), key=lambda kv: (kv[1], -kv[0]), default=None)
    peak_day = max(by_weekday.items(), key=lambda kv: (kv[1], -kv[0]), default=None)
    tracks, unique_tracks = _grouped(listener, window, "item", kinds=["track"], limit=5)
    artists, unique_artists = _grouped(
        listener, window, "item__primary_artist", kinds=["track"], limit=5
    )
    first, last = _first_and_last(listener, window)
    track_plays = totals["track_plays"]
    return {
        "plays": totals["plays"],
        "minutes": _minutes(totals["ms"]),
        "track_plays": track_plays,
        "unique_tracks": unique_tracks,
        "unique_artists": unique_artists,
        "first_play": _iso(first, tz),
        "last_play": _iso(last, tz),
        "top_artists": _artist_rows(artists),
        "top_tracks": _track_rows(tracks),
        "peak_hour": {"hour": peak_hour[0], "plays": peak_hour[1]} if peak_hour else None,
        "peak_weekday": {"weekday": WEEKDAYS[peak_day[0] - 1], "plays": peak_day[1]}
        if peak_day
        else None,
        "repeat_rate": round((track_plays - unique_tracks) / track_plays, 4)
        if track_plays
        else None,
        "skipped_share": round(totals["short_or_skipped"] / totals["stored"], 4)
        if totals["stored"]
        else None,
        "window": window.describe(tz),
        "time_zone": str(tz),
        "min_play_seconds": min_play_ms() / 1000,
    }


def _first_heard_in(listener, window, group):
    """A subquery of the item ids of the tracks (or of the artists' tracks) whose first counted
    play ever is in the window."""
    having, params = "", []
    if window.start is not None:
        having, params = " AND MIN(t.first_at) >= %s", [_param(window.start)]
    if window.end is not None:
        having, params = having + " AND MIN(t.first_at) < %s", [*params, _param(window.end)]
    column = _GROUP_COLUMNS[group].replace("i.", "ti.")
    firsts = (
        f"SELECT {column} FROM plays_itemtotal t JOIN plays_item ti ON ti.id = t.item_id "
        f"WHERE t.listener_id = %s AND ti.kind = 'track' AND {column} IS NOT NULL "
        f"GROUP BY {column} HAVING COUNT(*) > 0{having}"
    )
    if group == "item":
        return firsts, [listener.pk, *params]
    return (
        f"SELECT ai.id FROM plays_item ai WHERE ai.primary_artist_id IN ({firsts})",
        [listener.pk, *params],
    )


def discoveries(listener, *, window=None, limit=20, tz=None) -> dict:
    """Artists and tracks whose first counted play ever falls in the window."""
    _check_limit(limit)
    window = window or Window()
    tz = tz or listener_tz(listener)
    ensure_fresh(listener)
    found = {}
    for label, group in (("tracks", "item"), ("artists", "item__primary_artist")):
        # Over all time everything was first heard in the window.
        items_sql, items_params = (
            ("", ()) if window.is_all_time else _first_heard_in(listener, window, group)
        )
        found[label] = _grouped(
            listener,
            window,
            group,
            kinds=["track"],
            order="plays_then_first",
            limit=limit,
            items_sql=items_sql,
            items_params=items_params,
        )
    (tracks, new_tracks), (artists, new_artists) = found["tracks"], found["artists"]
    track_objs = Item.objects.in_bulk([row[0] for row in tracks])
    artist_objs = Artist.objects.in_bulk([row[0] for row in artists])
    names = _artist_names(track_objs)
    return {
        "new_artists": new_artists,
        "new_tracks": new_tracks,
        "artists": [
            {
                "name": artist_objs[key].name,
                "spotify_id": _spotify_id(artist_objs[key]),
                "first_play": _iso(first, tz),
                "plays": plays,
            }
            for key, plays, _ms, first, _last in artists
        ],
        "tracks": [
            {
                "name": track_objs[key].name,
                "artists": names.get(key, []),
                "spotify_id": _spotify_id(track_objs[key]),
                "first_play": _iso(first, tz),
                "plays": plays,
            }
            for key, plays, _ms, first, _last in tracks
        ],
        "window": window.describe(tz),
        "time_zone": str(tz),
    }


def _side_by_side(listener, first, second):
    """[(item, kind, primary artist, plays, ms in first, plays, ms in second)] of either window.

    Each table is read once for both windows, with the sums of each picked by condition.
    """
    tables = {}
    for side, window in enumerate((first, second)):
        for table, where, params in _source_ranges(window):
            tables.setdefault(table, ([], []))[side].append((where or "1 = 1", params))
    parts, params = [], []
    for table, sides in tables.items():
        raw = table == "plays_play"
        plays, ms = ("1", f"CAST({_PLAY_MS_SQL} AS {_FLOAT})") if raw else ("plays", _FLOAT_MS)
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
            head = f"SELECT p.item_id AS item_id, {', '.join(sums)} FROM {_RAW_FROM} "
            where = f"WHERE p.listener_id = %s AND {_COUNTED_SQL} AND ({either}) GROUP BY p.item_id"
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


def compare_periods(listener, *, first, second, limit=10, tz=None) -> dict:
    """Two windows side by side: totals, and the artists and tracks that grew or faded."""
    _check_limit(limit, 50)
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
            "minutes": _minutes(totals[position][1]),
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
        names = _artist_names(objs) if model is Item else {}

        def entry(d, objs=objs, names=names, model=model):
            row = {"name": objs[d[0]].name, "first_plays": d[1], "second_plays": d[2]}
            row["change"] = d[2] - d[1]
            if model is Item:
                row["artists"] = names.get(d[0], [])
            return row

        result[label] = {"grew": [entry(d) for d in grew], "faded": [entry(d) for d in faded]}
    return result


def search_history(listener, *, query, window=None, limit=10, tz=None) -> dict:
    """Tracks, artists, albums and shows whose name contains `query`, that the listener played."""
    _check_limit(limit, 50)
    text = query.strip() if isinstance(query, str) else ""
    if len(text) < 2:
        raise QueryError("'query' must be at least two characters of a name to look for.")
    window = window or Window()
    tz = tz or listener_tz(listener)
    ensure_fresh(listener)
    result = {"query": text, "window": window.describe(tz), "time_zone": str(tz)}
    specs = (
        ("tracks", "item", Item, "name"),
        ("artists", "item__primary_artist", Artist, "primary_artist__name"),
        ("albums", "item__album", Album, "album__name"),
        ("shows", "item__show", Show, "show__name"),
    )
    for label, group, model, name in specs:
        items_sql, items_params = _subquery(
            Item.objects.filter(**{f"{name}__icontains": text}).values("id")
        )
        rows, _ = _grouped(
            listener, window, group, limit=limit, items_sql=items_sql, items_params=items_params
        )
        objs = model.objects.in_bulk([row[0] for row in rows])
        names = _artist_names(objs) if label == "tracks" else {}
        result[label] = [
            {
                "name": objs[key].name,
                **({"artists": names.get(key, [])} if label == "tracks" else {}),
                **({"kind": objs[key].kind} if label in ("tracks", "shows") else {}),
                "spotify_id": _spotify_id(objs[key]),
                "plays": plays,
                "minutes": _minutes(ms),
                "first_play": _iso(first_at, tz),
                "last_play": _iso(last_at, tz),
            }
            for key, plays, ms, first_at, last_at in rows
        ]
    return result


_SPOTIFY_URI = re.compile(
    r"^spotify:(track|artist|album|show|episode|chapter|audiobook):([A-Za-z0-9]{22})$"
)
_SPOTIFY_ID = re.compile(r"^[A-Za-z0-9]{22}$")
_URL = re.compile(
    r"^https?://open\.spotify\.com/(?:intl-[a-z-]+/)?"
    r"(track|artist|album|show|episode|chapter|audiobook)/([A-Za-z0-9]{22})"
)
ITEM_KINDS = ("track", "artist", "album", "show", "episode")
_GROUPS = {
    "track": ("item", Item.objects.filter(kind="track")),
    "episode": ("item", Item.objects.exclude(kind="track")),
    "artist": ("item__primary_artist", Artist.objects.all()),
    "album": ("item__album", Album.objects.all()),
    "show": ("item__show", Show.objects.all()),
}


def item_history(listener, *, item, kind=None, tz=None) -> dict:
    """One track, artist, album or show (by name, Spotify id, URI or link): plays over the years."""
    if kind is not None and kind not in ITEM_KINDS:
        raise QueryError("'kind' must be one of: track, artist, album, show, episode.")
    text = item.strip() if isinstance(item, str) else ""
    if not text:
        raise QueryError("'item' must name a track, artist, album or show, or give its Spotify id.")
    tz = tz or listener_tz(listener)
    ensure_fresh(listener)
    candidates = _find_candidates(listener, text, kind)
    if not candidates:
        raise QueryError(
            f"Nothing matching {text!r} is in this listener's history"
            + (f" (kind: {kind})" if kind else "")
            + ": try search_history with part of the name."
        )
    best = candidates[0]
    group, obj = _GROUPS[best["kind"]][0], best["obj"]
    items_sql, items_params = _subquery(
        Item.objects.filter(**{group[6:] or "pk": obj.pk}).values("id")
    )
    rows, _ = _grouped(listener, Window(), group, items_sql=items_sql, items_params=items_params)
    _key, plays, ms, first, last = rows[0]
    result = {
        "kind": best["kind"],
        "name": obj.name,
        "artists": [],
        "spotify_id": _spotify_id(obj),
        "plays": plays,
        "minutes": _minutes(ms),
        "first_play": _iso(first, tz),
        "last_play": _iso(last, tz),
        "per_year": _per_year(listener, group, obj.pk, first, last, tz),
        "other_matches": [
            {"kind": c["kind"], "name": c["obj"].name, "plays": c["plays"]} for c in candidates[1:6]
        ],
        "time_zone": str(tz),
    }
    if best["kind"] in ("track", "episode"):
        result["artists"] = _artist_names([obj.pk]).get(obj.pk, [])
    elif best["kind"] == "album" and obj.artist_id:
        result["artists"] = [obj.artist.name]
    return result


def _per_year(listener, group, pk, first, last, tz):
    """Plays and minutes per year in `tz`: whole UTC months from the rollup, and the plays of
    the months in which a year begins in `tz` (those months straddle two years)."""
    straddling = set()
    for year in range(first.astimezone(tz).year, last.astimezone(tz).year + 2):
        new_year = datetime(year, 1, 1, tzinfo=tz).astimezone(UTC_ZONE)
        month = _month_floor(new_year)
        if month != new_year:
            straddling.add(month.date())
    years = defaultdict(lambda: [0, 0])
    rows = (
        ItemMonth.objects.filter(listener=listener, **{group: pk})
        .exclude(month__in=straddling)
        .annotate(year=ExtractYear("month"))
        .values("year")
        .annotate(p=Sum("plays"), m=Sum("ms"))
        .values_list("year", "p", "m")
        .order_by()
    )
    for year, plays, ms in rows:
        years[year][0] += plays
        years[year][1] += ms or 0
    for month in straddling:
        start = datetime(month.year, month.month, 1, tzinfo=UTC_ZONE)
        end = _month_ceil(start + timedelta(days=1))
        rows = (
            _counted(listener, Window(start, end))
            .filter(**{group: pk})
            .annotate(year=ExtractYear("played_at", tzinfo=tz))
            .values("year")
            .annotate(p=Count("id"), m=Sum(_MS))
            .values_list("year", "p", "m")
            .order_by()
        )
        for year, plays, ms in rows:
            years[year][0] += plays
            years[year][1] += ms or 0
    return [
        {"year": year, "plays": plays, "minutes": _minutes(ms)}
        for year, (plays, ms) in sorted(years.items())
        if plays
    ]


def _find_candidates(listener, text, kind):
    """Matching catalogue rows the listener played: exact names first, then most played."""
    found_kind, spotify_id = None, None
    for pattern in (_SPOTIFY_URI, _URL):
        match = pattern.match(text)
        if match:
            found_kind, spotify_id = match.groups()
    if spotify_id is None and _SPOTIFY_ID.match(text):
        spotify_id = text
    found_kind = {"chapter": "episode", "audiobook": "show"}.get(found_kind, found_kind)
    wanted = kind or found_kind
    candidates = []
    for k in ITEM_KINDS:
        if wanted and k != wanted:
            continue
        group, objects = _GROUPS[k]
        if spotify_id:
            lookups = [objects.filter(spotify_id=spotify_id)]
        else:
            lookups = [objects.filter(name__iexact=text), objects.filter(name__icontains=text)]
        for exact, matches in zip((True, False), lookups, strict=False):
            rows = list(
                ItemTotal.objects.filter(
                    listener=listener, **{f"{group}__in": matches.values("id")}
                )
                .values(group)
                .annotate(p=Sum("plays"))
                .order_by("-p", group)
                .values_list(group, "p")[:10]
            )
            if rows:
                objs = objects.model.objects.in_bulk([key for key, _ in rows])
                candidates.extend(
                    {"kind": k, "obj": objs[key], "plays": plays, "exact": exact}
                    for key, plays in rows
                )
                break
    candidates.sort(key=lambda c: (not c["exact"], -c["plays"]))
    return candidates


def podcasts(listener, *, window=None, limit=10, tz=None) -> dict:
    """Podcast shows and audiobooks, and their episodes and chapters, by minutes listened."""
    _check_limit(limit)
    window = window or Window()
    tz = tz or listener_tz(listener)
    ensure_fresh(listener)
    kinds = ["episode", "chapter"]
    show_rows, _ = _grouped(listener, window, "item__show", kinds=kinds, order="time", limit=limit)
    episode_rows, _, plays, ms = _grouped(
        listener, window, "item", kinds=kinds, order="time", limit=limit, with_totals=True
    )
    shows = Show.objects.in_bulk([row[0] for row in show_rows])
    episodes = Item.objects.select_related("show").in_bulk([row[0] for row in episode_rows])
    return {
        "plays": int(plays),
        "minutes": _minutes(int(ms)),
        "shows": [
            {
                "rank": rank,
                "name": shows[key].name,
                "kind": shows[key].kind,
                "spotify_id": _spotify_id(shows[key]),
                "plays": plays,
                "minutes": _minutes(ms),
            }
            for rank, (key, plays, ms, _first, _last) in enumerate(show_rows, 1)
        ],
        "episodes": [
            {
                "rank": rank,
                "name": episodes[key].name,
                "kind": episodes[key].kind,
                "show": episodes[key].show.name if episodes[key].show else None,
                "spotify_id": _spotify_id(episodes[key]),
                "plays": plays,
                "minutes": _minutes(ms),
            }
            for rank, (key, plays, ms, _first, _last) in enumerate(episode_rows, 1)
        ],
        "window": window.describe(tz),
        "time_zone": str(tz),
        "min_play_seconds": min_play_ms() / 1000,
    }


def _source_hours(listener):
    """{source: (stored plays, first hour, last hour)} from the hourly rollup."""
    ensure_fresh(listener)
    rows = (
        HourTotal.objects.filter(listener=listener)
        .values("source")
        .annotate(n=Sum("stored"), first=Min("epoch_hour"), last=Max("epoch_hour"))
        .values_list("source", "n", "first", "last")
        .order_by()
    )
    return {source: (n, first, last) for source, n, first, last in rows}


def plays_by_source(listener) -> dict:
    """{source: stored plays} for every source, short plays included (what each source gave)."""
    hours = _source_hours(listener)
    return {source: hours.get(source, (0,))[0] for source in Play.Source.values}


def coverage(listener) -> dict:
    """Stored plays in all and per source, with the first and last play (aware datetimes or None).

    The operator's dashboard shows this for every listener: the counts come from the rollups and
    the two ends from the (listener, played_at, ...) index, so it costs milliseconds however long
    the history.
    """
    by_source = plays_by_source(listener)
    ends = Play.objects.filter(listener=listener).aggregate(
        first=Min("played_at"), last=Max("played_at")
    )
    return {
        "plays": sum(by_source.values()),
        "by_source": by_source,
        "first_play": ends["first"],
        "last_play": ends["last"],
    }


def _edge_play(listener, source, hour_number, newest):
    hour = datetime.fromtimestamp(hour_number * 3600, UTC_ZONE)
    plays = Play.objects.filter(
        listener=listener,
        source=source,
        played_at__gte=hour,
        played_at__lt=hour + timedelta(hours=1),
    )
    order = "-played_at" if newest else "played_at"
    return plays.order_by(order).values_list("played_at", flat=True).first()


def sync_status(listener, *, tz=None) -> dict:
    """How complete and fresh the history is: coverage per source, polling state, imports."""
    tz = tz or listener_tz(listener)
    hours = _source_hours(listener)
    coverage = []
    for source, label in Play.Source.choices:
        stored, first_hour, last_hour = hours.get(source, (0, None, None))
        coverage.append(
            {
                "source": source,
                "label": label,
                "plays": stored,
                "first_play": _iso(_edge_play(listener, source, first_hour, False), tz)
                if stored
                else None,
                "last_play": _iso(_edge_play(listener, source, last_hour, True), tz)
                if stored
                else None,
            }
        )
    firsts = [c["first_play"] for c in coverage if c["first_play"]]
    lasts = [c["last_play"] for c in coverage if c["last_play"]]
    now = timezone.now()
    limited = listener.rate_limited_until
    # Import jobs live in the app above this one; the reverse relation reaches them without
    # importing it.
    jobs = listener.import_jobs.order_by("-created_at", "-id")[:5]
    return {
        "listener": listener.spotify_user_id,
        "display_name": listener.display_name,
        "status": listener.status,
        "status_label": listener.get_status_display(),
        "status_reason": listener.status_reason,
        "needs_reauth": listener.status == listener.Status.NEEDS_REAUTH,
        "polling": listener.can_be_polled,
        "plays": sum(c["plays"] for c in coverage),
        "first_play": min(firsts, key=datetime.fromisoformat) if firsts else None,
        "last_play": max(lasts, key=datetime.fromisoformat) if lasts else None,
        "coverage": coverage,
        "last_poll_at": _iso(listener.last_poll_at, tz),
        "last_success_at": _iso(listener.last_success_at, tz),
        "next_poll_at": _iso(listener.next_poll_at, tz) if listener.can_be_polled else None,
        "rate_limited_until": _iso(limited, tz) if limited and limited > now else None,
        "consecutive_failures": listener.consecutive_failures,
        "refresh_token_expires_at": _iso(listener.refresh_token_expires_at, tz),
        "recent_imports": [
            {
                "job_id": job.pk,
                "file_name": job.file_name,
                "status": job.status,
                "format": job.format,
                "inserted": job.inserted,
                "duplicates": job.duplicates,
                "earliest_play": _iso(job.earliest_play, tz),
                "latest_play": _iso(job.latest_play, tz),
                "created_at": _iso(job.created_at, tz),
                "finished_at": _iso(job.finished_at, tz),
                "error": job.error or None,
            }
            for job in jobs
        ],
        "time_zone": str(tz),
    }
