"""Ranks over time: where one artist, track or album stood in each month or year, and the number
ones of each week, month or year.

Periods are whole local weeks (from Monday), months or years in the listener's time zone: every
period the window touches is counted whole (the window only picks the periods; without one, from
the first counted play to the last). In each period the artists (by each track's primary artist),
tracks or albums are ranked by counted plays of tracks; ties share a rank, with standard
competition ranking ("1224": two items tied first are both 1, the next is 3).

Speed: months are summed from the monthly rollup (UTC months) and years from the yearly one, then
the plays between a UTC month's (year's) start and the local one's (at most the zone's offset
apart) are moved across, as `item_detail` does; weeks are summed from the plays, each play's
local day worked out in SQL. The ranking itself is SQL too: one row per period comes back.
"""

# The SQL here is assembled from fixed fragments; every value goes in as a query parameter.
# ruff: noqa: S608

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import F, Max, Min, Q

from plays.models import Album, Artist, Item, ItemTotal
from plays.queries.hours import epoch_minute, local_minute_sql
from plays.queries.lookup import find_played
from plays.queries.sums import (
    GROUP_COLUMNS,
    artist_names,
    counted_plays,
    month_ceil,
    month_floor,
    spotify_id_of,
    sql_param,
    subquery,
)
from plays.queries.windows import UTC_ZONE, QueryError, Window, listener_tz
from plays.rollups import ensure_fresh

RANK_KINDS = ("artist", "track", "album")
RANK_GRANULARITIES = ("month", "year")
NUMBER_ONE_GRANULARITIES = ("week", "month", "year")
MAX_PERIODS = 5000

_GROUP = {"artist": "item__primary_artist", "track": "item", "album": "item__album"}
_MODEL = {"artist": Artist, "track": Item, "album": Album}


def _period_of(day, granularity):
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def _next_period(day, granularity):
    if granularity == "week":
        return day + timedelta(days=7)
    if granularity == "month":
        return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return day.replace(year=day.year + 1)


def _label(day, granularity):
    return {"week": day.isoformat(), "month": day.isoformat()[:7], "year": str(day.year)}[
        granularity
    ]


def _local_start(day, tz):
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC_ZONE)


def _periods(listener, window, granularity, tz):
    """[first day of each period] the window touches (the history's span when unbounded)."""
    start, end = window.start, window.end
    if start is None or end is None:
        span = ItemTotal.objects.filter(listener=listener).aggregate(
            first=Min("first_at"), last=Max("last_at")
        )
        if span["first"] is None:
            return []
        start = start or span["first"]
        end = end or span["last"] + timedelta(microseconds=1)
    if start >= end:
        return []
    day = _period_of(start.astimezone(tz).date(), granularity)
    last = _period_of((end - timedelta(microseconds=1)).astimezone(tz).date(), granularity)
    periods = []
    while day <= last:
        if len(periods) >= MAX_PERIODS:
            raise QueryError(
                f"That is more than {MAX_PERIODS} {granularity}s: use a coarser 'granularity' "
                "or a shorter window."
            )
        periods.append(day)
        day = _next_period(day, granularity)
    return periods


_EPOCH_DAY = date(1970, 1, 1)


def _weeks_sql(listener, kind, periods, tz):
    """(sql, params) of rows (period, k, n) for whole local weeks, from the plays: each play's
    local day worked out in SQL (epoch minutes moved by the zone's offsets, as `time_sums`
    does), the period being the week's number since the Monday before 1970-01-01."""
    group = _GROUP[kind]
    start = _local_start(periods[0], tz)
    end = _local_start(_next_period(periods[-1], "week"), tz)
    plays = (
        counted_plays(listener, Window(start, end))
        .filter(item__kind="track", **{f"{group}__isnull": False})
        .annotate(k=F(group))
        .values("played_at", "k")
        .order_by()
    )
    inner, params = subquery(plays)
    first_minute = int(start.timestamp() // 60) - 60 * 24
    local = local_minute_sql(tz, first_minute, int(end.timestamp() // 60) + 60 * 24)
    day = f"({local} / 1440)"
    sql = (
        f"SELECT ({day} + 3) / 7 AS period, x.k AS k, COUNT(*) AS n FROM (SELECT "
        f"{epoch_minute('q.played_at')} AS m, q.k AS k FROM ({inner}) q) x GROUP BY 1, 2"
    )
    return sql, params


def _week_start(number):
    return _EPOCH_DAY + timedelta(days=number * 7 - 3)


def _counted_sql(listener, kind, periods, granularity, tz):
    """(sql, params) of rows (period, k, n): the counted plays of tracks of each key of `kind` in
    each whole local month or year that has any, for periods from the first to the last.

    Whole UTC months (years) come from the rollup, and the plays between each UTC month's (year's)
    start and the local one's are moved across as rows of +1 and -1, summed here in Python.
    """
    group = _GROUP[kind]
    column = GROUP_COLUMNS[group]
    wanted = set(periods)
    start = _local_start(periods[0], tz)
    end = _local_start(_next_period(periods[-1], granularity), tz)
    first_month, end_month = month_floor(start).date(), month_ceil(end).date()
    if granularity == "year":  # whole UTC years, from the yearly rollup
        first_month = first_month.replace(month=1)
        if end_month.month != 1:
            end_month = date(end_month.year + 1, 1, 1)
        table, unit = "plays_itemyear", "year"
    else:
        table, unit = "plays_itemmonth", "month"
    sql = (
        f"SELECT r.{unit} AS period, {column} AS k, SUM(r.plays) AS n FROM {table} r "
        "JOIN plays_item i ON i.id = r.item_id WHERE r.listener_id = %s "
        f"AND r.{unit} >= %s AND r.{unit} < %s AND i.kind = 'track' AND {column} IS NOT NULL "
        f"GROUP BY r.{unit}, {column}"
    )
    params = [listener.pk, sql_param(first_month), sql_param(end_month)]
    slivers = Q()
    month = first_month
    while month <= end_month:
        if granularity == "month" or month.month == 1:
            utc, local = _local_start(month, UTC_ZONE), _local_start(month, tz)
            if utc != local:
                low, high = sorted((utc, local))
                slivers |= Q(played_at__gte=low, played_at__lt=high)
        month = _next_period(month, "month")
    moved = Counter()
    if slivers:
        plays = counted_plays(listener).filter(item__kind="track", **{f"{group}__isnull": False})
        for played_at, key in plays.filter(slivers).values_list("played_at", group).order_by():
            counted_in = _period_of(played_at.astimezone(UTC_ZONE).date(), granularity)
            belongs_to = _period_of(played_at.astimezone(tz).date(), granularity)
            if counted_in != belongs_to:
                if counted_in in wanted:
                    moved[(counted_in, key)] -= 1
                if belongs_to in wanted:
                    moved[(belongs_to, key)] += 1
    moved = [(period, key, n) for (period, key), n in moved.items() if n]
    if moved:
        rows = ", ".join(["(%s, %s, %s)"] * len(moved))
        sql += f" UNION ALL SELECT column1, column2, column3 FROM (VALUES {rows}) v"
        params += [value for period, key, n in moved for value in (sql_param(period), key, n)]
    sql = f"SELECT period, k, SUM(n) AS n FROM ({sql}) u GROUP BY period, k HAVING SUM(n) > 0"
    return sql, params


def _counted(listener, kind, periods, granularity, tz):
    if granularity == "week":
        return _weeks_sql(listener, kind, periods, tz)
    return _counted_sql(listener, kind, periods, granularity, tz)


def _as_date(value, granularity):
    """A period's first day from the database: a date (text on SQLite), or a week's number."""
    if granularity == "week":
        return _week_start(int(value))
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _standings(listener, kind, periods, granularity, tz, key):
    """{period: (items with a play, items with more plays than `key`, others tied with it, its
    plays)} of the periods with any counted play."""
    counted, params = _counted(listener, kind, periods, granularity, tz)
    sql = (
        f"WITH c AS ({counted}), m AS (SELECT period, n FROM c WHERE k = %s) "
        "SELECT c.period, COUNT(*), SUM(CASE WHEN c.n > COALESCE(m.n, 0) THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN c.n = m.n AND c.k <> %s THEN 1 ELSE 0 END), MAX(m.n) "
        "FROM c LEFT JOIN m ON m.period = c.period GROUP BY c.period"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, key, key])
        return {
            _as_date(period, granularity): (ranked, int(above), int(tied or 0), int(mine or 0))
            for period, ranked, above, tied, mine in cursor.fetchall()
        }


def _tops(listener, kind, periods, granularity, tz):
    """{period: (most plays, [keys with that many])} of the periods with any counted play."""
    counted, params = _counted(listener, kind, periods, granularity, tz)
    sql = (
        f"WITH c AS ({counted}) SELECT period, k, n FROM (SELECT period, k, n, "
        "MAX(n) OVER (PARTITION BY period) AS most FROM c) x WHERE n = most"
    )
    tops = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for period, key, n in cursor.fetchall():
            tops.setdefault(_as_date(period, granularity), (int(n), []))[1].append(key)
    return tops


def _check(kind, granularity, granularities):
    if kind not in RANK_KINDS:
        raise QueryError("'kind' must be one of: artist, track, album.")
    if granularity not in granularities:
        raise QueryError(f"'granularity' must be one of: {', '.join(granularities)}.")


def _describe_item(kind, obj):
    described = {"kind": kind, "name": obj.name, "spotify_id": spotify_id_of(obj)}
    if kind == "track":
        described["artists"] = artist_names([obj.pk]).get(obj.pk, [])
    elif kind == "album":
        described["artists"] = [obj.artist.name] if obj.artist_id else []
    else:
        described["artists"] = []
    return described


def rank_history(listener, kind, item, window=None, *, granularity="month", tz=None) -> dict:
    """One artist, track or album (by name, Spotify id, URI or link): its rank among the
    listener's counted plays in each period, ties sharing a rank (competition ranking), with its
    plays; rank null in a period without a play of it."""
    _check(kind, granularity, RANK_GRANULARITIES)
    window = window or Window()
    tz = tz or listener_tz(listener)
    ensure_fresh(listener)
    obj = find_played(listener, item, kind)
    if obj is None:
        raise QueryError(
            f"No {kind} matching 'item' is in this listener's history: try search_history with "
            "part of the name."
        )
    periods = _periods(listener, window, granularity, tz)
    standings = _standings(listener, kind, periods, granularity, tz, obj.pk) if periods else {}
    rows = []
    for period in periods:
        ranked, above, tied, plays = standings.get(period, (0, 0, 0, 0))
        rows.append(
            {
                "period": _label(period, granularity),
                "start": period.isoformat(),
                "rank": 1 + above if plays else None,
                "plays": plays,
                "tied": tied if plays else 0,
                "ranked": ranked,
            }
        )
    ranks = [row["rank"] for row in rows if row["rank"] is not None]
    return {
        "item": _describe_item(kind, obj),
        "granularity": granularity,
        "ranking": "competition",
        "periods": rows,
        "best_rank": min(ranks) if ranks else None,
        "window": window.describe(tz),
        "time_zone": str(tz),
    }


def number_ones(listener, kind, window=None, *, granularity="month", tz=None) -> dict:
    """The artist, track or album with the most counted plays in each week, month or year; a tie
    gives the first name in alphabetical order, and names the others in `tied_with`."""
    _check(kind, granularity, NUMBER_ONE_GRANULARITIES)
    window = window or Window()
    tz = tz or listener_tz(listener)
    ensure_fresh(listener)
    periods = _periods(listener, window, granularity, tz)
    wanted = set(periods)
    tops = {
        period: top
        for period, top in (
            _tops(listener, kind, periods, granularity, tz) if periods else {}
        ).items()
        if period in wanted
    }
    keys = {key for _, tied in tops.values() for key in tied}
    model = _MODEL[kind]
    objs = (model.objects.select_related("artist") if kind == "album" else model.objects).in_bulk(
        keys
    )
    names = artist_names(keys) if kind == "track" else {}
    rows = []
    for period in periods:
        if period not in tops:
            continue
        most, tied = tops[period]
        tied = sorted(tied, key=lambda key: (objs[key].name, key))
        top = objs[tied[0]]
        rows.append(
            {
                "period": _label(period, granularity),
                "start": period.isoformat(),
                "name": top.name,
                "artists": names.get(top.pk, [])
                if kind == "track"
                else ([top.artist.name] if kind == "album" and top.artist_id else []),
                "spotify_id": spotify_id_of(top),
                "plays": most,
                "tied_with": [objs[key].name for key in tied[1:]],
            }
        )
    reigns = Counter(row["name"] for row in rows)
    return {
        "kind": kind,
        "granularity": granularity,
        "periods": rows,
        "most_periods": [
            {"name": name, "periods": n}
            for name, n in sorted(reigns.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
        ],
        "window": window.describe(tz),
        "time_zone": str(tz),
    }
