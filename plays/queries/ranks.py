"""Ranks over time: where one artist, track or album stood in each month or year, and the number
ones of each week, month or year.

Periods are whole local weeks (from Monday), months or years in the listener's time zone: every
period the window touches is counted whole (the window only picks the periods; without one, from
the first counted play to the last). In each period the artists (by each track's primary artist),
tracks or albums are ranked by counted plays of tracks; ties share a rank, with standard
competition ranking ("1224": two items tied first are both 1, the next is 3).

Speed: PeriodTotal (`plays.period_rollups`) holds each artist's, album's and track's counted plays
in each UTC week, month and year, indexed by plays, so "how many have more plays than this one" or
"which have the most" in a period is one index range. The plays between a UTC period's start and
the local one's (at most the zone's offset apart) are then moved across, as `item_detail` does,
and only the items they touch are counted again in Python.
"""

# The SQL here is assembled from fixed fragments; every value goes in as a query parameter.
# ruff: noqa: S608

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import F, Max, Min, Q

from plays.models import Album, Artist, Item, ItemTotal
from plays.queries.exclusions import hidden_rollup_rows, says_excluded_artists
from plays.queries.hours import epoch_minute
from plays.queries.lookup import find_played
from plays.queries.sums import (
    artist_names,
    counted_plays,
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
        span = hidden_rollup_rows(ItemTotal, listener).aggregate(
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


_UNIT = {"week": "w", "month": "m", "year": "y"}
# Periods (pairs, edges) per statement: the parameters stay well under SQLite's limit.
_CHUNK = 2000


def _chunks(values):
    values = list(values)
    return [values[i : i + _CHUNK] for i in range(0, len(values), _CHUNK)]


def _moved(listener, kind, periods, granularity, tz):
    """{period: {key: plays moved in (+) or out (-)}}: the counted plays of tracks between each
    wanted period's UTC start (or end) and its local one, which the UTC rollup counts in one
    period and the listener's zone in the other; empty in UTC.

    East of UTC the local period starts first: the plays between its start and UTC's are in the
    UTC period before and move into it; west of UTC they move out into the one before."""
    wanted = set(periods)
    edges = []  # (first instant, first instant after, UTC period, local period)
    for day in [*periods, _next_period(periods[-1], granularity)]:
        utc, local = _local_start(day, UTC_ZONE), _local_start(day, tz)
        before = _period_of(day - timedelta(days=1), granularity)
        if local < utc:
            edges.append((local, utc, before, day))
        elif utc < local:
            edges.append((utc, local, day, before))
    moved = {}
    group = _GROUP[kind]
    plays = (
        counted_plays(listener)
        .filter(item__kind="track", **{f"{group}__isnull": False})
        .annotate(k=F(group))
        .values("played_at", "k")
        .order_by()
    )
    day = f"{epoch_minute('q.played_at')} / 1440"
    with connection.cursor() as cursor:
        for chunk in _chunks(edges):
            # Each sliver lies within one UTC day (offsets are under a day), a different day for
            # each edge: the plays are counted per UTC day and key.
            slivers, days = Q(), {}
            for low, high, counted_in, belongs_to in chunk:
                slivers |= Q(played_at__gte=low, played_at__lt=high)
                days[int(low.timestamp() // 86400)] = (counted_in, belongs_to)
            inner, params = subquery(plays.filter(slivers))
            cursor.execute(
                f"SELECT {day}, q.k, COUNT(*) FROM ({inner}) q GROUP BY {day}, q.k", params
            )
            for number, key, n in cursor.fetchall():
                counted_in, belongs_to = days[int(number)]
                for period, step in ((counted_in, -n), (belongs_to, n)):
                    if period in wanted:
                        keys = moved.setdefault(period, Counter())
                        keys[key] += step
    return {period: {k: n for k, n in keys.items() if n} for period, keys in moved.items()}


def _where(listener, kind, granularity, alias="r"):
    """The condition (and its parameters) on PeriodTotal rows of one kind and unit."""
    return (
        f"{alias}.listener_id = %s AND {alias}.kind = %s AND {alias}.unit = %s",
        [listener.pk, kind, _UNIT[granularity]],
    )


def _values(rows):
    """A VALUES list of rows of equal length as a subquery with columns column1, column2, ...
    (both databases name them so)."""
    width = len(rows[0])
    marks = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(rows))
    columns = ", ".join(f"column{n}" for n in range(1, width + 1))
    return (
        f"(SELECT {columns} FROM (VALUES {marks}) vv)",
        [sql_param(value) for row in rows for value in row],
    )


def _rows_of_each(listener, kind, granularity, values, condition):
    """(SQL, params) of the PeriodTotal rows (period, key, plays) matching each row `v` of a
    VALUES list (`condition` on `r` and `v`), each looked up in the index on its own. PostgreSQL
    would rather hash-join whole ranges of the table: a LATERAL subquery kept apart by OFFSET 0
    makes it look each one up; SQLite does so anyway."""
    where, params = _where(listener, kind, granularity)
    values, value_params = values
    if connection.vendor == "postgresql":
        rows = (
            f"{values} v CROSS JOIN LATERAL (SELECT r.period, r.key, r.plays FROM "
            f"plays_periodtotal r WHERE {where} AND {condition} OFFSET 0) r"
        )
    else:
        rows = f"{values} v JOIN plays_periodtotal r ON {condition} AND {where}"
    return f"SELECT r.period, r.key, r.plays FROM {rows}", [*value_params, *params]


def _as_date(value):
    """A period's first day from the database (text on SQLite)."""
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _rollup_plays(listener, kind, granularity, pairs):
    """{(period, key): the rollup's plays} of (UTC period, key) pairs that have a row."""
    found = {}
    with connection.cursor() as cursor:
        for chunk in _chunks(pairs):
            cursor.execute(
                *_rows_of_each(
                    listener,
                    kind,
                    granularity,
                    _values(chunk),
                    "r.period = v.column1 AND r.key = v.column2",
                )
            )
            for period, key, n in cursor.fetchall():
                found[(_as_date(period), key)] = int(n)
    return found


def _standings(listener, kind, periods, granularity, tz, key):
    """{period: (items with a play, items with more plays than `key`, others tied with it, its
    plays)} of the periods.

    The UTC period's counts come from index ranges of PeriodTotal (rows with more plays than the
    key's local number, rows with as many); then only the items with plays moved across the
    period's boundaries are counted again with their moved plays."""
    moved = _moved(listener, kind, periods, granularity, tz)
    pairs = {(period, key) for period in periods}
    pairs |= {(period, k) for period, keys in moved.items() for k in keys}
    before = _rollup_plays(listener, kind, granularity, sorted(pairs))
    mine = {p: before.get((p, key), 0) + moved.get(p, {}).get(key, 0) for p in periods}
    where, params = _where(listener, kind, granularity)
    counts = {}
    with connection.cursor() as cursor:
        for chunk in _chunks(periods):
            values, value_params = _values([(p, mine[p]) for p in chunk])
            of_period = f"FROM plays_periodtotal r WHERE {where} AND r.period = v.column1"
            cursor.execute(
                "SELECT v.column1, (SELECT MAX(r.keys) FROM plays_periodcount r "
                f"WHERE {where} AND r.period = v.column1), "
                f"(SELECT COUNT(*) {of_period} AND r.plays > v.column2), "
                f"(SELECT COUNT(*) {of_period} AND r.plays = v.column2) FROM {values} v",
                [*params, *params, *params, *value_params],
            )
            for period, ranked, above, equal in cursor.fetchall():
                counts[_as_date(period)] = (int(ranked or 0), int(above), int(equal))
    standings = {}
    for period in periods:
        ranked, above, equal = counts[period]
        x = mine[period]
        for k, step in moved.get(period, {}).items():
            was = before.get((period, k), 0)
            now = was + step
            ranked += (now > 0) - (was > 0)
            above += (now > x) - (was > x)
            equal += (now == x) - (was == x)
        standings[period] = (ranked, above, equal - 1 if x else 0, x)
    return standings


def _tops(listener, kind, periods, granularity, tz):
    """{period: (most plays, [keys with that many])} of the periods with any counted play.

    From PeriodTotal: the period's most plays M, then the rows with at least M - lost - gained
    (lost: the most plays any item moved out, gained: the most any moved in). The number one has
    at least M - lost (the item with M has at least that many after the moves), and no item with
    fewer than M - lost - gained before the moves can reach it, so the rows read hold every
    candidate; the moved ones among them are counted again with their moved plays."""
    moved = _moved(listener, kind, periods, granularity, tz)
    where, params = _where(listener, kind, granularity)
    counted, floors = {}, {}
    with connection.cursor() as cursor:
        for chunk in _chunks(periods):
            # Each period's most plays: the top of its index range.
            values, value_params = _values([(p,) for p in chunk])
            cursor.execute(
                f"SELECT v.column1, (SELECT MAX(r.plays) FROM plays_periodtotal r WHERE {where} "
                f"AND r.period = v.column1) FROM {values} v",
                [*params, *value_params],
            )
            for period, most in cursor.fetchall():
                if most is not None:
                    steps = moved.get(_as_date(period), {}).values()
                    lost = max([-n for n in steps if n < 0], default=0)
                    gained = max([n for n in steps if n > 0], default=0)
                    floors[_as_date(period)] = int(most) - lost - gained
            least = [(period, floor) for period, floor in floors.items() if period in set(chunk)]
            if not least:
                continue
            cursor.execute(
                *_rows_of_each(
                    listener,
                    kind,
                    granularity,
                    _values(least),
                    "r.period = v.column1 AND r.plays >= v.column2",
                )
            )
            for period, key, n in cursor.fetchall():
                counted.setdefault(_as_date(period), {})[key] = int(n)
    for period, keys in moved.items():
        rows = counted.setdefault(period, {})
        for k, step in keys.items():
            if k in rows:
                rows[k] += step
            elif floors.get(period, 0) <= 0:  # every row was read: the item had none
                rows[k] = step
    tops = {}
    for period, keys in counted.items():
        most = max(keys.values(), default=0)
        if most > 0:
            tops[period] = (most, [k for k, n in keys.items() if n == most])
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


@says_excluded_artists
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


@says_excluded_artists
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
